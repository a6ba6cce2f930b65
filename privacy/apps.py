from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "privacy"
    verbose_name = "Privacy and audit"

    def ready(self):
        # The audit trail of questionnaire changes (like django-simple-history: a record of
        # what changed, not workflow).
        from privacy import audit

        audit.connect()
