"""The background sender of quiz grades: one thread in each server process.

A submitted quiz records the student's score (labs/lti/ags.py, ``queue_attempt``) and
wakes this thread once the request's transaction committed; the response does not
wait for the LMS. The thread also wakes every ``POLL_SECONDS`` to retry failed sends
whose back-off is over and to pick up rows another process left. With several
processes (``make serve-scale``) each runs one; a row is sent only by the process that
claims it (``ags.claim``), so nothing is sent twice.

The app's ``ready`` starts it in server processes only (not in ``manage.py`` commands or
the test suite); ``PAPERLABS_GRADE_SENDER=0`` turns it off, leaving ``manage.py
send_grades`` from cron.
"""

from __future__ import annotations

import logging
import os
import threading

from django.db import close_old_connections

POLL_SECONDS = float(os.environ.get("PAPERLABS_GRADE_POLL_SECONDS", "30"))

log = logging.getLogger(__name__)
_wake = threading.Event()
_thread: threading.Thread | None = None
_lock = threading.Lock()


def run_once() -> tuple[int, int]:
    """Send what is due now; (sent, failed). Errors are logged, never raised."""
    from labs.lti import ags

    try:
        return ags.send_due()
    except Exception:  # the database or a bug: log it and try again at the next wake
        log.exception("sending grades to the LMS failed; the grades wait for the next try")
        return 0, 0


def _loop() -> None:
    while True:
        _wake.wait(POLL_SECONDS)
        _wake.clear()
        # The thread's own connection: dropped when stale, like a request's.
        close_old_connections()
        run_once()
        close_old_connections()


def start() -> bool:
    """Start this process's sender (once); False when turned off."""
    global _thread
    if os.environ.get("PAPERLABS_GRADE_SENDER", "1") == "0":
        return False
    with _lock:
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_loop, name="paperlabs-grade-sender", daemon=True)
            _thread.start()
            _wake.set()  # whatever waited while the server was down
    return True


def wake() -> None:
    """Ask the sender to look for due grades now (a no-op without a running sender)."""
    _wake.set()
