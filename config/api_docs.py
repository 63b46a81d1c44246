"""The API documentation page, served under the strict Content Security Policy.

drf-spectacular's default Swagger page initialises Swagger UI from an inline <script> and styles itself with an
inline <style>; both are refused by our policy. The split view serves the initialiser as a script from this same
origin, and our template moves the page style into a static file, so no CSP exception is needed.
"""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import permissions


class DocsAccess(permissions.BasePermission):
    """The schema and the documentation page: open to all outside production, signed-in users in production
    (IEP_API_DOCS_PUBLIC; docs/security.md), so the API's shape is not published to the internet."""

    def has_permission(self, request, view):
        return settings.IEP_API_DOCS_PUBLIC or bool(request.user and request.user.is_authenticated)


class ApiSchemaView(SpectacularAPIView):
    permission_classes = [DocsAccess]


class ApiDocsView(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"
    permission_classes = [permissions.AllowAny]  # checked in get(): a page sends the reader to sign in

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        if not DocsAccess().has_permission(request, self):
            return redirect_to_login(request.get_full_path())
        return super().get(request, *args, **kwargs)


ERROR = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}
VALIDATION_ERROR = {
    "type": "object", "description": "Field name (or non_field_errors / detail) to the messages about it.",
    "additionalProperties": {"oneOf": [{"type": "array", "items": {}}, {"type": "string"}, {"type": "object"}]},
}
ERRORS = {
    "400": ("The input is invalid: malformed JSON, a missing or unknown field, a bad date or choice, text over its "
            "limit. Nothing was written.", "ValidationError"),
    "403": ("Not signed in, or in scope but not allowed.", "Error"),
    "404": ("No such object, or out of the user's scope (never told apart), or a page past the end.", "Error"),
    "405": ("The method is not allowed here.", "Error"),
}
THROTTLED = ("Too many writes: wait the number of seconds in the Retry-After header.", "Error")
WRITES = {"post", "put", "patch", "delete"}


def document_errors(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook: every operation documents the errors every door may answer (400 for
    input, 403 for access, 404 for scope, 405), unless the view documented them itself; 409s stay per view."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR)
    schemas.setdefault("ValidationError", VALIDATION_ERROR)
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            errors = {**ERRORS, "429": THROTTLED} if method in WRITES else ERRORS
            for code, (description, name) in errors.items():
                responses.setdefault(code, {
                    "description": description,
                    "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}},
                })
    return result
