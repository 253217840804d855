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

from secreview import taint
from secreview.lang.python.file import PyFile
from secreview.model import Confidence, Severity
from secreview.rules import Hit, Rule
from secreview.rules.python._exceptional import built_from, gate_of, has_trailing_separator, is_normalised_path, \
    names_a_path, rejects
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
            if gate is None or not names_a_path(file, base, strong=True) or not names_a_path(file, path):
                continue
            constant_base = file.is_constant(base)
            if constant_base and not re.match(r"^(?:/|~/)[^/]*[A-Za-z0-9]", str(file.constant_value(base))):
                continue  # a directory, not a bare "/" or "//" prefix test
            analysis = analysis or taint.analysis_for(file)
            verdict = taint.provenance(analysis, path, "path")
            if constant_base and not (rejects(file, gate) or verdict.from_source):
                continue
            if not verdict.from_source and not built_from(file, path, base):
                continue  # a classification of paths (is this under the data dir?), not a confinement check
            normalised = is_normalised_path(file, path)
            separated = has_trailing_separator(file, base) or _checks_boundary(file, gate.statement)
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
