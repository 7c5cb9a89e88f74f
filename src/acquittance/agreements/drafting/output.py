"""Where a drafted file goes: checked before anything is rendered, written all or nothing.

Every command that writes a document (an agreement, a payoff letter, a
statement, a schedule, a UCC-3) goes through `check_output` before it renders
and `write_output` after, so that each refuses the same mistakes the same way:

- OUTPUT_IS_INPUT: the output is one of the command's inputs (the deal file,
  the store's file, a file of the templates folder), even with `--force`;
- FORMAT_MISMATCH: `--format pdf --output x.md`; a name with no extension is
  taken as it is;
- OUTPUT_EXISTS: the file is there already and `--force` was not given;
- OUTPUT_NOT_WRITABLE: a folder, a missing folder, no permission.

The file is written beside its target and moved into place, so no reader sees
half a document; without `--force` the move refuses to replace a file that
appeared in the meantime.
"""

from __future__ import annotations

import errno
import io
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Final

from acquittance.core.errors import InputError

#: The extensions each format's files may have; the first is the one to suggest.
EXTENSIONS: Final[dict[str, tuple[str, ...]]] = {
    "md": (".md", ".markdown", ".txt"),
    "html": (".html", ".htm"),
    "docx": (".docx",),
    "pdf": (".pdf",),
    "csv": (".csv",),
    "xlsx": (".xlsx",),
}
#: Spellings of a format accepted on the command line besides its own name.
_ALIASES: Final = {"markdown": "md", "htm": "html"}


def checked_format(fmt: str | None, output: Path, *, allowed: Iterable[str]) -> str:
    """The format to write: `fmt` as given, or the one the output's extension names.

    Refuses a format not in `allowed` (UNKNOWN_FORMAT) and one that disagrees
    with the extension (FORMAT_MISMATCH); with neither a format nor a known
    extension, the first allowed format is used.
    """
    formats = tuple(allowed)
    suffix = output.suffix.lower()
    implied = next((name for name in formats if suffix in EXTENSIONS[name]), None)
    if fmt is None:
        if suffix and implied is None:
            raise InputError(
                "FORMAT_MISMATCH",
                f"{output.name} has the extension {suffix!r}, which is none of "
                f"{', '.join(formats)}; give --format or name the file "
                f"{_suggest(output, formats[0])}",
            )
        return implied or formats[0]
    name = fmt.strip().lower().lstrip(".")
    name = _ALIASES.get(name, name)
    if name not in formats:
        raise InputError(
            "UNKNOWN_FORMAT", f"format {fmt!r} is not known here; use one of {', '.join(formats)}"
        )
    if suffix and suffix not in EXTENSIONS[name]:
        raise InputError(
            "FORMAT_MISMATCH",
            f"--format {name} does not match the extension of {output.name}; name the file "
            f"{_suggest(output, name)} or give --format {implied or 'matching the extension'}",
        )
    return name


def _suggest(output: Path, fmt: str) -> str:
    return output.with_suffix(EXTENSIONS[fmt][0]).name


def prepare_output(
    target: Path,
    fmt: str | None,
    *,
    allowed: Iterable[str],
    force: bool,
    inputs: Iterable[Path] = (),
) -> str:
    """Every check of an output, in the order a user fixes them; the format to write."""
    sources = tuple(inputs)
    check_not_input(target, sources)
    name = checked_format(fmt, target, allowed=allowed)
    check_output(target, force=force, inputs=sources)
    return name


def check_not_input(target: Path, inputs: Iterable[Path]) -> None:
    """Refuse an output that names one of the command's inputs (or lies in an input folder)."""
    for source in inputs:
        if _same_file(target, source):
            raise InputError(
                "OUTPUT_IS_INPUT",
                f"{target} is one of this command's inputs ({source}); write the document "
                "to another file",
            )


def check_output(target: Path, *, force: bool, inputs: Iterable[Path] = ()) -> Path:
    """Refuse an output that is an input, exists (without `force`), or cannot be written."""
    check_not_input(target, inputs)
    folder = target.parent
    if target.is_dir():
        raise InputError(
            "OUTPUT_NOT_WRITABLE", f"{target} is a folder; give a file name for the document"
        )
    if target.exists() and not force:
        raise InputError(
            "OUTPUT_EXISTS",
            f"{target} exists already; choose another file, or pass --force to replace it",
        )
    if not folder.is_dir():
        raise InputError(
            "OUTPUT_NOT_WRITABLE",
            f"folder {folder} does not exist; create it or choose another output path",
        )
    if not os.access(folder, os.W_OK):
        raise InputError(
            "OUTPUT_NOT_WRITABLE", f"folder {folder} is not writable; choose another output path"
        )
    return target


def _same_file(target: Path, source: Path) -> bool:
    """True when `target` names `source`, or a file inside `source` when it is a folder."""
    try:
        if target.exists() and source.exists() and os.path.samefile(target, source):
            return True
        resolved, origin = target.resolve(), source.resolve()
    except OSError:
        return False
    return resolved == origin or (origin.is_dir() and resolved.is_relative_to(origin))


def write_output(target: Path, content: bytes, *, force: bool) -> Path:
    """Write `content` beside `target` and move it into place; a failure leaves no file."""
    temporary: str | None = None
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
        # mkstemp makes the file private; a document gets the mode any new file would get.
        os.chmod(temporary, 0o666 & ~_umask())
        if force:
            os.replace(temporary, target)
        else:
            _move_no_clobber(temporary, target)
        temporary = None
    except OSError as error:
        raise InputError(
            "OUTPUT_NOT_WRITABLE", f"cannot write {target}: {error.strerror or error}"
        ) from None
    finally:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
    return target


def _move_no_clobber(temporary: str, target: Path) -> None:
    """Link the finished file in place, which fails if a file appeared there meanwhile."""
    try:
        os.link(temporary, target)
    except FileExistsError:
        raise InputError(
            "OUTPUT_EXISTS",
            f"{target} was created while the document was drafted; pass --force to replace it",
        ) from None
    except OSError as error:
        # A filesystem without hard links: the check made before rendering stands.
        if error.errno not in (errno.EPERM, errno.EXDEV, errno.ENOTSUP, errno.EOPNOTSUPP):
            raise
        os.replace(temporary, target)
        return
    os.unlink(temporary)


def _umask() -> int:
    # The only portable way to read the umask is to set it and put it back.
    mask = os.umask(0)
    os.umask(mask)
    return mask


def fixed_zip_timestamps(
    package: bytes, *, rewrite: Callable[[str, bytes], bytes] | None = None
) -> bytes:
    """The same zip package with every entry dated 1980-01-01, so equal drafts are equal bytes.

    python-docx and openpyxl stamp each part with the time of saving, which makes two
    drafts of the same records differ by the second they were saved in. `rewrite`
    (entry name, content) -> content mends a part that carries the time itself.
    """
    fixed = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(package)) as source,
        zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            stamped = zipfile.ZipInfo(entry.filename, date_time=(1980, 1, 1, 0, 0, 0))
            stamped.compress_type = zipfile.ZIP_DEFLATED
            content = source.read(entry)
            if rewrite is not None:
                content = rewrite(entry.filename, content)
            target.writestr(stamped, content)
    return fixed.getvalue()
