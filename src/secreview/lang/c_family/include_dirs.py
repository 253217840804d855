"""Include directories: where a file's headers are found, and the macros they define.

Directories come from `--include-dir` and from a `compile_commands.json` at
the project root (its `-I`, `-isystem`, `-iquote` directories and `-D`
defines).  A header is read for its `#define`s and `#undef`s only, following
its own includes found on the same path; a definition met inside a condition of
the header counts as uncertain (include guards excepted).  Each header is read
once per process.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import shlex
from dataclasses import dataclass

from secreview.lang.c_family.macros import Definition, HeaderMacros, directives, parse_define

_MAX_HEADER_BYTES = 1_000_000
_HEADER_NAME = re.compile(r'\s*(?:"([^"]+)"|<([^>]+)>)')  # a comment may follow


@dataclass(frozen=True)
class SearchPath:
    """Where headers are looked for, and the defines given on the compiler's command line."""

    directories: tuple[str, ...] = ()
    defines: tuple[tuple[str, str], ...] = ()


@functools.cache
def search_path(project_root: str, include_dirs: tuple[str, ...]) -> SearchPath:
    """The configured directories, then those and the defines of `compile_commands.json` at the root."""
    directories = [os.path.abspath(os.path.join(project_root, d)) for d in include_dirs]  # config: below the root
    defines: dict[str, str] = {}
    commands = os.path.join(project_root, "compile_commands.json") if project_root else ""
    if commands and os.path.isfile(commands):
        for entry in _entries(commands):
            _read_flags(entry, directories, defines)
    return SearchPath(tuple(dict.fromkeys(d for d in directories if os.path.isdir(d))), tuple(defines.items()))


def _entries(path: str) -> list[dict]:
    try:
        with open(path, encoding="utf-8") as handle:
            loaded = json.load(handle)
    except (OSError, ValueError):
        return []  # an unreadable database only means no extra knowledge
    return [entry for entry in loaded if isinstance(entry, dict)] if isinstance(loaded, list) else []


def _read_flags(entry: dict, directories: list[str], defines: dict[str, str]) -> None:
    arguments = entry.get("arguments")
    if not isinstance(arguments, list):
        try:
            arguments = shlex.split(str(entry.get("command", "")))
        except ValueError:
            return
    base = str(entry.get("directory", "."))
    pending = ""
    for argument in map(str, arguments):
        if pending:
            _take_flag(pending, argument, base, directories, defines)
            pending = ""
        elif argument in ("-I", "-isystem", "-iquote", "-D"):
            pending = argument
        else:
            for flag in ("-isystem", "-iquote", "-I", "-D"):
                if argument.startswith(flag):
                    _take_flag(flag, argument[len(flag):], base, directories, defines)
                    break


def _take_flag(flag: str, value: str, base: str, directories: list[str], defines: dict[str, str]) -> None:
    if flag == "-D":
        name, _, body = value.partition("=")
        defines[name] = body if "=" in value else "1"
    else:
        directories.append(os.path.normpath(os.path.join(base, value)))


def find_header(spec: str, including_directory: str, search: SearchPath) -> str | None:
    """The file an `#include` argument names (`"util.h"` also next to the includer), or None."""
    written = _HEADER_NAME.match(spec)
    if written is None:
        return None  # a computed include (`#include MACRO`)
    name = written.group(1) or written.group(2)
    quoted = written.group(1) is not None
    # a file in the working directory has directory "" (`normpath("./x.h")` is "x.h"): its neighbours are in "."
    candidates = ([including_directory or os.curdir] if quoted else []) + list(search.directories)
    for directory in candidates:
        path = os.path.join(directory, name)
        if os.path.isfile(path):
            return os.path.normpath(path)
    return None


def own_header(spec: str, source_path: str, search: SearchPath) -> str | None:
    """The header an `#include` names when it is the including file's own (`player.cpp` includes
    "player.h", "player_p.h" or `<module/player_p.h>`): found as any include is, or else next to the file."""
    written = _HEADER_NAME.match(spec)
    if written is None:
        return None
    name = written.group(1) or written.group(2)
    stem = os.path.splitext(os.path.basename(source_path))[0].lower()
    if os.path.splitext(os.path.basename(name))[0].lower() not in (stem, f"{stem}_p"):
        return None
    found = find_header(spec, os.path.dirname(source_path), search)
    beside = os.path.join(os.path.dirname(source_path), os.path.basename(name))
    return found if found is not None else (os.path.normpath(beside) if os.path.isfile(beside) else None)


@functools.cache
def header_macros(path: str, search: SearchPath) -> HeaderMacros:
    """What including the header does to macros (the headers it includes counted where it includes them)."""
    _BEING_READ.add(path)
    try:
        return HeaderMacros.of(_read_definitions(path, search))
    finally:
        _BEING_READ.discard(path)


_BEING_READ: set[str] = set()  # headers whose includes are being followed: a cycle stops here


def _read_definitions(path: str, search: SearchPath) -> tuple[Definition, ...]:
    text = _read(path)
    found: list[Definition] = []
    depth = 0
    guard = _include_guard(text)
    for directive in directives(text):
        keyword = directive.keyword
        if keyword in ("if", "ifdef", "ifndef"):
            depth += 0 if depth == 0 and guard is not None and directive.argument == guard else 1
        elif keyword == "endif":
            depth = max(0, depth - 1)
        elif keyword == "define":
            definition = parse_define(directive.argument, depth == 0)
            if definition is not None and definition.name != guard:
                found.append(definition)
        elif keyword == "undef" and directive.argument:
            found.append(Definition(directive.argument.split()[0], None, None, depth == 0))
        elif keyword == "include":
            found.extend(_included(directive.argument, path, search, depth == 0))
    return tuple(found)


def _included(spec: str, path: str, search: SearchPath, certain: bool) -> list[Definition]:
    header = find_header(spec, os.path.dirname(path), search)
    if header is None or header in _BEING_READ:
        return []
    definitions = header_macros(header, search).definitions()
    if certain:
        return list(definitions)
    return [Definition(d.name, d.parameters, d.body, False) for d in definitions]


def _include_guard(text: str) -> str | None:
    """The X of a leading `#ifndef X` / `#define X` pair."""
    first = list(zip(range(2), directives(text)))
    if len(first) == 2:
        (_, opening), (_, definition) = first
        if opening.keyword == "ifndef" and definition.keyword == "define" \
                and definition.argument.split()[:1] == [opening.argument]:
            return opening.argument
    return None


class HeaderIndex:
    """The headers of one run: each is read and scanned for includes once, however many files include it
    (a C project's sources share most of their headers). Build a new one per run: headers may change."""

    def __init__(self, search: SearchPath) -> None:
        self._search = search
        self._includes: dict[str, tuple[str, ...]] = {}  # header -> the headers it includes (found ones)
        self._digests: dict[str, str] = {}

    def read_by(self, text: str, path: str) -> tuple[str, ...]:
        """Every header a file with this text reads through its includes, transitively (found ones only)."""
        seen: dict[str, None] = {}
        own = (own_header(d.argument, path, self._search) for d in directives(text) if d.keyword == "include")
        pending = list(self._included(text, path)) + [header for header in own if header is not None]
        while pending:
            header = pending.pop()
            if header not in seen:
                seen[header] = None
                if header not in self._includes:
                    self._includes[header] = self._included(_read(header), header)
                pending.extend(self._includes[header])
        return tuple(sorted(seen))

    def digest(self, header: str) -> str:
        if header not in self._digests:
            self._digests[header] = header_digest(header)
        return self._digests[header]

    def _included(self, text: str, where: str) -> tuple[str, ...]:
        found = (find_header(d.argument, os.path.dirname(where), self._search)
                 for d in directives(text) if d.keyword == "include")
        return tuple(header for header in found if header is not None)


def header_digest(path: str) -> str:
    """What a header read as holds, for the result cache: a changed or removed header changes it."""
    try:
        with open(path, "rb") as handle:
            return hashlib.sha256(handle.read(_MAX_HEADER_BYTES)).hexdigest()[:32]
    except OSError:
        return "unreadable"


def read_header(path: str) -> str:
    """A header's text, at most its first megabyte (Latin-1: every byte decodes, offsets kept)."""
    return _read(path)


def _read(path: str) -> str:
    try:
        with open(path, "rb") as handle:
            return handle.read(_MAX_HEADER_BYTES).decode("latin-1")
    except OSError:
        return ""
