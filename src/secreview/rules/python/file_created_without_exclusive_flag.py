"""Temporary or state file created at a predictable path without O_EXCL.

## What it does
Flags files created at a *predictable* path without exclusive creation:

- `os.open(path, flags)` whose flags include `O_CREAT` but not `O_EXCL`
  (nor `O_TMPFILE`), when the path is later moved over another file with
  `os.rename`/`os.replace`/`shutil.move` in the same function (high
  confidence), or when the path is a fixed temp-like name next to another
  path (`target + ".tmp"`, `"%s.tmp" % target`, `f"{target}.new"`) or a fixed
  name under `/tmp`, `/var/tmp`, `/dev/shm` (medium confidence);
- `open(path, "w")` (any writing mode other than `"x"`) of such a temp-like or
  shared-directory name, with high confidence when the file is then renamed
  over its target.

Paths obtained from `tempfile.mkstemp()`, `mkdtemp()` or
`NamedTemporaryFile()` are unique and private and are not flagged; neither
are lock files or plain state files opened with `O_CREAT` at a path that is
neither temp-like nor renamed.

## Why is this bad?
Without `O_EXCL` the call happily opens a file that already exists, and
follows a symbolic link planted at that name. Anybody who can write to the
directory (another local user in `/tmp`, a compromised service sharing the
state directory) can create `<target>.tmp` first: as a symlink, the write goes
into a file of the attacker's choice with the victim's privileges; as a file
the attacker owns, the later `rename` installs the attacker's file (and its
content, which the attacker can still modify) as the trusted target. Two
instances of the program racing on the same temp name also corrupt each
other's output (CWE-377, CWE-59).

## Example
```python
import json
import os

def save_state(state_path, state):
    tmp_path = state_path + ".tmp"
    fd = os.open(tmp_path, os.O_WRONLY | os.O_CREAT, 0o644)
    with os.fdopen(fd, "w") as handle:
        json.dump(state, handle)
    os.rename(tmp_path, state_path)
```

## Use instead
```python
import json
import os
import tempfile

def save_state(state_path, state):
    fd, tmp_path = tempfile.mkstemp(dir=os.path.dirname(state_path), suffix=".tmp")
    with os.fdopen(fd, "w") as handle:
        json.dump(state, handle)
    os.replace(tmp_path, state_path)
```

## References
- https://cwe.mitre.org/data/definitions/377.html
- https://cwe.mitre.org/data/definitions/59.html
- https://docs.python.org/3/library/tempfile.html#tempfile.mkstemp
- https://man7.org/linux/man-pages/man2/open.2.html (O_EXCL, O_NOFOLLOW)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import tree_sitter as ts

from secreview.lang.python.file import Call, NOT_CONSTANT, PyFile
from secreview.lang.python.files import open_flags
from secreview.lang.python.scopes import last_binding
from secreview.lang.python.syntax import line_of, normalise, unwrap
from secreview.model import Confidence, Severity
from secreview.rules import Hit, Rule
from secreview.rules import shorten

_MOVES = ("os.rename", "os.replace", "os.renames", "shutil.move")
_OPENS = ("open", "io.open", "codecs.open", "builtins.open")


class FileCreatedWithoutExclusiveFlag(Rule):
    id = "file-created-without-exclusive-flag"
    cwe = 377
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    message = "Predictable file `{path}` is created without O_EXCL{moved}"
    description = (
        "`{code}` creates `{path}` ({shape}) without exclusive creation: {how}. If the file already exists, "
        "or is a symbolic link, the call opens it anyway. Anyone who can write to that directory can "
        "create `{path}` before this code runs: a symlink makes the write land in a file of the "
        "attacker's choosing with this process's privileges, and a file the attacker owns (and can keep "
        "modifying) is what {after}. Two concurrent runs of this code also share and corrupt the same "
        "temporary file."
    )
    solution = (
        "Create the file exclusively: `tempfile.mkstemp(dir=os.path.dirname({target}))` gives a unique, "
        "private name in the same directory (then `os.replace(tmp, {target})`), or add `os.O_EXCL` "
        "(and `os.O_NOFOLLOW`) to the flags, e.g. `os.open({path}, os.O_WRONLY | os.O_CREAT | "
        "os.O_EXCL | os.O_NOFOLLOW, 0o600)`, and handle FileExistsError by removing a stale file "
        "only after checking it with os.lstat."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        for call in file.calls_to("os.open"):
            hit = self._os_open(file, call)
            if hit is not None:
                yield hit
        for call in file.calls_to(*_OPENS):
            hit = self._builtin_open(file, call)
            if hit is not None:
                yield hit

    def _os_open(self, file: PyFile, call: Call) -> Hit | None:
        path, flags_node = call.arg(0, "path"), call.arg(1, "flags")
        flags = open_flags(file, flags_node)
        if path is None or flags is None or "O_CREAT" not in flags or flags & {"O_EXCL", "O_TMPFILE"}:
            return None
        shape = _path_shape(file, path)
        if shape.safe:
            return None
        move = self._move_of(file, call, path)
        if move is None and not shape.predictable:
            return None
        how = f"its flags `{shorten(file.text_of(flags_node), 60)}` contain O_CREAT but not O_EXCL"
        if "O_NOFOLLOW" in flags:
            how += " (O_NOFOLLOW stops symlinks, not a pre-created file)"
        return self._hit(file, call, path, shape, move, how)

    def _builtin_open(self, file: PyFile, call: Call) -> Hit | None:
        path = call.arg(0, "file")
        mode_node = call.arg(1, "mode")
        mode = file.constant_value(mode_node) if mode_node is not None else "r"
        if path is None or not isinstance(mode, str) or "x" in mode or not set(mode) & set("wa"):
            return None
        shape = _path_shape(file, path)
        if not shape.predictable:
            return None
        move = self._move_of(file, call, path)
        how = f"mode `{mode}` creates or truncates the file and never fails when it exists"
        return self._hit(file, call, path, shape, move, how)

    @staticmethod
    def _move_of(file: PyFile, call: Call, path) -> Call | None:
        return next((m for m in _scope_calls_after(file, call.node, _MOVES) if _same(file, m.arg(0, "src"), path)),
                    None)

    @staticmethod
    def _hit(file: PyFile, call: Call, path, shape, move: Call | None, how: str) -> Hit:
        bound = last_binding(file, path) if path.type == "identifier" else None
        built = f"built as `{shorten(file.text_of(bound), 60)}`: " if bound is not None else ""
        if shape.shared_dir:
            described = f"{built}a fixed name in a world-writable directory such as /tmp"
        elif shape.temp_suffix and shape.base:
            described = f"{built}a fixed `{shape.temp_suffix}` name next to `{shape.base}`"
        elif shape.temp_suffix:
            described = f"{built}the fixed temporary name `{shape.temp_suffix}`"
        else:
            described = f"{built}a name that is later renamed over its target"
        target_node = move.arg(1, "dst") if move is not None else None
        target = shorten(file.text_of(target_node), 60) if target_node is not None else (shape.base or "target")
        values = {
            "path": shorten(file.text_of(path), 60),
            "shape": described,
            "how": how,
            "target": target,
            "moved": f", then renamed over `{target}` on line {line_of(move.node)}" if move is not None else "",
            "after": (f"`{file.text_of(move.node.child_by_field_name('function'))}` on line "
                      f"{line_of(move.node)} installs as `{target}`") if move is not None
                     else "the program goes on to read and trust",
        }
        confidence = Confidence.HIGH if move is not None else Confidence.MEDIUM
        return Hit(call.node, values, confidence=confidence)


def _same(file: PyFile, a: ts.Node | None, b: ts.Node | None) -> bool:
    return a is not None and b is not None and normalise(file.text_of(a)) == normalise(file.text_of(b))


def _scope_calls_after(file: PyFile, node: ts.Node, names: tuple[str, ...]) -> list[Call]:
    """Calls to `names` after `node` in the same function (or module), not in nested scopes."""
    scope = file.enclosing_scope(node)
    out = []
    for call in file.calls_to(*names):
        if call.node.start_byte <= node.end_byte:
            continue
        if scope.start_byte <= call.node.start_byte < scope.end_byte and file.enclosing_scope(call.node) == scope:
            out.append(call)
    return out


def _last_binding_statement(file: PyFile, ident: ts.Node) -> ts.Node | None:
    """The statement (assignment, for, with...) that last binds `ident` before it."""
    if ident.type != "identifier":
        return None
    bindings = file.bindings_before(ident)
    return bindings[-1][0] if bindings else None


_TEMP_FACTORIES = re.compile(r"\b(mkstemp|mkdtemp|NamedTemporaryFile|TemporaryDirectory|TemporaryFile|"
                             r"SpooledTemporaryFile)\b")
_SHARED_DIRS = ("/tmp", "/var/tmp", "/dev/shm")
_TEMP_WORD = re.compile(r"(?:^|[^a-z])(?:tmp|temp(?:orary)?(?:[^a-z]|$))|\.new$|\.part$|\.partial$|\.swp$|~$", re.I)


@dataclass(frozen=True)
class _PathShape:
    """How a path expression is built."""

    safe: bool = False  # comes from mkstemp()/NamedTemporaryFile()/mkdtemp(): unique and private
    shared_dir: bool = False  # a fixed name under /tmp, /var/tmp or /dev/shm (or gettempdir())
    temp_suffix: str = ""  # the fixed temp-like part added to another path (".tmp", "~", ...)
    base: str = ""  # the path it is derived from, if any

    @property
    def predictable(self) -> bool:
        return not self.safe and (self.shared_dir or bool(self.temp_suffix))


def _path_shape(file: PyFile, node: ts.Node | None, depth: int = 0) -> _PathShape:
    node = unwrap(node)
    if node is None or depth > 4:
        return _PathShape()
    text = file.text_of(node)
    if _TEMP_FACTORIES.search(text):
        return _PathShape(safe=True)
    if node.type == "identifier":
        bound = last_binding(file, node)
        if bound is None:
            # bound by a tuple assignment such as ``fd, path = tempfile.mkstemp()``?
            return _PathShape(safe=_bound_by_temp_factory(file, node))
        return _path_shape(file, bound, depth + 1)
    value = file.constant_value(node)
    if isinstance(value, str):
        return _PathShape(shared_dir=_in_shared_dir(value), temp_suffix=_temp_part(value))
    if "gettempdir" in text:
        return _PathShape(shared_dir=True, temp_suffix=_literal_temp_part(file, node))
    if node.type == "binary_operator":
        return _binary_shape(file, node, depth)
    if node.type == "string":  # f-string
        literal = "".join(file.text_of(c) for c in node.named_children if c.type == "string_content")
        parts = [c for c in node.named_children if c.type == "interpolation"]
        base = file.text_of(parts[0].child_by_field_name("expression")) if parts else ""
        first = next((c for c in node.named_children if c.type in ("string_content", "interpolation")), None)
        shared = first is not None and first.type == "string_content" and _in_shared_dir(file.text_of(first))
        return _PathShape(shared_dir=shared, temp_suffix=_temp_part(literal), base=shorten(base, 50))
    if node.type == "call":
        return _call_shape(file, node, depth)
    return _PathShape()


def _binary_shape(file: PyFile, node: ts.Node, depth: int) -> _PathShape:
    operator = file.text_of(node.child_by_field_name("operator"))
    left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
    left_value, right_value = file.constant_value(left), file.constant_value(right)
    if operator == "+":
        if isinstance(right_value, str) and left_value is NOT_CONSTANT:
            inner = _path_shape(file, left, depth + 1)
            return _PathShape(safe=inner.safe, shared_dir=inner.shared_dir,
                             temp_suffix=_temp_part(right_value) or inner.temp_suffix,
                             base=shorten(file.text_of(left), 50))
        if isinstance(left_value, str):
            return _PathShape(shared_dir=_in_shared_dir(left_value), temp_suffix=_temp_part(left_value))
    if operator == "%" and isinstance(left_value, str):
        literal = re.sub(r"%(\([^)]*\))?[-#0 +]*\d*(\.\d+)?[a-zA-Z]", "", left_value)
        return _PathShape(shared_dir=_in_shared_dir(left_value), temp_suffix=_temp_part(literal),
                         base=shorten(file.text_of(right), 50))
    return _PathShape()


def _call_shape(file: PyFile, node: ts.Node, depth: int) -> _PathShape:
    function = node.child_by_field_name("function")
    name = file.qualified_name(function) or ""
    arguments = node.child_by_field_name("arguments")
    args = [a for a in (arguments.named_children if arguments else ()) if a.type != "comment"]
    if name in ("os.path.join", "posixpath.join") and args:
        head = _path_shape(file, args[0], depth + 1)
        tail_value = file.constant_value(args[-1])
        suffix = _temp_part(tail_value) if isinstance(tail_value, str) else ""
        return _PathShape(safe=head.safe, shared_dir=head.shared_dir and len(args) > 1,
                         temp_suffix=suffix, base=shorten(file.text_of(args[0]), 50))
    if function is not None and function.type == "attribute" \
            and file.text_of(function.child_by_field_name("attribute")) == "format":
        template = file.constant_value(function.child_by_field_name("object"))
        if isinstance(template, str):
            literal = re.sub(r"\{[^}]*\}", "", template)
            return _PathShape(shared_dir=_in_shared_dir(template), temp_suffix=_temp_part(literal))
    return _PathShape()


def _literal_temp_part(file: PyFile, node: ts.Node) -> str:
    literals = [file.constant_value(n) for n in file.nodes("(string) @s", "s", node)]
    return next((_temp_part(v) for v in literals if isinstance(v, str) and _temp_part(v)), "")


def _bound_by_temp_factory(file: PyFile, ident: ts.Node) -> bool:
    """``fd, path = tempfile.mkstemp()`` or ``with NamedTemporaryFile() as path``."""
    statement = _last_binding_statement(file, ident)
    if statement is None or statement.type not in ("assignment", "as_pattern"):
        return False
    value = statement.child_by_field_name("right") if statement.type == "assignment" else statement.named_children[0]
    return value is not None and bool(_TEMP_FACTORIES.search(file.text_of(value)))


def _in_shared_dir(text: str) -> bool:
    return any(text == d or text.startswith(d + "/") for d in _SHARED_DIRS)


def _temp_part(text: str) -> str:
    """The temp-looking fixed part of a name ('.tmp', '~', '.new', ...), or ''."""
    tail = text.rsplit("/", 1)[-1]
    return tail if tail and _TEMP_WORD.search(tail) else ""
