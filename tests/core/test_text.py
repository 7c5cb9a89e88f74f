"""Names and idempotency keys: printable, bounded, and never silently changed."""

from __future__ import annotations

import pytest

from acquittance.core.errors import InputError
from acquittance.core.text import (
    KEY_LENGTH_MAX,
    NAME_LENGTH_MAX,
    check_idempotency_key,
    check_text,
    is_control,
)


@pytest.mark.parametrize(
    "name",
    [
        "Berg & Berg Enterprises, LLC",
        "Société Générale S.A.",
        "株式会社みずほ銀行",
        "O'Neil – Ltd.",
    ],
)
def test_printable_names_pass_unchanged(name: str) -> None:
    assert check_text(name, field="name") == name


@pytest.mark.parametrize(
    ("name", "position"),
    [
        ("Berg\x07", 5),
        ("\x1b[31mBerg", 1),
        ("Berg\nValence", 5),
        ("Berg\tLLC", 5),
        ("Berg\x7f", 5),
        ("Berg\x85", 5),
        ("Berg\u2028", 5),
        ("\u202eBerg", 1),
        ("Berg\u2066", 5),
        ("Berg\x00", 5),
    ],
)
def test_a_control_character_is_refused_with_its_position(name: str, position: int) -> None:
    with pytest.raises(InputError) as caught:
        check_text(name, field="name")
    assert caught.value.code == "CONTROL_CHARACTER"
    assert f"position {position}" in caught.value.message
    assert f"U+{ord(name[position - 1]):04X}" in caught.value.message


def test_a_name_past_its_length_is_refused() -> None:
    check_text("x" * NAME_LENGTH_MAX, field="name")
    with pytest.raises(InputError) as caught:
        check_text("x" * (NAME_LENGTH_MAX + 1), field="name")
    assert caught.value.code == "TEXT_TOO_LONG"


def test_marks_used_in_right_to_left_names_are_not_controls() -> None:
    # U+200F (right-to-left mark) and U+200D (zero-width joiner) belong in real names.
    assert not is_control("\u200f") and not is_control("\u200d")


@pytest.mark.parametrize("key", [None, "k", "settle-2002-03-31", " padded ", "k" * KEY_LENGTH_MAX])
def test_a_printable_key_is_kept_exactly(key: str | None) -> None:
    assert check_idempotency_key(key) == key


@pytest.mark.parametrize(
    "key", ["", " ", "\t", "\n\n", "a\x00b", "a\nb", "\u202ekey", "k" * (KEY_LENGTH_MAX + 1)]
)
def test_a_blank_unprintable_or_overlong_key_is_invalid(key: str) -> None:
    with pytest.raises(InputError) as caught:
        check_idempotency_key(key)
    assert caught.value.code == "INVALID_KEY"
