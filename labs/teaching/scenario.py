"""Signed scenario links: how an exercise page opens the live lab on a student's variant.

The page puts ``?scenario=<token>`` on the websocket URL. The token is signed with
the site's secret key (salt ``paperlabs.scenario``) and holds only what the lab needs
to start: lab, params, seed and the set-up commands, never a question or an answer.
The consumer builds the timeline from it (set-up applied, editable); a forged or
altered token is refused.
"""

from __future__ import annotations

from typing import Any

from django.core import signing

from algorithms.engine import CommandError
from labs.teaching.content import Scenario

SALT = "paperlabs.scenario"


def scenario_token(scenario: Scenario) -> str:
    return signing.dumps(scenario.to_json(), salt=SALT, compress=True)


def open_scenario(token: str, lab: str) -> Scenario:
    """The scenario in a token made by :func:`scenario_token`, for ``lab``."""
    try:
        data: Any = signing.loads(token, salt=SALT)
        scenario = Scenario.from_json(data)
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise CommandError(
            "scenario", token[:24], "must be a scenario link made by an exercise page"
        ) from None
    if scenario.lab != lab:
        raise CommandError("scenario", scenario.lab, f"must be a scenario of the {lab} lab")
    return scenario
