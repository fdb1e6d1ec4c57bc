"""The live protocol's parts, each in a module of its own.

``labs.consumers.LabConsumer`` adapts one websocket to one timeline with these:
``messages`` (rate, size, JSON shape and fields of what a client sends), ``frames``
(what a frame shows, its state as a delta), ``outbox`` (a message in parts past the
frame limit), ``pacing`` (playing at fps), ``limits`` (sockets, saves, recording
growth), ``replays`` (opening, saving and exporting), ``tasks`` (a lab's heavy
actions) and ``transport`` (bounds Daphne enforces).
"""
