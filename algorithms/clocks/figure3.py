"""Figure 3 of the Dynamo paper: a shopping cart's versions D1 to D5.

DeCandia et al., "Dynamo: Amazon's Highly Available Key-value Store", SOSP 2007, §4.4,
Figure 3: a client writes D1 and D2 through Sx; D3 (through Sy) and D4 (through Sz)
both descend from D2 and are siblings; a client reconciles them into D5 through Sx.

Examples
--------
>>> store = figure3()
>>> [(v.id, v.clock.to_json()) for v in store.versions]  # doctest: +NORMALIZE_WHITESPACE
[('D1', {'Sx': 1}), ('D2', {'Sx': 2}), ('D3', {'Sx': 2, 'Sy': 1}),
 ('D4', {'Sx': 2, 'Sz': 1}), ('D5', {'Sx': 3, 'Sy': 1, 'Sz': 1})]
>>> [v.id for v in store.get()]
['D5']
"""

from __future__ import annotations

from typing import Any

from algorithms.clocks.dynamo import DYNAMO_TRUNCATE, VersionedKey

__all__ = ["figure3", "figure3_commands"]


def figure3_commands() -> list[tuple[dict[str, Any], str]]:
    """Figure 3 of the Dynamo paper as lab commands, each with its caption.

    The commands are the vector-clocks engine's ``put`` and ``reconcile`` actions;
    replaying them with the captions gives the narrated walkthrough.

    Examples
    --------
    >>> [c["action"] for c, _ in figure3_commands()]
    ['put', 'put', 'put', 'put', 'reconcile']
    """
    return [
        (
            {"action": "put", "coordinator": "Sx", "value": "book", "context": []},
            "A client writes a new object. Node Sx handles the write: it increments its "
            "sequence number and creates D1 with clock ([Sx,1]).",
        ),
        (
            {"action": "put", "coordinator": "Sx", "value": "book, pen", "context": ["D1"]},
            "The client updates the object and Sx handles this request too, creating D2 "
            "with clock ([Sx,2]). D2 descends from D1, so D1 can be forgotten.",
        ),
        (
            {
                "action": "put",
                "coordinator": "Sy",
                "value": "book, pen, lamp",
                "context": ["D2"],
            },
            "The same client updates the object again and a different server, Sy, "
            "handles the request: D3 gets clock ([Sx,2],[Sy,1]).",
        ),
        (
            {
                "action": "put",
                "coordinator": "Sz",
                "value": "book, pen, mug",
                "context": ["D2"],
            },
            "A different client reads D2 and updates it through Sz: D4 gets clock "
            "([Sx,2],[Sz,1]). Neither D3 nor D4 descends from the other, so both are "
            "kept as siblings.",
        ),
        (
            {"action": "reconcile", "coordinator": "Sx", "value": "book, pen, lamp, mug"},
            "A client reads D3 and D4 together, reconciles them and writes the result "
            "through Sx: D5 gets clock ([Sx,3],[Sy,1],[Sz,1]), which descends from both.",
        ),
    ]


def figure3(truncate: int = DYNAMO_TRUNCATE) -> VersionedKey:
    """Run Figure 3 on a fresh :class:`VersionedKey` and return it (history included).

    Examples
    --------
    >>> [w.to_json()["current"] for w in figure3().history]
    [['D1'], ['D2'], ['D3'], ['D3', 'D4'], ['D5']]
    """
    store = VersionedKey("cart", truncate)
    for command, _ in figure3_commands():
        if command["action"] == "put":
            store.put(command["coordinator"], command["value"], command["context"])
        else:
            store.reconcile(command["coordinator"], command["value"])
    return store
