from django.conf import settings


def roles(request):
    base = {"partnership_name": settings.PARTNERSHIP_NAME}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return base | {"is_lead": False, "is_trainer": False, "is_org_manager": False}
    return base | {
        "is_lead": user.is_lead,
        "is_trainer": user.is_trainer,
        "is_org_manager": user.is_org_manager,
    }
