"""Cross-file value flow for C: summaries of the functions other files of the run define.

When a file calls `parse_header(buf)` and another reviewed file defines it (not `static`, and no other
file of the run defines a function of that name), the value-flow engine uses that function's summary as
it uses the summary of a function of the same file: whether it may return NULL, which parameters it
releases, keeps or only borrows, what it allocates and returns, which locks it takes, whether it returns
at all. Summaries of another file are computed from that file alone (its own callees in third files stay
unknown), so a file's findings never depend on the order in which files are reviewed, and the workers of
a parallel run report what one process reports.

Finding the defining file costs two passes of regular expressions over each C file's text (candidate
definitions: a name, a parenthesised parameter list, then `{`; and the names called); a defining file is
parsed the first time a review needs one of its functions, and then only the functions other files call
(and their callees there) are lowered and run, once per process. Parallel runs summarise the defining files
their files call before the review workers fork, split between processes (`engine._summarise_in_parallel`).
The names a review looked up are recorded (`start_recording` / `stop_recording`), so a result cache can
tell when a file's findings may change because a file defining one of them changed, appeared or went away.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace

from secreview.sources import SourceFile

# Only C files define and resolve functions here: a C++ name may be an overload, a namespace's, or (called
# bare inside a method) a member function, which a name alone cannot tell apart. Headers define inline
# helpers, mostly static.
C_SOURCE_SUFFIXES = (".c",)
MAX_DEFINING_FILE_BYTES = 1_000_000  # a bigger file is not parsed for another file's sake

# A function definition's head: a name at the start of a line (after its return type, if on the same line),
# its parameters (one level of nested parentheses, for function-pointer parameters), then the body's `{`.
_DEFINITION = re.compile(
    r"^[\w \t*&:<>,~]*?\b([A-Za-z_]\w*)[ \t]*\([^;{}()]*(?:\([^;{}()]*\)[^;{}()]*)*\)"
    r"[ \t\r\n]*(?:const[ \t\r\n]*)?\{", re.M)
_CALL = re.compile(r"\b([A-Za-z_]\w*)[ \t]*\(")
_NOT_FUNCTIONS = frozenset({"if", "for", "while", "switch", "return", "sizeof", "do", "else", "main", "catch"})


class FunctionIndex:
    """The C functions the files of a run define, and their value-flow summaries."""

    def __init__(self, sources: Iterable[SourceFile], search=None, root: str = "") -> None:
        sources = tuple(sources)
        self._sources = [source for source in sources
                         if source.language == "c" and source.kind == "file"
                         and source.path.lower().endswith(C_SOURCE_SUFFIXES)
                         and len(source.text) <= MAX_DEFINING_FILE_BYTES]
        self._search = search
        self._root = root
        self._callers_sources = [source for source in sources if source.language == "c"]
        self._definers: dict[str, list[SourceFile]] | None = None
        self._demanded: dict[str, set[str]] = {}  # path -> the names it alone defines that other files call
        self._calls_into: dict[str, dict[str, SourceFile]] = {}  # caller path -> the files it calls into, by path
        self._summaries: dict[str, dict[str, object]] = {}  # path -> name -> Summary
        self._recording: set[str] | None = None

    def summaries(self, names: set[str], asking: str) -> dict[str, object]:
        """name -> `Summary` for the names only one other file of the run defines (and exports)."""
        if self._recording is not None:
            self._recording.update(names)  # whichever file defines them, if any
        found: dict[str, object] = {}
        for name in sorted(names):
            definers = self._definers_of(name)
            if len(definers) != 1 or definers[0].path == asking:
                continue
            summaries = self._summaries_of(definers[0])
            if name in summaries:
                found[name] = summaries[name]
        return found

    def definers_called_by(self, callers: Iterable[SourceFile]) -> list[SourceFile]:
        """The defining files `callers` call into whose summaries are not computed yet, the largest first."""
        self._index()
        wanted: dict[str, SourceFile] = {}
        for caller in callers:
            wanted.update((path, definer) for path, definer in self._calls_into.get(caller.path, {}).items()
                          if path not in self._summaries)
        return sorted(wanted.values(), key=lambda source: (-len(source.text), source.path))

    def summarise(self, source: SourceFile) -> dict[str, object]:
        """The summaries of the functions `source` defines that other files call (computed once)."""
        self._index()
        return self._summaries_of(source)

    def adopt(self, path: str, summaries: dict[str, object]) -> None:
        """Take the summaries another process computed for the defining file `path` (`summarise`)."""
        self._summaries[path] = summaries

    def start_recording(self) -> None:
        self._recording = set()

    def stop_recording(self) -> set[str]:
        """The function names looked up since `start_recording`: a file's findings may change when the files
        defining one of them change, or when a file starts or stops defining one."""
        consulted, self._recording = self._recording or set(), None
        return consulted

    def definers_digest(self, name: str) -> str:
        """Identity (paths and contents) of the files of the run that define `name`, none included."""
        definers = sorted((source.path, _text_digest(source.text)) for source in self._definers_of(name))
        return hashlib.sha256(repr(definers).encode("utf-8", "surrogatepass")).hexdigest()[:32]

    def _definers_of(self, name: str) -> list[SourceFile]:
        self._index()
        return self._definers.get(name, [])  # type: ignore[union-attr]

    def _index(self) -> None:
        """Which files define each name, and which files call it (read from the text, once)."""
        if self._definers is not None:
            return
        self._definers = defaultdict(list)
        for source in self._sources:
            for defined in {match.group(1) for match in _DEFINITION.finditer(source.text)} - _NOT_FUNCTIONS:
                self._definers[defined].append(source)
        self._demanded = defaultdict(set)
        self._calls_into = defaultdict(dict)
        for source in self._callers_sources:
            for called in {match.group(1) for match in _CALL.finditer(source.text)} & self._definers.keys():
                definers = self._definers[called]
                if len(definers) == 1 and definers[0].path != source.path:  # another file alone defines it
                    self._demanded[definers[0].path].add(called)
                    self._calls_into[source.path][definers[0].path] = definers[0]

    def _summaries_of(self, source: SourceFile) -> dict[str, object]:
        """The summaries of every function `source` defines that another file of the run calls, computed the
        first time one is asked (the file is parsed once and not kept)."""
        if source.path not in self._summaries:
            wanted = self._demanded.get(source.path, set())
            self._summaries[source.path] = self._summarise(source, wanted) if wanted else {}
        return self._summaries[source.path]

    def _summarise(self, source: SourceFile, names: set[str]) -> dict[str, object]:
        from secreview.valueflow import exported_summaries  # (the package imports this module's users)

        file = self._parsed(source)
        if file is None:
            return {}
        try:
            summaries = exported_summaries(file, names)
        except RecursionError:  # nesting too deep to lower; that file's own review reports it
            return {}
        where = os.path.relpath(source.path, self._root) if self._root and os.path.isabs(source.path) else source.path
        return {name: replace(summary, path=where) for name, summary in summaries.items()}

    def _parsed(self, source: SourceFile):
        from secreview import lang
        from secreview.lang.base import FileContext
        from secreview.lang.c_family.file import CFile

        try:
            tree = lang.parse(source.language, source.text, self._search, source.path)
        except (lang.UnsupportedLanguageError, ValueError):
            return None
        return CFile(source.path, source.text, tree, source.language, FileContext(search_path=self._search))


@functools.lru_cache(maxsize=4096)
def _text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
