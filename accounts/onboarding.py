"""Starting a new district without the demo: the district and its first district administrator, in one step."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from students.models import District

from .models import Role, User
from .services import role_assignment_add, user_create


@transaction.atomic
def district_create(*, name: str, org_code: str, admin_username: str, admin_first_name: str, admin_last_name: str,
                    admin_email: str, admin_password: str | None) -> tuple[District, User]:
    """Create a district and its first district administrator, who signs in with `admin_password`, or, when it
    is None, sets a password through a one-time link emailed (through the outbox) to `admin_email`.

    All or nothing: a bad field (an org code that is not 8 digits or is taken, a username in use, a password the
    password rules refuse) raises ValidationError naming the field, and nothing is written. The district requires
    two-factor sign-in for administrators (the model's default): the administrator sets it up at first sign-in.
    """
    district = District(name=name.strip(), org_code=org_code.strip())
    district.full_clean()
    district.save()
    user = User(username=admin_username, first_name=admin_first_name, last_name=admin_last_name,
                email=admin_email, district=district)
    if admin_password is not None:
        try:
            validate_password(admin_password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
    user = user_create(district=district, username=admin_username, first_name=admin_first_name,
                       last_name=admin_last_name, email=admin_email, password=admin_password)
    role_assignment_add(user=user, role=Role.DISTRICT_ADMIN, district=district)
    if admin_password is None:
        from signin.emails import password_reset_email_queue

        password_reset_email_queue(user=user)  # in this transaction: the link goes out only if all of it holds
    return district, user
