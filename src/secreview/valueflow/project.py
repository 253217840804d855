"""Cross-file value flow for C and C++: summaries of the functions other files of the run define.

When a file calls `parse_header(buf)` and another reviewed file defines it (not `static`, and no other
file of the run defines a function of that name), the value-flow engine uses that function's summary as
it uses the summary of a function of the same file: whether it may return NULL, which parameters it
releases, keeps or only borrows, what it allocates and returns, which locks it takes, whether it returns
at all. Summaries of another file are computed from that file alone (its own callees in third files stay
unknown), so a file's findings never depend on the order in which files are reviewed, and the workers of
a parallel run report what one process reports.

Finding the defining file costs one pass of a regular expression over each C/C++ file's text (candidate
definitions: a name, a parenthesised parameter list, then `{`); only the candidate files a review needs
are parsed, and of those only the functions asked for and their callees in that file are run. Which
files a review consulted is recorded (`start_recording` / `stop_recording`), so a result cache can tell
when a file's findings may change because another file did.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
from collections import OrderedDict, defaultdict
from collections.abc import Iterable

from secreview.sources import SourceFile

C_SOURCE_SUFFIXES = (".c", ".cc", ".cpp", ".cxx", ".c++")  # headers define inline helpers, mostly static
MAX_DEFINING_FILE_BYTES = 2_000_000  # a bigger file is not parsed for another file's sake
MAX_PARSED_FILES = 32  # parsed files kept per process (each holds its tree and analyses)

# A function definition's head: a name at the start of a line (after its return type, if on the same line),
# its parameters (one level of nested parentheses, for function-pointer parameters), then the body's `{`.
_DEFINITION = re.compile(
    r"^[\w \t*&:<>,~]*?\b([A-Za-z_]\w*)[ \t]*\([^;{}()]*(?:\([^;{}()]*\)[^;{}()]*)*\)"
    r"[ \t\r\n]*(?:const[ \t\r\n]*)?\{", re.M)
_NOT_FUNCTIONS = frozenset({"if", "for", "while", "switch", "return", "sizeof", "do", "else", "main", "catch"})


class FunctionIndex:
    """The C/C++ functions the files of a run define, and their value-flow summaries."""

    def __init__(self, sources: Iterable[SourceFile], search=None, root: str = "") -> None:
        self._sources = [source for source in sources
                         if source.language in ("c", "cpp") and source.kind == "file"
                         and source.path.lower().endswith(C_SOURCE_SUFFIXES)
                         and len(source.text) <= MAX_DEFINING_FILE_BYTES]
        self._search = search
        self._root = root
        self._definers: dict[str, list[SourceFile]] | None = None
        self._files: OrderedDict[str, object] = OrderedDict()  # path -> CFile, most recently used last
        self._summaries: dict[tuple[str, str], object] = {}  # (path, name) -> Summary, or None when it has none
        self._recording: set[str] | None = None

    def summaries(self, names: set[str], asking: str) -> dict[str, object]:
        """name -> `Summary` for the names only one other file of the run defines (and exports)."""
        found: dict[str, object] = {}
        wanted: dict[str, set[str]] = defaultdict(set)
        sources: dict[str, SourceFile] = {}
        if self._recording is not None:
            self._recording.update(names)  # whichever file defines them, if any
        for name in names:
            definers = self._definers_of(name)
            if len(definers) != 1 or definers[0].path == asking:
                continue
            source = definers[0]
            sources[source.path] = source
            if (source.path, name) in self._summaries:
                summary = self._summaries[(source.path, name)]
                if summary is not None:
                    found[name] = summary
            else:
                wanted[source.path].add(name)
        for path, asked in sorted(wanted.items()):
            computed = self._summarise(sources[path], asked)
            for name in asked:
                summary = computed.get(name)
                self._summaries[(path, name)] = summary
                if summary is not None:
                    found[name] = summary
        return found

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
        if self._definers is None:
            self._definers = defaultdict(list)
            for source in self._sources:
                for defined in {match.group(1) for match in _DEFINITION.finditer(source.text)} - _NOT_FUNCTIONS:
                    self._definers[defined].append(source)
        return self._definers.get(name, [])

    def _summarise(self, source: SourceFile, names: set[str]) -> dict[str, object]:
        from dataclasses import replace

        from secreview.valueflow import exported_summaries

        file = self._parsed(source)
        if file is None:
            return {}
        where = os.path.relpath(source.path, self._root) if self._root and os.path.isabs(source.path) else source.path
        return {name: replace(summary, path=where) for name, summary in exported_summaries(file, names).items()}

    def _parsed(self, source: SourceFile):
        from secreview import lang
        from secreview.lang.base import FileContext
        from secreview.lang.c_family.file import CFile

        if source.path in self._files:
            self._files.move_to_end(source.path)
            return self._files[source.path]
        try:
            tree = lang.parse(source.language, source.text, self._search, source.path)
        except (lang.UnsupportedLanguageError, ValueError):
            return None
        file = CFile(source.path, source.text, tree, source.language, FileContext(search_path=self._search))
        self._files[source.path] = file
        while len(self._files) > MAX_PARSED_FILES:
            self._files.popitem(last=False)
        return file


@functools.lru_cache(maxsize=4096)
def _text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
