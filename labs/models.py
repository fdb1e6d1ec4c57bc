"""Stored replays: a recording, optional captions, a shareable id."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import models

from algorithms.recording import Recording


def new_replay_id() -> str:
    return secrets.token_urlsafe(8)


class Replay(models.Model):
    """A saved recording (lab, params, seed, commands, length) with captions.

    Captions map a step number (as a string key) to the sentence shown at that step,
    which is what makes a replay a narrated walkthrough.
    """

    SOURCES = [
        ("user", "saved from a lab"),
        ("import", "imported"),
        ("sample", "shipped example"),
        ("exercise", "an exercise answer"),
        ("feedback", "graded feedback"),
    ]

    id = models.CharField(primary_key=True, max_length=64, default=new_replay_id, editable=False)
    lab = models.CharField(max_length=64, db_index=True)
    title = models.CharField(max_length=200, blank=True)
    params = models.JSONField(default=dict)
    seed = models.BigIntegerField()
    commands = models.JSONField(default=list)
    length = models.PositiveIntegerField()
    captions = models.JSONField(default=dict, blank=True)
    source = models.CharField(max_length=16, choices=SOURCES, default="user")
    created = models.DateTimeField(auto_now_add=True)
    # Shown in the public list of replays: samples, and what signed-in users save or
    # import. Anyone else's replay is reachable by its link only.
    listed = models.BooleanField(default=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.title or f"{self.lab} replay {self.id}"

    def get_absolute_url(self) -> str:
        return f"/replays/{self.id}/"

    def recording(self) -> Recording:
        return Recording.from_json(
            {
                "lab": self.lab,
                "params": self.params,
                "seed": self.seed,
                "length": self.length,
                "commands": self.commands,
            }
        )

    def to_json(self) -> dict[str, Any]:
        """The export format: the recording plus title and captions."""
        data = self.recording().to_json()
        data["format"] = "paperlabs-replay/1"
        data["title"] = self.title
        data["captions"] = self.captions
        return data

    @classmethod
    def from_recording(
        cls,
        recording: Recording,
        *,
        title: str = "",
        captions: dict[str, str] | None = None,
        source: str = "user",
        **extra: Any,
    ) -> Replay:
        data = recording.to_json()
        return cls(
            lab=data["lab"],
            params=data["params"],
            seed=data["seed"],
            commands=data["commands"],
            length=data["length"],
            title=title,
            captions=captions or {},
            source=source,
            **extra,
        )
