"""A fake LTI 1.3 platform: its keys and JWKS, signed launches, a token endpoint and AGS.

The platform answers the tool's HTTP requests through a fake ``requests`` session put
in place of ``labs.lti.ags.make_session``: ``GET`` of its JWKS, ``POST`` of its token
endpoint (client credentials) and ``POST`` of a line item's scores, which it records
(or refuses while ``fail_scores`` is set).
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client
from jwt.algorithms import RSAAlgorithm
from lti_tool.models import Key, LtiDeployment, LtiRegistration

from labs.lti import ags

ISSUER = "https://lms.example.edu"
CLIENT_ID = "paperlabs-client"
DEPLOYMENT = "deployment-1"
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
LIS = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
INSTRUCTOR = LIS + "Instructor"
LEARNER = LIS + "Learner"
TA = "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"
LINEITEM = ISSUER + "/api/lti/courses/7/line_items/3"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class FakeResponse:
    def __init__(self, url: str, status: int, body: Any) -> None:
        self.url, self.status_code = url, status
        self.ok = 200 <= status < 300
        self.text = json.dumps(body)
        self.content = self.text.encode()
        self.headers: dict[str, str] = {}
        self.reason = "OK" if self.ok else "Error"
        self._body = body

    def json(self) -> Any:
        return self._body


@dataclass
class FakePlatform:
    key: rsa.RSAPrivateKey = field(default_factory=new_key)
    kid: str = "platform-key-1"
    scores: list[dict[str, Any]] = field(default_factory=list)
    fail_scores: bool = False
    token_requests: int = 0

    @property
    def pem(self) -> bytes:
        return self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def jwks(self) -> dict[str, Any]:
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update(kid=self.kid, alg="RS256", use="sig")
        return {"keys": [jwk]}

    # -- what the tool's HTTP session reaches --

    def get(self, url: str, **kwargs: Any) -> FakeResponse:
        if url == ISSUER + "/jwks":
            return FakeResponse(url, 200, self.jwks())
        return FakeResponse(url, 404, {"error": "not found"})

    def post(self, url: str, data: Any = None, headers: Any = None, **kw: Any) -> FakeResponse:
        if url == ISSUER + "/token":
            self.token_requests += 1
            assert data["grant_type"] == "client_credentials"
            return FakeResponse(url, 200, {"access_token": "token-1", "expires_in": 3600})
        if url.startswith(LINEITEM) and url.endswith("/scores"):
            if self.fail_scores:
                return FakeResponse(url, 503, {"error": "gradebook is down"})
            assert headers["Authorization"] == "Bearer token-1"
            self.scores.append(json.loads(data))
            return FakeResponse(url, 200, {})
        return FakeResponse(url, 404, {"error": "not found"})

    # -- launches --

    def id_token(
        self,
        nonce: str,
        roles: list[str],
        sub: str = "lms-user-1",
        context: str = "course-7",
        message_type: str = "LtiResourceLinkRequest",
        key: rsa.RSAPrivateKey | None = None,
        issuer: str = ISSUER,
        deployment: str = DEPLOYMENT,
        exp: int | None = None,
        extra: dict[str, Any] | None = None,
    ) -> str:
        now = int(time.time())
        body: dict[str, Any] = {
            "iss": issuer,
            "aud": CLIENT_ID,
            "sub": sub,
            "iat": now,
            "exp": exp if exp is not None else now + 300,
            "nonce": nonce,
            "given_name": "Ada",
            "family_name": "Lovelace",
            "email": f"{sub}@example.edu",
            CLAIM + "message_type": message_type,
            CLAIM + "version": "1.3.0",
            CLAIM + "deployment_id": deployment,
            CLAIM + "target_link_uri": "https://paperlabs.example/lti/launch/",
            CLAIM + "roles": roles,
            CLAIM + "context": {"id": context, "title": "Distributed Systems", "label": "DS"},
        }
        if message_type == "LtiResourceLinkRequest":
            body[CLAIM + "resource_link"] = {"id": "link-1"}
        body.update(extra or {})
        return jwt.encode(
            body,
            (key or self.key).private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ),
            algorithm="RS256",
            headers={"kid": self.kid},
        )


@pytest.fixture
def platform(db: None, monkeypatch: pytest.MonkeyPatch) -> FakePlatform:
    cache.clear()
    fake = FakePlatform()
    monkeypatch.setattr(ags, "make_session", lambda: fake)
    Key.objects.generate()
    registration = LtiRegistration.objects.create(
        name="Example LMS",
        issuer=ISSUER,
        client_id=CLIENT_ID,
        auth_url=ISSUER + "/auth",
        token_url=ISSUER + "/token",
        keyset_url=ISSUER + "/jwks",
    )
    LtiDeployment.objects.create(
        registration=registration, deployment_id=DEPLOYMENT, is_active=True
    )
    return fake


def oidc_login(client: Client) -> tuple[str, str]:
    """The tool's login step as the platform starts it: (state, nonce) it asks the platform for."""
    response = client.get(
        "/lti/login/",
        {
            "iss": ISSUER,
            "client_id": CLIENT_ID,
            "login_hint": "lms-user-1",
            "lti_message_hint": "x",
            "target_link_uri": "https://paperlabs.example/lti/launch/",
        },
    )
    assert response.status_code == 302, response.content
    query = parse_qs(urlparse(response["Location"]).query)
    assert response["Location"].startswith(ISSUER + "/auth")
    return query["state"][0], query["nonce"][0]


def launch(
    client: Client, platform: FakePlatform, roles: list[str], **kwargs: Any
) -> tuple[Any, dict[str, str]]:
    """A complete launch: login, then the signed id_token posted to the launch URL."""
    state, nonce = oidc_login(client)
    token = platform.id_token(nonce, roles, **kwargs)
    form = {"id_token": token, "state": state}
    return client.post("/lti/launch/", form), form


def counts() -> tuple[int, ...]:
    from labs.lti.models import LtiAccount
    from labs.teaching.models import Course, Membership

    return (
        User.objects.count(),
        Course.objects.count(),
        Membership.objects.count(),
        LtiAccount.objects.count(),
        LtiDeployment.objects.count(),
    )


def unique() -> str:
    return uuid.uuid4().hex
