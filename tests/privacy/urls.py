"""The project's URLs plus privacy's, until config/urls.py routes /privacy/ itself."""

from django.urls import include, path

from config.urls import urlpatterns as project_urlpatterns

_routed = any(getattr(p, "namespace", None) == "privacy" for p in project_urlpatterns)
urlpatterns = list(project_urlpatterns)
if not _routed:
    urlpatterns.append(path("privacy/", include("privacy.urls")))
