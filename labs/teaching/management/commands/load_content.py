"""Load the quizzes and narrated replays of the content folders into the database."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from labs.models import Replay
from labs.teaching import content
from labs.teaching.models import INSTRUCTOR, Course, Membership, Quiz, QuizItem


class Command(BaseCommand):
    help = (
        "Create or update a Quiz for every valid quiz file and a narrated replay for every "
        "narration file of PAPERLABS_CONTENT_DIRS. Invalid files are reported and skipped; "
        "quizzes made in the admin are left alone."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        loaded = content.load(content.content_dirs())
        for problem in loaded.problems:
            self.stderr.write(f"skipped: {problem}")
        users = get_user_model()
        with transaction.atomic():
            for spec in loaded.quizzes.values():
                quiz, created = Quiz.objects.get_or_create(
                    slug=spec.id, defaults={"title": spec.title, "source": "file"}
                )
                if quiz.source != "file":
                    self.stderr.write(
                        f"skipped: {spec.path}: quiz {spec.id!r} exists and was made in the admin"
                    )
                    continue
                quiz.title = spec.title
                quiz.description = spec.description
                quiz.opens, quiz.closes = spec.opens, spec.closes
                quiz.max_attempts = spec.attempts
                quiz.time_limit = spec.time_limit
                quiz.reveal = spec.reveal
                quiz.source_path = spec.path
                quiz.instructor_names = list(spec.instructors)
                quiz.instructor_group_names = list(spec.instructor_groups)
                found = list(users.objects.filter(username__in=spec.instructors))
                quiz.course = None
                if spec.course:
                    # A file's course: its named instructors become the course's
                    # instructors, so both ways of naming staff agree.
                    quiz.course, _ = Course.objects.get_or_create(
                        slug=spec.course, defaults={"title": spec.course}
                    )
                    for user in found:
                        Membership.objects.get_or_create(
                            course=quiz.course,
                            user=user,
                            defaults={"role": INSTRUCTOR, "source": "file"},
                        )
                quiz.save()
                for name in sorted(set(spec.instructors) - {u.get_username() for u in found}):
                    self.stdout.write(
                        f"note: {spec.path}: instructor {name!r} has no account yet; "
                        "they manage the quiz as soon as the account is created"
                    )
                quiz.instructors.set(found)
                quiz.instructor_groups.set(Group.objects.filter(name__in=spec.instructor_groups))
                keep = []
                for position, entry in enumerate(spec.exercises, start=1):
                    item, _ = QuizItem.objects.update_or_create(
                        quiz=quiz,
                        exercise=entry.exercise,
                        defaults={"position": 1000 + position, "points": entry.points},
                    )
                    keep.append(item.pk)
                QuizItem.objects.filter(quiz=quiz).exclude(pk__in=keep).delete()
                for position, pk in enumerate(keep, start=1):
                    QuizItem.objects.filter(pk=pk).update(position=position)
                self.stdout.write(f"{'Created' if created else 'Updated'} quiz {spec.id}.")
            for narration in loaded.narrations.values():
                replay = Replay.from_recording(
                    narration.recording,
                    title=narration.title,
                    captions=dict(narration.captions),
                    source="sample",
                )
                replay.id = narration.id
                Replay.objects.filter(pk=narration.id).delete()
                replay.save()
        self.stdout.write(
            f"Loaded {len(loaded.quizzes)} quizzes and {len(loaded.narrations)} narrated replays"
            f" ({len(loaded.problems)} problems)."
        )
