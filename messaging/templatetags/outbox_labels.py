from django import template

from messaging.labels import purpose_label

register = template.Library()
register.filter("purpose_label", purpose_label)
