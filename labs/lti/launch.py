"""An LTI 1.3 launch checked completely before anything is created.

PyLTI1p3 checks the OIDC state, the id_token's signature against the platform's JWKS,
its expiry, the registration (issuer + client id) and the message. Then paperlabs adds
what it does not: an unknown or inactive deployment is refused (django-lti would store
it), a nonce is accepted once (a replayed launch is refused), and the user's roles must
map onto a course role. Only then are the account, the course and the membership made,
in one transaction.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from lti_tool.models import LtiDeployment
from lti_tool.utils import DjangoToolConfig
from pylti1p3.contrib.django import DjangoCacheDataStorage, DjangoMessageLaunch
from pylti1p3.deployment import Deployment
from pylti1p3.exception import LtiException

from labs.lti import ags
from labs.lti.models import LtiAccount, UsedNonce
from labs.teaching.models import INSTRUCTOR, STUDENT, TA, Course, Membership

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
LIS = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
TA_ROLES = (
    "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant",
    LIS + "TeachingAssistant",
)
INSTRUCTOR_ROLES = (LIS + "Instructor", LIS + "ContentDeveloper")
STUDENT_ROLES = (LIS + "Learner",)
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
DL_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"


class LaunchRefused(Exception):
    """A launch that paperlabs refuses, with the reason shown to the user."""


class ToolConfig(DjangoToolConfig):
    """django-lti's registrations; an unknown or inactive deployment is refused, not stored."""

    def _deployment(self, **lookups: Any) -> Deployment | None:
        found = LtiDeployment.objects.filter(
            registration__is_active=True, is_active=True, **lookups
        ).first()
        if found is None:
            return None
        self.deployment = found
        return Deployment().set_deployment_id(found.deployment_id)

    def find_deployment(self, iss: str, deployment_id: str) -> Deployment | None:
        return self._deployment(registration__issuer=iss, deployment_id=deployment_id)

    def find_deployment_by_params(
        self, iss: str, deployment_id: str, client_id: str, *args: Any, **kwargs: Any
    ) -> Deployment | None:
        return self._deployment(
            registration__issuer=iss,
            registration__client_id=client_id,
            deployment_id=deployment_id,
        )


STATE_KEY = "paperlabs-lti-state:"
STATE_SECONDS = 5 * 60


def remember_state(state: str, nonce: str) -> None:
    """Keep the login's state and nonce on the server (for a browser that drops cookies)."""
    cache.set(STATE_KEY + state, nonce, STATE_SECONDS)


class MessageLaunch(DjangoMessageLaunch):
    """PyLTI1p3's launch, also valid when the browser dropped the login's state cookie.

    In an LMS's iframe a browser that blocks third-party cookies keeps neither the
    state cookie nor the session of the login step. The state and nonce the login
    issued are then checked against the server's copy (``remember_state``), once.
    """

    _state_nonce: str | None = None

    def validate_state(self) -> MessageLaunch:
        state = str(self._get_request_param("state") or "")[:200]
        issued = cache.get(STATE_KEY + state) if state else None
        if issued is not None:
            try:
                body = jwt.decode(self._get_id_token(), options={"verify_signature": False})
            except jwt.PyJWTError:
                body = {}
            if isinstance(body, dict) and body.get("nonce") == issued:
                cache.delete(STATE_KEY + state)
                self._state_nonce = issued
                return self
        super().validate_state()
        return self

    def validate_nonce(self) -> MessageLaunch:
        if self._state_nonce is not None:
            # Issued by this tool for this very state (checked above); used once (UsedNonce).
            return self
        super().validate_nonce()
        return self


def course_role(roles: list[str]) -> str | None:
    """The course role of LTI context roles; a TA is also an instructor in most LMSs."""
    if any(r in TA_ROLES for r in roles):
        return TA
    if any(r in INSTRUCTOR_ROLES for r in roles):
        return INSTRUCTOR
    if any(r in STUDENT_ROLES for r in roles):
        return STUDENT
    return None


@dataclass
class Launch:
    data: dict[str, Any]
    message: MessageLaunch
    tool: ToolConfig
    user: AbstractBaseUser
    course: Course
    role: str

    @property
    def is_deep_linking(self) -> bool:
        return self.data.get(CLAIM + "message_type") == "LtiDeepLinkingRequest"

    @property
    def custom(self) -> dict[str, str]:
        custom = self.data.get(CLAIM + "custom") or {}
        return {str(k): str(v) for k, v in custom.items()} if isinstance(custom, dict) else {}


def _validated(request: HttpRequest) -> tuple[MessageLaunch, ToolConfig, dict[str, Any]]:
    tool = ToolConfig()
    message = MessageLaunch(
        request,
        tool,
        launch_data_storage=DjangoCacheDataStorage(),
        requests_session=ags.make_session(),
    )
    try:
        data = message.validate().get_launch_data()
    except LtiException as err:
        text = str(err)
        if "deployment" in text.lower():
            text = "this deployment of the platform is not registered with paperlabs"
        elif "client id" in text.lower() or "registration" in text.lower():
            text = "this platform (issuer and client id) is not registered with paperlabs"
        elif "nonce" in text.lower() or "state" in text.lower():
            text = (
                "this launch expired or was not started by this browser's LMS page "
                f"({text}): start it again from the LMS"
            )
        elif "decode" in text.lower():
            text = f"the launch's signed id_token is not valid ({text.split(': ', 1)[-1]})"
        raise LaunchRefused(text) from err
    return message, tool, data


def _consume_nonce(data: dict[str, Any]) -> None:
    exp = data.get("exp")
    expires = (
        datetime.fromtimestamp(int(exp), UTC)
        if isinstance(exp, int | float)
        else datetime.now(UTC) + timedelta(hours=1)
    )
    try:
        with transaction.atomic():
            UsedNonce.objects.create(
                issuer=str(data["iss"]), nonce=str(data["nonce"]), expires=expires
            )
    except IntegrityError as err:
        raise LaunchRefused("this launch was already used (its nonce was seen before)") from err
    UsedNonce.objects.filter(expires__lt=datetime.now(UTC) - timedelta(days=1)).delete()


def _short(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:12]


def process(request: HttpRequest) -> Launch:
    """Check the launch and make its account, course and membership (LaunchRefused if not)."""
    message, tool, data = _validated(request)
    context = data.get(CLAIM + "context") or {}
    if not isinstance(context, dict) or not context.get("id"):
        raise LaunchRefused("the launch names no course (no context claim)")
    roles = data.get(CLAIM + "roles") or []
    role = course_role([str(r) for r in roles]) if isinstance(roles, list) else None
    if role is None:
        raise LaunchRefused(
            "your role in this course is not one paperlabs grants "
            "(instructor, teaching assistant or learner)"
        )
    sub = str(data.get("sub") or "")
    if not sub:
        raise LaunchRefused("the launch names no user (anonymous launches are not supported)")
    _consume_nonce(data)
    issuer = str(data["iss"])
    deployment_id = str(data.get(CLAIM + "deployment_id", ""))
    with transaction.atomic():
        account = LtiAccount.objects.select_related("user").filter(issuer=issuer, sub=sub).first()
        users = get_user_model()
        if account is None:
            user = users.objects.create_user(username=f"lti-{_short(issuer, sub)}")
            user.set_unusable_password()
            account = LtiAccount.objects.create(issuer=issuer, sub=sub, user=user)
        user = account.user
        for field, claim in (
            ("first_name", "given_name"),
            ("last_name", "family_name"),
            ("email", "email"),
        ):
            value = str(data.get(claim) or "")[:150]
            if value and getattr(user, field, None) != value:
                setattr(user, field, value)
        user.save()
        course, _ = Course.objects.get_or_create(
            lti_issuer=issuer,
            lti_deployment_id=deployment_id,
            lti_context_id=str(context["id"]),
            defaults={
                "slug": f"lti-{_short(issuer, deployment_id, str(context['id']))}",
                "title": str(context.get("title") or context.get("label") or "LMS course")[:200],
            },
        )
        membership, made = Membership.objects.get_or_create(
            course=course, user=user, defaults={"role": role, "source": "lti"}
        )
        if not made and membership.role != role:
            # The LMS is the authority on the roles of the people it launches.
            membership.role = role
            membership.source = "lti"
            membership.save(update_fields=["role", "source"])
    return Launch(data, message, tool, user, course, role)
