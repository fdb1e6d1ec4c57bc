from django.apps import AppConfig


class LtiConfig(AppConfig):
    name = "labs.lti"
    label = "paperlabs_lti"
    verbose_name = "LTI 1.3"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from labs.teaching.services import attempt_graded

        attempt_graded.connect(_graded, dispatch_uid="paperlabs.lti.grade-passback")


def _graded(sender: object, attempt: object, **kwargs: object) -> None:
    from labs.lti import ags
    from labs.teaching.models import Attempt

    assert isinstance(attempt, Attempt)
    ags.queue_and_send(attempt)
