"""Lock notices: tell a user, once, that their section lease was broken or taken over (issue 5)."""

from django.contrib import messages

from .services import locks as lock_services


class LockNoticeMiddleware:
    """On a signed-in user's next full page view (GET, not the API, not an htmx fragment), turn their unseen
    LockNotices into page messages. One indexed query per such page; API clients get them in lock responses."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # After the session-limit and two-factor checks: a request they turn away never consumes a notice.
        user = getattr(request, "user", None)
        if (request.method == "GET" and user is not None and user.is_authenticated
                and not request.path.startswith(("/api/", "/static/")) and not request.headers.get("HX-Request")):
            for notice in lock_services.lock_notices_take(user=user):
                messages.warning(request, notice.message)
        return None
