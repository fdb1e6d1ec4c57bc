import sys

from django.apps import AppConfig


class LtiConfig(AppConfig):
    name = "labs.lti"
    label = "paperlabs_lti"
    verbose_name = "LTI 1.3"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from labs.teaching.services import attempt_graded

        attempt_graded.connect(_graded, dispatch_uid="paperlabs.lti.grade-passback")
        # Quiz grades go to the LMSs from a thread of each server process (not from
        # management commands or the tests), never inside a request.
        from labs.teaching.apps import serving

        if serving(sys.argv):
            from labs.lti import sender

            sender.start()


def _graded(sender: object, attempt: object, **kwargs: object) -> None:
    from django.db import transaction

    from labs.lti import ags
    from labs.lti import sender as grade_sender
    from labs.teaching.models import Attempt

    assert isinstance(attempt, Attempt)
    # Only recorded here; the background sender sends it once the row is committed.
    if ags.queue_attempt(attempt):
        transaction.on_commit(grade_sender.wake)
