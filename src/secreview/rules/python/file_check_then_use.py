"""File-system check on a path followed by a use of the same path (TOCTOU race).

## What it does
Flags an `if`/`elif` whose condition checks the state of a path
(`os.path.exists/isfile/isdir/islink/lexists/getsize`, `os.access`,
`os.stat/lstat`, `Path(...).exists()/is_file()/is_dir()/is_symlink()`),
possibly negated or combined with `and`/`or`, when the code governed by that
check then acts on the very same path expression. The governed code is the
`if` body, the `else` body, or the statements after an `if` whose body always
leaves (`return`/`raise`/`continue`/`break`). The finding is reported at the
check and names the use.

Confidence depends on what the check was meant to guarantee:

- **high**: a permission, ownership or "not a symlink" check (`os.access`,
  `not os.path.islink`, `os.stat(...).st_uid`) followed, where the check
  passed, by a use that writes, creates, changes or executes the file: the
  race defeats the check itself (medium when the use only reads the file,
  removes the name or hands the path to another function). A positive
  `islink()` or an `st_mode` file-type test counts as an existence check;
- **medium**: "does not exist yet" followed by something that creates,
  writes or executes with the path (`open(p, "w")`, `os.open` without
  `O_EXCL`, `shutil.copy(src, p)`, `utils.execute(..., p)`), or hands it to a
  function whose name says it creates it (`self.create_image(..., p, ...)`,
  `fetch(target=p)`, `copy_image(src, p)`): the classic check-then-create
  race;
- **low** (hidden by default): racy but with a harmless worst case (an
  exception): any check followed by `os.makedirs`/`mkdir`/`ensure_tree`,
  "exists" followed by `chmod`/write, "does not exist" followed by a rename
  onto the path or by a call of any other function with it;
- not reported: a check and a use that run under one lock (inside one
  `with lock:` block, between `lock.acquire()` and `lock.release()`, or in a
  function with a lock decorator such as `@lockutils.synchronized(...)`, see
  knowledge/locks.py): concurrent builders are serialised, and what is left
  needs an attacker who can already write to the service's own directory. Nor
  a use by a function that re-checks the path under a lock itself, found in
  this file: the callee by name, or, when the callee is a parameter
  (`build(target=path)`), the function every visible call of the
  enclosing function passes for it (an image cache's `@synchronized` fetch
  function that tests `os.path.exists(target)` again);
- not reported: "exists" followed by a read, a removal, or the path handed
  to another function (the idiomatic `if os.path.exists(cfg): load(cfg)`),
  whose worst case is an exception.

Uses that are themselves atomic (`os.open` with `O_EXCL`, `open(p, "x")`,
`os.symlink`/`os.link` onto the path) or that only compute with the path
(`os.path.join`, logging, building an exception to raise) are not uses, and
nothing after such an exclusive creation (or after an `os.mkdir(p)` /
`os.makedirs(p)` that fails when `p` exists) is a use either: from there on
the file is this code's own. One function gets one finding, at its strongest
race, naming the lines of the others: one pattern repeated is one fix.

## Why is this bad?
The check and the use are two separate look-ups of a path *name*, not
operations on one open file. Between them, another process or local user who
can write to the directory can create, delete or replace the file, typically
with a symbolic link to a file of their choosing. Code that checked "does
not exist" then writes through the attacker's symlink with its own
privileges; code that checked "is writable by the real user" with
`os.access()` then operates on a different file than the one it checked
(CWE-367). Concurrent workers that both see "missing" also build the same
file twice and corrupt each other's output.

## Example
```python
import os

def fallocate(path, size, execute):
    if os.access(path, os.W_OK):
        execute("fallocate", "-n", "-l", str(size), path)
```

## Use instead
```python
import os

def fallocate(path, size, execute):
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NOFOLLOW)
    except OSError:
        return
    try:
        os.posix_fallocate(fd, 0, size)
    finally:
        os.close(fd)
```

## References
- https://cwe.mitre.org/data/definitions/367.html
- https://docs.python.org/3/library/os.html#os.access (the note on security holes)
- https://wiki.sei.cmu.edu/confluence/display/c/FIO45-C.+Avoid+TOCTOU+race+conditions+while+accessing+files
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator

import tree_sitter as ts

from secreview.lang.python.file import Call, PyFile
from secreview.lang.python.files import open_flags
from secreview.lang.python.callers import argument_for, callee_definitions, function_named, visible_calls
from secreview.lang.python.flow import guarded, lock_around, lock_held
from secreview.lang.python.scopes import NESTED_SCOPES, function_of, last_binding, rebound_between
from secreview.lang.python.syntax import line_of, normalise
from secreview.model import Confidence, Severity
from secreview.rules import Hit, Rule
from secreview.lang.python.constants import keyword_is_true
from secreview.rules import shorten

_PATH_CHECKS = {f"os.path.{name}": "exists" for name in ("exists", "isfile", "isdir", "lexists", "getsize")}
_PATH_CHECKS.update({"os.path.islink": "link", "os.access": "access", "os.stat": "stat", "os.lstat": "stat"})
_PATHLIB_CHECKS = {"exists": "exists", "is_file": "exists", "is_dir": "exists", "is_symlink": "link"}
_PATHLIB_CLASSES = ("pathlib.Path", "pathlib.PosixPath", "Path", "PosixPath")

# What a use does with the path.
FOLLOW = "follow"  # writes/creates/changes the file the name resolves to (follows symlinks)
NAME = "name"  # acts on the directory entry (remove/rename): worst case an exception
READ = "read"
DIR = "dir"  # makedirs(exist_ok=True), ensure_tree: tolerates a concurrent creation
MKDIR = "mkdir"  # mkdir/makedirs that fail if the directory exists: racy, but exclusive from then on
ATOMIC = "atomic"  # exclusive creation of the path (O_EXCL, mode "x", symlink/link onto it)
GENERIC = "generic"  # the path is handed to some other function
CREATE = "create"  # ... whose name says it creates or writes something (create_image, fetch, copy_...)

_STRENGTH = {FOLLOW: 5, CREATE: 4, GENERIC: 3, NAME: 2, READ: 1, DIR: 0, MKDIR: 0}

_FOLLOW_CALLS = {
    "os.chmod", "os.chown", "os.truncate", "os.utime", "os.system", "os.popen", "os.startfile",
    "shutil.chown", "shutil.copymode", "shutil.copystat",
}
_NAME_CALLS = {"os.remove", "os.unlink", "os.rmdir", "os.removedirs", "shutil.rmtree", "os.rename", "os.replace",
               "os.renames", "shutil.move"}
_COPY_CALLS = {"shutil.copy", "shutil.copy2", "shutil.copyfile", "shutil.copytree"}
_DIR_CALLS = {"os.mkdir", "os.makedirs"}
_ATOMIC_CALLS = {"os.symlink", "os.link"}
_EXEC_METHODS = {"execute", "trycmd", "ssh_execute", "check_call", "check_output", "Popen", "spawn"}
_PATHLIB_METHODS = {
    "write_text": FOLLOW, "write_bytes": FOLLOW, "chmod": FOLLOW, "touch": FOLLOW,
    "unlink": NAME, "rmdir": NAME, "rename": NAME, "replace": NAME,
    "read_text": READ, "read_bytes": READ, "mkdir": DIR,
}
_CREATE_VERBS = frozenset({
    "create", "write", "fetch", "download", "copy", "build", "make", "generate", "prepare", "save", "dump",
    "extract", "convert", "store", "put", "touch", "init", "initialize", "mk", "install", "unpack", "export",
    "link", "populate", "clone", "import", "upload", "render", "emit", "mkfs", "format", "untar", "unzip",
})
# Calls that only compute with the path, or report it.
_PURE = {
    "join", "basename", "dirname", "abspath", "realpath", "normpath", "relpath", "expanduser", "expandvars",
    "split", "splitext", "format", "startswith", "endswith", "strip", "encode", "decode", "lower", "upper",
    "isinstance", "len", "str", "repr", "print", "bool", "hash", "id", "type", "sorted", "getattr", "hasattr",
    "debug", "info", "warning", "warn", "error", "exception", "critical", "log", "fspath", "quote",
    "append", "add", "extend", "get", "setdefault", "pop", "update", "insert", "_",
} | {name.rsplit(".", 1)[-1] for name in _PATH_CHECKS} | set(_PATHLIB_CHECKS)


class FileCheckThenUse(Rule):
    id = "file-check-then-use"
    cwe = 367
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    message = "`{path}` is checked with `{check_call}` and then used by `{use_call}` on line {use_line}"
    description = (
        "`{path}` is checked with `{check}` on line {line} and then used by `{use}` on line {use_line}. "
        "The check and the use are two separate look-ups of a path name, not operations on one open "
        "file: {race}{also}"
    )
    solution = "Drop the separate check and let the operation decide atomically: {fix}"

    def check(self, file: PyFile) -> Iterator[Hit]:
        by_function: dict[int, list[tuple[Confidence, Call, dict[str, str]]]] = defaultdict(list)
        for call, kind, subjects in self._checks(file):
            found = self._race(file, call, kind, subjects)
            if found is None:
                continue
            confidence, use, what, absent, effective = found
            if lock_held(file, call.node, use.node) or self._callee_rechecks_under_lock(file, use):
                continue  # serialised with every other caller of this code, or re-checked where it acts
            values = self._values(file, call, effective, use, what, subjects, absent)
            function = function_of(file, call.node)
            by_function[function.id if function is not None else -1].append((confidence, call, values))
        for races in by_function.values():
            yield self._one_per_function(races)

    @staticmethod
    def _one_per_function(races: list[tuple[Confidence, Call, dict[str, str]]]) -> Hit:
        """The strongest race of a function, naming the lines of the others: one pattern, one finding."""
        confidence, call, values = max(races, key=lambda race: race[0].rank)
        others = sorted({str(c.line) for _, c, _ in races if c is not call}, key=int)
        also = ""
        if others:
            also = (f" This function also checks a path and then uses it on line"
                    f"{'s' if len(others) > 1 else ''} {', '.join(others)}.")
        return Hit(call.node, {**values, "also": also}, confidence=confidence)

    def _race(self, file: PyFile, call: Call, kind: str, subjects: list[ts.Node]) \
            -> tuple[Confidence, Call, str, bool, str] | None:
        """(confidence, use, what the use does, "checked as absent", check kind) of the strongest use."""
        governed = guarded(file, call.node)
        if governed is None:
            return None
        combined = self._combined(governed.condition_owner)
        regions = [(governed.when_true, governed.negated)]
        if not combined:
            regions.append((governed.when_false, not governed.negated))
        best: tuple[tuple[int, int, bool], Confidence, Call, str, bool, str] | None = None
        for region, absent in regions:
            effective, state = self._effective(kind, absent)
            for use in _calls_in(file, region):
                what = self._use_kind(file, use, subjects, call)
                if what == ATOMIC:
                    break  # created exclusively: from here on the path is this code's own
                if what is None:
                    continue
                confidence = self._confidence(effective, state, what)
                if confidence is not None:
                    rank = (confidence.rank, _STRENGTH[what],
                            what not in (CREATE, GENERIC) or not file.inside(use.node, ("with_item",)))
                    if best is None or rank > best[0]:
                        best = (rank, confidence, use, what, state, effective)
                if what == MKDIR:
                    break
        return None if best is None else best[1:]

    def _callee_rechecks_under_lock(self, file: PyFile, use: Call) -> bool:
        """The function that acts re-checks the path under a lock, as an image cache's fetch function does:
        the use calls such a function, or calls a parameter that every call of this function visible in
        the file fills with one."""
        function = use.node.child_by_field_name("function")
        enclosing = function_of(file, use.node)
        if function is not None and function.type == "identifier" and enclosing is not None \
                and file.is_parameter(file.text_of(function), enclosing):
            calls = visible_calls(file, enclosing)
            passed = [argument_for(file, c, enclosing, file.text_of(function)) for c in calls]
            targets = [function_named(file, file.text_of(a), a) if a is not None and a.type == "identifier" else None
                       for a in passed]
        else:
            targets = list(callee_definitions(file, use))
        return bool(targets) and all(t is not None and self._rechecks_under_lock(file, t) for t in targets)

    def _rechecks_under_lock(self, file: PyFile, function: ts.Node) -> bool:
        body = function.child_by_field_name("body")
        if body is None or lock_around(file, body) is None:
            return False
        checks = file.memo((self.id, "checks"), lambda: list(self._checks(file)))
        return any(body.start_byte <= check.node.start_byte < body.end_byte for check, _, _ in checks)

    # -- candidates -----------------------------------------------------------

    def _checks(self, file: PyFile) -> Iterator[tuple[Call, str, list[ts.Node]]]:
        for call in file.calls_to(*_PATH_CHECKS):
            subject = call.arg(0, "path")
            if subject is None:
                continue
            kind = _PATH_CHECKS[call.name]
            if kind == "stat":
                # an ownership test is a security decision; a file-type test (st_mode) is like isfile()
                condition_text = self._condition_text(file, call.node)
                kind = "security" if any(f in condition_text for f in ("st_uid", "st_gid")) else "exists"
            elif kind == "access":
                kind = "security"
            yield call, kind, [subject]
        for call in file.method_calls(*_PATHLIB_CHECKS):
            if call.args or call.receiver is None:
                continue
            subjects = self._pathlib_subjects(file, call.receiver)
            if subjects:
                yield call, _PATHLIB_CHECKS[call.method], subjects

    @staticmethod
    def _pathlib_subjects(file: PyFile, receiver: ts.Node) -> list[ts.Node]:
        """`Path(x)` -> [Path(x), x]; `p` bound to `Path(x)` -> [p]."""
        construction = receiver
        if receiver.type == "identifier":
            construction = last_binding(file, receiver)
        if construction is None or construction.type != "call":
            return []
        if file.qualified_name(construction.child_by_field_name("function")) not in _PATHLIB_CLASSES:
            return []
        if construction is receiver:
            arguments = construction.child_by_field_name("arguments")
            inner = [a for a in arguments.named_children if a.type != "comment"] if arguments else []
            return [receiver] + inner[:1]
        return [receiver]

    @staticmethod
    def _condition_text(file: PyFile, node: ts.Node) -> str:
        for ancestor in file.ancestors(node):
            if ancestor.type in ("if_statement", "elif_clause"):
                condition = ancestor.child_by_field_name("condition")
                return file.text_of(condition) if condition is not None else ""
        return ""

    @staticmethod
    def _combined(owner: ts.Node) -> bool:
        condition = owner.child_by_field_name("condition")
        while condition is not None and condition.type in ("parenthesized_expression", "not_operator"):
            condition = condition.named_children[-1] if condition.named_children else None
        return condition is not None and condition.type == "boolean_operator"

    # -- uses -------------------------------------------------------------------

    def _use_kind(self, file: PyFile, use: Call, subjects: list[ts.Node], check: Call) -> str | None:
        wanted = {normalise(file.text_of(s)) for s in subjects}
        if any(rebound_between(file, s, check.node.end_byte, use.node.start_byte) for s in subjects):
            return None
        if file.inside(use.node, ("raise_statement",)):
            return None
        positions = [i for i, a in enumerate(use.args) if self._mentions(file, a, wanted)]
        keywords = [k for k, v in use.kwargs.items() if normalise(file.text_of(v)) in wanted]
        on_receiver = use.receiver is not None and normalise(file.text_of(use.receiver)) in wanted
        name, method = use.name or "", use.method or ""
        if on_receiver and method in _PATHLIB_METHODS:
            return _PATHLIB_METHODS[method]
        if on_receiver and method == "open":
            return self._open_kind(file, use.arg(0, "mode"))
        if not positions and not keywords:
            return None
        if name in ("open", "io.open", "codecs.open", "builtins.open"):
            return self._open_kind(file, use.arg(1, "mode")) if 0 in positions or "file" in keywords else None
        if name == "os.open":
            flags = open_flags(file, use.arg(1, "flags")) or set()
            if {"O_EXCL", "O_TMPFILE"} & flags:
                return ATOMIC
            return FOLLOW if "O_CREAT" in flags or {"O_WRONLY", "O_RDWR", "O_TRUNC"} & flags else READ
        if name in _ATOMIC_CALLS:
            return ATOMIC if 1 in positions or "dst" in keywords else READ
        if name in _DIR_CALLS:
            return DIR if keyword_is_true(file, use, "exist_ok") else MKDIR
        if method == "ensure_tree":
            return DIR
        if name in _COPY_CALLS:
            return FOLLOW if 1 in positions or "dst" in keywords else READ
        if name in _NAME_CALLS:
            return NAME  # acts on the directory entry; a rename onto the path replaces it atomically
        if name in _FOLLOW_CALLS or name.startswith(("subprocess.", "os.exec", "os.spawn")) \
                or method in _EXEC_METHODS:
            return FOLLOW
        if name.startswith(("os.path.", "logging.")) or method in _PURE:
            return None
        if method[:1].isupper():
            return None  # constructing an object (an image model, an exception) does not touch the file
        words = re.findall(r"[a-z]+|[A-Z][a-z]*", method)
        return CREATE if any(w.lower() in _CREATE_VERBS for w in words) else GENERIC

    @staticmethod
    def _mentions(file: PyFile, argument: ts.Node, wanted: set[str]) -> bool:
        """The argument is the path, or a list/tuple literal (an argv) holding it."""
        if normalise(file.text_of(argument)) in wanted:
            return True
        return argument.type in ("list", "tuple") and any(
            normalise(file.text_of(item)) in wanted for item in argument.named_children)

    @staticmethod
    def _open_kind(file: PyFile, mode_node: ts.Node | None) -> str | None:
        mode = file.constant_value(mode_node) if mode_node is not None else "r"
        if not isinstance(mode, str):
            return FOLLOW
        if "x" in mode:
            return ATOMIC
        return FOLLOW if set(mode) & set("wa+") else READ

    @staticmethod
    def _effective(kind: str, absent: bool) -> tuple[str, bool]:
        """(kind, absent) as they matter for the use: "is not a symlink" is a security decision, while
        "is a symlink" only says the name exists."""
        if kind == "link":
            return ("security", True) if absent else ("exists", False)
        return kind, absent

    @staticmethod
    def _confidence(kind: str, absent: bool, what: str) -> Confidence | None:
        if kind == "security":
            if what in (FOLLOW, CREATE):
                return Confidence.HIGH
            return Confidence.LOW if what in (DIR, MKDIR) else Confidence.MEDIUM
        if absent and what in (FOLLOW, CREATE):
            return Confidence.MEDIUM
        if what in (DIR, MKDIR) or (absent and what in (NAME, GENERIC)) or (not absent and what == FOLLOW):
            return Confidence.LOW
        return None  # "exists" then read/remove/hand over: at worst an exception, not worth a finding

    # -- texts ------------------------------------------------------------------

    @staticmethod
    def _values(file: PyFile, check: Call, kind: str, use: Call, what: str, subjects: list[ts.Node],
                absent: bool) -> dict[str, str]:
        path = shorten(file.text_of(subjects[-1] if len(subjects) > 1 else subjects[0]), 60)
        use_name = shorten(file.text_of(use.node.child_by_field_name("function")), 50)
        check_name = shorten(file.text_of(check.node.child_by_field_name("function")), 50)
        if kind == "security":
            race = (f"between them, anyone who can write to the directory can replace `{path}` with a "
                    f"symlink or another file, so what `{check_name}` verified no longer describes the file "
                    f"that `{use_name}` acts on, and `{use_name}` runs on a file of the attacker's choosing with "
                    f"this process's privileges.")
            if check.name == "os.access":
                race += (" os.access() also answers for the real uid/gid, not the effective ones this process "
                         "uses, so it is not an authorisation check in the first place.")
            fix = (f"open `{path}` once (with `os.O_NOFOLLOW`) and check the descriptor with `os.fstat()`, "
                   f"then operate on that descriptor (or `/proc/self/fd/N`) instead of the name; for "
                   f"`{use_name}` on a name, just attempt it and handle PermissionError. Keep the directory that "
                   f"holds `{path}` writable only by this service.")
        elif absent and what in (FOLLOW, CREATE, GENERIC):
            race = (f"the code decides that `{path}` does not exist yet and then has `{use_name}` create or "
                    f"write it. In between, another process can create it first: as a symlink, the write "
                    f"follows it into a file of the attacker's choosing with this process's privileges; as a "
                    f"file the attacker owns, its content is used as if this code had produced it; and two "
                    f"concurrent workers that both saw it missing build it at the same time and corrupt each "
                    f"other's result.")
            fix = (f"create `{path}` exclusively, e.g. `os.open({path}, os.O_WRONLY | os.O_CREAT | os.O_EXCL | "
                   f"os.O_NOFOLLOW, 0o600)` or `open({path}, 'x')`, or build it under a `tempfile.mkstemp()` "
                   f"name in the same directory and `os.replace()` it into place, handling FileExistsError "
                   f"instead of checking first. Serialise concurrent builders of `{path}` with an "
                   f"inter-process lock and keep its directory writable only by this service.")
        else:
            race = (f"`{path}` can be deleted, replaced or turned into a symlink between the check and "
                    f"`{use_name}`, so the check says nothing about the file that is used; the use then fails "
                    f"with an exception the code does not expect, or acts on a different file.")
            fix = (f"call `{use_name}` directly and handle FileNotFoundError/FileExistsError (EAFP), or pass "
                   f"`exist_ok=True` when creating directories.")
        return {
            "path": path,
            "check": shorten(file.text_of(check.node), 60),
            "check_call": check_name,
            "use": shorten(file.text_of(use.node), 70),
            "use_call": use_name,
            "use_line": str(line_of(use.node)),
            "race": race,
            "fix": fix,
        }


def _in_region(node: ts.Node, region: list[ts.Node]) -> ts.Node | None:
    """The statement of `region` containing `node`, if `node` runs there (not in a nested def/lambda)."""
    for statement in region:
        if statement.start_byte <= node.start_byte and node.end_byte <= statement.end_byte:
            current = node.parent
            while current is not None:
                if current.type in NESTED_SCOPES:
                    return None
                if current == statement:
                    break
                current = current.parent
            return statement
    return None


def _calls_in(file: PyFile, region: list[ts.Node]) -> list[Call]:
    """The calls executed by the statements of `region`, in source order."""
    if not region:
        return []
    start, end = region[0].start_byte, region[-1].end_byte
    return [c for c in file.calls if start <= c.node.start_byte < end and _in_region(c.node, region)]

