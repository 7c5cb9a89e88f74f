"""Text a user gives acquittance: names, titles, descriptions and idempotency keys.

A name ends up in both parties' books, in a drafted agreement and in every
report. A control character in it (a bell, an escape sequence, a line break,
a NUL) would print as something other than what was stored, or not print at
all; a bidirectional override would make "Berg" read as another name in the
agreement than in the register. So every such character is refused where the
text comes in, with its position, instead of being kept or silently removed.
"""

from __future__ import annotations

from typing import Final

from acquittance.core.errors import InputError

#: The longest name, title or other one-line text field: the store's name columns hold it.
NAME_LENGTH_MAX: Final = 300
#: The longest free-text description (of a note, say).
DESCRIPTION_LENGTH_MAX: Final = 2_000
#: The longest idempotency key: the store's key column holds it.
KEY_LENGTH_MAX: Final = 200

#: Line and paragraph separators, and the bidirectional embeddings, overrides and
#: isolates ("Trojan Source"); the C0 and C1 controls and DEL are tested by range.
_FORMAT_CONTROLS: Final = frozenset(
    "\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def is_control(character: str) -> bool:
    """True for a control character: C0, DEL, C1, line separators, bidi overrides."""
    code = ord(character)
    return code < 0x20 or 0x7F <= code < 0xA0 or character in _FORMAT_CONTROLS


def _first_control(value: str) -> int | None:
    for index, character in enumerate(value):
        if is_control(character):
            return index
    return None


def check_text(value: str, *, field: str, length_max: int = NAME_LENGTH_MAX) -> str:
    """One line of printable text, at most `length_max` characters; returned unchanged."""
    index = _first_control(value)
    if index is not None:
        raise InputError(
            "CONTROL_CHARACTER",
            f"{field} {value!r} has the control character U+{ord(value[index]):04X} at "
            f"position {index + 1}; write it as one line of printable text",
        )
    if len(value) > length_max:
        raise InputError(
            "TEXT_TOO_LONG",
            f"{field} is {len(value)} characters long; it may have at most {length_max}",
        )
    return value


def check_idempotency_key(key: str | None) -> str | None:
    """An idempotency key as given, or None; an empty, blank or unprintable key is refused.

    A key is compared exactly as given, so it is not stripped: refusing a blank
    one is what keeps `--key ""` from becoming a key that every retry shares.
    """
    if key is None:
        return None
    if not key.strip():
        raise InputError(
            "INVALID_KEY",
            f"the idempotency key {key!r} is empty; give a non-blank key such as "
            "settle-2002-03-31, or leave --key out",
        )
    index = _first_control(key)
    if index is not None:
        raise InputError(
            "INVALID_KEY",
            f"the idempotency key {key!r} has the control character "
            f"U+{ord(key[index]):04X} at position {index + 1}; use printable characters only",
        )
    if len(key) > KEY_LENGTH_MAX:
        raise InputError(
            "INVALID_KEY",
            f"the idempotency key is {len(key)} characters long; it may have at most "
            f"{KEY_LENGTH_MAX}",
        )
    return key
