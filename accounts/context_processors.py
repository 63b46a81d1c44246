from .models import Role


def navigation(request):
    """Which navigation entries to show. Showing a link grants nothing: every view checks access itself."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_roles": set()}
    roles = getattr(request, "_nav_roles", None)
    if roles is None:
        roles = set(user.role_assignments.values_list("role", flat=True))
        request._nav_roles = roles
    return {"nav_roles": roles, "is_district_admin": Role.DISTRICT_ADMIN in roles}
