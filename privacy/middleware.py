"""Attribute audit entries written during a request to the signed-in person."""

from privacy.audit import _actor


class AuditActorMiddleware:
    """Place after AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        # Lazy: request.user is only loaded if an audit entry is written.
        token = _actor.set(_LazyActor(request) if user is not None else None)
        try:
            return self.get_response(request)
        finally:
            _actor.reset(token)


class _LazyActor:
    def __init__(self, request):
        self.request = request

    def resolve(self):
        user = self.request.user
        return user if user.is_authenticated else None
