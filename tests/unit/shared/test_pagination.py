"""The one pagination helper every list route uses: a full page carries the next cursor, a short one none."""

from __future__ import annotations

import pytest

from shared.errors import ValidationFailed
from shared.pagination import Window, decode_cursor, id_after, key_after, keys_after, page_of, window


def test_a_full_page_points_at_its_last_row() -> None:
    page = window(["a", "b"], 2, lambda row: row)
    assert page.items == ["a", "b"]
    assert page.next_cursor is not None and key_after(page.next_cursor) == "b"


def test_a_page_shorter_than_the_limit_is_the_last() -> None:
    assert window(["a"], 2, lambda row: row).next_cursor is None
    assert window([], 2, lambda row: row).next_cursor is None


def test_a_cursor_of_several_keys_holds_each_of_them() -> None:
    page = window([("p1", "k1"), ("p2", "k2")], 2, lambda row: row)
    assert page.next_cursor is not None
    assert decode_cursor(page.next_cursor, 2) == ["p2", "k2"]
    assert keys_after(page.next_cursor, 2) == ["p2", "k2"]


def test_the_first_page_has_no_key_to_start_after() -> None:
    assert key_after(None) is None and keys_after(None, 2) is None and id_after(None) is None


def test_a_cursor_this_api_did_not_issue_is_refused() -> None:
    with pytest.raises(ValidationFailed):
        key_after("not-a-cursor")
    with pytest.raises(ValidationFailed):
        id_after(window(["x"], 1, lambda row: row).next_cursor)


def test_a_page_presents_each_row_and_keeps_the_next_cursor() -> None:
    page = page_of(Window(["a", "b"], "next"), str.upper)
    assert page.model_dump() == {"items": ["A", "B"], "next_cursor": "next"}
