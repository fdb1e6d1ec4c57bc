"""Course pages: the course (its quizzes and exercises), enrolment, the join link, statistics.

A course's pages are a 404 to anyone outside it, so a student of another course
learns nothing from a guessed URL; its roster and enrolment are for its staff only.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from labs.teaching import content as content_mod
from labs.teaching import enrolment, statistics
from labs.teaching.gradebook_views import managed_quiz
from labs.teaching.models import STUDENT, Course, Membership, new_token


def _course_for(request: HttpRequest, slug: str, staff: bool = False) -> Course:
    course = get_object_or_404(Course, slug=slug)
    if not course.is_member(request.user):
        raise Http404("No such course")
    if staff and not course.is_staff(request.user):
        raise PermissionDenied(
            f"Only the instructors and teaching assistants of {course.title!r} manage its members."
        )
    return course


@login_required
def course_list(request: HttpRequest) -> HttpResponse:
    courses = list(Course.of_user(request.user))
    roles = dict(
        Membership.objects.filter(user_id=request.user.pk).values_list("course_id", "role")
    )
    rows = [{"course": c, "role": roles.get(c.pk, "")} for c in courses]
    return render(request, "teaching/course_list.html", {"rows": rows})


@login_required
def course_page(request: HttpRequest, slug: str) -> HttpResponse:
    course = _course_for(request, slug)
    staff = course.is_staff(request.user)
    now = timezone.now()
    quizzes = [q for q in course.quizzes.all() if staff or q.opens is None or q.opens <= now]
    exercises = content_mod.installed().exercises
    published = [
        {"entry": e, "exercise": exercises.get(e.exercise), "open": e.is_open(now)}
        for e in course.exercises.all()
        if staff or e.is_open(now)
    ]
    context = {
        "course": course,
        "staff": staff,
        "instructor": course.is_instructor(request.user),
        "role": course.role_of(request.user),
        "quizzes": quizzes,
        "published": published,
        "members": (
            list(course.memberships.select_related("user").order_by("role", "user__username"))
            if staff
            else []
        ),
        "join_url": request.build_absolute_uri(
            reverse("teaching:course-join", args=[course.slug, course.join_token])
        )
        if staff and course.join_open
        else "",
    }
    return render(request, "teaching/course.html", context)


@login_required
@require_POST
def course_enrol(request: HttpRequest, slug: str) -> HttpResponse:
    course = _course_for(request, slug, staff=True)
    upload = request.FILES.get("csv")
    text = request.POST.get("text", "")
    if upload is not None:
        if upload.size is not None and upload.size > enrolment.MAX_BYTES:
            messages.error(request, f"The file is over {enrolment.MAX_BYTES // 1000} KB.")
            return redirect(course.get_absolute_url())
        try:
            text = upload.read().decode("utf-8")
        except UnicodeDecodeError:
            messages.error(request, "The file must be UTF-8 text (a CSV).")
            return redirect(course.get_absolute_url())
    result = enrolment.enrol_csv(text, course, request.user)
    if not result.ok:
        messages.error(
            request,
            "Nothing was enrolled. Fix these lines and upload again: "
            + "; ".join(result.problems[:20]),
        )
    else:
        messages.success(
            request,
            f"Enrolled {result.added} new members, changed {result.changed} roles, "
            f"created {result.created_accounts} accounts.",
        )
    return redirect(course.get_absolute_url())


@login_required
@require_POST
def course_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    course = _course_for(request, slug, staff=True)
    membership = get_object_or_404(Membership, course=course, pk=pk)
    if membership.role != STUDENT and not course.is_instructor(request.user):
        raise PermissionDenied("Only an instructor removes a member of the course's staff.")
    membership.delete()
    messages.success(request, f"Removed {membership.user} from {course.title}.")
    return redirect(course.get_absolute_url())


@login_required
@require_POST
def course_join_link(request: HttpRequest, slug: str) -> HttpResponse:
    course = _course_for(request, slug, staff=True)
    if not course.is_instructor(request.user):
        raise PermissionDenied("Only an instructor opens, closes or renews the join link.")
    action = request.POST.get("action")
    if action == "open":
        course.join_open = True
    elif action == "close":
        course.join_open = False
    elif action == "renew":
        course.join_token = new_token()
    course.save(update_fields=["join_open", "join_token"])
    return redirect(course.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def course_join(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    course = Course.objects.filter(slug=slug).first()
    valid = course is not None and course.join_open and token == course.join_token
    if course is None or not valid:
        return render(
            request,
            "teaching/course_join.html",
            {"course": None, "refused": "This join link is not valid: it was closed or renewed."},
            status=404,
        )
    if request.method == "POST":
        user = request.user
        assert isinstance(user, AbstractBaseUser)
        enrolment.join(course, user, token)
        messages.success(request, f"You are enrolled in {course.title}.")
        return redirect(course.get_absolute_url())
    return render(
        request,
        "teaching/course_join.html",
        {"course": course, "member": course.role_of(request.user)},
    )


@login_required
def quiz_statistics(request: HttpRequest, slug: str) -> HttpResponse:
    quiz = managed_quiz(request, slug)
    stats = statistics.question_stats(quiz)
    return render(
        request,
        "teaching/statistics.html",
        {"quiz": quiz, "stats": stats, "chart": statistics.chart_bars(stats)},
    )


@login_required
@require_POST
def retry_grades(request: HttpRequest, slug: str) -> HttpResponse:
    """Send the quiz's waiting and failed grades to the LMS again, now."""
    from labs.lti import ags, sender

    quiz = managed_quiz(request, slug)
    ags.queue_quiz(quiz)
    # At once, without waiting out the back-off; what does not fit in the budget is
    # left to the background sender (woken now).
    sent, failed = ags.send_due(quiz, now_too=True, budget=ags.RETRY_NOW_SECONDS)
    left = ags.status_for(quiz)["waiting"] - failed
    sender.wake()
    if failed:
        messages.error(request, f"Sent {sent} grades; {failed} failed again (see below).")
    else:
        messages.success(request, f"Sent {sent} grades to the LMS.")
    if left > 0:
        messages.info(request, f"{left} more grades are being sent in the background.")
    return redirect(reverse("teaching:gradebook", args=[quiz.slug]))
