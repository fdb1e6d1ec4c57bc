"""Pages: quizzes and their attempts (logged in).

An attempt's questions are shown as a practice exercise's are (``labs.teaching.views``);
expected answers only after it is submitted, and then only as the quiz's ``reveal``
setting allows.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from labs.inputs import small_int
from labs.teaching import markup, services
from labs.teaching.grading import AnswerError
from labs.teaching.models import Attempt, Quiz
from labs.teaching.views import lab_context, posted_answers, question_rows, setting_links


@login_required
def quiz_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    quizzes = [
        q
        for q in Quiz.visible_to(request.user).select_related("course")
        if q.opens is None or q.opens <= now
    ]
    managed = list(Quiz.managed_by(request.user))
    return render(request, "teaching/quiz_list.html", {"quizzes": quizzes, "managed": managed})


def quiz_or_404(slug: str, request: HttpRequest | None = None) -> Quiz:
    """The quiz; a course's quiz is a 404 to anyone outside the course (no hint it exists)."""
    quiz = get_object_or_404(Quiz.objects.select_related("course"), slug=slug)
    if request is not None and not quiz.can_see(request.user):
        raise Http404("No such quiz")
    return quiz


@login_required
@require_http_methods(["GET", "POST"])
def quiz_page(request: HttpRequest, slug: str) -> HttpResponse:
    quiz = quiz_or_404(slug, request)
    user = request.user
    assert isinstance(user, AbstractBaseUser)
    if request.method == "POST":
        try:
            attempt = services.start_attempt(quiz, user)
        except services.QuizClosed as err:
            messages.error(request, str(err))
            return redirect(quiz.get_absolute_url())
        return redirect(attempt.get_absolute_url())
    for attempt in Attempt.objects.filter(quiz=quiz, user=user, status=Attempt.OPEN):
        services.expire_if_due(attempt)
    attempts = list(Attempt.objects.filter(quiz=quiz, user=user).order_by("number"))
    manages = quiz.can_manage(user)
    # Before it opens, a quiz shows students nothing of its exercises, not even titles.
    hidden = quiz.opens is not None and timezone.now() < quiz.opens and not manages
    items = [] if hidden else services.quiz_items(quiz)
    open_attempt = next((a for a in attempts if a.is_open), None)
    finished = [a for a in attempts if not a.is_open]
    best = max((a.score or 0.0 for a in finished), default=None)
    context = {
        "quiz": quiz,
        "description": markup.render_markdown(quiz.description),
        "items": items,
        "attempts": attempts,
        "open_attempt": open_attempt,
        "attempts_left": max(0, quiz.max_attempts - len(attempts)),
        "best": best,
        "is_open": quiz.is_open(),
        "unavailable": services.unavailable(items),
        "manages": manages,
        "hidden": hidden,
        "can_take": quiz.can_take(user),
    }
    return render(request, "teaching/quiz.html", context)


def _attempt_for(request: HttpRequest, pk: int) -> tuple[Attempt, bool]:
    """The attempt if the user owns it or manages its quiz; otherwise 404 (no hint)."""
    attempt = Attempt.objects.select_related("quiz", "user").filter(pk=pk).first()
    if attempt is None:
        raise Http404("No such attempt")
    manages = attempt.quiz.can_manage(request.user)
    if attempt.user_id != request.user.pk and not manages:
        raise Http404("No such attempt")
    return attempt, manages


@login_required
@require_http_methods(["GET", "POST"])
def attempt_page(request: HttpRequest, pk: int) -> HttpResponse:
    attempt, manages = _attempt_for(request, pk)
    owner = attempt.user_id == request.user.pk
    services.expire_if_due(attempt)
    items = services.quiz_items(attempt.quiz)
    try:
        position = int(request.GET.get("item") or request.POST.get("item") or 1)
    except ValueError:
        position = 1
    position = min(max(1, position), max(1, len(items)))
    errors: list[AnswerError] = []
    if request.method == "POST":
        if not owner:
            raise PermissionDenied(
                "Only the student who owns this attempt can answer it; as one of the quiz's "
                "instructors you can read it and its results."
            )
        item = items[position - 1] if items else None
        posted = {item.id: posted_answers(request, item.exercise)} if item and item.exercise else {}
        action = request.POST.get("action", "save")
        outcome = None
        if action == "submit" and attempt.is_open:
            # Ask first when a question is blank: keep the answers as a draft and
            # show which questions have none; "Submit anyway" sends submit-unanswered.
            draft = services.save_answers(attempt, posted)
            if draft.errors or draft.expired or draft.already:
                outcome = draft
            else:
                blanks = services.unanswered(draft.attempt, items)
                if blanks:
                    return _render_open_attempt(request, draft.attempt, items, position, [], blanks)
        if outcome is None and action in ("submit", "submit-unanswered"):
            action = "submit"
            outcome = services.submit(attempt, request.POST.get("token", ""), posted)
        elif outcome is None:
            outcome = services.save_answers(attempt, posted)
        errors = outcome.errors
        if outcome.expired:
            messages.warning(
                request,
                "Time is up: the attempt was graded on the answers saved before the deadline.",
            )
        elif outcome.already and action == "submit":
            messages.info(request, "This attempt was already submitted; here is its result.")
        if outcome.submitted:
            messages.success(request, "Submitted and saved.")
        if not errors:
            target = attempt.get_absolute_url()
            if attempt.is_open and outcome.attempt.is_open:
                go = request.POST.get("go")
                nxt = small_int(go) if small_int(go) is not None else position
                if action != "submit":
                    messages.success(request, "Answers saved.")
                target += f"?item={min(max(1, nxt), len(items))}"
            return redirect(target)
        attempt = outcome.attempt
    if attempt.is_open and owner:
        return _render_open_attempt(request, attempt, items, position, errors)
    return _render_result(request, attempt, items, manages)


def _render_open_attempt(
    request: HttpRequest,
    attempt: Attempt,
    items: list[services.ItemView],
    position: int,
    errors: list[AnswerError],
    blanks: list[services.Blank] | None = None,
) -> HttpResponse:
    item = items[position - 1]
    if item.exercise is None:
        messages.error(request, f"Exercise {item.id} is unavailable.")
        return render(
            request,
            "teaching/attempt_result.html",
            {"attempt": attempt, "rows": [], "manages": False},
            status=503,
        )
    prepared = services.prepared_for(attempt, item)
    saved = dict(attempt.answers.get(item.id, {}))
    if errors and request.method == "POST":
        saved.update(posted_answers(request, item.exercise))
    context = {
        "attempt": attempt,
        "quiz": attempt.quiz,
        "items": items,
        "item": item,
        "position": position,
        "exercise": item.exercise,
        "body": prepared.body_html(),
        "questions": question_rows(
            prepared, saved, None, reveal=False, settings=setting_links(prepared)
        ),
        "errors": errors,
        "blanks": blanks or [],
        "attempts_left": max(0, attempt.quiz.max_attempts - attempt.number),
        "seconds_left": attempt.seconds_left(),
        "mode": "quiz",
        **lab_context(prepared, request),
    }
    return render(request, "teaching/exercise.html", context, status=400 if errors else 200)


def _render_result(
    request: HttpRequest, attempt: Attempt, items: list[services.ItemView], manages: bool
) -> HttpResponse:
    reveal = services.may_reveal(attempt, manages)
    rows = []
    for position, item in enumerate(items, start=1):
        result = attempt.results.get("items", {}).get(item.id, {})
        questions: list[dict[str, Any]] = []
        if item.exercise is not None and not attempt.is_open:
            prepared = services.prepared_for(attempt, item)
            questions = question_rows(
                prepared, attempt.answers.get(item.id, {}), result.get("questions", {}), reveal
            )
        rows.append({"position": position, "item": item, "result": result, "questions": questions})
    context = {
        "attempt": attempt,
        "quiz": attempt.quiz,
        "rows": rows,
        "reveal": reveal,
        "manages": manages,
    }
    return render(request, "teaching/attempt_result.html", context)
