"""Sign-in services: match a single sign-on identity to a staff account, password policy, forced resets."""

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .exceptions import SignInRefused
from .models import DistrictSignIn, OIDCIdentity, OIDCProvider

User = get_user_model()

NOT_YOURS = gettext_lazy("There is no active staff account for you in this district. Ask your district's "
                         "administrator to create your account, or sign in with the account your district gave you.")


def passwords_allowed(user) -> bool:
    """May `user` sign in with a password? Superusers and staff without a district always may; others as
    their district's policy says (default yes)."""
    if user.is_superuser or not user.district_id:
        return True
    policy = DistrictSignIn.objects.filter(district_id=user.district_id).values_list("passwords_allowed",
                                                                                     flat=True).first()
    return True if policy is None else policy


def names_in_email(district_id: int | None) -> bool:
    """Does the district allow student names in email bodies? Default no."""
    if district_id is None:
        return False
    return bool(DistrictSignIn.objects.filter(district_id=district_id).values_list("names_in_email",
                                                                                 flat=True).first())


def _refuse(reason: str, message=None):
    raise SignInRefused(reason, str(message or NOT_YOURS))


def identity_match(*, provider: OIDCProvider, claims: dict, now=None):
    """The active staff account of `provider`'s district that these verified ID-token claims belong to.

    1. A subject already linked to this provider: its account, if active and still of this district.
    2. Otherwise, only when the district trusts this provider for it (`link_by_email`): the email claim, whose
       domain must be in the allowed list and, when the provider is set so, marked `email_verified`; exactly
       one active account of the district with that address (case-insensitive) is linked to the subject.
    3. Anything else is refused (SignInRefused). Nobody is ever created: accounts come from administrators.

    The link is unique per (provider, subject) and per (provider, user): two racing first sign-ins of one
    person create one link, the other gets IntegrityError and re-reads it.
    """
    now = now or timezone.now()
    subject = str(claims.get("sub") or "")
    if not subject:
        _refuse("no_subject", _("The sign-in service did not say who you are."))
    link = OIDCIdentity.objects.select_related("user").filter(provider=provider, subject=subject).first()
    if link is not None:
        user = link.user
        if not user.is_active:
            _refuse("deactivated", _("Your account in this district is deactivated. Ask your district's "
                                     "administrator if you should still have access."))
        if user.district_id != provider.district_id:
            _refuse("other_district")
        OIDCIdentity.objects.filter(pk=link.pk).update(last_used_at=now)
        return user
    if not provider.link_by_email:
        _refuse("not_linked")
    email = str(claims.get("email") or "").strip()
    domain = email.rpartition("@")[2].lower()
    if not email or "@" not in email or domain not in provider.domains:
        _refuse("domain_not_allowed")
    if provider.require_email_verified and claims.get("email_verified") is not True:
        _refuse("email_not_verified", _("Your sign-in service has not verified your email address, so it cannot "
                                        "be used to find your account. Ask your district's administrator."))
    candidates = list(User.objects.filter(email__iexact=email, district_id=provider.district_id))
    if not candidates:
        _refuse("unknown")
    active = [user for user in candidates if user.is_active]
    if not active:
        _refuse("deactivated", _("Your account in this district is deactivated. Ask your district's "
                                 "administrator if you should still have access."))
    if len(active) > 1:
        _refuse("ambiguous", _("More than one staff account has your email address. Ask your district's "
                               "administrator to fix this before you sign in."))
    user = active[0]
    try:
        with transaction.atomic():
            OIDCIdentity.objects.create(provider=provider, subject=subject, user=user, last_used_at=now)
    except IntegrityError:
        existing = OIDCIdentity.objects.filter(provider=provider, subject=subject, user=user).first()
        if existing is None:  # this account is already linked to another subject of the provider
            _refuse("linked_elsewhere", _("Your account is already linked to another sign-in of this service. "
                                          "Ask your district's administrator."))
    return user


def password_force_reset(*, user, by, request=None) -> None:
    """An administrator ends `user`'s password: it becomes unusable (which ends every session of theirs, whose
    hash no longer matches) and a reset link is emailed when the account has an address. Logged."""
    from .emails import password_reset_email_queue
    from .models import SecurityEvent
    from .security_log import security_event_record

    with transaction.atomic():
        user.set_unusable_password()
        user.save(update_fields=["password"])
        sent = password_reset_email_queue(user=user, request=request) if user.email else False
        security_event_record(kind=SecurityEvent.Kind.FORCED_RESET, request=request, user=user, method="admin",
                              result=f"by user {by.pk}; link {'emailed' if sent else 'not emailed (no address)'}")
