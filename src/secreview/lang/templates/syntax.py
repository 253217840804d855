"""The delimiter lexer of templates: where each tag is, with its inner text and offsets.

Jinja2 and Django share the delimiters `{{ output }}`, `{% block tag %}` and `{# comment #}`;
the text inside `{% raw %}` (Jinja2), `{% verbatim %}` and `{% comment %}` (Django) is plain
text (Tornado shares the delimiters too; its `{% raw x %}` is an output, not a verbatim block).  Mako has `${ output }`, `<% python %>`, `<%! module-level python %>`, `<%tag>` tags,
`## line comments`, `<%doc>` and `<%text>` (plain text).  Offsets are character offsets into
the template's text; `Lexed.error` names the first unclosed tag (the text before it is kept).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

OUTPUT, BLOCK, COMMENT, CODE = "output", "block", "comment", "code"


@dataclass(frozen=True)
class Tag:
    """One template tag: `kind` (output/block/comment/code), its span and the text inside the delimiters."""

    kind: str
    start: int
    end: int
    inner: str
    inner_start: int

    @property
    def name(self) -> str:
        """A block tag's name (`autoescape`, `endfor`, ...); empty for other tags."""
        words = self.inner.split(None, 1)
        return words[0] if self.kind == BLOCK and words else ""

    @property
    def arguments(self) -> str:
        words = self.inner.split(None, 1)
        return words[1] if len(words) > 1 else ""


@dataclass
class Lexed:
    tags: list[Tag] = field(default_factory=list)
    error: tuple[int, str] | None = None  # (offset, message) of the first tag that does not close


_CURLY_OPEN = re.compile(r"\{[{%#]")
_CURLY_CLOSE = {"{{": "}}", "{%": "%}", "{#": "#}"}
_CURLY_KIND = {"{{": OUTPUT, "{%": BLOCK, "{#": COMMENT}
# block tags whose body is plain text, and the tag that ends it, per dialect
JINJA_VERBATIM = {"raw": "endraw"}
DJANGO_VERBATIM = {"verbatim": "endverbatim", "comment": "endcomment"}


def lex_curly(text: str, verbatim: dict[str, str]) -> Lexed:
    """The tags of a Jinja2, Django or Tornado template; `verbatim`: the dialect's plain-text blocks."""
    lexed = Lexed()
    position = 0
    while True:
        opening = _CURLY_OPEN.search(text, position)
        if opening is None:
            return lexed
        delimiter = opening.group(0)
        end = _closing(text, opening.end(), _CURLY_CLOSE[delimiter], quoted=delimiter != "{#")
        if end < 0:
            lexed.error = (opening.start(), f"`{delimiter}` is never closed by `{_CURLY_CLOSE[delimiter]}`")
            return lexed
        tag = _tag(_CURLY_KIND[delimiter], text, opening.start(), opening.end(), end, 2)
        lexed.tags.append(tag)
        position = end + 2
        if tag.name in verbatim and not tag.arguments:
            closing = re.compile(r"\{%-?\s*" + verbatim[tag.name] + r"\b[^%]*%\}").search(text, position)
            if closing is None:
                lexed.error = (tag.start, f"`{{% {tag.name} %}}` is never closed by `{{% {verbatim[tag.name]} %}}`")
                return lexed
            lexed.tags.append(_tag(BLOCK, text, closing.start(), closing.start() + 2, closing.end() - 2, 2))
            position = closing.end()


def _tag(kind: str, text: str, start: int, inner_start: int, inner_end: int, closer: int) -> Tag:
    """A tag from its delimiters; whitespace-control marks (`{%-`, `-%}`, `+`) are not part of its text."""
    end = inner_end + closer
    if inner_start < inner_end and text[inner_start] in "-+":
        inner_start += 1
    if inner_end > inner_start and text[inner_end - 1] in "-+":
        inner_end -= 1
    inner = text[inner_start:inner_end]
    leading = len(inner) - len(inner.lstrip())
    return Tag(kind, start, end, inner.strip(), inner_start + leading)


def _closing(text: str, position: int, closer: str, *, quoted: bool) -> int:
    """Offset of `closer` after `position`, skipping quoted strings in expressions; -1 if none."""
    if not quoted:
        return text.find(closer, position)
    index, length = position, len(text)
    while index < length:
        char = text[index]
        if char in "'\"":
            end = text.find(char, index + 1)
            newline = text.find("\n", index + 1)
            if end < 0 or (0 <= newline < end and text.find(closer, index + 1, end) >= 0):
                index += 1  # an apostrophe in prose, not a string: ignore it
                continue
            index = end + 1
            continue
        if text.startswith(closer, index):
            return index
        index += 1
    return -1


_MAKO_OPEN = re.compile(r"\$\{|<%(?:!|doc>|text>)?|^[ \t]*##", re.M)


def lex_mako(text: str) -> Lexed:
    """The tags of a Mako template: `${}` outputs, `<% %>`/`<%! %>` code, `## ` and `<%doc>` comments."""
    lexed = Lexed()
    position = 0
    while True:
        opening = _MAKO_OPEN.search(text, position)
        if opening is None:
            return lexed
        start, delimiter = opening.start(), opening.group(0).strip()
        if delimiter == "${":
            end = _matching_brace(text, opening.end())
            if end < 0:
                lexed.error = (start, "`${` is never closed by `}`")
                return lexed
            lexed.tags.append(_tag(OUTPUT, text, start, opening.end(), end, 1))
            position = end + 1
        elif delimiter == "##":
            end = text.find("\n", opening.end())
            end = len(text) if end < 0 else end
            lexed.tags.append(Tag(COMMENT, start, end, text[opening.end():end].strip(), opening.end()))
            position = end
        else:
            position = _mako_tag(text, lexed, start, opening.end(), delimiter)
            if position < 0:
                return lexed


def _mako_tag(text: str, lexed: Lexed, start: int, inner_start: int, delimiter: str) -> int:
    closers = {"<%doc>": ("</%doc>", COMMENT), "<%text>": ("</%text>", COMMENT)}
    closer, kind = closers.get(delimiter, ("%>", CODE))
    if delimiter == "<%" and inner_start < len(text) and text[inner_start].isalpha():
        closer, kind = ">", BLOCK  # <%inherit file="..."/>, <%def name="...">: a tag, not code
    end = text.find(closer, inner_start)
    if end < 0:
        lexed.error = (start, f"`{delimiter}` is never closed by `{closer}`")
        return -1
    lexed.tags.append(Tag(kind, start, end + len(closer), text[inner_start:end].strip(), inner_start))
    return end + len(closer)


def _matching_brace(text: str, position: int) -> int:
    """Offset of the `}` closing an expression that starts at `position` (nested braces, strings); -1."""
    depth, index, length = 0, position, len(text)
    while index < length:
        char = text[index]
        if char in "'\"":
            end = text.find(char, index + 1)
            index = length if end < 0 else end + 1
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            if depth == 0:
                return index
            depth -= 1
        index += 1
    return -1
