"""Tree-sitter set-up shared by every language.

Grammars come from the official wheels (`tree-sitter-python`, ...).  Parsers
and compiled queries are created once per process and reused.
"""

from __future__ import annotations

import bisect
import functools
import importlib
import os
import re
from typing import TYPE_CHECKING

import tree_sitter as ts

from secreview.lang.templates import LANGUAGE as TEMPLATE
from secreview.lang.templates.discovery import is_template_path

if TYPE_CHECKING:
    from secreview.lang.c_family.include_dirs import SearchPath

# language name -> (grammar module, file extensions)
_LANGUAGES: dict[str, tuple[str, tuple[str, ...]]] = {
    "python": ("tree_sitter_python", (".py", ".pyw", ".pyi")),
    "c": ("tree_sitter_c", (".c", ".h")),
    "cpp": ("tree_sitter_cpp", (".cc", ".cpp", ".cxx", ".c++", ".hh", ".hpp", ".hxx", ".h++", ".ino")),
}
# Extensions shared by C and C++: the file's content decides (see language_for_path).
_AMBIGUOUS_HEADERS = frozenset({".h"})

_SHEBANG = re.compile(rb"^#!.*\bpython[0-9.]*\b")


class UnsupportedLanguageError(ValueError):
    pass


def supported_languages() -> tuple[str, ...]:
    return (*_LANGUAGES, TEMPLATE)


def language_for_path(path: str, content: bytes | str | None = None) -> str | None:
    """Language of a file by extension; a `.h` header is C unless its `content` uses C++ constructs, and
    none (not reviewed) when it is Objective-C."""
    extension = os.path.splitext(path)[1].lower()
    if extension in _AMBIGUOUS_HEADERS and content is not None:
        from secreview.lang.c_family.file import looks_like_cpp, looks_like_objc  # noqa: PLC0415 - headers only
        if looks_like_objc(content):
            return None
        return "cpp" if looks_like_cpp(content) else "c"
    for name, (_, extensions) in _LANGUAGES.items():
        if extension in extensions:
            return name
    return TEMPLATE if is_template_path(path) else None


def language_from_shebang(first_line: bytes) -> str | None:
    return "python" if _SHEBANG.match(first_line) else None


@functools.cache
def grammar(language: str) -> ts.Language:
    try:
        module_name = _LANGUAGES[language][0]
    except KeyError:
        known = ", ".join(_LANGUAGES)
        raise UnsupportedLanguageError(f"unsupported language {language!r} (supported: {known})") from None
    module = importlib.import_module(module_name)
    return ts.Language(module.language())


@functools.cache
def _parser(language: str) -> ts.Parser:
    return ts.Parser(grammar(language))


def parse(language: str, text: str, search: SearchPath | None = None, path: str = "") -> ts.Tree:
    """The tree of `text`; C and C++ go through the light preprocessor step first.

    `search` (include directories and configured defines) and the file's `path`
    (for `#include "..."` next to it) tell that step about macros; its output has
    the same length, so offsets into the original text stay valid.
    """
    if language in ("c", "cpp"):
        from secreview.lang.c_family.preprocess import preprocess  # noqa: PLC0415 - C/C++ only
        return _parser(language).parse(preprocess(text, language, search, path))
    return _parser(language).parse(text.encode("utf-8"))


@functools.cache
def query(language: str, pattern: str) -> ts.Query:
    """A compiled query, cached: compile cost is paid once per process."""
    return ts.Query(grammar(language), pattern)


def captures(language: str, pattern: str, node: ts.Node) -> dict[str, list[ts.Node]]:
    return ts.QueryCursor(query(language, pattern)).captures(node)


def error_lines(tree: ts.Tree, limit: int = 5) -> list[int]:
    """1-based lines where the parser had to recover from a syntax error."""
    lines: list[int] = []
    if not tree.root_node.has_error:
        return lines
    cursor = [tree.root_node]
    while cursor and len(lines) < limit:
        node = cursor.pop()
        if node.is_error or node.is_missing:
            lines.append(node.start_point[0] + 1)
            continue
        if node.has_error:
            cursor.extend(reversed(node.children))
    return sorted(set(lines))


def group_by(items, key) -> dict:
    """Items grouped by `key(item)` (items whose key is empty are left out), order kept."""
    groups: dict = {}
    for item in items:
        value = key(item)
        if value:
            groups.setdefault(value, []).append(item)
    return groups


def in_source_order(groups: dict, keys) -> list:
    """The members of the named groups of syntax-located items (`.node`), in source order."""
    return sorted((item for key in keys for item in groups.get(key, ())), key=lambda item: item.node.start_byte)


def type_index(language: str, index_query: str, root: ts.Node) -> dict[str, list[ts.Node]]:
    """Node type -> nodes (source order) for the types `index_query` captures: one traversal, in C."""
    index: dict[str, list[ts.Node]] = {}
    for found in captures(language, index_query, root).values():
        for node in found:
            index.setdefault(node.type, []).append(node)
    for nodes in index.values():
        nodes.sort(key=lambda n: n.start_byte)
    return index


def nodes_of_type(index: dict[str, list[ts.Node]], indexed: frozenset[str], types: tuple[str, ...],
                  within: ts.Node | None = None) -> list[ts.Node]:
    """Nodes of the given indexed types from a `type_index`, in source order, optionally inside `within`."""
    unknown = set(types) - indexed
    if unknown:
        raise ValueError(f"node types not indexed: {sorted(unknown)}")
    if within is None:
        found = [n for t in types for n in index.get(t, ())]
    else:
        found = [n for t in types for n in _inside(index.get(t, []), within)]
    return found if len(types) == 1 else sorted(found, key=lambda n: n.start_byte)


def _inside(nodes: list[ts.Node], within: ts.Node) -> list[ts.Node]:
    """The nodes (sorted by start) lying inside `within`: a binary search, not a scan of the file."""
    first = bisect.bisect_left(nodes, within.start_byte, key=lambda n: n.start_byte)
    last = bisect.bisect_left(nodes, within.end_byte, lo=first, key=lambda n: n.start_byte)
    return [n for n in nodes[first:last] if n.end_byte <= within.end_byte]


def shorten(text: str, limit: int = 80) -> str:
    """`text` on one line, cut to `limit` characters with an ellipsis (for quoting code in messages)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
