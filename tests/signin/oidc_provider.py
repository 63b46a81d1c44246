"""A tiny but real OpenID Connect provider for the tests, run as its own process on loopback.

    python tests/signin/oidc_provider.py --port 0 --client-id app --client-secret s3cret

It prints `PORT <n>` once listening. Endpoints: discovery (/.well-known/openid-configuration), /jwks, /authorize
(authorization code flow with PKCE S256), /token (client_secret_basic or _post), /logout (RP-initiated
sign-out). ID tokens are RS256 JWTs signed with a fresh 2048-bit RSA key by joserfc (the JOSE library of
Authlib's author, which Authlib itself uses). Tests steer it through POST /_control (JSON):
  identity: the claims of the person "signed in" here (sub, email, email_verified, amr, acr, name)
  fault: "" | "bad_signature" (signed by another key under the same key id) | "wrong_audience" | "expired"
  interactive: false answers /authorize with an immediate redirect; true shows a page with a Continue button
GET /_control/log lists what was called (e.g. the logout endpoint).
"""

import argparse
import base64
import hashlib
import html
import json
import secrets
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

KID = "test-key-1"


class Provider:
    def __init__(self, client_id: str, client_secret: str):
        self.client_id, self.client_secret = client_id, client_secret
        self.key = RSAKey.generate_key(2048, parameters={"kid": KID, "use": "sig", "alg": "RS256"})
        self.other_key = RSAKey.generate_key(2048, parameters={"kid": KID, "use": "sig", "alg": "RS256"})
        self.codes: dict[str, dict] = {}
        self.lock = threading.Lock()
        self.log: list[dict] = []
        self.control = {"identity": {"sub": "subject-1", "email": "someone@example.org", "email_verified": True},
                        "fault": "", "interactive": False}
        self.issuer = ""

    def id_token(self, *, nonce: str | None) -> str:
        now = int(time.time())
        fault = self.control["fault"]
        claims = {"iss": self.issuer, "aud": self.client_id, "iat": now, "exp": now + 300,
                  **self.control["identity"]}
        if nonce:
            claims["nonce"] = nonce
        if fault == "wrong_audience":
            claims["aud"] = "someone-else"
        if fault == "expired":
            claims["iat"], claims["exp"] = now - 3600, now - 1800
        key = self.other_key if fault == "bad_signature" else self.key
        return jwt.encode({"alg": "RS256", "kid": KID}, claims, key)


def make_handler(provider: Provider):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def _json(self, body, status=200):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _html(self, body: str, status=200):
            data = f"<!DOCTYPE html><html lang='en'><head><title>Test provider</title></head><body>{body}</body></html>"
            data = data.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _redirect(self, url: str):
            self.send_response(302)
            self.send_header("Location", url)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _form(self) -> dict:
            length = int(self.headers.get("Content-Length") or 0)
            return {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}

        def do_GET(self):
            url = urlparse(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            provider.log.append({"path": url.path, "query": query})
            if url.path == "/.well-known/openid-configuration":
                base = provider.issuer
                return self._json({
                    "issuer": base, "authorization_endpoint": f"{base}/authorize", "token_endpoint": f"{base}/token",
                    "jwks_uri": f"{base}/jwks", "end_session_endpoint": f"{base}/logout",
                    "response_types_supported": ["code"], "subject_types_supported": ["public"],
                    "id_token_signing_alg_values_supported": ["RS256"], "code_challenge_methods_supported": ["S256"],
                    "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
                    "scopes_supported": ["openid", "email", "profile"]})
            if url.path == "/jwks":
                return self._json(KeySet([provider.key]).as_dict(private=False))
            if url.path == "/authorize":
                if query.get("client_id") != provider.client_id or query.get("response_type") != "code":
                    return self._html("<h1>Unknown client</h1>", 400)
                if provider.control["interactive"]:
                    fields = "".join(f"<input type='hidden' name='{html.escape(k)}' value='{html.escape(v)}'>"
                                     for k, v in query.items())
                    who = html.escape(str(provider.control["identity"].get("email", "")))
                    return self._html(f"<h1>Test identity provider</h1><form method='post' action='/authorize'>"
                                      f"{fields}<p>Signed in here as {who}.</p>"
                                      f"<button type='submit'>Continue</button></form>")
                return self._issue_code(query)
            if url.path == "/logout":
                return self._html("<h1>Signed out of the test identity provider</h1>")
            if url.path == "/_control/log":
                return self._json(provider.log)
            return self._json({"error": "not_found"}, 404)

        def _issue_code(self, query: dict):
            code = secrets.token_urlsafe(24)
            with provider.lock:
                provider.codes[code] = {"redirect_uri": query.get("redirect_uri"), "nonce": query.get("nonce"),
                                        "challenge": query.get("code_challenge")}
            params = {"code": code}
            if "state" in query:
                params["state"] = query["state"]
            return self._redirect(f"{query['redirect_uri']}?{urlencode(params)}")

        def do_POST(self):
            url = urlparse(self.path)
            form = self._form() if url.path != "/_control" else {}
            provider.log.append({"path": url.path, "method": "POST"})
            if url.path == "/_control":
                length = int(self.headers.get("Content-Length") or 0)
                provider.control.update(json.loads(self.rfile.read(length) or b"{}"))
                provider.log.clear()
                return self._json(provider.control)
            if url.path == "/authorize":
                return self._issue_code(form)
            if url.path == "/token":
                client_id, secret = form.get("client_id"), form.get("client_secret")
                auth = self.headers.get("Authorization", "")
                if auth.startswith("Basic "):
                    client_id, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
                if client_id != provider.client_id or secret != provider.client_secret:
                    return self._json({"error": "invalid_client"}, 401)
                with provider.lock:
                    grant = provider.codes.pop(form.get("code", ""), None)  # single use
                if grant is None or grant["redirect_uri"] != form.get("redirect_uri"):
                    return self._json({"error": "invalid_grant"}, 400)
                if grant["challenge"]:
                    verifier = form.get("code_verifier", "")
                    digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
                    if digest.decode() != grant["challenge"]:
                        return self._json({"error": "invalid_grant", "error_description": "PKCE"}, 400)
                return self._json({"access_token": secrets.token_urlsafe(24), "token_type": "Bearer",
                                   "expires_in": 300, "id_token": provider.id_token(nonce=grant["nonce"])})
            return self._json({"error": "not_found"}, 404)

    return Handler


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--client-id", default="iep-app")
    parser.add_argument("--client-secret", default="test-secret")
    args = parser.parse_args(argv)
    provider = Provider(args.client_id, args.client_secret)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(provider))
    provider.issuer = f"http://127.0.0.1:{server.server_address[1]}"
    print(f"PORT {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
