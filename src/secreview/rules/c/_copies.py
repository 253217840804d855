"""Shared judgement for unbounded string copies (`strcpy`, `strcat`, `sprintf`).

A copy is reported unless its source provably fits: a literal, or an array
no larger than the smallest buffer the destination may be.  When the source
is larger than the largest buffer the destination may be, the hit is raised
to high confidence.
"""

from __future__ import annotations

import tree_sitter as ts

from secreview.lang.c_family.file import CFile
from secreview.model import Confidence
from secreview.rules.c._buffers import capacity_range, string_bound
from secreview.rules.c._helpers import literal_text, shorten


def judge_copy(file: CFile, destination: ts.Node | None, source: ts.Node | None, at: ts.Node,
               *, appended: bool = False) -> tuple[Confidence | None, dict[str, str]] | None:
    """None when the copy fits; else (confidence override or None, placeholder values)."""
    if destination is None or source is None:
        return None
    room = capacity_range(file, destination, at)
    needed = string_bound(file, source, at)
    values = {"destination": shorten(file.text_of(destination)), "source": shorten(file.text_of(source)),
              "room": "of unknown size" if room is None else f"of {_describe(room)} bytes"}
    if room is not None and needed is not None:
        smallest, largest = room
        if needed <= smallest and not appended:
            return None
        if needed > largest:
            values["room"] += f" (the source can hold {needed})"
            return Confidence.HIGH, values
    if literal_text(file, source) is not None:
        return None  # a literal's length is chosen by the author, not by an attacker
    return None, values


def _describe(room: tuple[int, int]) -> str:
    smallest, largest = room
    return str(smallest) if smallest == largest else f"{smallest} to {largest}"
