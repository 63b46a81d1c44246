"""Encrypt stored single sign-on client secrets (Fernet: AES-128-CBC + HMAC-SHA256, from `cryptography`).

The key is SIGNIN_SECRET_KEY from the environment, or derived from SECRET_KEY; rotating it means storing the
secrets again. A secret in an environment variable (OIDCProvider.client_secret_env) is preferred.
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet() -> Fernet:
    material = settings.SIGNIN_SECRET_KEY or settings.SECRET_KEY
    key = base64.urlsafe_b64encode(hashlib.sha256(f"signin-oidc-secret:{material}".encode()).digest())
    return Fernet(key)


def encrypt(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def decrypt(token: str) -> str:
    """The plain secret, or "" when it cannot be read (empty, or stored under another key)."""
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return ""
