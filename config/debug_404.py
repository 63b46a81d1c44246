"""The project's own "Page not found" page under DEBUG (`make run`).

With DEBUG on, Django answers an unknown URL with its technical 404 page, which lists every URL pattern of the
site, and answers a view's Http404 with the exception text. This middleware makes the development server answer
as production does (config.views.not_found: templates/404.html, a JSON body under /api/). It does nothing when
DEBUG is off: there Django already calls handler404. Django's technical 500 page is left alone (it helps
developers and shows no URL list).
"""

from django.conf import settings
from django.http import Http404
from django.urls import Resolver404, get_resolver

from .views import not_found


class DebugNotFoundMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.DEBUG:
            try:  # an unknown URL never reaches a view: resolve it here, as the handler is about to
                get_resolver(getattr(request, "urlconf", None)).resolve(request.path_info)
            except Resolver404 as exc:
                return not_found(request, exc)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if settings.DEBUG and isinstance(exception, Http404):
            return not_found(request, exception)
        return None
