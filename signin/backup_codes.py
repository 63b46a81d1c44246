"""Backup codes for the second factor: django-otp's static device, ten single-use codes."""

import secrets

from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

COUNT = 10
DEVICE_NAME = "Backup codes"
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read from paper


def _code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(10))


@transaction.atomic
def backup_codes_create(*, user) -> list[str]:
    """A new set of COUNT single-use codes for `user`, replacing any earlier set. Each code works once at the
    code prompt (django-otp's match_token tries every device of the user)."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=DEVICE_NAME, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [_code() for _ in range(COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def backup_codes_remaining(*, user) -> int:
    return StaticToken.objects.filter(device__user=user, device__name=DEVICE_NAME).count()
