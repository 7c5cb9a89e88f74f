"""Line numbers for the fields of a TOML document, so errors can say where.

`tomllib` gives values but not positions. This scans the text once and
records, for each table header and key, the line it stands on, keyed by the
path a parser would give it: ("loans", 0, "events", 1, "principal").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(
    r"""^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*="""
)

PathPart = str | int


def _split_dotted(text: str) -> list[str]:
    parts = re.findall(r"""[A-Za-z0-9_-]+|"[^"]*"|'[^']*'""", text)
    return [part.strip("\"'") for part in parts]


class FieldLocator:
    """Maps a field's path to its 1-based line in the TOML text."""

    def __init__(self, text: str) -> None:
        self._lines: dict[tuple[PathPart, ...], int] = {}
        self._scan(text)

    def _scan(self, text: str) -> None:
        counts: dict[tuple[PathPart, ...], int] = {}
        current: tuple[PathPart, ...] = ()
        for number, line in enumerate(text.splitlines(), start=1):
            header = _HEADER.match(line)
            if header and not _KEY.match(line):
                current = self._enter(header.group(1), header.group(2), counts, current)
                self._lines.setdefault(current, number)
                continue
            key = _KEY.match(line)
            if key:
                path = current + tuple(_split_dotted(key.group(1)))
                self._lines.setdefault(path, number)

    def _enter(
        self,
        bracket: str,
        name: str,
        counts: dict[tuple[PathPart, ...], int],
        current: tuple[PathPart, ...],
    ) -> tuple[PathPart, ...]:
        names = _split_dotted(name)
        path: tuple[PathPart, ...] = ()
        for depth, part in enumerate(names):
            path = (*path, part)
            is_last = depth == len(names) - 1
            if is_last and bracket == "[[":
                index = counts.get(path, 0)
                counts[path] = index + 1
                # A new element of this array resets the counts of arrays nested in it.
                for key in [k for k in counts if len(k) > len(path) and k[: len(path)] == path]:
                    del counts[key]
                return (*path, index)
            if path in counts:  # inside the latest element of an array of tables
                path = (*path, counts[path] - 1)
        return path

    def line_of(self, path: Sequence[PathPart]) -> int | None:
        """The line of the field, or of the nearest enclosing table that has one."""
        probe = tuple(path)
        while probe:
            if probe in self._lines:
                return self._lines[probe]
            probe = probe[:-1]
        return None


def render_path(path: Sequence[PathPart]) -> str:
    """("loans", 0, "events", 1, "principal") -> "loans[0].events[1].principal"."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text
