"""A fake LMS over real HTTP, on its own origin, for the browser tests of LTI 1.3.

It serves a course page that embeds paperlabs in an iframe and starts a third-party
initiated login; its OIDC authorization endpoint answers with a signed id_token posted
back to the tool (a form the page submits); the tool reaches its JWKS, its token
endpoint and a line item's scores endpoint, whose scores it records.
"""

from __future__ import annotations

import base64
import html
import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

CLIENT_ID = "paperlabs-browser"
DEPLOYMENT = "deployment-browser"
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
LIS = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
ROLES = {"learner": LIS + "Learner", "instructor": LIS + "Instructor"}


class FakeLms:
    def __init__(self, host: str) -> None:
        self.host = host
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.tool = ""  # the tool's origin, set once it runs
        self.scores: list[dict[str, Any]] = []
        self.deep_links: list[str] = []
        self.score_delay = 0.0  # seconds the gradebook takes to answer (widens races)
        self.port = 0

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    def jwks(self) -> dict[str, Any]:
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update(kid="lms-key", alg="RS256", use="sig")
        return {"keys": [jwk]}

    def registration_script(self) -> str:
        """A ``manage.py shell`` script registering this LMS with the tool."""
        return f"""
from lti_tool.models import Key, LtiDeployment, LtiRegistration
if not Key.objects.exists():
    Key.objects.generate()
registration, _ = LtiRegistration.objects.update_or_create(
    issuer={self.origin!r}, client_id={CLIENT_ID!r},
    defaults=dict(name="Fake LMS", auth_url={self.origin + "/auth"!r},
                  token_url={self.origin + "/token"!r}, keyset_url={self.origin + "/jwks"!r}))
LtiDeployment.objects.get_or_create(registration=registration, deployment_id={DEPLOYMENT!r},
                                    defaults=dict(is_active=True))
"""

    def course_url(
        self, target: str, role: str = "learner", sub: str = "stu-1", message: str = "launch"
    ) -> str:
        query = {"target": target, "role": role, "sub": sub, "message": message}
        return f"{self.origin}/course?" + urlencode(query)

    # -- pages and endpoints --

    def login_url(self, query: dict[str, str]) -> str:
        """The tool's login URL the LMS starts a launch with (third-party initiated login)."""
        hint = base64.urlsafe_b64encode(json.dumps(query).encode()).decode()
        return f"{self.tool}/lti/login/?" + urlencode(
            {
                "iss": self.origin,
                "client_id": CLIENT_ID,
                "login_hint": query.get("sub", "stu-1"),
                "lti_message_hint": hint,
                "target_link_uri": f"{self.tool}/lti/launch/",
            }
        )

    def course_page(self, query: dict[str, str]) -> str:
        login = self.login_url(query)
        return (
            "<!doctype html><html lang='en'><head><title>Fake LMS course</title></head><body>"
            "<h1>Distributed Systems (fake LMS)</h1>"
            f"<iframe id='tool' title='paperlabs' src='{html.escape(login)}' "
            "width='1200' height='900'></iframe></body></html>"
        )

    def id_token(self, params: dict[str, str]) -> str:
        hint = json.loads(base64.urlsafe_b64decode(params["lti_message_hint"]))
        now = int(time.time())
        body: dict[str, Any] = {
            "iss": self.origin,
            "aud": CLIENT_ID,
            "sub": params["login_hint"],
            "iat": now,
            "exp": now + 300,
            "nonce": params["nonce"],
            "given_name": "Grace",
            "family_name": "Hopper",
            CLAIM + "message_type": "LtiResourceLinkRequest",
            CLAIM + "version": "1.3.0",
            CLAIM + "deployment_id": DEPLOYMENT,
            CLAIM + "target_link_uri": params["redirect_uri"],
            CLAIM + "roles": [ROLES[hint.get("role", "learner")]],
            CLAIM + "context": {"id": "ds-course", "title": "Distributed Systems"},
            CLAIM + "resource_link": {"id": hint.get("target") or "course-home"},
            CLAIM + "custom": {"target": hint.get("target", "")},
            "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
                "scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/score"],
                "lineitem": f"{self.origin}/lineitems/1",
            },
        }
        if hint.get("message") == "deep-linking":
            for claim in ("resource_link", "custom"):
                del body[CLAIM + claim]
            body[CLAIM + "message_type"] = "LtiDeepLinkingRequest"
            body["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"] = {
                "deep_link_return_url": f"{self.origin}/deep-return",
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"],
                "data": "lms-opaque",
            }
        pem = self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        return jwt.encode(body, pem, algorithm="RS256", headers={"kid": "lms-key"})

    def auth_page(self, params: dict[str, str]) -> str:
        token = self.id_token(params)
        return (
            "<!doctype html><html lang='en'><head><title>Signing in</title></head><body>"
            f"<form method='post' action='{html.escape(params['redirect_uri'])}'>"
            f"<input type='hidden' name='id_token' value='{token}'>"
            f"<input type='hidden' name='state' value='{html.escape(params['state'])}'>"
            "<button>Continue</button></form>"
            "<script>document.forms[0].submit()</script></body></html>"
        )


def _handler(lms: FakeLms) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, status: int, body: str, kind: str = "text/html") -> None:
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/course":
                self._send(200, lms.course_page(query))
            elif url.path == "/auth":
                self._send(200, lms.auth_page(query))
            elif url.path == "/jwks":
                self._send(200, json.dumps(lms.jwks()), "application/json")
            else:
                self._send(404, "not found")

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(min(length, 100_000)).decode()
            if self.path == "/token":
                token = {"access_token": uuid.uuid4().hex, "token_type": "Bearer"}
                self._send(200, json.dumps({**token, "expires_in": 3600}), "application/json")
            elif self.path == "/deep-return":
                lms.deep_links.append(parse_qs(body).get("JWT", [""])[0])
                self._send(200, "<!doctype html><title>Added</title><p>Added to the course.</p>")
            elif self.path == "/lineitems/1/scores":
                time.sleep(lms.score_delay)
                lms.scores.append(json.loads(body))
                self._send(200, "{}", "application/json")
            else:
                self._send(404, "not found")

    return Handler


@contextmanager
def serve(host: str) -> Iterator[FakeLms]:
    """Run a fake LMS on ``host`` (a free port) in a thread; stop it after."""
    lms = FakeLms(host)
    server = ThreadingHTTPServer((host, 0), _handler(lms))
    lms.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield lms
    finally:
        server.shutdown()
        server.server_close()
