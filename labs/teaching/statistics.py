"""Per-question statistics of a quiz: how many got each question right, the common wrong answers.

Each student counts once, with the attempt the gradebook shows (their best finished
one), so a student who tried three times does not weigh three times. Answers are
compared as the grader stored them (a list answer as its sorted items), and only the
few most common wrong answers are kept.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from labs.teaching import services
from labs.teaching.models import Attempt, Quiz

COMMON_WRONG = 3


@dataclass
class QuestionStats:
    label: str
    item: str
    qid: str
    max_points: float
    answered: int = 0
    correct: int = 0
    partial: int = 0
    wrong: int = 0
    blank: int = 0
    points: float = 0.0
    common_wrong: list[tuple[str, int]] = field(default_factory=list)

    @property
    def students(self) -> int:
        return self.correct + self.partial + self.wrong + self.blank

    @property
    def percent_correct(self) -> float:
        return 100.0 * self.correct / self.students if self.students else 0.0

    @property
    def mean_points(self) -> float:
        return self.points / self.students if self.students else 0.0


def answer_text(given: Any) -> str:
    """One answer as a short, comparable text."""
    if given is None:
        return ""
    if isinstance(given, dict):
        return "(a construction)"
    if isinstance(given, list):
        return ", ".join(sorted(str(g) for g in given)) or "(nothing)"
    if isinstance(given, float) and given.is_integer():
        return str(int(given))
    return str(given)[:120]


def best_attempts(quiz: Quiz) -> list[Attempt]:
    """Each student's best finished attempt (the highest score, the first of equals)."""
    best: dict[int, Attempt] = {}
    for attempt in (
        Attempt.objects.filter(quiz=quiz).exclude(status=Attempt.OPEN).order_by("user_id", "number")
    ):
        current = best.get(attempt.user_id)
        if current is None or (attempt.score or 0) > (current.score or 0):
            best[attempt.user_id] = attempt
    return list(best.values())


def question_stats(quiz: Quiz) -> list[QuestionStats]:
    """One entry per question of the quiz, in the quiz's order."""
    stats: list[QuestionStats] = []
    wrong_answers: list[Counter[str]] = []
    for position, item in enumerate(services.quiz_items(quiz), start=1):
        if item.exercise is None:
            continue
        for q in item.exercise.questions:
            stats.append(QuestionStats(f"{position}.{q.id}", item.id, q.id, q.points))
            wrong_answers.append(Counter())
    for attempt in best_attempts(quiz):
        items = attempt.results.get("items", {})
        for entry, wrong in zip(stats, wrong_answers, strict=True):
            res = items.get(entry.item, {}).get("questions", {}).get(entry.qid)
            status = res.get("status") if res else "blank"
            entry.points += float(res.get("points", 0.0)) if res else 0.0
            if status == "correct":
                entry.correct += 1
            elif status == "partial":
                entry.partial += 1
            elif status in ("wrong", "error"):
                entry.wrong += 1
            else:
                entry.blank += 1
            if status != "blank":
                entry.answered += 1
            if res and status in ("wrong", "partial"):
                wrong[answer_text(res.get("given"))] += 1
    for entry, wrong in zip(stats, wrong_answers, strict=True):
        entry.common_wrong = wrong.most_common(COMMON_WRONG)
    return stats


def chart_bars(stats: list[QuestionStats], width: int = 600, bar: int = 22) -> dict[str, Any]:
    """Geometry of a horizontal stacked bar chart (correct, partial, wrong, blank) in SVG units."""
    label_width = 90
    span = width - label_width - 50
    rows = []
    for i, s in enumerate(stats):
        total = s.students or 1
        x = float(label_width)
        parts = []
        for kind, count in (
            ("correct", s.correct),
            ("partial", s.partial),
            ("wrong", s.wrong),
            ("blank", s.blank),
        ):
            w = span * count / total
            if count:
                parts.append({"kind": kind, "x": round(x, 2), "w": round(w, 2), "count": count})
            x += w
        rows.append(
            {
                "y": i * (bar + 8) + 4,
                "label": s.label,
                "parts": parts,
                "percent": round(s.percent_correct),
                "text_x": label_width + span + 6,
            }
        )
    return {
        "width": width,
        "height": len(stats) * (bar + 8) + 8,
        "bar": bar,
        "label_width": label_width,
        "rows": rows,
        "text_dy": bar // 2 + 5,
    }
