"""A real OpenID Connect provider process on loopback (tests/signin/oidc_provider.py), and a provider row
pointing at it."""

import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from signin import crypto
from signin.models import OIDCProvider

PROVIDER_SCRIPT = Path(__file__).with_name("oidc_provider.py")
CLIENT_ID, CLIENT_SECRET = "iep-app", "test-secret"


def fresh_address() -> str:
    """A client address no earlier run has used: rate-limit counters outlive a test in a shared Redis cache."""
    import random

    return f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"


class ProviderProcess:
    def __init__(self):
        self.process = subprocess.Popen(
            [sys.executable, str(PROVIDER_SCRIPT), "--port", "0", "--client-id", CLIENT_ID,
             "--client-secret", CLIENT_SECRET], stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline().strip()
        if not line.startswith("PORT "):
            self.process.kill()
            raise RuntimeError(f"the test provider did not start: {line!r}")
        self.url = f"http://127.0.0.1:{int(line.split()[1])}"

    def control(self, **settings) -> dict:
        return requests.post(f"{self.url}/_control", data=json.dumps(settings), timeout=5).json()

    def calls(self) -> list[dict]:
        return requests.get(f"{self.url}/_control/log", timeout=5).json()

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture(scope="session")
def oidc_server():
    server = ProviderProcess()
    yield server
    server.stop()


@pytest.fixture
def idp(oidc_server):
    """The provider process, reset to a signed-in person with a verified address and no fault."""
    oidc_server.control(identity={"sub": "subject-1", "email": "someone@example.org", "email_verified": True},
                        fault="", interactive=False)
    return oidc_server


@pytest.fixture
def make_provider(idp):
    def make(district, **fields):
        values = {"name": "Test Identity", "slug": "test-idp", "issuer": idp.url, "client_id": CLIENT_ID,
                  "client_secret_encrypted": crypto.encrypt(CLIENT_SECRET), "allowed_domains": "example.org",
                  "link_by_email": True, "require_email_verified": True, "mfa_claim": "amr", "mfa_values": "mfa"}
        values.update(fields)
        return OIDCProvider.objects.create(district=district, **values)
    return make


def sso_round_trip(client, provider, *, follow_callback: bool = True):
    """Start single sign-on in the app, let the provider process answer /authorize over real HTTP, and return
    (callback URL, the app's response to it)."""
    start = client.get(f"/signin/oidc/{provider.slug}/start/")
    assert start.status_code == 302, start.content
    assert start["Location"].startswith(provider.issuer + "/authorize?")
    at_provider = requests.get(start["Location"], allow_redirects=False, timeout=5)
    assert at_provider.status_code == 302, at_provider.text
    callback = at_provider.headers["Location"]
    parts = urlsplit(callback)
    assert parts.path == f"/signin/oidc/{provider.slug}/callback/"
    local = f"{parts.path}?{parts.query}"
    return local, (client.get(local) if follow_callback else None)


class Mailbox:
    """A real SMTP server (aiosmtpd) on a free loopback port; `messages` are what arrived, parsed."""

    def __init__(self):
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.messages = []
        self.controller = None

    def start(self):
        from aiosmtpd.controller import Controller

        mailbox = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                from email import message_from_bytes, policy

                message = message_from_bytes(envelope.content, policy=policy.default)
                mailbox.messages.append({"to": envelope.rcpt_tos, "message": message})
                return "250 Message accepted for delivery"

        import logging

        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's per-connection chatter
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def wait(self, count: int = 1, seconds: float = 10.0) -> list:
        import time

        deadline = time.monotonic() + seconds
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages

    @staticmethod
    def text(item) -> str:
        return item["message"].get_body(preferencelist=("plain",)).get_content()

    @staticmethod
    def html(item) -> str:
        return item["message"].get_body(preferencelist=("html",)).get_content()


@pytest.fixture
def smtp(settings):
    """Django's SMTP backend pointed at a real SMTP server of the test's own."""
    box = Mailbox()
    box.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", box.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    yield box
    box.stop()
