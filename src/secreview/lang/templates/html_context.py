"""Where in the HTML an output expression lands.

HTML escaping (what autoescaping does) protects text and quoted attribute values; it does
not protect a value written into a script, an event-handler attribute, a style, an unquoted
attribute value, or the start of a URL attribute (`javascript:` needs no markup).  The scanner
reads the template with every tag replaced by filler of the same length (offsets stay valid)
and records the regions: raw-text elements (`<script>`, `<style>`), start tags, attribute values.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass

from secreview.lang.templates.syntax import OUTPUT, Tag

URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "data", "poster", "xlink:href", "background",
                            "srcdoc", "codebase", "cite"})
OUTPUT_FILLER, TAG_FILLER = "x", "\0"


@dataclass(frozen=True)
class HtmlContext:
    element: str = ""  # "script" or "style" when inside one (raw text), else ""
    attribute: str = ""  # the attribute whose value holds the expression, lowercased
    quote: str | None = None  # the value's quote; "" for an unquoted value; None outside a value
    value_before: str = ""  # the attribute value before the expression (template tags removed)
    in_tag: bool = False  # inside a start tag, outside any value (`<div {{ attributes }}>`)


@dataclass(frozen=True)
class _Region:
    start: int
    end: int
    context: HtmlContext


_TAG = re.compile(r"<!--|<(/?)([A-Za-z][\w:.-]*)")
_ATTRIBUTE = re.compile(r"""\s*([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?|\s*/""")


def masked(text: str, tags: Iterable[Tag]) -> str:
    """`text` with outputs replaced by `x`es and other template tags by NULs, same length."""
    pieces, position = [], 0
    for tag in tags:
        pieces.append(text[position:tag.start])
        pieces.append((OUTPUT_FILLER if tag.kind == OUTPUT else TAG_FILLER) * (tag.end - tag.start))
        position = tag.end
    pieces.append(text[position:])
    return "".join(pieces)


def _regions(html: str) -> list[_Region]:
    regions: list[_Region] = []
    position = 0
    while True:
        match = _TAG.search(html, position)
        if match is None:
            return regions
        if match.group(0) == "<!--":
            end = html.find("-->", match.end())
            position = len(html) if end < 0 else end + 3
            continue
        name = match.group(2).lower()
        position = _start_tag(html, match.end(), regions, match.start()) if not match.group(1) else match.end()
        if name in ("script", "style") and not match.group(1):
            close = re.compile(r"</" + name + r"\s*>", re.I).search(html, position)
            end = len(html) if close is None else close.start()
            regions.append(_Region(position, end, HtmlContext(element=name)))
            position = end


def _start_tag(html: str, position: int, regions: list[_Region], tag_start: int) -> int:
    """Read a start tag's attributes from `position`; returns the offset after its `>`."""
    while position < len(html):
        if html[position] == ">":
            regions.append(_Region(tag_start, position, HtmlContext(in_tag=True)))
            return position + 1
        match = _ATTRIBUTE.match(html, position)
        if match is None or match.end() == position:
            position += 1
            continue
        name = (match.group(1) or "").lower()
        for group, quote in ((2, '"'), (3, "'"), (4, "")):
            if match.group(group) is not None:
                start, end = match.start(group), match.end(group)
                regions.append(_Region(start, end + (1 if quote == "" else 0), HtmlContext(attribute=name, quote=quote)))
        position = match.end()
    return position


class HtmlContexts:
    """The HTML context of any offset of one template."""

    def __init__(self, text: str, tags: list[Tag]) -> None:
        self.html = self._html = masked(text, tags)
        regions = _regions(self._html)
        # innermost first: attribute values lie inside tag regions
        self._regions = sorted(regions, key=lambda r: (r.start, -(r.end - r.start)))
        self._starts = [r.start for r in self._regions]

    def scripts(self) -> list[tuple[int, int]]:
        """(start, end) offsets of the text of every `<script>` element."""
        return [(r.start, r.end) for r in self._regions if r.context.element == "script"]

    def at(self, offset: int) -> HtmlContext:
        index = bisect.bisect_right(self._starts, offset)
        best: _Region | None = None
        for region in reversed(self._regions[max(0, index - 64):index]):
            if region.start <= offset < region.end and (best is None or region.end - region.start < best.end - best.start):
                best = region
        if best is None:
            return HtmlContext()
        context = best.context
        if context.attribute:
            before = self._html[best.start:offset].replace(TAG_FILLER, "")
            return HtmlContext(attribute=context.attribute, quote=context.quote, value_before=before)
        return context
