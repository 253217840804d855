"""Path confined to a directory with `startswith` on an unnormalised path or without a separator.

## What it does
Flags `path.startswith(base)` (also `str(path).startswith(str(base))`) used
as a check (an `if`/`elif` condition, an `assert`, or a validator's return
value) when both sides are paths (by name, or built with `os.path`/`pathlib`)
and either

- the checked path was not normalised first: it is not the result of
  `os.path.realpath`/`abspath`/`normpath` or `Path.resolve()`, so
  `base/../../etc/passwd` starts with `base`; or
- the directory has no trailing separator (`base`, not `base + os.sep`), so
  the sibling `/srv/data-evil/x` starts with `/srv/data`.

Only confinement checks are reported: the checked path is built by joining
something onto the directory it is compared with (`p = os.path.join(base,
name)`, `Path(base) / name`, possibly normalised), or comes from a request (by
dataflow; confidence high). A constant directory (`"/var/lib/app"`) counts
only when the check rejects (`if not p.startswith("/var/lib/app"): raise`) or
the path comes from a request. The separator is also accepted when the same
condition checks the next character (`p[len(base)] == os.sep`).

## Why is this bad?
A string prefix is not a path containment test. Without normalisation, `..`
segments (and symlinks, without `realpath`) take the path anywhere while its
text still starts with the allowed directory; without the separator, any
sibling directory whose name extends the base name passes. Code that relies
on the check to keep a user-chosen file name inside an upload, export or
image directory then reads, overwrites or deletes files outside it
(CWE-1023, leading to CWE-22 path traversal).

## Example
```python
import os

def read_export(base, name):
    path = os.path.join(base, name)
    if not path.startswith(base):
        raise PermissionError(name)
    with open(path) as handle:
        return handle.read()
```

## Use instead
```python
import os

def read_export(base, name):
    base = os.path.realpath(base)
    path = os.path.realpath(os.path.join(base, name))
    if os.path.commonpath([base, path]) != base:
        raise PermissionError(name)
    with open(path) as handle:
        return handle.read()
```

## References
- https://cwe.mitre.org/data/definitions/1023.html
- https://cwe.mitre.org/data/definitions/22.html
- https://docs.python.org/3/library/os.path.html#os.path.commonpath
- https://docs.python.org/3/library/pathlib.html#pathlib.PurePath.is_relative_to
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts

from secreview import taint
from secreview.lang.python.file import PyFile
from secreview.lang.python.flow import gate_of, rejects
from secreview.lang.python.syntax import unwrap
from secreview.model import Confidence, Severity
from secreview.rules import Hit, Rule
from secreview.rules import shorten
from secreview.rules.python._taint import source_note, trace_of


class PathContainmentByStartswith(Rule):
    id = "path-containment-by-startswith"
    cwe = 1023
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    message = "`{path}.startswith({base})` does not confine the path: {short}"
    description = (
        "`{code}` checks that `{path}` lies inside `{base}` by comparing string prefixes. {problem} A file "
        "name chosen by an attacker therefore passes the check while pointing outside `{base}`, and whatever "
        "this check protects (reading, writing, extracting or deleting the file) happens on a file of the "
        "attacker's choice."
    )
    solution = (
        "Normalise both paths and compare whole components: `base = os.path.realpath({base})`, `target = "
        "os.path.realpath({path})`, then `os.path.commonpath([base, target]) == base` (or, with pathlib, "
        "`Path({path}).resolve().is_relative_to(Path({base}).resolve())`)."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        analysis = None
        for call in file.method_calls("startswith"):
            if call.receiver is None or len(call.args) != 1 or call.kwargs:
                continue
            path, base = call.receiver, call.args[0]
            gate = gate_of(file, call.node)
            if gate is None or not _names_a_path(file, base, strong=True) or not _names_a_path(file, path):
                continue
            constant_base = file.is_constant(base)
            if constant_base and not re.match(r"^(?:/|~/)[^/]*[A-Za-z0-9]", str(file.constant_value(base))):
                continue  # a directory, not a bare "/" or "//" prefix test
            analysis = analysis or taint.analysis_for(file)
            verdict = taint.provenance(analysis, path, "path")
            if constant_base and not (rejects(file, gate) or verdict.from_source):
                continue
            if not verdict.from_source and not _built_from(file, path, base):
                continue  # a classification of paths (is this under the data dir?), not a confinement check
            normalised = _is_normalised_path(file, path)
            separated = _has_trailing_separator(file, base) or _checks_boundary(file, gate.statement)
            if normalised and separated:
                continue
            problems = []
            if not normalised:
                problems.append(f"`{shorten(file.text_of(path), 50)}` is not normalised first, so `..` segments "
                                f"(`<base>/../../etc/passwd`) still start with the base directory.")
            if not separated:
                problems.append(f"`{shorten(file.text_of(base), 50)}` has no trailing separator, so a sibling "
                                f"directory such as `<base>-evil/...` also starts with it.")
            values = {"path": shorten(file.text_of(path), 50), "base": shorten(file.text_of(base), 50),
                      "problem": " ".join(problems),
                      "short": "`..` is not normalised" if not normalised else "no trailing separator"}
            if verdict.from_source:
                yield Hit(call.node, values, confidence=Confidence.HIGH, data=path,
                          trace=trace_of(verdict) + ((call.node, "confined by a string prefix"),),
                          note=source_note(file, verdict, f"the check `{shorten(file.text_of(call.node), 60)}`"))
            else:
                yield Hit(call.node, values, data=path)


def _checks_boundary(file: PyFile, statement) -> bool:
    """The same condition also checks the character after the prefix (`p[len(base)] == os.sep`)."""
    condition = statement.child_by_field_name("condition") if statement.type != "return_statement" \
        else (statement.named_children[0] if statement.named_children else None)
    text = file.text_of(condition) if condition is not None else ""
    return "os.sep" in text or "os.path.sep" in text or "'/'" in text or '"/"' in text


_PATH_WORDS = re.compile(r"(?:^|_)(?:path|paths|dir|dirs|dirname|directory|root|base|basedir|basepath|folder|"
                         r"mount|mountpoint|home|cwd|tmpdir|workdir|jail|chroot|upload|uploads|export|exports|"
                         r"storage|media|static|allowed)(?:$|_)|(?:Path|Dir|Root|Directory|Folder)$", re.I)
_FILE_WORDS = re.compile(r"(?:^|_)(?:file|filename|fname|fpath|target|dest|destination|location|member|entry|"
                         r"full|real|abs|resolved|candidate|requested|src|source)(?:$|_)", re.I)
_PATH_NORMALISERS = frozenset({"realpath", "abspath", "normpath", "resolve", "canonicalize", "canonicalise"})
_PATH_BUILDERS = frozenset({"realpath", "abspath", "normpath", "resolve", "join", "dirname", "expanduser",
                            "getcwd", "gettempdir", "Path", "PurePath", "PosixPath", "absolute", "mkdtemp"})
_SEPARATORS = ("/", "\\")
_PATH_WRAPPERS = frozenset({"str", "fspath", "Path", "PurePath", "PosixPath", "absolute", "expanduser"})


def _callee_last(file: PyFile, call: ts.Node) -> str:
    function = call.child_by_field_name("function")
    if function is None:
        return ""
    if function.type == "attribute":
        return file.text_of(function.child_by_field_name("attribute"))
    return file.text_of(function)


def _names_a_path(file: PyFile, node: ts.Node | None, strong: bool = False, depth: int = 0) -> bool:
    """True when the expression holds a file-system path: its name says so, or it is built by
    `os.path`/`pathlib`. `strong` asks for a directory-like name (base, root, dir, ...)."""
    node = unwrap(node)
    if node is None or depth > 3:
        return False
    if node.type == "call":
        last = _callee_last(file, node)
        if last == "str" or last in ("rstrip", "lower", "as_posix", "__str__", "fspath"):
            function = node.child_by_field_name("function")
            inner = function.child_by_field_name("object") if function is not None and function.type == "attribute" \
                else next(iter(file.call_at(node).args), None)
            return _names_a_path(file, inner, strong, depth + 1)
        return last in _PATH_BUILDERS
    if node.type == "binary_operator":
        right = file.constant_value(node.child_by_field_name("right"))
        if isinstance(right, str) and not right.startswith(_SEPARATORS):
            return False  # `NAME_BASE + "-"`: a name prefix, not a directory
        return _names_a_path(file, node.child_by_field_name("left"), strong, depth + 1)
    if node.type in ("string", "concatenated_string"):
        value = file.constant_value(node)
        return isinstance(value, str) and value.startswith(("/", "~/")) and len(value) > 1
    if node.type == "attribute":
        name = file.text_of(node.child_by_field_name("attribute"))
    elif node.type == "identifier":
        name = file.text_of(node)
        bindings = file.reaching_bindings(node)
        if len(bindings) == 1:
            value = file.bound_value(*bindings[0])
            if value is not None and value.type in ("call", "string") \
                    and _names_a_path(file, value, strong, depth + 1):
                return True
    else:
        return False
    return bool(_PATH_WORDS.search(name) or (not strong and _FILE_WORDS.search(name)))


def _is_normalised_path(file: PyFile, node: ts.Node | None, depth: int = 0) -> bool:
    """True when the path went through `realpath`/`abspath`/`normpath`/`resolve()` on every binding."""
    node = unwrap(node)
    if node is None or depth > 4:
        return False
    if node.type == "call":
        last = _callee_last(file, node)
        if last in _PATH_NORMALISERS:
            return True
        if last in ("str", "fspath", "as_posix", "rstrip", "lower", "__str__"):
            function = node.child_by_field_name("function")
            inner = function.child_by_field_name("object") if function is not None and function.type == "attribute" \
                else next(iter(file.call_at(node).args), None)
            return _is_normalised_path(file, inner, depth + 1)
        return False
    if node.type == "identifier":
        bindings = file.reaching_bindings(node)
        values = [file.bound_value(*binding) for binding in bindings]
        return bool(values) and all(v is not None and _is_normalised_path(file, v, depth + 1) for v in values)
    return False


def _built_from(file: PyFile, path: ts.Node | None, base: ts.Node, depth: int = 0) -> bool:
    """True when `path` is built by joining something onto `base`: `os.path.join(base, name)`,
    `base + "/" + name`, `f"{base}/{name}"`, `base / name`, possibly inside `realpath(...)`/`str(...)`,
    or a name bound to such a value."""
    path = unwrap(path)
    base_text = _path_core(file, base)
    if path is None or depth > 4:
        return False
    if path.type == "call":
        last = _callee_last(file, path)
        function = path.child_by_field_name("function")
        receiver = function.child_by_field_name("object") if function.type == "attribute" else None
        args = file.call_at(path).args
        if last == "join" and args and (receiver is None or not file.is_constant(receiver)):
            first = args[0]
        elif last == "joinpath" and receiver is not None:
            first = receiver
        elif last in _PATH_NORMALISERS or last in _PATH_WRAPPERS:
            inner = args[0] if args else receiver
            return inner is not None and _built_from(file, inner, base, depth + 1)
        else:
            return False
        return _same_base(file, first, base_text) or _built_from(file, first, base, depth + 1)
    if path.type == "binary_operator":
        left = path.child_by_field_name("left")
        return _same_base(file, left, base_text) or _built_from(file, left, base, depth + 1)
    if path.type == "string":
        interpolations = [c for c in path.named_children if c.type == "interpolation"]
        return bool(interpolations) and _same_base(file, interpolations[0].named_children[0], base_text)
    if path.type == "identifier":
        return any(_built_from(file, file.bound_value(b, i), base, depth + 1)
                   for b, i in file.reaching_bindings(path))
    return False


def _same_base(file: PyFile, node: ts.Node | None, base_text: str) -> bool:
    return node is not None and _path_core(file, node) == base_text


def _path_core(file: PyFile, node: ts.Node) -> str:
    """The text of a directory expression without its wrappers: `str(Path(base)) + os.sep` -> `base`."""
    current = unwrap(node) or node
    for _ in range(6):
        if current.type == "binary_operator" and _is_separator(file, current.child_by_field_name("right")):
            current = unwrap(current.child_by_field_name("left")) or current
            continue
        if current.type == "call" and (_callee_last(file, current) in _PATH_NORMALISERS
                                       or _callee_last(file, current) in _PATH_WRAPPERS):
            args = file.call_at(current).args
            function = current.child_by_field_name("function")
            inner = args[0] if args else (function.child_by_field_name("object")
                                          if function.type == "attribute" else None)
            if inner is None:
                break
            current = unwrap(inner) or inner
            continue
        break
    return "".join(file.text_of(current).split())


def _has_trailing_separator(file: PyFile, node: ts.Node | None, depth: int = 0) -> bool:
    """True when the directory text ends with a separator: `base + os.sep`, `"/srv/data/"`,
    `os.path.join(base, "")`, `f"{base}/"`, or a name bound (or `+=`-extended) to such a value."""
    node = unwrap(node)
    if node is None or depth > 4:
        return False
    value = file.constant_value(node)
    if isinstance(value, str):
        return value.endswith(_SEPARATORS)
    if node.type == "binary_operator":
        right = node.child_by_field_name("right")
        return _is_separator(file, right) or _has_trailing_separator(file, right, depth + 1)
    if node.type == "call":
        last = _callee_last(file, node)
        args = file.call_at(node).args
        if last == "join" and args:
            return file.constant_value(args[-1]) == "" or _is_separator(file, args[-1])
        if last == "str" and args:
            return _has_trailing_separator(file, args[0], depth + 1)
        return False
    if node.type == "string":  # f-string
        parts = [c for c in node.named_children if c.type in ("string_content", "interpolation")]
        return bool(parts) and parts[-1].type == "string_content" and file.text_of(parts[-1]).endswith(_SEPARATORS)
    if node.type == "identifier":
        for binding, identifier in file.reaching_bindings(node):
            if binding.type == "augmented_assignment":
                if _is_separator(file, binding.child_by_field_name("right")) or \
                        _has_trailing_separator(file, binding.child_by_field_name("right"), depth + 1):
                    return True
            elif _has_trailing_separator(file, file.bound_value(binding, identifier), depth + 1):
                return True
    return False


def _is_separator(file: PyFile, node: ts.Node | None) -> bool:
    node = unwrap(node)
    if node is None:
        return False
    if file.constant_value(node) in _SEPARATORS:
        return True
    return (file.qualified_name(node) or "") in ("os.sep", "os.path.sep", "posixpath.sep", "os.altsep")
