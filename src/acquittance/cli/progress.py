"""A progress bar for long work, shown only to a person watching a terminal.

    with progress(total, "settling") as advance:
        for item in work:
            ...
            advance()

The bar is drawn on standard error with Rich when standard error is a
terminal and the command does not print JSON; piped, redirected or with
`--json`, `advance` does nothing and nothing is written. Rich is imported only
when a bar is drawn, so a command that uses this costs nothing more to start.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Final, TextIO

#: Set (to anything but "") to draw no bar even on a terminal.
QUIET_VARIABLE: Final = "ACQUITTANCE_NO_PROGRESS"

Advance = Callable[[], None]


def shown(*, as_json: bool = False, stream: TextIO | None = None) -> bool:
    """Whether a bar would be drawn: a terminal on standard error, no JSON, not silenced."""
    target = sys.stderr if stream is None else stream
    if as_json or os.environ.get(QUIET_VARIABLE):
        return False
    isatty = getattr(target, "isatty", None)
    return bool(isatty and isatty())


def _ignore() -> None:
    return None


@contextmanager
def progress(total: int, label: str, *, as_json: bool = False) -> Iterator[Advance]:
    """A bar of `total` steps named `label`; yields the function that advances it one step.

    The bar is transient: it is wiped when the work ends, leaving the terminal
    as the command's own output left it.
    """
    if not shown(as_json=as_json):
        yield _ignore
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(file=sys.stderr), transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda: bar.advance(task)
