from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "courses"

    def ready(self):
        # Connects the receiver of `signals.event_published` that tells people waiting for dates.
        from courses import interest  # noqa: F401
