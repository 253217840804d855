"""Discover, read and decode the files to review.

This module is one of the I/O edges: it turns paths (files, directories,
stdin, review prompts) into `SourceFile` objects, and every file it cannot
turn into one becomes a `FileProblem` with a reason.  Nothing is skipped
silently: files outside the languages we review are counted, vendored
directories are named in a note.

It also holds the two file primitives every other reader and writer of
secreview uses (configuration, baselines, caches, reports): `read_limited`
reads only regular files, never more than a limit, and `write_atomically`
never leaves half a file or a temporary one behind.
"""

from __future__ import annotations

import codecs
import contextlib
import dataclasses
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import pathspec

from secreview import prompt
from secreview.lang import TEMPLATE, language_for_path, language_from_shebang
from secreview.lang.c_family.file import looks_like_objc
from secreview.lang.templates.discovery import configured_template_dirs, is_under
from secreview.model import FileProblem, ProblemKind

DEFAULT_MAX_FILE_SIZE = 2 * 1024 * 1024

# Directories that hold other people's code or tool state, not the project's.
VENDORED_DIRS = frozenset({
    ".git", ".hg", ".svn", ".tox", ".nox", ".venv", "venv", "node_modules",
    "__pycache__", "site-packages", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".eggs",
})

_CODING_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
_BINARY_SNIFF_BYTES = 8192
# Declared encodings that are not honoured: they turn escapes into code (so the text we review would not
# be the text a reader sees), are not character encodings of source text, or cannot be what a cookie
# readable as ASCII declares (UTF-16/32).  Names as codecs.lookup() spells them.
_UNHONOURED_CODECS = frozenset({"unicode-escape", "raw-unicode-escape", "utf-7", "punycode", "idna", "undefined",
                                "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"})
_SPECIAL_FILES = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
                  (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a directory"))


class NotReadable(ValueError):
    """A path that is deliberately not read: not a regular file, or over the size limit."""

    def __init__(self, message: str, kind: ProblemKind = ProblemKind.UNREADABLE) -> None:
        super().__init__(message)
        self.kind = kind


def _special_kind(mode: int) -> str | None:
    """`a FIFO (named pipe)` etc. for anything that is not a regular file."""
    if stat.S_ISREG(mode):
        return None
    return next((name for test, name in _SPECIAL_FILES if test(mode)), "not a regular file")


def read_limited(path: str | os.PathLike[str], limit: int, *, follow_symlinks: bool = True) -> bytes:
    """The bytes of a regular file of at most `limit` bytes.  Raises NotReadable (with the reason) or OSError."""
    with _open_regular(path, follow_symlinks) as (handle, size):
        if size > limit:
            raise NotReadable(f"{size} bytes is over the limit of {limit} bytes", ProblemKind.TOO_LARGE)
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise NotReadable(f"grew past the limit of {limit} bytes while read", ProblemKind.TOO_LARGE)
    return data


@contextlib.contextmanager
def _open_regular(path: str | os.PathLike[str], follow_symlinks: bool) -> Iterator[tuple[BinaryIO, int]]:
    """(handle, size) of a regular file.

    FIFOs, devices and sockets are refused before they are opened (reading one can block forever or
    never end), and again after (the path may have changed in between); the file is opened
    non-blocking so that even a FIFO slipped in at that moment cannot hang the run.
    """
    special = _special_kind(os.stat(path, follow_symlinks=follow_symlinks).st_mode)
    if special is not None:
        raise NotReadable(f"not read: {special}, not a regular file")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    if not follow_symlinks:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    with os.fdopen(os.open(path, flags), "rb") as handle:
        info = os.fstat(handle.fileno())
        special = _special_kind(info.st_mode)
        if special is not None:
            raise NotReadable(f"not read: {special}, not a regular file")
        yield handle, info.st_size


def write_atomically(path: str | os.PathLike[str], text: str, *, prefix: str, mode: int | None = None) -> None:
    """Write `text` to a temporary file beside `path`, then rename it over `path`.

    A reader never sees half of it, and a failure (a full disk, an interrupt) leaves `path` as it was
    and no temporary file behind.  `mode`: the permissions to give it (default: tempfile's 0600)."""
    handle = tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=os.path.dirname(os.path.abspath(path)),
                                         delete=False, prefix=prefix, suffix=".tmp")
    try:
        with handle:
            handle.write(text)
            if mode is not None:
                os.chmod(handle.name, mode)
        os.replace(handle.name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(handle.name)
        raise


def read_stream(stream, limit: int) -> bytes | None:
    """At most `limit` bytes of a stream such as stdin; None when it holds more (the rest is not read)."""
    data = stream.read(limit + 1)
    return None if len(data) > limit else data


@dataclass(frozen=True)
class SourceFile:
    """Decoded text of one file, ready to parse.

    `path` is the path as shown to the user; for a review prompt, the text is
    the recovered code, padded so that its line numbers are the prompt's.
    """

    path: str
    text: str
    language: str
    kind: str = "file"  # file | stdin | prompt
    named: bool = False  # named on the command line (not found by walking a directory): reviewed even if test code


@dataclass
class Collected:
    """What discovery produced: sources, problems and human-readable notes."""

    sources: list[SourceFile] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # files found by a walk whose content is a language not reviewed (Objective-C headers): noted, not errors
    other_language: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ReadOptions:
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    language: str | None = None  # forced language (stdin, or override)
    force_prompt: bool = False
    exclude: tuple[str, ...] = ()
    # Exclude patterns are relative to this directory (the project root) for paths below it,
    # else to the directory being walked.
    exclude_base: str | None = None
    only_languages: frozenset[str] | None = None  # read nothing else (e.g. Python modules for imports)


def collect(paths: list[str], options: ReadOptions, stdin_bytes: bytes | None = None) -> Collected:
    """Turn command-line paths into sources and problems, in a stable order."""
    out = Collected()
    excluded = _Excluded(options)
    markup: dict[str, list[str]] = {}  # walked root -> markup files not read (templates of configured folders?)
    for raw in paths:
        if raw == "-":
            _add_stdin(out, stdin_bytes, options)
            continue
        missing = _missing(raw)
        if missing is not None:
            out.problems.append(missing)
        elif os.path.isdir(raw):
            markup[raw] = _walk_directory(out, raw, options)
        elif not excluded(raw):
            _add_file(out, raw, options, explicit=True)
    excluded.note(out)
    _add_configured_templates(out, markup, options)
    _note_other_languages(out)
    return _printable_names(out)


def _add_configured_templates(out: Collected, markup: dict[str, list[str]], options: ReadOptions) -> None:
    """Read the markup files of a walk that lie in a template folder the reviewed Python configures
    (`template_folder="views"`, `FileSystemLoader("pages")`, Django `DIRS`); note the others as not read."""
    folders = set().union(*(configured_template_dirs(s.path, s.text) for s in out.sources if s.language == "python"))
    for root, paths in markup.items():
        not_source = 0
        for path in paths:
            if folders and is_under(path, folders) and _wanted_language(TEMPLATE, options):
                _add_file(out, path, options, explicit=False, language=TEMPLATE)
            else:
                not_source += 1
        if not_source:
            out.notes.append(f"{not_source} file(s) under {root} are not in a reviewed language and were not read")


def _missing(path: str) -> FileProblem | None:
    """Why a named path cannot be looked at: not there at all, or in a directory that cannot be entered."""
    try:
        os.lstat(path)
    except FileNotFoundError:
        return FileProblem(path, ProblemKind.NOT_FOUND, "no such file or directory")
    except OSError as error:
        return FileProblem(path, ProblemKind.UNREADABLE, f"cannot be looked at: {error.strerror or error}")
    return None


def collect_changed(paths: list[str], options: ReadOptions) -> Collected:
    """The files of a change, read like files met in a directory walk.

    Files of other languages, in vendored directories or excluded by pattern are counted in
    a note, not reported as problems: a change touches READMEs and lock files too.
    """
    out = Collected()
    excluded = _Excluded(options)
    vendored = not_source = 0
    for path in paths:
        if excluded(path):
            continue
        if any(part in VENDORED_DIRS for part in Path(path).parts[:-1]):
            vendored += 1
        elif (problem := _missing(path)) is not None:
            detail = "changed, but not in the work tree" if problem.kind == ProblemKind.NOT_FOUND else problem.detail
            out.problems.append(FileProblem(path, problem.kind, detail))
        elif _candidate_language(path) is None or not _wanted(path, options):
            not_source += 1
        else:
            _add_file(out, path, options, explicit=False)
    excluded.note(out)
    if vendored:
        out.notes.append(f"{vendored} changed file(s) in vendored or tool directories were not reviewed")
    if not_source:
        out.notes.append(f"{not_source} changed file(s) are not in a reviewed language and were not read")
    _note_other_languages(out)
    return _printable_names(out)


def _printable(text: str) -> str:
    """A path or name as valid Unicode: bytes that are not UTF-8 (a POSIX file name may hold any) become
    `\\xff` escapes, so that fingerprints, caches and every report can encode it."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate that no undecodable byte made
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _printable_names(out: Collected) -> Collected:
    """`out` with every path in it printable; the files were read already under their real names."""
    out.sources = [dataclasses.replace(s, path=_printable(s.path)) for s in out.sources]
    out.problems = [dataclasses.replace(p, path=_printable(p.path), detail=_printable(p.detail)) for p in out.problems]
    out.notes = [_printable(note) for note in out.notes]
    return out


def _wanted(path: str, options: ReadOptions) -> bool:
    return _wanted_language(_candidate_language(path), options)


def _wanted_language(language: str | None, options: ReadOptions) -> bool:
    return options.only_languages is None or language in options.only_languages


class _Excluded:
    """--exclude / `exclude` patterns for files named explicitly (a walk applies them as it goes)."""

    def __init__(self, options: ReadOptions) -> None:
        self._spec = pathspec.GitIgnoreSpec.from_lines(options.exclude) if options.exclude else None
        self._base = options.exclude_base
        self.count = 0

    def __call__(self, path: str) -> bool:
        if self._spec is None:
            return False
        relative = _relative_for_patterns(path, self._base, os.path.dirname(path) or ".")
        if self._spec.match_file(relative):
            self.count += 1
            return True
        return False

    def note(self, out: Collected) -> None:
        if self.count:
            out.notes.append(f"{self.count} file(s) named or changed were skipped: excluded by pattern")


def _relative_for_patterns(path: str, base: str | None, fallback: str) -> str:
    """The path that exclude patterns are matched against: below `base` when it lies there."""
    for root in (base, fallback):
        if root is None:
            continue
        relative = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
        if not relative.startswith(".."):
            return relative.replace(os.sep, "/")
    return path.replace(os.sep, "/")


def _add_stdin(out: Collected, data: bytes | None, options: ReadOptions) -> None:
    if data is None:
        out.problems.append(FileProblem("<stdin>", ProblemKind.TOO_LARGE,
                                        f"more than {options.max_file_size} bytes (raise it with --max-file-size)"))
        return
    text_or_problem = decode(data, "<stdin>", options.language or "")
    if isinstance(text_or_problem, FileProblem):
        out.problems.append(text_or_problem)
        return
    if options.force_prompt or (options.language is None and prompt.looks_like_prompt(text_or_problem)):
        _add_prompt(out, "<stdin>", text_or_problem, options)
        return
    if options.language is None:
        out.problems.append(FileProblem(
            "<stdin>", ProblemKind.UNSUPPORTED_LANGUAGE,
            "reading from stdin needs --language (e.g. --language python)"))
        return
    out.sources.append(SourceFile("<stdin>", text_or_problem, options.language, kind="stdin"))


def _walk_directory(out: Collected, root: str, options: ReadOptions) -> list[str]:
    """Read the sources under `root`; returns the files of other languages (counted, not read)."""
    ignores = _IgnoreStack(root, options.exclude, options.exclude_base)
    skipped_dirs: list[str] = []
    not_source: list[str] = []

    def unreadable(error: OSError) -> None:
        # os.walk passes over a directory it cannot list; the files in it would be missed silently.
        where = str(error.filename) if error.filename is not None else root
        out.problems.append(FileProblem(where, ProblemKind.UNREADABLE,
                                        f"directory not reviewed: {error.strerror or error}"))

    for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable):
        ignores.enter(dirpath)
        kept = []
        for name in sorted(dirnames):
            full = os.path.join(dirpath, name)
            if name in VENDORED_DIRS:
                skipped_dirs.append(full)
            elif ignores.ignored(full, is_dir=True):
                continue
            elif os.path.islink(full):
                out.problems.append(FileProblem(full, ProblemKind.UNREADABLE, _SYMLINKED_DIRECTORY))
            else:
                kept.append(name)
        dirnames[:] = kept
        for name in sorted(filenames):
            full = os.path.join(dirpath, name)
            if ignores.ignored(full, is_dir=False):
                continue
            if _candidate_language(full) is None:
                not_source.append(full)
                continue
            if _wanted(full, options):
                _add_file(out, full, options, explicit=False)
    if skipped_dirs:
        shown = ", ".join(skipped_dirs[:5]) + (" ..." if len(skipped_dirs) > 5 else "")
        out.notes.append(f"skipped {len(skipped_dirs)} vendored or tool director{'y' if len(skipped_dirs) == 1 else 'ies'}: {shown}")
    return not_source


def _note_other_languages(out: Collected) -> None:
    if out.other_language:
        shown = ", ".join(out.other_language[:3]) + (" ..." if len(out.other_language) > 3 else "")
        out.notes.append(f"{len(out.other_language)} Objective-C header(s) not reviewed (secreview reviews C and "
                         f"C++; name one to see it reported): {shown}")


_SPECIAL_FILE = ""  # the "language" of a path that is not a regular file: a candidate, never read
_SYMLINKED_DIRECTORY = ("symbolic link to a directory, not followed (it may loop or lead out of the project); "
                        "name its target to review it")


def _candidate_language(path: str) -> str | None:
    language = language_for_path(path)
    if language or os.path.splitext(path)[1]:
        return language
    try:
        with _open_regular(path, follow_symlinks=True) as (handle, _):
            return language_from_shebang(handle.readline(128))
    except NotReadable:
        return _SPECIAL_FILE  # reading it reports why it is not read: a FIFO in a walk is never skipped silently
    except OSError:
        return None


def _add_file(out: Collected, path: str, options: ReadOptions, *, explicit: bool, language: str | None = None) -> None:
    data_or_problem = read_bytes(path, options.max_file_size)
    if isinstance(data_or_problem, FileProblem):
        out.problems.append(data_or_problem)
        return
    data = data_or_problem
    language = language or options.language or language_for_path(path, data) or language_from_shebang(data[:128])
    text = decode(data, path, language or "")
    if isinstance(text, FileProblem):
        out.problems.append(text)
        return
    wants_prompt = options.force_prompt or (
        explicit and language_for_path(path) is None and prompt.looks_like_prompt(text))
    if wants_prompt:
        _add_prompt(out, path, text, options)
    elif language is None and not explicit and path.lower().endswith(".h") and looks_like_objc(data):
        out.other_language.append(path)  # like a `.m` file in the same walk: another language, noted
    elif language is None:
        what = "an Objective-C header" if looks_like_objc(data) and path.lower().endswith(".h") \
            else "not a language secreview reviews"
        out.problems.append(FileProblem(path, ProblemKind.UNSUPPORTED_LANGUAGE,
                                        f"{what} (use --language to force one)"))
    else:
        out.sources.append(SourceFile(path, text, language, named=explicit))


def _add_prompt(out: Collected, path: str, text: str, options: ReadOptions) -> None:
    recovered = prompt.extract_code(text)
    if recovered is None:
        out.problems.append(FileProblem(path, ProblemKind.UNSUPPORTED_LANGUAGE,
                                        "looks like a review prompt but holds no numbered code lines"))
        return
    language = options.language or prompt.guess_language(recovered.code)
    if language is None:
        out.problems.append(FileProblem(path, ProblemKind.UNSUPPORTED_LANGUAGE,
                                        "could not tell the language of the code in the prompt (use --language)"))
        return
    numbering = ("findings use the prompt's line numbers" if not recovered.shift else
                 "the prompt numbers its lines from 0, so each finding's line is the prompt's number plus 1")
    out.notes.append(
        f"{path}: review prompt, code lines {recovered.first_line}-{recovered.last_line} recovered as {language}; "
        f"{numbering}")
    out.sources.append(SourceFile(path, recovered.code, language, kind="prompt"))


def read_bytes(path: str, max_size: int) -> bytes | FileProblem:
    """Read a file, refusing binary and oversized content with a reason."""
    try:
        data = read_limited(path, max_size)
    except NotReadable as refused:
        hint = " (raise it with --max-file-size)" if refused.kind == ProblemKind.TOO_LARGE else ""
        return FileProblem(path, refused.kind, f"{refused}{hint}")
    except OSError as error:
        return FileProblem(path, ProblemKind.UNREADABLE, error.strerror or str(error))
    if b"\0" in data[:_BINARY_SNIFF_BYTES]:
        return FileProblem(path, ProblemKind.BINARY, "contains NUL bytes: binary, not source text")
    return data


_BYTE_TOLERANT = frozenset({"c", "cpp"})


def decode(data: bytes, path: str, language: str) -> str | FileProblem:
    """Decode source bytes: BOM, then a PEP 263 cookie for Python, else UTF-8 (C/C++: else Latin-1)."""
    if data.startswith(codecs.BOM_UTF8):
        encoding, data = "utf-8", data[len(codecs.BOM_UTF8):]
    else:
        encoding = _declared_encoding(data) if language == "python" else None
        encoding = encoding or "utf-8"
    try:
        codec = codecs.lookup(encoding)
    except LookupError:
        return FileProblem(path, ProblemKind.UNDECODABLE, f"declares unknown encoding {encoding!r}")
    if not _honoured(codec):
        return _decode_unhonoured(data, path, encoding)
    try:
        text = codec.decode(data)[0]
    except UnicodeDecodeError as error:
        if language in _BYTE_TOLERANT and codec.name == "utf-8":
            # C and C++ compilers take any bytes in comments and strings (a Latin-1 name in a comment):
            # Latin-1 decodes every byte to one character, so lines and columns stay where they were
            return data.decode("latin-1").replace("\r\n", "\n").replace("\r", "\n")
        line = data[: error.start].count(b"\n") + 1
        return FileProblem(path, ProblemKind.UNDECODABLE,
                           f"not valid {encoding}: byte 0x{data[error.start]:02x} at line {line}")
    except (UnicodeError, ValueError, TypeError) as error:  # a codec may fail in its own way
        return FileProblem(path, ProblemKind.UNDECODABLE, f"not valid {encoding}: {error}")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _honoured(codec: codecs.CodecInfo) -> bool:
    text_encoding = getattr(codec, "_is_text_encoding", True)  # False for bytes-to-bytes codecs (hex, zlib)
    return bool(text_encoding) and codec.name.replace("_", "-") not in _UNHONOURED_CODECS


def _decode_unhonoured(data: bytes, path: str, encoding: str) -> str | FileProblem:
    """A declared encoding we refuse to apply: review the file as UTF-8 if it is UTF-8, else say why not."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return FileProblem(path, ProblemKind.UNDECODABLE,
                           f"declares encoding {encoding!r}, which secreview does not honour, and is not UTF-8")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _declared_encoding(data: bytes) -> str | None:
    for line in data.split(b"\n", 2)[:2]:
        match = _CODING_COOKIE.match(line)
        if match:
            return match.group(1).decode("ascii", "replace")
    return None


class _IgnoreStack:
    """.gitignore files met while walking, each applying below its directory."""

    def __init__(self, root: str, excludes: tuple[str, ...], exclude_base: str | None = None) -> None:
        self._root = root
        self._exclude_base = exclude_base
        self._specs: list[tuple[str, pathspec.PathSpec]] = []
        self._exclude = pathspec.GitIgnoreSpec.from_lines(excludes) if excludes else None

    def enter(self, directory: str) -> None:
        ignore_file = os.path.join(directory, ".gitignore")
        if not os.path.lexists(ignore_file):
            return
        try:
            lines = read_limited(ignore_file, DEFAULT_MAX_FILE_SIZE).decode("utf-8", "replace").splitlines()
            spec = pathspec.GitIgnoreSpec.from_lines(lines)
        except (OSError, NotReadable):  # NotReadable: a FIFO or device, or huge; git would not read it either
            return
        except ValueError:  # an invalid pattern: git ignores the line, pathspec refuses the file
            spec = pathspec.GitIgnoreSpec.from_lines(_valid_patterns(lines))
        self._specs.append((directory, spec))

    def ignored(self, path: str, *, is_dir: bool) -> bool:
        suffix = "/" if is_dir else ""
        if self._exclude and self._exclude.match_file(
                _relative_for_patterns(path, self._exclude_base, self._root) + suffix):
            return True
        for base, spec in self._specs:
            rel = _below(path, base)
            if rel is not None and spec.match_file(rel.replace(os.sep, "/") + suffix):
                return True
        return False


def _valid_patterns(lines: list[str]) -> list[str]:
    return [line for line in lines if pattern_error(line) is None]


def pattern_error(pattern: str) -> str | None:
    """Why a gitignore-style pattern is refused (`!` alone, say), or None when it is valid."""
    try:
        pathspec.GitIgnoreSpec.from_lines([pattern])
    except ValueError as error:  # pathspec's pattern errors are ValueErrors
        return str(error)
    return None


def _below(path: str, base: str) -> str | None:
    """`path` relative to `base`, both as os.walk joins them (string slicing: relpath is slow per file)."""
    prefix = base if base.endswith(os.sep) else base + os.sep
    return path[len(prefix):] if path.startswith(prefix) else None
