"""The sandbox every clause template renders in: Jinja's, with a cost limit and fewer doors.

Counsel's own clause library (`--templates DIR`) and, once a server accepts
templates, anyone's, is code. `jinja2.sandbox.SandboxedEnvironment` already
refuses attributes that start with an underscore and Python's internal
attributes, which closes the known escapes (`lipsum.__globals__`,
`''.__class__.__mro__`). This module adds, on top of it:

- a static check when a template is compiled: an attribute or constant key that
  starts with "_", a string constant that starts with "__" (a name handed to
  `attr`, `map` or `sort`) and the `{% autoescape %}` tag are refused before
  anything runs, so such a template never renders a byte;
- no globals beyond `range`, `dict` and `namespace` (no `lipsum`, `cycler`,
  `joiner`), and only the filters an agreement needs (`FILTERS_ALLOWED`);
  filters that format floats, pick at random, bypass HTML escaping (`safe`) or
  amplify their input (`center`, `indent`, `format`, `wordwrap`) are absent;
- a cost limit per render: every loop step and every call takes one of
  `TEMPLATE_STEPS_MAX` steps; a sequence repeated by `*`, a number raised by
  `**`, a string widened by a method or a `%` format is refused past
  `TEMPLATE_TEXT_CHARS_MAX`; the rendered text is refused past that many
  characters; a template file is refused past `TEMPLATE_FILE_SIZE_BYTES_MAX`.

Breaking a rule raises `UnsafeTemplate` or `TemplateLimitExceeded`; the caller
turns them into `TEMPLATE_UNSAFE` and `TEMPLATE_LIMIT_EXCEEDED`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Final

import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.sandbox import SandboxedEnvironment

#: Loop steps and calls one render may take: the HTML of an Exhibit A of 1,000 notes
#: takes about 12,000, and a template that calls a macro this often runs about a second.
TEMPLATE_STEPS_MAX: Final = 250_000
#: Longest text one render may produce, and longest string or sequence an operator or
#: method may build: 1,000 notes of Exhibit A in HTML are about 700,000 characters.
TEMPLATE_TEXT_CHARS_MAX: Final = 4_000_000
#: Largest template or stylesheet file read; the shipped ones are under 10 KB.
TEMPLATE_FILE_SIZE_BYTES_MAX: Final = 1024 * 1024
#: Largest integer an arithmetic operator may produce, in bits (about 1,200 digits).
INTEGER_BITS_MAX: Final = 4096

#: Jinja's filters a clause template may use; each is at most linear in its input.
FILTERS_ALLOWED: Final = frozenset(
    {
        "abs", "attr", "batch", "capitalize", "count", "d", "default", "dictsort", "e",
        "escape", "first", "forceescape", "groupby", "int", "items", "join", "last", "length",
        "list", "lower", "map", "max", "min", "reject", "rejectattr", "reverse", "select",
        "selectattr", "slice", "sort", "string", "striptags", "sum", "title", "trim",
        "truncate", "unique", "upper", "wordcount", "xmlattr",
    }
)  # fmt: skip
GLOBALS_ALLOWED: Final = frozenset({"range", "dict", "namespace"})
#: The filter the compiler wraps around every loop's sequence to count its steps.
STEP_FILTER: Final = "_counted_steps"


class UnsafeTemplate(jinja2.TemplateSyntaxError):
    """A template reaches for what the sandbox does not allow; refused before it runs."""


class TemplateLimitExceeded(Exception):
    """A render went past one of the limits above."""


@dataclass
class _Budget:
    steps_left: int

    def step(self) -> None:
        self.steps_left -= 1
        if self.steps_left < 0:
            raise TemplateLimitExceeded(
                f"the template took more than {TEMPLATE_STEPS_MAX} loop steps and calls"
            )


_BUDGET: ContextVar[_Budget | None] = ContextVar("template_budget", default=None)


@contextmanager
def budget() -> Iterator[None]:
    """A fresh cost limit for one render (a context variable, so threads do not share it)."""
    token = _BUDGET.set(_Budget(TEMPLATE_STEPS_MAX))
    try:
        yield
    finally:
        _BUDGET.reset(token)


def _step() -> None:
    current = _BUDGET.get()
    if current is not None:
        current.step()


def _counted_steps(sequence: Iterable[Any]) -> Iterator[Any]:
    for item in sequence:
        _step()
        yield item


def check_text_length(length: int, *, what: str) -> None:
    if length > TEMPLATE_TEXT_CHARS_MAX:
        raise TemplateLimitExceeded(
            f"{what} would be {length} characters, more than {TEMPLATE_TEXT_CHARS_MAX}"
        )


class _CheckedCodeGenerator(CodeGenerator):
    """Jinja's compiler, refusing unsafe constructs and counting every loop's steps."""

    def visit_Template(self, node: nodes.Template, frame: Frame | None = None) -> None:
        _refuse_unsafe(node, name=self.name, filename=self.filename)
        for loop in node.find_all(nodes.For):
            loop.iter = nodes.Filter(
                loop.iter, STEP_FILTER, [], [], None, None, lineno=loop.iter.lineno
            )
        super().visit_Template(node, frame)


def _refuse_unsafe(tree: nodes.Template, *, name: str | None, filename: str | None) -> None:
    def refuse(message: str, lineno: int) -> None:
        raise UnsafeTemplate(message, lineno, name, filename)

    for getattr_node in tree.find_all(nodes.Getattr):
        if getattr_node.attr.startswith("_"):
            refuse(f"attribute {getattr_node.attr!r} is private", getattr_node.lineno)
    for getitem_node in tree.find_all(nodes.Getitem):
        key = getitem_node.arg
        if isinstance(key, nodes.Const) and str(key.value).startswith("_"):
            refuse(f"key {key.value!r} is private", getitem_node.lineno)
    for constant in tree.find_all(nodes.Const):
        # A name such as '__class__' handed to attr(), map() or sort() reaches Python.
        if isinstance(constant.value, str) and constant.value.startswith("__"):
            refuse(f"the name {constant.value!r} is Python's own", constant.lineno)
    for modifier in tree.find_all(nodes.EvalContextModifier):
        refuse("the autoescape tag is not allowed: escaping is the format's", modifier.lineno)
    for call in tree.find_all(nodes.Filter):
        if call.name == STEP_FILTER:
            refuse(f"filter {STEP_FILTER} is the sandbox's own", call.lineno)


class SizedLoader(jinja2.FileSystemLoader):
    """A file loader that refuses template files past `TEMPLATE_FILE_SIZE_BYTES_MAX`."""

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        size_bytes = len(source.encode("utf-8"))
        if size_bytes > TEMPLATE_FILE_SIZE_BYTES_MAX:
            raise TemplateLimitExceeded(
                f"template file {filename} is {size_bytes} bytes, more than "
                f"{TEMPLATE_FILE_SIZE_BYTES_MAX}"
            )
        return source, filename, uptodate


#: A `%` format whose width or precision is seven digits or more, or given by `*`.
_WIDE_FORMAT = re.compile(r"%[-+ #0]*(?:\d{7,}|\*)|%[-+ #0]*\d*\.(?:\d{7,}|\*)")
#: A `str.format` field whose width or precision is seven digits or more.
_WIDE_FIELD = re.compile(r"\{[^{}]*:[^{}]*\d{7,}[^{}]*\}")
#: str methods whose integer argument is the width of what they return.
_WIDENING_METHODS: Final = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})


class DraftSandbox(SandboxedEnvironment):
    """The sandboxed environment of the clause library, with the limits above."""

    code_generator_class = _CheckedCodeGenerator
    intercepted_binops = frozenset({"*", "**", "%"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        for name in set(self.globals) - GLOBALS_ALLOWED:
            del self.globals[name]
        self.filters = {name: self.filters[name] for name in FILTERS_ALLOWED}
        self.filters[STEP_FILTER] = _counted_steps

    def call_binop(self, context: Any, operator_name: str, left: Any, right: Any) -> Any:
        if operator_name == "*":
            _check_repeat(left, right)
        elif operator_name == "**":
            _check_power(left, right)
        elif isinstance(left, str) and _WIDE_FORMAT.search(left):
            raise TemplateLimitExceeded("a % format wider than the sandbox allows")
        return super().call_binop(context, operator_name, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _step()
        _check_widening(__obj, args, kwargs)
        return super().call(__context, __obj, *args, **kwargs)


def _check_repeat(left: Any, right: Any) -> None:
    for sequence, times in ((left, right), (right, left)):
        if isinstance(sequence, str | list | tuple) and isinstance(times, int):
            check_text_length(len(sequence) * times, what="a repeated sequence")
    both_integers = isinstance(left, int) and isinstance(right, int)
    if both_integers and abs(left).bit_length() + abs(right).bit_length() > INTEGER_BITS_MAX:
        raise TemplateLimitExceeded(f"a product of more than {INTEGER_BITS_MAX} bits")


def _check_power(base: Any, exponent: Any) -> None:
    if isinstance(base, int) and isinstance(exponent, int) and abs(base) > 1:
        if exponent > 0 and exponent * abs(base).bit_length() > INTEGER_BITS_MAX:
            raise TemplateLimitExceeded(f"a power of more than {INTEGER_BITS_MAX} bits")
    elif isinstance(exponent, int | float) and abs(exponent) > INTEGER_BITS_MAX:
        raise TemplateLimitExceeded(f"an exponent above {INTEGER_BITS_MAX}")


def _check_widening(function: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    # The sandbox hands out str.format wrapped (to sandbox its fields); look through it.
    method = getattr(function, "__wrapped__", function)
    owner = getattr(method, "__self__", None)
    name = getattr(method, "__name__", "")
    if not isinstance(owner, str):
        return
    if name in _WIDENING_METHODS:
        for value in (*args, *kwargs.values()):
            if isinstance(value, int):
                check_text_length(value, what=f"str.{name}")
    elif name == "replace" and len(args) >= 2:
        old, new = str(args[0]), str(args[1])
        count = owner.count(old) if old else len(owner) + 1
        check_text_length(len(owner) + count * max(0, len(new) - len(old)), what="str.replace")
    elif name in ("format", "format_map") and _WIDE_FIELD.search(owner):
        raise TemplateLimitExceeded("a format field wider than the sandbox allows")


def render_bounded(template: jinja2.Template, variables: dict[str, object]) -> str:
    """Render within the cost limit; the text is refused past `TEMPLATE_TEXT_CHARS_MAX`."""
    pieces: list[str] = []
    length = 0
    with budget():
        for piece in template.generate(variables):
            length += len(piece)
            check_text_length(length, what="the rendered template")
            pieces.append(piece)
    return "".join(pieces)


__all__ = [
    "FILTERS_ALLOWED",
    "TEMPLATE_FILE_SIZE_BYTES_MAX",
    "TEMPLATE_STEPS_MAX",
    "TEMPLATE_TEXT_CHARS_MAX",
    "DraftSandbox",
    "SizedLoader",
    "TemplateLimitExceeded",
    "UnsafeTemplate",
    "render_bounded",
]
