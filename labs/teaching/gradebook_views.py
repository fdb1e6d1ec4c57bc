"""Pages: a quiz's gradebook, its CSV and regrading, for the quiz's instructors."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from labs.lti import ags
from labs.teaching import services, statistics
from labs.teaching.models import Attempt, Quiz
from labs.teaching.quiz_views import quiz_or_404


def managed_quiz(request: HttpRequest, slug: str) -> Quiz:
    quiz = quiz_or_404(slug, request)
    if not quiz.can_manage(request.user):
        raise PermissionDenied(
            f"Only the instructors of the quiz {quiz.title!r} can see its gradebook, "
            "download it or regrade it."
        )
    return quiz


def gradebook_data(quiz: Quiz) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Columns (one per question) and rows (one per student: their best finished attempt)."""
    items = services.quiz_items(quiz)
    columns: list[dict[str, Any]] = []
    for position, item in enumerate(items, start=1):
        if item.exercise is None:
            columns.append(
                {
                    "item": item.id,
                    "qid": None,
                    "label": f"{position}. {item.id} (unavailable)",
                    "max": item.points,
                }
            )
            continue
        for q in item.exercise.questions:
            columns.append(
                {"item": item.id, "qid": q.id, "label": f"{position}.{q.id}", "max": q.points}
            )
    best: dict[int, Attempt] = {}
    counts: dict[int, int] = {}
    open_users: set[int] = set()
    for attempt in (
        Attempt.objects.filter(quiz=quiz).select_related("user").order_by("user_id", "number")
    ):
        counts[attempt.user_id] = counts.get(attempt.user_id, 0) + 1
        if attempt.is_open:
            open_users.add(attempt.user_id)
            best.setdefault(attempt.user_id, attempt)
            continue
        current = best.get(attempt.user_id)
        if current is None or current.is_open or (attempt.score or 0) > (current.score or 0):
            best[attempt.user_id] = attempt
    rows: list[dict[str, Any]] = []
    for user_id, attempt in best.items():
        cells: list[Any] = []
        item_results = attempt.results.get("items", {})
        for col in columns:
            res = (
                item_results.get(col["item"], {}).get("questions", {}).get(col["qid"])
                if col["qid"]
                else None
            )
            cells.append(None if res is None else res["points"])
        rows.append(
            {
                "user": attempt.user,
                "username": attempt.user.get_username(),
                "name": attempt.user.get_full_name(),
                "attempt": attempt,
                "attempts": counts[user_id],
                "status": attempt.status,
                "in_progress": user_id in open_users,
                "cells": cells,
                "score": attempt.score,
                "max": attempt.max_score,
            }
        )
    rows.sort(key=lambda r: r["username"])
    return columns, rows


@login_required
def gradebook(request: HttpRequest, slug: str) -> HttpResponse:
    quiz = managed_quiz(request, slug)
    services.expire_due(quiz)
    columns, rows = gradebook_data(quiz)
    total = sum(i.points for i in services.quiz_items(quiz))
    stats = statistics.question_stats(quiz)
    return render(
        request,
        "teaching/gradebook.html",
        {
            "quiz": quiz,
            "columns": columns,
            "rows": rows,
            "total": total,
            "stats": stats,
            "chart": statistics.chart_bars(stats),
            "passback": ags.status_for(quiz),
        },
    )


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A cell a spreadsheet will not run: text starting with = + - @ tab CR gets a quote."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def gradebook_csv_rows(quiz: Quiz) -> Iterator[list[Any]]:
    columns, rows = gradebook_data(quiz)
    yield [
        "username",
        "name",
        "attempt",
        "attempts",
        "status",
        "submitted",
        *(c["label"] for c in columns),
        "score",
        "max",
    ]
    for row in rows:
        attempt = row["attempt"]
        submitted = attempt.submitted.isoformat() if attempt.submitted else ""
        yield [
            csv_cell(row["username"]),
            csv_cell(row["name"]),
            attempt.number,
            row["attempts"],
            row["status"],
            submitted,
            *(csv_cell(c) for c in row["cells"]),
            csv_cell(row["score"]),
            csv_cell(row["max"]),
        ]


@login_required
def gradebook_csv(request: HttpRequest, slug: str) -> HttpResponse:
    quiz = managed_quiz(request, slug)
    services.expire_due(quiz)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in gradebook_csv_rows(quiz):
        writer.writerow(row)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{quiz.slug}-gradebook.csv"'
    return response


@login_required
@require_POST
def regrade(request: HttpRequest, slug: str) -> HttpResponse:
    quiz = managed_quiz(request, slug)
    count = services.regrade(Attempt.objects.filter(quiz=quiz).select_related("quiz"))
    messages.success(request, f"Regraded {count} attempts with the current exercise files.")
    return redirect(reverse("teaching:gradebook", args=[quiz.slug]))
