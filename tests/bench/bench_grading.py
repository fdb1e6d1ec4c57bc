"""Grading benchmarks: one 20-question submission, and a 500 x 20 gradebook.

- Submit a 20-question quiz attempt (a per-student exercise, so every student's
  variant is run through the engine once, plus one construct task replayed and
  checked) through ``services.submit``: clean, grade, store feedback replays, save.
  Prints the server time per submission (target under 200 ms): the first student's,
  the median and the worst over 10 students, and a resubmission (idempotent).
- Render the gradebook page and the CSV for 500 students x 20 questions through the
  Django test client (target under 1 s each).

Runs in a child process on its own SQLite file and content folder, so it never
touches the project's database.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.bench import targets
from tests.bench.targets import check

ROOT = Path(__file__).resolve().parents[2]
STUDENTS = 10
GRADEBOOK_STUDENTS = 500

QUESTIONS = [
    ("numeric", "keys_moved_if_joins", {"node": "$joiner"}),
    ("numeric", "keys_moved_if_leaves", {"node": "A"}),
    ("numeric", "keys_moved_by_last_change", {}),
    ("numeric", "load_share", {"node": "B"}),
    ("numeric", "keys_on_node", {"node": "D"}),
    ("numeric", "node_count", {}),
    ("numeric", "key_count", {}),
    ("numeric", "slot_of_key", {"key": "$key"}),
    ("numeric", "efficiency", {"strategy": 2}),
    ("single", "owner_of_key", {"key": "$key"}),
    ("single", "owner_of_key", {"key": "key-7"}),
    ("single", "owner_after_join", {"key": "$key", "node": "$joiner"}),
    ("single", "key_moves_on_join", {"key": "$key", "node": "$joiner"}),
    ("multiple", "preference_list", {"key": "$key"}),
    ("multiple", "preference_list", {"key": "key-3"}),
    ("pick", "most_loaded_node", {}),
    ("pick", "keys_that_move_on_join", {"node": "$joiner"}),
    ("single", "owner_of_key", {"key": "key-99"}),
    ("numeric", "load_share", {"node": "$joiner_old"}),
]


def exercise_text() -> str:
    lines = [
        "---",
        "id: bench",
        "title: Twenty questions",
        "lab: consistent-hashing",
        "scenario:",
        "  params: {nodes: 6, keys: 1000, vnodes: 8, replication: 3}",
        "  seed: per student",
        "  variables:",
        "    joiner: {choice: [P, Q, R, S]}",
        "    joiner_old: {choice: [B, C, E]}",
        "    key: {int: [0, 999], format: 'key-{}'}",
        "  commands:",
        "    - {action: remove_node, name: F}",
        "questions:",
    ]
    for i, (qtype, name, args) in enumerate(QUESTIONS):
        arg_text = ", ".join(f"{k}: {v}" for k, v in args.items())
        lines += [
            f"  - id: q{i}",
            f"    type: {qtype}",
            "    prompt: Answer it.",
            f"    query: {{name: {name}, args: {{{arg_text}}}}}",
        ]
        if qtype == "numeric":
            lines.append("    tolerance: 0.001")
    lines += [
        "  - id: build",
        "    type: construct",
        "    prompt: Add a node so that the key moves.",
        "    goal: {name: key_moves_on_join, args: {key: $key}}",
        "---",
        "Twenty questions on one ring.",
        "",
    ]
    return "\n".join(lines)


def child() -> None:
    import copy

    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    from algorithms.recording import Recording
    from labs.models import Replay
    from labs.teaching import content, services
    from labs.teaching.grading import prepare
    from labs.teaching.models import Attempt, Quiz, QuizItem

    setup_test_environment()
    call_command("migrate", verbosity=0)
    exercise = content.exercise("bench")
    assert exercise is not None, content.installed().problems
    assert len(exercise.questions) == 20
    quiz = Quiz.objects.create(slug="bench", title="Bench", max_attempts=1)
    QuizItem.objects.create(quiz=quiz, exercise="bench", points=20)
    teacher = User.objects.create(username="teacher", is_superuser=True)

    def right_answers(attempt: Attempt) -> dict[str, object]:
        prepared = prepare(exercise, exercise.variant(attempt.variant["bench"]))
        posted: dict[str, object] = {}
        for q in exercise.questions:
            if q.type == "construct":
                key = prepared.variant.values["key"]
                base = prepared.scenario.timeline().engine
                for i in range(400):
                    probe = copy.deepcopy(base)
                    probe.apply({"action": "add_node", "name": f"N{i}"})
                    probe.apply({"action": "select_key", "key": key})
                    if probe.state()["selected"]["node"] == f"N{i}":
                        break
                timeline = prepared.scenario.timeline([{"action": "add_node", "name": f"N{i}"}])
                replay = Replay.from_recording(
                    Recording.from_json(timeline.recording().to_json()), source="exercise"
                )
                replay.save()
                posted[q.id] = replay.pk
                continue
            value = prepared.expected[q.id].value
            posted[q.id] = value[0] if q.type == "pick" else value
        return posted

    times: list[float] = []
    scores: list[float] = []
    for n in range(STUDENTS):
        user = User.objects.create(username=f"s{n}")
        attempt = services.start_attempt(quiz, user)
        # Answers are computed outside the timed part (they warm the student's variant,
        # so drop the cache: the timed submission runs the scenario itself).
        posted = {"bench": right_answers(attempt)}
        from labs.teaching import grading

        grading._cache.clear()
        t = time.perf_counter()
        outcome = services.submit(attempt, attempt.token, posted)
        times.append(time.perf_counter() - t)
        assert outcome.submitted, outcome.errors
        scores.append(outcome.attempt.score or 0.0)
    t = time.perf_counter()
    again = services.submit(outcome.attempt, outcome.attempt.token, posted)
    resubmit = time.perf_counter() - t
    assert again.already
    print(
        f"grading a 20-question attempt (19 queries + 1 construct task replayed), server time: "
        f"first {times[0] * 1000:.0f} ms, median {statistics.median(times) * 1000:.0f} ms, "
        f"worst {max(times) * 1000:.0f} ms over {STUDENTS} students (target < 200 ms; "
        f"ratio worst/target {max(times) / 0.2:.2f}); all scored {min(scores):g}/20"
    )
    print(f"a repeated submit (idempotent, returns the stored result): {resubmit * 1000:.1f} ms")
    check(
        f"worst of {STUDENTS} submissions of a 20-question attempt",
        max(times) * 1000,
        "<",
        200,
        " ms",
    )

    # -- the gradebook: 500 students x 20 questions --------------------------------------
    sample = Attempt.objects.filter(quiz=quiz).first()
    assert sample is not None
    users = User.objects.bulk_create(
        [
            User(username=f"g{n:04d}", first_name="Student", last_name=str(n))
            for n in range(GRADEBOOK_STUDENTS)
        ]
    )
    Attempt.objects.filter(quiz=quiz).delete()
    rows = []
    for n, user in enumerate(users):
        results = copy.deepcopy(sample.results)
        for r in results["items"]["bench"]["questions"].values():
            r["points"] = float((n + len(r["status"])) % 2)
        rows.append(
            Attempt(
                quiz=quiz,
                user=user,
                number=1,
                status="submitted",
                variant=sample.variant,
                answers=sample.answers,
                results=results,
                score=float(n % 21),
                max_score=20.0,
                submitted=sample.submitted,
            )
        )
    Attempt.objects.bulk_create(rows, batch_size=200)
    client = Client()
    client.force_login(teacher)
    for label, url in (
        ("gradebook page", "/quizzes/bench/gradebook/"),
        ("gradebook CSV", "/quizzes/bench/gradebook.csv"),
    ):
        client.get(url)  # warm templates and content
        runs = []
        for _ in range(3):
            t = time.perf_counter()
            response = client.get(url)
            runs.append(time.perf_counter() - t)
            assert response.status_code == 200
        body = response.content.decode()
        assert body.count("g0") >= GRADEBOOK_STUDENTS
        best = min(runs)
        print(
            f"{label} for {GRADEBOOK_STUDENTS} students x 20 questions: {best * 1000:.0f} ms "
            f"(best of 3, {len(body) // 1024} KB; target < 1 s; ratio {best / 1.0:.2f})"
        )
        check(f"{label}, {GRADEBOOK_STUDENTS} x 20 (best of 3)", best * 1000, "<", 1000, " ms")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "content"
        folder.mkdir()
        (folder / "bench.md").write_text(exercise_text())
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "labs.settings",
            "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
            "PAPERLABS_CONTENT_DIRS": str(folder),
            "BENCH_CHECKS": str(Path(tmp) / "checks.json"),
        }
        env.pop("REDIS_URL", None)
        done = subprocess.run(
            [sys.executable, "-m", "tests.bench.bench_grading", "--child"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        print(done.stdout, end="")
        if done.returncode != 0:
            raise RuntimeError(f"grading benchmark failed:\n{done.stderr}")
        targets.load(env["BENCH_CHECKS"])


if __name__ == "__main__":
    if "--child" in sys.argv:
        targets.start("bench_grading")
        child()
        targets.save(os.environ["BENCH_CHECKS"])
    else:
        targets.exit_after(main)
