"""Several server processes (``make serve-scale``) send each waiting grade exactly once.

Three Daphne processes share one PostgreSQL database; each runs its background grade
sender. Forty grades wait; a fake LMS over real HTTP (slow to answer, so the senders
overlap) must receive each student's grade once.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from contextlib import ExitStack

import pytest

from tests.browser.fake_lms import serve
from tests.servers import ROOT, daphne, reachable

PG = os.environ.get("PAPERLABS_TEST_PG", "postgres://postgres@127.0.0.1:5432/postgres")
DB_NAME = "paperlabs_grades_test"
STUDENTS = 40

pytestmark = pytest.mark.scaleout

SETUP = """
from django.contrib.auth.models import User
from labs.lti import ags
from labs.lti.models import LineItem, LtiAccount
from labs.teaching import services
from labs.teaching.models import Course, Membership, Quiz, QuizItem
from lti_tool.models import LtiRegistration
registration = LtiRegistration.objects.get()
course = Course.objects.create(slug="scale", title="Scale")
quiz = Quiz.objects.create(slug="scale-quiz", title="Scale quiz", course=course)
QuizItem.objects.create(quiz=quiz, position=1, exercise="ch-what-if", points=10)
item = LineItem.objects.create(registration=registration, course=course, quiz=quiz, url=ISSUER + "/lineitems/1")
for n in range(STUDENTS):
    user = User.objects.create_user(f"s{n}")
    LtiAccount.objects.create(issuer=ISSUER, sub=f"s{n}", user=user)
    Membership.objects.create(course=course, user=user, role="student")
    attempt = services.start_attempt(quiz, user)
    services.submit(attempt, attempt.token, {})
    ags.queue(item, user.pk)
print("waiting", ags.status_for(quiz)["waiting"])
"""


def test_three_processes_send_each_grade_once() -> None:
    if not reachable("127.0.0.1", 5432):
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    import psycopg

    try:
        with psycopg.connect(PG.replace("postgres://", "postgresql://"), autocommit=True) as c:
            c.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
            c.execute(f"CREATE DATABASE {DB_NAME}")
    except psycopg.Error as err:
        pytest.skip(f"PostgreSQL refused the test database: {err}")
    with serve("127.0.0.1") as lms:
        lms.score_delay = 0.25  # 10 s of sending: the processes start while it goes on
        env = {
            **os.environ,
            "DATABASE_URL": PG.rsplit("/", 1)[0] + "/" + DB_NAME,
            "DJANGO_SETTINGS_MODULE": "labs.settings",
            "PAPERLABS_GRADE_SENDER": "1",
            "PAPERLABS_GRADE_POLL_SECONDS": "0.3",
        }
        env.pop("REDIS_URL", None)

        def manage(*args: str) -> str:
            done = subprocess.run(
                [sys.executable, "manage.py", *args],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
            )
            assert done.returncode == 0, done.stderr[-3000:]
            return done.stdout

        manage("migrate", "-v", "0")
        script = SETUP.replace("ISSUER", repr(lms.origin)).replace("STUDENTS", str(STUDENTS))
        out = manage("shell", "-c", lms.registration_script() + script)
        assert f"waiting {STUDENTS}" in out
        with ExitStack() as stack:
            for _ in range(3):
                stack.enter_context(daphne(env))
            deadline = time.monotonic() + 90
            while len(lms.scores) < STUDENTS and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(2)  # several more polls of every process: nothing is sent again
        counts = Counter(score["userId"] for score in lms.scores)
        assert len(counts) == STUDENTS and set(counts.values()) == {1}, counts
        assert "waiting 0" in manage(
            "shell",
            "-c",
            "from labs.lti import ags; from labs.teaching.models import Quiz; "
            "print('waiting', ags.status_for(Quiz.objects.get())['waiting'])",
        )
