"""Enrolment in a course: a CSV of users from its staff, a join link, or an LTI launch.

A CSV upload is checked completely before anything is stored: one bad line (an
unknown role, a role the uploader may not grant, a malformed username or e-mail)
refuses the whole file with every problem named by line, and nothing is created.
Teaching assistants enrol students; only instructors (and superusers) grant staff roles.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction

from labs.teaching.models import INSTRUCTOR, STAFF_ROLES, STUDENT, TA, Course, Membership

MAX_ROWS = 5000
MAX_BYTES = 1_000_000
USERNAME_RE = re.compile(r"^[\w.@+-]{1,150}$")
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}$")
ROLE_NAMES = {
    "instructor": INSTRUCTOR,
    "teacher": INSTRUCTOR,
    "ta": TA,
    "teaching assistant": TA,
    "student": STUDENT,
    "learner": STUDENT,
    "": STUDENT,
}
COLUMNS = ("username", "email", "role", "first_name", "last_name")


@dataclass
class Row:
    line: int
    username: str
    email: str
    role: str
    first_name: str
    last_name: str


@dataclass
class EnrolResult:
    problems: list[str] = field(default_factory=list)
    added: int = 0
    changed: int = 0
    created_accounts: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def may_grant(course: Course, actor: AbstractBaseUser | AnonymousUser, role: str) -> bool:
    """Instructors grant every role; teaching assistants only the student role."""
    if course.is_instructor(actor):
        return True
    return role == STUDENT and course.is_staff(actor)


def _read_rows(text: str, result: EnrolResult) -> list[Row]:
    if len(text.encode()) > MAX_BYTES:
        result.problems.append(f"the file is over {MAX_BYTES // 1000} KB")
        return []
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    lines = [(n, r) for n, r in enumerate(reader, start=1) if any(c.strip() for c in r)]
    if not lines:
        result.problems.append("the file has no rows: a header (username,email,role) and users")
        return []
    header = [c.strip().lower().replace(" ", "_") for c in lines[0][1]]
    unknown = [c for c in header if c not in COLUMNS]
    if unknown or not ({"username", "email"} & set(header)):
        result.problems.append(
            f"line 1: the header must name columns among {', '.join(COLUMNS)} "
            f"(username or email at least), got {', '.join(lines[0][1])}"
        )
        return []
    if len(lines) - 1 > MAX_ROWS:
        result.problems.append(f"the file has {len(lines) - 1} users; at most {MAX_ROWS}")
        return []
    rows: list[Row] = []
    for number, cells in lines[1:]:
        values = {col: (cells[i].strip() if i < len(cells) else "") for i, col in enumerate(header)}
        rows.append(
            Row(
                number,
                values.get("username", ""),
                values.get("email", "").lower(),
                values.get("role", "").lower(),
                values.get("first_name", "")[:150],
                values.get("last_name", "")[:150],
            )
        )
    return rows


def enrol_csv(
    text: str,
    course: Course,
    actor: AbstractBaseUser | AnonymousUser,
    dry_run: bool = False,
) -> EnrolResult:
    """Enrol every row of ``text`` in ``course``, or nothing if any row has a problem."""
    result = EnrolResult()
    if not course.is_staff(actor):
        result.problems.append("only the course's instructors and teaching assistants enrol")
        return result
    rows = _read_rows(text, result)
    users = get_user_model()
    seen: set[str] = set()
    plan: list[tuple[Row, str, AbstractBaseUser | None]] = []
    for row in rows:
        where = f"line {row.line}"
        role = ROLE_NAMES.get(row.role)
        if role is None:
            result.problems.append(
                f"{where}: role must be instructor, ta or student, got {row.role!r}"
            )
            continue
        if not may_grant(course, actor, role):
            result.problems.append(
                f"{where}: a teaching assistant enrols students only, got role {row.role!r}"
            )
            continue
        if row.username and not USERNAME_RE.match(row.username):
            result.problems.append(
                f"{where}: username must be 1 to 150 letters, digits and @.+-_, "
                f"got {row.username!r}"
            )
            continue
        if row.email and not EMAIL_RE.match(row.email):
            result.problems.append(f"{where}: email must look like name@host, got {row.email!r}")
            continue
        if not row.username and not row.email:
            result.problems.append(f"{where}: needs a username or an email")
            continue
        key = row.username or row.email
        if key in seen:
            result.problems.append(f"{where}: {key!r} is listed twice")
            continue
        seen.add(key)
        user = None
        if row.username:
            user = users.objects.filter(username=row.username).first()
        if user is None and row.email:
            found = list(users.objects.filter(email__iexact=row.email)[:2])
            if len(found) > 1:
                result.problems.append(
                    f"{where}: several accounts use {row.email!r}; give the username"
                )
                continue
            user = found[0] if found else None
        existing = Membership.objects.filter(course=course, user=user).first() if user else None
        if (
            existing is not None
            and existing.role in STAFF_ROLES
            and existing.role != role
            and not course.is_instructor(actor)
        ):
            result.problems.append(
                f"{where}: only an instructor changes the role of {key!r} ({existing.role})"
            )
            continue
        plan.append((row, role, user))
    if result.problems or dry_run:
        return result
    with transaction.atomic():
        for row, role, user in plan:
            if user is None:
                user = users.objects.create_user(
                    username=row.username or row.email,
                    email=row.email,
                    first_name=row.first_name,
                    last_name=row.last_name,
                )
                user.set_unusable_password()
                user.save()
                result.created_accounts += 1
            membership, made = Membership.objects.get_or_create(
                course=course, user=user, defaults={"role": role, "source": "csv"}
            )
            if made:
                result.added += 1
            elif membership.role != role:
                membership.role = role
                membership.save(update_fields=["role"])
                result.changed += 1
    return result


def join(course: Course, user: AbstractBaseUser, token: str) -> Membership | None:
    """Enrol ``user`` as a student through the join link; None if the link is not valid.

    A member already in the course keeps their role (an instructor following the link
    stays an instructor).
    """
    if not course.join_open or not secrets.compare_digest(token, course.join_token):
        return None
    membership, _ = Membership.objects.get_or_create(
        course=course, user=user, defaults={"role": STUDENT, "source": "join"}
    )
    return membership
