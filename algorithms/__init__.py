"""Pure-Python engines for the paperlabs labs.

Nothing here imports Django, does I/O, reads the wall clock or uses the global
``random`` module: every engine is deterministic from (params, seed, commands), so
a notebook user can ``from algorithms.hashing import HashRing`` and get
exactly what the lab shows.
"""
