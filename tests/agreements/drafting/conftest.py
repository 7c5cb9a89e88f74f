"""Fixtures of the drafting tests: the reference context and a context factory."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from drafting_factories import context_of, reference_quote

from acquittance.agreements.drafting import DraftContext


@pytest.fixture
def reference_context() -> DraftContext:
    return context_of(reference_quote())


@pytest.fixture
def make_context() -> Callable[..., DraftContext]:
    return context_of
