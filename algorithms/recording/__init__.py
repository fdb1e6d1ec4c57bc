"""Recordings and the timeline the player moves along.

Split by concept: :mod:`.format` (the :class:`Recording` and its export format),
:mod:`.checkpoints` (engine copies that share nothing with the live engine),
:mod:`.branches` (the what-ifs a session keeps) and :mod:`.timeline` (the
:class:`Timeline` itself). Import everything from here.

A session is a recording: ``(lab, params, seed, commands)`` where ``commands`` is a
list of ``(step_index, command)`` pairs and every other step up to ``length`` is a
tick of the engine. Because engines are deterministic, any step can be rebuilt
exactly. :class:`Timeline` keeps checkpoints (deep copies of the engine every
``checkpoint_every`` steps) so that seeking to step 100,000 replays at most a few
hundred steps, not the whole run. Acting anywhere but at the end starts a new branch
(a what-if); the old future is kept as a branch of its own, and the player can switch
back to it exactly. A look-up (a question about the current step, such as "where does
this key live?") is answered without being recorded, so it never touches the future.

Examples
--------
>>> from algorithms.engine import Event, LabEngine, LabParams, move
>>> from dataclasses import dataclass
>>> @dataclass(frozen=True)
... class CounterParams(LabParams):
...     start: int = 0
>>> class Counter(LabEngine[CounterParams]):
...     def __init__(self, params, seed):
...         super().__init__(params, seed)
...         self.value = params.start
...     @move("add")
...     def add(self, command):
...         self.value += command["by"]
...         return [Event("add", f"Add {command['by']}.")]
...     def step(self):
...         self.value += 1
...         return [Event("tick", "One tick.")]
...     def state(self):
...         return {"value": self.value}
>>> t = Timeline(Counter, "counter", {"start": 10}, seed=1)  # a Timeline[Counter]
>>> _ = t.act({"action": "add", "by": 5}); _ = t.forward(); t.engine.state()
{'value': 16}
>>> _ = t.seek(1); t.engine.state(), t.position, t.length
({'value': 15}, 1, 2)
>>> _ = t.act({"action": "add", "by": 100}); t.engine.state(), t.length
({'value': 115}, 2)
>>> [(b["id"], b["fork"], b["length"]) for b in t.branches()]
[(1, 0, 2), (2, 1, 2)]
>>> _ = t.switch_branch(1); t.engine.state(), t.position
({'value': 16}, 2)
"""

from __future__ import annotations

from algorithms.recording.branches import MAX_BRANCHES, Branch
from algorithms.recording.checkpoints import KEPT_PER_BRANCH, MAX_CHECKPOINTS, Checkpoints
from algorithms.recording.format import MAX_COMMAND_BYTES, MAX_STEPS, Recording
from algorithms.recording.timeline import StepCheck, Timeline

__all__ = [
    "KEPT_PER_BRANCH",
    "MAX_BRANCHES",
    "MAX_CHECKPOINTS",
    "MAX_COMMAND_BYTES",
    "MAX_STEPS",
    "Branch",
    "Checkpoints",
    "Recording",
    "StepCheck",
    "Timeline",
]
