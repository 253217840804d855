"""`TemplateFile`: a template as template rules receive it.

Like `ParsedFile` for source languages, it holds the text, a per-file memo and the
answers rules ask for: the dialect, the tags, the output expressions, the HTML context of
each, and the Python views that render the template.  Spans (`Span`) stand where a
tree-sitter node stands in a `Hit`: they carry the same points and byte offsets, so the
engine, suppressions and every report read a template finding like any other.

The dialect is decided from the project first (the dialect of the views that render this
template, else the only template library the reviewed Python imports), then from the
template's own syntax (`expressions.dialect_from_syntax`).
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar

from secreview.lang.templates import LANGUAGE
from secreview.lang.templates.discovery import renders_markup
from secreview.lang.templates.expressions import (
    DJANGO,
    JINJA2,
    MAKO,
    Output,
    dialect_from_syntax,
    jinja_syntax_error,
    outputs,
)
from secreview.lang.templates.html_context import HtmlContext, HtmlContexts
from secreview.lang.templates.syntax import (
    COMMENT,
    DJANGO_VERBATIM,
    JINJA_VERBATIM,
    Lexed,
    Tag,
    lex_curly,
    lex_mako,
)
from secreview.lang.templates.views import Origin, Rendering, ViewIndex, origin_of

T = TypeVar("T")


class Point(NamedTuple):
    row: int
    column: int  # in bytes, as tree-sitter counts


class Span(NamedTuple):
    """A stretch of a template, shaped like a tree-sitter node where the engine reads one."""

    start_point: Point
    end_point: Point
    start_byte: int
    end_byte: int


class TemplateFile:
    """A template's text, dialect, tags, outputs and the views that render it."""

    language = LANGUAGE

    def __init__(self, path: str, text: str, views: ViewIndex | None = None,
                 renderings: list[Rendering] | None = None) -> None:
        """`renderings`: the views rendering it when known beforehand (a template compiled from a string)."""
        self._given_renderings = renderings
        self.path = path
        self.text = text
        self.data = text.encode("utf-8")
        self.views = views
        self._memo: dict[Any, object] = {}
        self._ascii = text.isascii()  # then a character offset is its byte offset
        self._last_point: dict[int, tuple[int, int]] = {}  # row -> (offset, byte column) last computed there
        lines = text.split("\n")
        self._line_starts = [0]
        self._line_byte_starts = [0]
        for line in lines[:-1]:
            self._line_starts.append(self._line_starts[-1] + len(line) + 1)
            self._line_byte_starts.append(self._line_byte_starts[-1] + len(line.encode("utf-8")) + 1)

    def memo(self, key: Any, compute: Callable[[], T]) -> T:
        """`compute()` once per file for `key` (as `ParsedFile.memo`)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]  # type: ignore[return-value]

    # -- what the template is -----------------------------------------------------------------------

    @functools.cached_property
    def renderings(self) -> list[Rendering]:
        if self._given_renderings is not None:
            return self._given_renderings
        return self.views.of_template(self.path) if self.views is not None else []

    @property
    def renders_markup(self) -> bool:
        """The template produces HTML or XML (not a config file, a script or a plain-text mail)."""
        return renders_markup(self.path)

    @functools.cached_property
    def dialect(self) -> str:
        rendered_with = {rendering.dialect for rendering in self.renderings}
        if len(rendered_with) == 1:
            return rendered_with.pop()
        imported = self.views.frameworks if self.views is not None else frozenset()
        if len(imported) == 1:
            return next(iter(imported))
        return dialect_from_syntax(self.text)

    @functools.cached_property
    def lexed(self) -> Lexed:
        if self.dialect == MAKO:
            return lex_mako(self.text)
        verbatim = {JINJA2: JINJA_VERBATIM, DJANGO: DJANGO_VERBATIM}.get(self.dialect, {})
        return lex_curly(self.text, verbatim)

    @functools.cached_property
    def syntax_error(self) -> tuple[int, str] | None:
        """(line, message) of the first syntax error: jinja2's parser for Jinja2, the lexer otherwise."""
        if self.dialect == JINJA2 and self.lexed.error is None:
            return jinja_syntax_error(self.text)
        if self.lexed.error is not None:
            offset, message = self.lexed.error
            return self.text.count("\n", 0, offset) + 1, message
        return None

    @functools.cached_property
    def outputs(self) -> list[Output]:
        return outputs(self.lexed, self.dialect, self.text)

    @functools.cached_property
    def _html(self) -> HtmlContexts:
        return HtmlContexts(self.text, self.lexed.tags)

    def html_context(self, output: Output) -> HtmlContext:
        return self._html.at(output.tag.start)

    def scripts(self) -> list[tuple[int, int]]:
        """(start, end) of the text of each inline `<script>` element."""
        return self._html.scripts()

    @property
    def masked_html(self) -> str:
        """The text with output tags as `x`es and other template tags as NULs (same offsets)."""
        return self._html.html

    def origins(self, variable: str | None) -> list[Origin]:
        """What each view rendering this template passes as `variable` (views that do not pass it left out)."""
        if variable is None:
            return []
        return self.memo(("template-origins", variable),
                         lambda: [o for r in self.renderings if (o := origin_of(r, variable)) is not None])

    # -- spans, as the engine and suppressions read them -------------------------------------------

    def span(self, start: int, end: int) -> Span:
        """The span of characters [start, end)."""
        return Span(self._point(start), self._point(end), self._byte(start), self._byte(end))

    def span_of(self, tag: Tag) -> Span:
        return self.span(tag.start, tag.end)

    def _point(self, offset: int) -> Point:
        row = bisect.bisect_right(self._line_starts, offset) - 1
        start = self._line_starts[row]
        if self._ascii:
            return Point(row, offset - start)
        # encode only from the last point computed on this row (spans come in text order): a minified
        # one-line template with thousands of outputs must not cost the square of its length
        known, column = self._last_point.get(row, (start, 0))
        if known > offset:
            known, column = start, 0
        column += len(self.text[known:offset].encode("utf-8"))
        self._last_point[row] = (offset, column)
        return Point(row, column)

    def _byte(self, offset: int) -> int:
        point = self._point(offset)
        return self._line_byte_starts[point.row] + point.column

    def text_of(self, span: Span | None) -> str:
        if span is None:
            return ""
        return self.data[span.start_byte:span.end_byte].decode("utf-8", "replace")

    def nodes(self, pattern: str, capture: str, node: object = None) -> list[Span]:
        """The template's comments for `(comment) @comment` (what suppression comments are read from)."""
        if "(comment)" not in pattern:
            return []
        return [self.span_of(tag) for tag in self.lexed.tags if tag.kind == COMMENT]
