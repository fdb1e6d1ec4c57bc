"""Send every waiting or failed quiz grade to its LMS (run it every few minutes)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from labs.lti import ags


class Command(BaseCommand):
    help = "Send waiting and failed grades to the LMSs through Assignment and Grade Services."

    def handle(self, *args: Any, **options: Any) -> None:
        sent, failed = ags.send_due()
        self.stdout.write(f"sent {sent}, failed {failed}")
        if failed:
            self.stderr.write(f"{failed} grades failed; staff see them beside the gradebook")
