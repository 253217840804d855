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

from collections.abc import Iterator

from secreview.lang.python.file import Call, PyFile
from secreview.model import Confidence, Severity
from secreview.rules import Hit, Rule
from secreview.rules.python._flow import last_binding, open_flags, path_shape, same, scope_calls_after
from secreview.lang.python.syntax import line_of
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
        shape = path_shape(file, path)
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
        shape = path_shape(file, path)
        if not shape.predictable:
            return None
        move = self._move_of(file, call, path)
        how = f"mode `{mode}` creates or truncates the file and never fails when it exists"
        return self._hit(file, call, path, shape, move, how)

    @staticmethod
    def _move_of(file: PyFile, call: Call, path) -> Call | None:
        return next((m for m in scope_calls_after(file, call.node, _MOVES) if same(file, m.arg(0, "src"), path)),
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
