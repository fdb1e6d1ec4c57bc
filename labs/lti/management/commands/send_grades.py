"""Send every waiting or failed quiz grade that is due to its LMS.

The server's background sender does this already (labs/lti/sender.py); from cron it is
the fallback where no server process runs the sender (PAPERLABS_GRADE_SENDER=0).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from labs.lti import ags


class Command(BaseCommand):
    help = "Send waiting and failed grades to the LMSs through Assignment and Grade Services."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--now",
            action="store_true",
            help="also send the failed grades still waiting out their back-off",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        sent, failed = ags.send_due(now_too=options["now"])
        self.stdout.write(f"sent {sent}, failed {failed}")
        if failed:
            self.stderr.write(f"{failed} grades failed; staff see them beside the gradebook")
