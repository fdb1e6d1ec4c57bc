"""The quorum lab's look-ups: questions about the current step that record nothing.

``which_nodes`` shows a key's preference list (DeCandia et al., "Dynamo", SOSP 2007,
§4.3); ``p_consistent`` and ``measure`` answer Bailis et al.'s t-visibility question
("Probabilistically Bounded Staleness", VLDB 2012) by Monte Carlo over the WARS model
and by write-then-read pairs on a copy of the live cluster.

Examples
--------
>>> from algorithms.quorum import QuorumEngine
>>> from algorithms.quorum.params import QuorumParams
>>> engine = QuorumEngine(QuorumParams(latency="constant"), seed=1)
>>> engine.apply({"action": "which_nodes", "key": "cart"})[0].data
{'key': 'cart'}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from algorithms.engine import (
    CommandError,
    Event,
    check_fields,
    check_float,
    check_int,
    check_name,
    look_up,
)
from algorithms.quorum.base import MAX_LOOKUP_TRIALS, MAX_MEASURE_PAIRS, QuorumBase
from algorithms.quorum.limits import MAX_T_MS, check_trials
from algorithms.quorum.staleness import measure_visibility
from algorithms.quorum.wars import t_visibility

__all__ = ["QuorumLookUps"]


class QuorumLookUps(QuorumBase):
    """The look-ups of :class:`~algorithms.quorum.QuorumEngine`."""

    @look_up("which_nodes", example={"action": "which_nodes", "key": "cart"})
    def do_which_nodes(self, command: Mapping[str, Any]) -> list[Event]:
        """``which_nodes`` {key}: show the key's preference list and who holds it."""
        check_fields(command, ("key",))
        key = check_name("key", command["key"], 20)
        self.selected = key
        order = self.cluster.preference_list(key)
        held = (
            ", ".join(
                h["node"] + (f" (hint for {h['hint_for']})" if h["hint_for"] else "")
                for h in self.cluster.holders(key)
            )
            or "no node yet"
        )
        return [
            Event(
                "which_nodes",
                f"{key}: home replicas {', '.join(order[: self.params.n])}, "
                f"then {', '.join(order[self.params.n :]) or 'none'}; held by {held}.",
                {"key": key},
            )
        ]

    @look_up("p_consistent", example={"action": "p_consistent", "t": 1.0})
    def do_p_consistent(self, command: Mapping[str, Any]) -> list[Event]:
        """``p_consistent`` {t, trials?}: PBS t-visibility for these N, R, W and latency."""
        check_fields(command, ("t",), ("trials",))
        t = check_float("t", command["t"], 0.0, MAX_T_MS)
        trials = check_int("trials", command.get("trials", 20_000), 1, MAX_LOOKUP_TRIALS)
        check_trials(trials, self.params.n)
        p = self.params
        value = t_visibility(p.n, p.r, p.w, p.model(), t, trials=trials, seed=self.seed)
        self.answer = {"t": t, "trials": trials, "p_consistent": value}
        return [
            Event(
                "p_consistent",
                f"P(a read {t:g} ms after a write commits sees it) = "
                f"{value:.4f} by {trials:,} Monte Carlo trials (N={p.n}, R={p.r}, W={p.w}, "
                f"{p.latency}).",
                dict(self.answer),
            )
        ]

    @look_up("measure", example={"action": "measure", "t": 0.5, "pairs": 20})
    def do_measure(self, command: Mapping[str, Any]) -> list[Event]:
        """``measure`` {t, pairs?}: write-then-read pairs on a copy of this cluster."""
        check_fields(command, ("t",), ("pairs",))
        t = check_float("t", command["t"], 0.0, MAX_T_MS)
        pairs = check_int("pairs", command.get("pairs", 50), 1, MAX_MEASURE_PAIRS)
        found = measure_visibility(self.cluster, t, pairs)
        if found["pairs"] == 0:
            raise CommandError("t", t, "needs a write that can commit on the cluster as it is")
        self.measured = [*[m for m in self.measured if m["t"] != t][-19:], found]
        return [
            Event(
                "measure",
                f"On a copy of this cluster, {found['consistent']} of {found['pairs']} reads "
                f"started {t:g} ms after their write committed saw it "
                f"(P(consistent) = {found['p_consistent']:.3f}).",
                dict(found),
            )
        ]
