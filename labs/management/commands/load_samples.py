"""Load (or refresh) the narrated replays each lab ships."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from labs.models import Replay
from labs.samples import all_samples


class Command(BaseCommand):
    help = "Load the shipped narrated replays (the papers' own examples) into the database."

    def handle(self, *args: Any, **options: Any) -> None:
        samples = all_samples()
        with transaction.atomic():
            for sample in samples:
                recording, captions = sample.build()
                replay = Replay.from_recording(
                    recording, title=sample.title, captions=captions, source="sample"
                )
                replay.id = sample.id
                Replay.objects.filter(pk=sample.id).delete()
                replay.save()
        self.stdout.write(f"Loaded {len(samples)} narrated replays.")
