"""Tar archive extracted without a member filter (path traversal, "tar slip").

## What it does
Flags `TarFile.extractall()` and `TarFile.extract()` called without an
extraction `filter=` (PEP 706: `"data"`, `"tar"`, `tarfile.data_filter`, ...)
and, for `extractall`, without an explicit `members=` list; also
`filter="fully_trusted"`, and `shutil.unpack_archive()` without `filter=` when
the archive may be a tar file. Not flagged: files that set
`TarFile.extraction_filter`, functions that check member paths
(`getmembers()` plus `os.path.commonpath`/`realpath`/`abspath`/`is_relative_to`)
before extracting, and `zipfile`, whose `extract`/`extractall` drop absolute
paths and `..` components and create no links.

## Why is this bad?
A tar member may be named `../../home/app/.ssh/authorized_keys` or
`/etc/cron.d/job`, or be a symlink or hard link to a path outside the target
directory followed by a regular file written through it. Without a filter,
`tarfile` (before Python 3.14) honours all of this, so whoever provides the
archive overwrites arbitrary files writable by the process, which usually
leads to code execution (CWE-22, CVE-2007-4559).

## Example
```python
import tarfile

def install_plugin(upload, target):
    with tarfile.open(fileobj=upload) as archive:
        archive.extractall(target)
```

## Use instead
```python
import tarfile

def install_plugin(upload, target):
    with tarfile.open(fileobj=upload) as archive:
        archive.extractall(target, filter="data")
```

## References
- https://cwe.mitre.org/data/definitions/22.html
- https://docs.python.org/3/library/tarfile.html#tarfile-extraction-filter
- https://peps.python.org/pep-0706/
- https://docs.python.org/3/library/zipfile.html#zipfile.ZipFile.extract
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts

from secreview.lang.python.file import Call, PyFile
from secreview.lang.python.origins import origin_call
from secreview.lang.python.strings import argument_text
from secreview.model import Confidence, Severity
from secreview.rules import Hit
from secreview.rules.python import CallRule

_TAR_OPENERS = frozenset({
    "tarfile.open", "tarfile.TarFile", "tarfile.TarFile.open", "tarfile.TarFile.taropen",
    "tarfile.TarFile.gzopen", "tarfile.TarFile.bz2open", "tarfile.TarFile.xzopen", "tarfile.TarFile.zstopen",
})
_ZIP_OPENERS = frozenset({"zipfile.ZipFile", "zipfile.PyZipFile"})
_UNSAFE_FILTERS = frozenset({"fully_trusted", "tarfile.fully_trusted_filter"})
_PATH_CHECKS = frozenset({"commonpath", "commonprefix", "realpath", "abspath", "is_relative_to", "resolve",
                          "relpath", "normpath"})
_TAR_FORMATS = ("tar", "gztar", "bztar", "xztar", "zstdtar")


class ArchiveExtractionPathTraversal(CallRule):
    id = "archive-extraction-path-traversal"
    cwe = 22
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    callees = ("shutil.unpack_archive",)
    methods = ("extractall", "extract")
    message = "`{callee}` extracts a tar archive without a member filter"
    description = (
        "`{code}` extracts tar members as named in the archive {detail}. A member called "
        "`../../.ssh/authorized_keys` or `/etc/cron.d/x`, or a symlink/hard link pointing outside the "
        "target followed by a file written through it, lets whoever supplies the archive overwrite any "
        "file this process can write, which typically leads to code execution."
    )
    solution = (
        "Pass an extraction filter: `{callee}(..., filter=\"data\")` (Python 3.12+, and 3.8-3.11 security "
        "releases), which rejects absolute paths, `..`, links leaving the target and special files; on "
        "older Pythons check every `member` first (resolved path inside the target via "
        "`os.path.commonpath`, no links) and pass the checked list as `members=`."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        candidates = self.candidates(file)
        if not candidates or _sets_default_filter(file):
            return
        for call in candidates:
            if call.name == "shutil.unpack_archive":
                hit = self._unpack_archive(file, call)
            else:
                hit = self._tar_method(file, call)
            if hit is not None:
                yield hit

    def _tar_method(self, file: PyFile, call: Call) -> Hit | None:
        if _has_safe_filter(file, call):
            return None
        if call.method == "extractall" and call.arg(1, "members") is not None:
            return None
        origin = origin_call(file, call.receiver)
        confidence = None
        if origin is not None and origin.name in _ZIP_OPENERS:
            return None
        if origin is None or origin.name not in _TAR_OPENERS:
            if not file.imports_module("tarfile") or file.imports_module("zipfile") or origin is not None:
                return None
            confidence = Confidence.LOW  # a tarfile is in play but this receiver is not traced to it
        if _checks_member_paths(file, call.node):
            return None
        detail = "(no `filter=`" + (", no `members=`)" if call.method == "extractall" else ")")
        return Hit(call.node, {"callee": call.method or "extractall", "detail": detail}, confidence=confidence)

    def _unpack_archive(self, file: PyFile, call: Call) -> Hit | None:
        if _has_safe_filter(file, call):
            return None
        archive_format = file.constant_value(call.arg(2, "format"))
        filename = file.constant_value(call.arg(0, "filename"))
        if isinstance(archive_format, str) and archive_format not in _TAR_FORMATS:
            return None
        if archive_format is None or not isinstance(archive_format, str):
            if isinstance(filename, str) and filename.lower().endswith(".zip"):
                return None
        detail = f"`{argument_text(file, call.arg(0, 'filename'), 40)}` (no `filter=`; tar formats allowed)"
        return Hit(call.node, {"callee": "shutil.unpack_archive", "detail": detail})


def _has_safe_filter(file: PyFile, call: Call) -> bool:
    node = call.kwargs.get("filter")
    if node is None:
        return False
    value = file.constant_value(node)
    if isinstance(value, str):
        return value not in _UNSAFE_FILTERS
    return file.qualified_name(node) not in _UNSAFE_FILTERS and value is not None


def _sets_default_filter(file: PyFile) -> bool:
    """`TarFile.extraction_filter = staticmethod(tarfile.data_filter)` or `tar.extraction_filter = ...`."""
    query = "(assignment left: (attribute attribute: (identifier) @attr))"
    return any(file.text_of(node) == "extraction_filter" for node in file.nodes(query, "attr"))


def _checks_member_paths(file: PyFile, node: ts.Node) -> bool:
    """The enclosing function inspects member names and resolves paths before extracting."""
    scope = file.enclosing_scope(node)
    if scope.type != "function_definition":
        return False
    methods = {call.method for call in file.calls
               if scope.start_byte <= call.node.start_byte < scope.end_byte}
    return bool(methods & {"getmembers", "getnames", "getmember"}) and bool(methods & _PATH_CHECKS)
