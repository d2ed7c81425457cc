"""Login throttling for the admin, by django-axes."""

from axes.backends import AxesStandaloneBackend


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' lock-out check, for logins that come with a request.

    Every login form passes the request; a call without one (a script, the test client's
    ``login``) has no address to throttle, so it is left to the next backend instead of failing.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
