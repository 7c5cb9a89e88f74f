"""Reading many agreements: file discovery, a process pool, one result per file.

A file that cannot be read gives a result with `path` and `error` ({code,
message}) and never stops the run. Results come back in the order of the
input files, so a batch's output is reproducible.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Final

from acquittance.agreements.reading.sources import SUFFIXES
from acquittance.core.errors import InputError

#: Most files one batch reads; a bound on work and memory.
BATCH_FILES_MAX: Final = 100_000
_BATCH_SUFFIXES: Final = frozenset((".txt", ".md", ".htm", ".html", ".docx", ".pdf"))


def discover(paths: Iterable[Path]) -> list[Path]:
    """The files to read: files as given, folders searched recursively by suffix.

    The count is checked as files are found, so a folder of millions is refused
    early instead of listed whole first.
    """
    found: list[Path] = []
    for path in paths:
        if not path.is_dir():
            found.append(path)
            _check_count(len(found))
            continue
        inside: list[Path] = []
        for candidate in path.rglob("*"):
            if candidate.suffix.lower() in _BATCH_SUFFIXES and candidate.is_file():
                inside.append(candidate)
                _check_count(len(found) + len(inside))
        found += sorted(inside)
    return found


def _check_count(count: int) -> None:
    if count > BATCH_FILES_MAX:
        raise InputError(
            "TOO_MANY_FILES",
            f"more than {BATCH_FILES_MAX} files to read; split the batch into smaller folders",
        )


def read_one(path: str) -> dict[str, Any]:
    """The JSON document for one file, or its error; never raises for a user-caused error."""
    from acquittance.agreements.reading.model import to_dict
    from acquittance.agreements.reading.reader import read_file
    from acquittance.core.errors import AcquittanceError

    try:
        return {"path": path, **to_dict(read_file(path))}
    except AcquittanceError as error:
        return {"path": path, "error": error.as_dict()}
    except RecursionError:
        return {"path": path, "error": _internal("the text nests too deeply to read")}
    except Exception as error:  # a bug must not stop a batch of thousands; report it per file
        return {"path": path, "error": _internal(f"{type(error).__name__}: {error}")}


def _internal(detail: str) -> dict[str, str]:
    return {
        "code": "READER_FAILED",
        "message": f"the reader failed on this file ({detail}); please report it with the file",
    }


def read_many(paths: Iterable[Path], *, jobs: int | None = None) -> Iterator[dict[str, Any]]:
    """One result per file, in order; `jobs` processes (default: the machine's cores)."""
    files = [str(p) for p in paths]
    workers = max(1, min(jobs or os.cpu_count() or 1, len(files) or 1, 64))
    if workers == 1:
        yield from (read_one(f) for f in files)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(read_one, files, chunksize=max(1, min(16, len(files) // (workers * 4))))


__all__ = ["SUFFIXES", "discover", "read_many", "read_one"]
