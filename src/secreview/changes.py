"""A change under review: unified diffs parsed into changed files and lines, and the review scope.

Pure: the text of a diff in, data out (gitdiff.py runs git; cli.py reads stdin).

Which lines count as changed, on the new side of the diff:

- every added line (a modified line is a removed line plus an added one);
- for a pure removal, the lines on either side of where the text was: deleting
  a check (`if not allowed: abort(403)`) is a change a reviewer comments on,
  at the code that is now unprotected.

The review scope (`--diff-scope`) widens those lines: `line` keeps them,
`function` takes every function (innermost `def`, or C/C++ function) that
contains one, `file` takes the whole changed file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from secreview import lang

_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")

ADDED, MODIFIED, DELETED, RENAMED, COPIED = "added", "modified", "deleted", "renamed", "copied"


@dataclass
class FileChange:
    """One file of a diff. Paths are as the diff names them, without the a/ and b/ prefixes."""

    path: str = ""        # new path; "" for a deleted file
    old_path: str = ""    # old path; "" for an added file
    status: str = MODIFIED
    binary: bool = False
    lines: set[int] = field(default_factory=set)   # changed lines on the new side

    @property
    def reviewable(self) -> bool:
        return self.status != DELETED and not self.binary and bool(self.path)


class DiffError(ValueError):
    """The text is not a unified diff we can read; the message says where."""


def parse(text: str) -> list[FileChange]:
    """Files and changed lines of a unified diff (git's extended headers understood)."""
    parser = _Parser()
    for line in text.split("\n"):
        parser.feed(line.rstrip("\r"))
    return parser.finish()


class _Parser:
    """A line-by-line reader; hunks are consumed by their line counts, so a removed line that
    starts with `-- ` is never taken for a file header."""

    def __init__(self) -> None:
        self.changes: list[FileChange] = []
        self.current: FileChange | None = None
        self.seen_new_header = False
        self.old_left = self.new_left = 0
        self.new_line = 0

    def feed(self, line: str) -> None:
        if self.old_left > 0 or self.new_left > 0:
            self._hunk_line(line)
        elif line.startswith("diff --git "):
            self._start(FileChange())
            self.current.old_path, self.current.path = _git_header_paths(line[len("diff --git "):])
        elif line.startswith("--- "):
            if self.current is None or self.seen_new_header:
                self._start(FileChange())  # a plain unified diff: no `diff --git` line between files
            self.current.old_path = _path_of(line[4:])
        elif self.current is None:
            return  # text before the first file (a commit message, say)
        elif line.startswith("+++ "):
            self.current.path = _path_of(line[4:])
            self.seen_new_header = True
            _set_status_from_paths(self.current)
        elif (hunk := _HUNK.match(line)) is not None:
            self.old_left = int(hunk.group(2) if hunk.group(2) is not None else 1)
            self.new_left = int(hunk.group(4) if hunk.group(4) is not None else 1)
            # An empty new side (`+21,0`) names the line *before* the removed text.
            self.new_line = int(hunk.group(3)) + (1 if self.new_left == 0 else 0)
        else:
            _extended_header(self.current, line)

    def _start(self, change: FileChange) -> None:
        self.changes.append(change)
        self.current = change
        self.seen_new_header = False

    def _hunk_line(self, line: str) -> None:
        change = self.current
        assert change is not None
        kind = line[:1]
        if kind == "+":
            change.lines.add(self.new_line)
            self.new_line += 1
            self.new_left -= 1
        elif kind == "-":
            # A removal touches the lines around it on the new side.
            change.lines.update(n for n in (self.new_line - 1, self.new_line) if n >= 1)
            self.old_left -= 1
        elif kind in (" ", ""):  # some tools strip the space of an empty context line
            self.new_line += 1
            self.old_left -= 1
            self.new_left -= 1
        elif kind != "\\":  # "\ No newline at end of file" is not a line
            raise DiffError(f"unexpected line inside a hunk: {line[:60]!r}")

    def finish(self) -> list[FileChange]:
        for change in self.changes:
            if change.status == DELETED:
                change.path = ""
            elif change.status == ADDED:
                change.old_path = ""
        return [c for c in self.changes if c.path or c.old_path]


def _extended_header(change: FileChange, line: str) -> None:
    if line.startswith("new file mode"):
        change.status = ADDED
    elif line.startswith("deleted file mode"):
        change.status = DELETED
    elif line.startswith("rename from "):
        change.status, change.old_path = RENAMED, _unquote(line[len("rename from "):])
    elif line.startswith("rename to "):
        change.status, change.path = RENAMED, _unquote(line[len("rename to "):])
    elif line.startswith("copy from "):
        change.status, change.old_path = COPIED, _unquote(line[len("copy from "):])
    elif line.startswith("copy to "):
        change.status, change.path = COPIED, _unquote(line[len("copy to "):])
    elif line.startswith(("Binary files ", "GIT binary patch")):
        change.binary = True


def _set_status_from_paths(change: FileChange) -> None:
    if change.old_path == "/dev/null":
        change.status, change.old_path = ADDED, ""
    elif change.path == "/dev/null":
        change.status, change.path = DELETED, ""


def _path_of(field_text: str) -> str:
    """A `---`/`+++` path: unquoted, without its timestamp, without the a/ or b/ prefix."""
    text = field_text.split("\t", 1)[0].rstrip("\r")
    path = _unquote(text)
    if path == "/dev/null":
        return path
    return _strip_prefix(path)


def _git_header_paths(text: str) -> tuple[str, str]:
    """`a/x b/y` of `diff --git` (quoted when the paths hold special characters)."""
    if text.startswith('"'):
        old, rest = _split_quoted(text)
        new = _unquote(rest.strip())
    else:
        # Unquoted paths may hold spaces; the two halves are equal apart from the prefix when unrenamed.
        half = len(text) // 2
        if text[half:half + 1] == " " and _strip_prefix(text[:half]) == _strip_prefix(text[half + 1:]):
            old, new = text[:half], text[half + 1:]
        else:
            old, _, new = text.partition(" b/")
            new = "b/" + new
        new = new.rstrip("\r")
    return _strip_prefix(old), _strip_prefix(new)


def _split_quoted(text: str) -> tuple[str, str]:
    escaped = False
    for index, char in enumerate(text[1:], start=1):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            return _unquote(text[:index + 1]), text[index + 1:]
    raise DiffError(f"unterminated quoted path in diff header: {text}")


def _strip_prefix(path: str) -> str:
    return path[2:] if path[:2] in ("a/", "b/") else path


_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}


def _unquote(text: str) -> str:
    """Git's C-style quoted path ("a/caf\\303\\251.py") back to text."""
    if not (len(text) >= 2 and text.startswith('"') and text.endswith('"')):
        return text
    body, out, index = text[1:-1], bytearray(), 0
    while index < len(body):
        char = body[index]
        if char != "\\":
            out.extend(char.encode("utf-8"))
            index += 1
            continue
        nxt = body[index + 1:index + 2]
        if nxt.isdigit():
            out.append(int(body[index + 1:index + 4], 8))
            index += 4
        else:
            out.append(_ESCAPES.get(nxt, ord(nxt or "\\")))
            index += 2
    return out.decode("utf-8", "replace")


# -- scope -------------------------------------------------------------------------------------------

_FUNCTION_TYPES = {"python": ("function_definition",), "c": ("function_definition",),
                   "cpp": ("function_definition", "lambda_expression")}


def scope_lines(change: FileChange, scope: str, text: str, language: str) -> frozenset[int] | None:
    """The lines of one changed file under review; None means the whole file."""
    if scope == "file" or change.status in (ADDED, COPIED):
        return None  # a new file is all change
    if scope == "function":
        return frozenset(change.lines) | frozenset(_enclosing_function_lines(text, language, change.lines))
    return frozenset(change.lines)


def _enclosing_function_lines(text: str, language: str, lines: set[int]) -> set[int]:
    """Every line of the innermost function around each changed line."""
    if not lines or language not in _FUNCTION_TYPES:
        return set()
    tree = lang.parse(language, text)
    types = _FUNCTION_TYPES[language]
    widened: set[int] = set()
    for line in lines:
        node = tree.root_node.descendant_for_point_range((line - 1, 0), (line - 1, 0))
        while node is not None and node.type not in types:
            node = node.parent
        if node is not None:
            widened.update(range(node.start_point[0] + 1, node.end_point[0] + 2))
    return widened
