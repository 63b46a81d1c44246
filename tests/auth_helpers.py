"""Signing in test clients as a user who has passed the second factor (superusers always need one)."""

from django_otp.plugins.otp_totp.models import TOTPDevice


def force_login_verified(client, user):
    """`client.force_login(user)` plus a confirmed TOTP device marked as verified in the session."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="test phone", confirmed=True)
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client
