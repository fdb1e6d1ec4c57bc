"""LTI 1.3 endpoints: OIDC login, launch, Deep Linking, the tool's JWKS.

A refused launch renders ``lti/refused.html`` with the reason (status 400 or 403) and
creates nothing. The tool's pages are meant for an LMS's iframe, so these views are
exempt from the frame guard and from CSRF (the platform posts a signed id_token).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from django.conf import settings
from django.contrib.auth import login
from django.core import signing
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from lti_tool.models import Key, LtiRegistration
from pylti1p3.contrib.django import DjangoCacheDataStorage, DjangoOIDCLogin
from pylti1p3.deep_link import DeepLink
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.exception import LtiException, OIDCException
from pylti1p3.lineitem import LineItem as PyLineItem

from labs.lti import ags, frame_session, wstoken
from labs.lti.launch import (
    AGS_CLAIM,
    DL_CLAIM,
    Launch,
    LaunchRefused,
    ToolConfig,
    process,
    remember_state,
)
from labs.lti.models import LineItem
from labs.models import Replay
from labs.registry import LABS
from labs.security import HEADER as CSP_HEADER
from labs.security import policy_for
from labs.teaching import content as content_mod
from labs.teaching import services
from labs.teaching.models import STAFF_ROLES, Course, Quiz

DEEP_LINK_SALT = "paperlabs.lti.deep-link"
DEEP_LINK_MAX_AGE = 3600


def refused(request: HttpRequest, reason: str, status: int = 400) -> HttpResponse:
    return render(request, "lti/refused.html", {"reason": reason}, status=status)


def jwks(request: HttpRequest) -> JsonResponse:
    """The tool's public keys, which platforms use to check its signed messages."""
    return JsonResponse(Key.objects.as_jwks())


@csrf_exempt
@xframe_options_exempt
@require_http_methods(["GET", "POST"])
def oidc_login(request: HttpRequest) -> HttpResponse:
    """Third-party initiated login: redirect to the platform with a state and a nonce."""
    params = request.POST if request.method == "POST" else request.GET
    target = params.get("target_link_uri")
    if not target or not params.get("iss"):
        return refused(request, "the login request names no platform or no target")
    login_request = DjangoOIDCLogin(
        request, ToolConfig(), launch_data_storage=DjangoCacheDataStorage()
    )
    try:
        response = login_request.redirect(target)
    except (LtiException, OIDCException) as err:
        return refused(request, f"this platform is not registered with paperlabs ({err})")
    sent = parse_qs(urlsplit(response.get("Location", "")).query)
    if sent.get("state") and sent.get("nonce"):
        remember_state(sent["state"][0], sent["nonce"][0])
    return response


def target_url(target: str) -> str | None:
    """The page of a launch target ``lab:``, ``replay:``, ``exercise:``, ``quiz:``."""
    kind, _, ident = target.partition(":")
    if kind == "lab" and ident in LABS:
        return reverse("lab", args=[ident])
    if kind == "replay" and Replay.objects.filter(pk=ident).exists():
        return reverse("replay", args=[ident])
    if kind == "exercise" and content_mod.exercise(ident) is not None:
        return reverse("teaching:exercise", args=[ident])
    if kind == "quiz" and Quiz.objects.filter(slug=ident).exists():
        return reverse("teaching:quiz", args=[ident])
    return None


def _target_of(launch: Launch, request: HttpRequest) -> str:
    target = launch.custom.get("target") or request.GET.get("target") or ""
    return target


@csrf_exempt
@xframe_options_exempt
@require_POST
def launch(request: HttpRequest) -> HttpResponse:
    try:
        done = process(request)
    except LaunchRefused as err:
        return refused(request, str(err))
    if done.is_deep_linking:
        return _deep_link_picker(request, done)
    target = _target_of(done, request)
    url = target_url(target) if target else done.course.get_absolute_url()
    if url is None:
        return refused(request, f"the launch's target {target!r} does not exist on paperlabs", 404)
    if target.startswith("quiz:"):
        quiz = Quiz.objects.get(slug=target.partition(":")[2])
        if quiz.course_id is not None and quiz.course_id != done.course.pk:
            return refused(request, "this quiz belongs to another course", 403)
        claim = done.data.get(AGS_CLAIM) or {}
        if isinstance(claim, dict) and claim.get("lineitem") and done.tool.registration:
            LineItem.objects.update_or_create(
                registration=done.tool.registration,
                url=str(claim["lineitem"]),
                defaults={
                    "quiz": quiz,
                    "course": done.course,
                    "scopes": list(claim.get("scope") or []),
                },
            )
            ags.queue_quiz(quiz)
    login(request, done.user, backend="django.contrib.auth.backends.ModelBackend")
    # Inside the LMS's iframe the session cookie just set may be dropped: the page's
    # own token (frame_session) and the socket's (ws_token) sign the user in instead.
    tokens = {"ws_token": wstoken.make(done.user), "frame_session": frame_session.make(done.user)}
    separator = "&" if "?" in url else "?"
    return redirect(f"{url}{separator}{urlencode(tokens)}")


# -- Deep Linking --------------------------------------------------------------------------------


def _deep_link_picker(request: HttpRequest, done: Launch) -> HttpResponse:
    if done.role not in STAFF_ROLES:
        return refused(request, "only the course's instructors choose what to add", 403)
    dl_settings = done.data.get(DL_CLAIM) or {}
    if not isinstance(dl_settings, dict) or not dl_settings.get("deep_link_return_url"):
        return refused(request, "the Deep Linking request has no return URL")
    assert done.tool.registration is not None
    state = signing.dumps(
        {
            "registration": done.tool.registration.pk,
            "deployment": str(
                done.data.get("https://purl.imsglobal.org/spec/lti/claim/deployment_id")
            ),
            "settings": {
                "deep_link_return_url": dl_settings["deep_link_return_url"],
                "data": dl_settings.get("data"),
            },
            "course": done.course.pk,
            "user": done.user.pk,
        },
        salt=DEEP_LINK_SALT,
    )
    return render(request, "lti/deep_link.html", {"state": state, **choices(done.course)})


def choices(course: Course) -> dict[str, Any]:
    quizzes = Quiz.objects.filter(course__isnull=True) | Quiz.objects.filter(course=course)
    return {
        "labs": [(lab.slug, lab) for lab in LABS],
        "replays": list(Replay.objects.order_by("-created")[:50]),
        "quizzes": list(quizzes.order_by("title")),
    }


@csrf_exempt
@xframe_options_exempt
@require_POST
def deep_link_return(request: HttpRequest) -> HttpResponse:
    """The instructor's picks, signed as an LtiDeepLinkingResponse for the platform."""
    try:
        state = signing.loads(
            request.POST.get("state", ""), salt=DEEP_LINK_SALT, max_age=DEEP_LINK_MAX_AGE
        )
    except signing.BadSignature:
        return refused(request, "this choice expired or was altered: start again from the LMS")
    registration = LtiRegistration.objects.filter(pk=state["registration"], is_active=True).first()
    course = Course.objects.filter(pk=state["course"]).first()
    if registration is None or course is None:
        return refused(request, "the platform or the course is no longer registered")
    picks = request.POST.getlist("pick")
    if not picks:
        return HttpResponseBadRequest("Choose at least one lab, replay or quiz.")
    launch_url = request.build_absolute_uri(reverse("teaching:lti:launch"))
    resources = []
    for pick in picks[:20]:
        title = _title_of(pick, course)
        if title is None:
            return refused(request, f"{pick!r} cannot be added to this course", 400)
        resource = (
            DeepLinkResource()
            .set_url(launch_url)
            .set_title(title)
            .set_custom_params({"target": pick})
        )
        if pick.startswith("quiz:"):
            quiz = Quiz.objects.get(slug=pick.partition(":")[2])
            if quiz.course_id is None:
                # Picking a quiz with no course publishes it to this course.
                quiz.course = course
                quiz.save(update_fields=["course"])
            points = sum(i.points for i in services.quiz_items(quiz)) or 1.0
            resource.set_lineitem(
                PyLineItem()
                .set_score_maximum(points)
                .set_label(quiz.title)
                .set_resource_id(quiz.slug)
            )
        resources.append(resource)
    deep_link = DeepLink(registration.to_registration(), state["deployment"], state["settings"])
    return_url = str(state["settings"]["deep_link_return_url"])
    response = render(
        request,
        "lti/deep_link_return.html",
        {
            "jwt": deep_link.get_response_jwt(resources),
            "return_url": return_url,
            "count": len(resources),
        },
    )
    # The page's form goes to the platform: its origin joins the policy's form-action.
    target = urlsplit(return_url)
    if target.scheme in ("http", "https") and target.netloc:
        extra = {"form-action": [f"{target.scheme}://{target.netloc}"]}
        response[CSP_HEADER] = policy_for(request, settings.PAPERLABS_CSP, extra)
    return response


def _title_of(pick: str, course: Course) -> str | None:
    kind, _, ident = pick.partition(":")
    if kind == "lab" and ident in LABS:
        return f"Lab: {LABS[ident].title}"
    if kind == "replay":
        replay = Replay.objects.filter(pk=ident).first()
        return f"Replay: {replay}" if replay else None
    if kind == "quiz":
        quiz = Quiz.objects.filter(slug=ident).first()
        if quiz is None or (quiz.course_id is not None and quiz.course_id != course.pk):
            return None
        return f"Quiz: {quiz.title}"
    return None


@require_http_methods(["GET"])
def socket_token(request: HttpRequest) -> JsonResponse:
    """A fresh websocket token for a page signed in by its frame session.

    A lab page in an LMS's iframe reconnects its socket with the token it was served;
    that token lives ten minutes, so a page left open longer asks for a new one here,
    presenting its frame session (the only sign-in such a page has).
    """
    token = getattr(request, "paperlabs_frame_token", "")
    if not token or not request.user.is_authenticated:
        response = JsonResponse(
            {
                "field": "frame_session",
                "message": "Frame session must be a valid token from an LMS launch: "
                "start the lab again from the LMS.",
            },
            status=403,
        )
    else:
        response = JsonResponse(
            {"ws_token": wstoken.make(request.user), "frame_session": token}  # type: ignore[arg-type]
        )
    response["Cache-Control"] = "no-store"
    return response
