from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo year (`load_demo`): tooling on top of every app; no runtime code imports it."""

    name = "demo"
    verbose_name = "Demo data"
