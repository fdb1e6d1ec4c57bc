"""Reading numbers out of query strings and keys safely.

``str.isdigit()`` accepts characters such as '²' that ``int()`` refuses, and ``int()``
refuses strings of more than 4,300 digits: neither may reach a request handler.
"""

from __future__ import annotations


def small_int(text: object, max_digits: int = 9) -> int | None:
    """The value of ``text`` if it is 1 to ``max_digits`` ASCII digits, else None.

    >>> small_int("12"), small_int("²"), small_int("-1"), small_int("9" * 5000)
    (12, None, None, None)
    """
    if isinstance(text, str) and 0 < len(text) <= max_digits and text.isascii() and text.isdigit():
        return int(text)
    return None
