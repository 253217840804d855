"""`QProcess` runs a shell (`sh -c`, `cmd /c`) or a whole command line built from non-constant text.

## What it does
Flags `QProcess::start`, `startDetached`, `execute` and `startCommand` calls
that either start a shell (`sh`, `bash`, `/bin/sh`, `cmd.exe`...) with `-c`
(or `/c`) and a non-constant script in the argument list, or pass a single
non-constant command line (the forms that split one string into program and
arguments) on a receiver declared as a `QProcess`.

## Why is this bad?
The list form of `QProcess::start(program, arguments)` is injection-safe
because no shell is involved. Starting a shell with `-c` gives that up: the
script is parsed by the shell, so input inside it adds commands with `;`,
`|`, `$(...)`. The single-string forms let input choose the program itself
and its arguments (CWE-78).

## Example
```cpp
#include <QProcess>

void archive(QProcess &process, const QString &name) {
    process.start("sh", QStringList() << "-c" << "tar czf backup.tgz " + name);
}
```

## Use instead
```cpp
#include <QProcess>

void archive(QProcess &process, const QString &name) {
    process.start("tar", QStringList() << "czf" << "backup.tgz" << "--" << name);
}
```

## References
- https://cwe.mitre.org/data/definitions/78.html
- https://doc.qt.io/qt-6/qprocess.html#start
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts

from secreview.lang.c_family.expressions import literal_text
from secreview.lang.c_family.file import Call, CFile
from secreview.lang.c_family.qt import receiver_type
from secreview.lang.c_family.shells import SCRIPT_FLAGS, is_shell
from secreview.model import Confidence, Severity
from secreview.rules import Hit, shorten
from secreview.rules.c import CppRule
from secreview.rules.c._taint import TaintJudged

_METHODS = ("start", "startDetached", "execute", "startCommand")


class QprocessShellCommand(TaintJudged, CppRule):
    id = "qprocess-shell-command"
    cwe = 78
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    vulnerability = "cmdi"
    message = "`QProcess::{callee}` runs {what}: {argument}"
    description = (
        "`{code}` runs {what}. The text `{argument}` is not fixed by the program, so if any part of it "
        "comes from input, an attacker can add shell commands (`;`, `|`, `$(...)`) or pick the program that "
        "runs, with this process's privileges."
    )
    solution = (
        "Start the program directly with a fixed program name and one list entry per argument, e.g. "
        "`process.start(\"prog\", {{\"--\", value}})`, so that no shell or command-line splitting is involved."
    )

    def check(self, file: CFile) -> Iterator[Hit]:
        calls = file.method_calls(*_METHODS) + file.calls_to("QProcess::execute", "QProcess::startDetached")
        for call in sorted(calls, key=lambda c: c.node.start_byte):
            found = self._shell_script(file, call) or self._command_line(file, call)
            if found is not None:
                what, argument = found
                yield Hit(call.node, {"callee": call.method or "start", "what": what,
                                      "argument": shorten(file.text_of(argument))}, data=argument)

    def _shell_script(self, file: CFile, call: Call) -> tuple[str, ts.Node] | None:
        program = literal_text(file, call.arg(0))
        if len(call.args) < 2 or program is None or not is_shell(program):
            return None
        pieces = _list_items(file, call.args[1])
        for index, piece in enumerate(pieces[:-1]):
            if literal_text(file, piece) in SCRIPT_FLAGS:
                script = pieces[index + 1]
                if literal_text(file, script) is None:
                    return f"a `{program}` script built from non-constant text", script
        return None

    def _command_line(self, file: CFile, call: Call) -> tuple[str, ts.Node] | None:
        if len(call.args) != 1 or literal_text(file, call.args[0]) is not None:
            return None
        qprocess = call.name is not None or "QProcess" in receiver_type(file, call.receiver)
        return ("a whole command line built from non-constant text", call.args[0]) if qprocess else None


def _list_items(file: CFile, node: ts.Node) -> list[ts.Node]:
    """Entries of `QStringList() << a << b`, `{a, b}`, `QStringList{a, b}` / `QStringList({a, b})`."""
    if node.type == "binary_expression" and file.text_of(node.child_by_field_name("operator")) == "<<":
        return _list_items(file, node.child_by_field_name("left")) + [node.child_by_field_name("right")]
    if node.type == "initializer_list":
        return list(node.named_children)
    if node.type in ("compound_literal_expression", "call_expression"):
        inner = node.child_by_field_name("value") or node.child_by_field_name("arguments")
        if inner is not None:
            items = [c for c in inner.named_children]
            return _list_items(file, items[0]) if len(items) == 1 and items[0].type == "initializer_list" else items
    return []
