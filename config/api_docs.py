"""The API documentation page, served under the strict Content Security Policy.

drf-spectacular's default Swagger page initialises Swagger UI from an inline <script> and styles itself with an
inline <style>; both are refused by our policy. The split view serves the initialiser as a script from this same
origin, and our template moves the page style into a static file, so no CSP exception is needed.
"""

from drf_spectacular.views import SpectacularSwaggerSplitView


class ApiDocsView(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"


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
            for code, (description, name) in ERRORS.items():
                responses.setdefault(code, {
                    "description": description,
                    "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}},
                })
    return result
