"""Applying findings' fixes to the text they were found in: pure functions, no I/O.

A `Fix` is a set of `Edit`s (a location and its replacement text).  Fixes are applied
whole or not at all; a fix whose edits overlap an edit already taken is skipped (apply
again after a re-review to take it), so applying never corrupts the text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from secreview.model import Edit, Fix, Location


@dataclass(frozen=True)
class Applied:
    text: str
    applied: tuple[Fix, ...]
    skipped: tuple[Fix, ...]  # overlapping another fix, or pointing outside the text


def apply(text: str, fixes: Iterable[Fix]) -> Applied:
    """`text` with every fix applied that does not overlap one applied before it (in location order)."""
    starts = _line_starts(text)
    taken: list[tuple[int, int, str]] = []
    applied: list[Fix] = []
    skipped: list[Fix] = []
    for fix in sorted(fixes, key=lambda f: [_sort_key(e.location) for e in f.edits]):
        spans = [_span(starts, text, edit) for edit in fix.edits]
        if any(span is None for span in spans) or _overlapping([*spans, *taken]):
            skipped.append(fix)
            continue
        taken.extend(spans)  # type: ignore[arg-type]
        applied.append(fix)
    result = text
    for start, end, replacement in sorted(taken, reverse=True):
        result = result[:start] + replacement + result[end:]
    return Applied(result, tuple(applied), tuple(skipped))


def _sort_key(location: Location) -> tuple[int, int]:
    return location.start_line, location.start_column


def _line_starts(text: str) -> list[int]:
    starts = [0]
    for index, char in enumerate(text):
        if char == "\n":
            starts.append(index + 1)
    return starts


def _offset(starts: list[int], text: str, line: int, column: int) -> int | None:
    """Character offset of a 1-based (line, column); the column may be one past the line's end."""
    if not 1 <= line <= len(starts) or column < 1:
        return None
    end_of_line = starts[line] - 1 if line < len(starts) else len(text)
    offset = starts[line - 1] + column - 1
    return offset if offset <= end_of_line else None


def _span(starts: list[int], text: str, edit: Edit) -> tuple[int, int, str] | None:
    location = edit.location
    start = _offset(starts, text, location.start_line, location.start_column)
    end = _offset(starts, text, location.end_line, location.end_column)
    if start is None or end is None or end < start:
        return None
    return start, end, edit.replacement


def _overlapping(spans) -> bool:
    """True when two spans share a character, or two edits insert at the same place."""
    ordered = sorted((start, end) for start, end, _ in spans)
    return any(next_start < end or next_start == start
               for (start, end), (next_start, _) in zip(ordered, ordered[1:]))
