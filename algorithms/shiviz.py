"""ShiViz / GoVector logs: the public names of :mod:`algorithms.clocks.shiviz`.

Beschastnikh et al., "Visualizing Distributed System Executions", ACM TOSEM 29(2),
2020. The code lives with the vector-clocks lab in :mod:`algorithms.clocks.shiviz`;
this module keeps ``from algorithms.shiviz import parse_shiviz`` working.

Examples
--------
>>> [e.host for e in parse_shiviz(GOVECTOR_REGEX + '\\n\\na {"a":1}\\nhello')]
['a']
"""

from __future__ import annotations

from algorithms.clocks.shiviz import *  # noqa: F403
from algorithms.clocks.shiviz import __all__ as __all__
