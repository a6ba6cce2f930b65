"""Background tasks of the people app (run by the django-q2 worker)."""

from people.account_mail import account_email_send


def send_account_email(key: str) -> str:
    return account_email_send(key)
