"""What the light preprocessor knows about macros at a point of a file.

A name is defined (with a body, when every definition seen agrees on it), known
to be undefined, or unknown: defined only on a branch nobody could decide, or
never seen at all.  `#if` evaluation (conditions.py) only decides on what is
known.  Alongside, every definition seen is kept for one more question: does
the macro expand to nothing but attributes and storage words (`FOO_EXPORT`,
`CURL_EXTERN`, `#define UNITTEST static`)?  Those are blanked before parsing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Set
from dataclasses import dataclass, field

from secreview.lang.c_family import qt_macros

_DIRECTIVE = re.compile(r"[ \t]*#[ \t]*(\w+)[ \t]*(.*)", re.DOTALL)
_DEFINE = re.compile(r"([A-Za-z_]\w*)(\([^)]*\))?[ \t]*(.*)", re.DOTALL)
_CONTINUATION = re.compile(r"\\\r?\n")
# Pieces of a macro body that only annotate a declaration.
_ANNOTATION = re.compile(r"__attribute(?:__)?\s*\(\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\)\)"
                         r"|__declspec\s*\([^()]*(?:\([^()]*\))?[^()]*\)|\[\[[^\]]*\]\]|/\*.*?\*/|//.*", re.DOTALL)
_STORAGE_WORDS = frozenset({"static", "extern", "inline", "__inline", "__inline__", "__forceinline", "__cdecl",
                            "__stdcall", "__fastcall", "constexpr", "noexcept", "override", "final"})


@dataclass(frozen=True)
class Definition:
    """One `#define` or `#undef` met in a file or a header."""

    name: str
    parameters: str | None  # "(a, b)" for a function-like macro
    body: str | None  # None: an #undef
    certain: bool  # False when met on a branch of a condition that was not decided


@dataclass(frozen=True)
class Directive:
    """A preprocessor line (continuations joined): where it is and what it says."""

    start: int
    end: int  # just past its last character, before the newline
    keyword: str
    argument: str


def directives(text: str) -> Iterator[Directive]:
    """The preprocessor directives of `text` in order (a text decoded one byte per character)."""
    for start, end, line in logical_lines(text):
        match = _DIRECTIVE.match(line)
        if match:
            yield Directive(start, end, match.group(1), _CONTINUATION.sub(" ", match.group(2)).strip())


def logical_lines(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, text) of each line, a line ending in a backslash joined with the next."""
    position = 0
    length = len(text)
    while position < length:
        end = text.find("\n", position)
        end = length if end < 0 else end
        while end < length and end > position and text[end - 1 if text[end - 1] != "\r" else end - 2] == "\\":
            following = text.find("\n", end + 1)
            end = length if following < 0 else following
        yield position, end, text[position:end]
        position = end + 1


def parse_define(argument: str, certain: bool) -> Definition | None:
    match = _DEFINE.fullmatch(argument)
    if match is None:
        return None
    return Definition(match.group(1), match.group(2), match.group(3).strip(), certain)


@dataclass(frozen=True)
class HeaderMacros:
    """What including a header does to the macros, computed once per header: each name's final state."""

    defined: dict[str, str | None]  # certainly defined from here on: name -> body (None: function-like)
    undefined: frozenset[str]  # certainly undefined
    maybe_defined: frozenset[str]  # last defined on an undecided branch
    maybe_undefined: frozenset[str]  # last undefined on an undecided branch
    seen: dict[str, tuple[Definition, ...]]  # every definition met, for classification

    @staticmethod
    def of(definitions: Iterable[Definition]) -> HeaderMacros:
        last: dict[str, Definition] = {}
        seen: dict[str, list[Definition]] = {}
        for definition in definitions:
            last[definition.name] = definition  # each definition decides the name's state alone
            seen.setdefault(definition.name, []).append(definition)
        return HeaderMacros(
            {n: d.body if d.parameters is None else None for n, d in last.items() if d.certain and d.body is not None},
            frozenset(n for n, d in last.items() if d.certain and d.body is None),
            frozenset(n for n, d in last.items() if not d.certain and d.body is not None),
            frozenset(n for n, d in last.items() if not d.certain and d.body is None),
            {name: tuple(found) for name, found in seen.items()})

    def definitions(self) -> Iterator[Definition]:
        for found in self.seen.values():
            yield from found


@dataclass
class Macros:
    """Macro knowledge while a file is read top to bottom."""

    language: str
    configured: Iterable[tuple[str, str]] = ()
    _bodies: dict[str, str | None] = field(default_factory=dict)  # defined; None: bodies disagree
    _undefined: set[str] = field(default_factory=set)
    _seen: dict[str, list[Definition]] = field(default_factory=dict)
    _headers_seen: list[dict[str, tuple[Definition, ...]]] = field(default_factory=list)
    _definitions_memo: dict[str, list[Definition]] = field(default_factory=dict)  # emptied by each change

    def __post_init__(self) -> None:
        if self.language == "cpp":
            self._bodies["__cplusplus"] = "201703L"
        else:
            self._undefined.add("__cplusplus")
        for name, body in self.configured:
            self.apply(Definition(name, None, body, True))

    def is_defined(self, name: str) -> int | None:
        if name in self._bodies:
            return 1
        return 0 if name in self._undefined else None

    def body(self, name: str) -> str | None:
        return self._bodies.get(name)

    def apply(self, definition: Definition) -> None:
        name = definition.name
        self._definitions_memo.clear()
        self._seen.setdefault(name, []).append(definition)
        if not definition.certain:
            defined, undefined = ({name}, set()) if definition.body is not None else (set(), {name})
            self._maybe(defined, undefined)
        elif definition.body is None:
            self._bodies.pop(name, None)
            self._undefined.add(name)
        else:
            self._undefined.discard(name)
            self._bodies[name] = definition.body if definition.parameters is None else None

    def include(self, header: HeaderMacros, certain: bool) -> None:
        """The effect of an `#include` of `header` (on an undecided branch when not `certain`)."""
        if certain:
            self._bodies.update(header.defined)
            self._undefined.difference_update(header.defined)
            for name in header.undefined & self._bodies.keys():
                del self._bodies[name]
            self._undefined |= header.undefined
            self._maybe(header.maybe_defined, header.maybe_undefined)
        else:
            self._maybe(header.maybe_defined | header.defined.keys(), header.maybe_undefined | header.undefined)
        self._headers_seen.append(header.seen)
        self._definitions_memo.clear()

    def _maybe(self, defined: Set[str], undefined: Set[str]) -> None:
        """Names (un)defined on an undecided branch: a name defined either way stays defined (its body
        unknown), one undefined either way stays undefined; the others become unknown."""
        still_defined = defined & self._bodies.keys()
        lost = (defined - still_defined) | (undefined - self._undefined)
        for name in still_defined:
            self._bodies[name] = None
        for name in lost & self._bodies.keys():
            del self._bodies[name]
        self._undefined -= lost

    def _definitions(self, name: str) -> list[Definition]:
        found = self._definitions_memo.get(name)
        if found is None:
            found = self._definitions_memo[name] = list(self._seen.get(name, ()))
            for seen in self._headers_seen:
                found.extend(seen.get(name, ()))
        return found

    def is_function_like(self, name: str) -> bool:
        return any(d.parameters is not None for d in self._definitions(name))

    def is_transparent(self, name: str) -> bool:
        """A one-parameter macro that some configuration expands to its argument (`#define VERBOSE(x) x`)."""
        return any(d.parameters is not None and d.body is not None and d.parameters[1:-1].strip() == d.body.strip()
                   and d.body.strip().isidentifier() for d in self._definitions(name))

    def is_known(self, name: str) -> bool:
        return bool(self._definitions(name))

    def is_annotation(self, name: str, _visiting: frozenset[str] = frozenset()) -> bool:
        """Every definition of `name` expands to attributes or storage words only (or nothing)."""
        definitions = [d for d in self._definitions(name) if d.body is not None]
        if not definitions or name in _visiting:
            return False
        return all(self._annotates(d.body or "", _visiting | {name}) for d in definitions)

    def _annotates(self, body: str, visiting: frozenset[str]) -> bool:
        for word in re.findall(r"\S+", _ANNOTATION.sub(" ", body)):
            if not (word in _STORAGE_WORDS or qt_macros.is_annotation(word) or self.is_annotation(word, visiting)):
                return False
        return True
