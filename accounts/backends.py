from axes.backends import AxesStandaloneBackend


class LoginLockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check, skipped when there is no request to key it on.

    Every HTTP sign-in (the login page, DRF basic authentication) passes its request, so it is always checked.
    Only code calls authenticate() without one: a shell, or the test client's login().
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
