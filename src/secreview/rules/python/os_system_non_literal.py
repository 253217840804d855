"""Shell command run through os.system/os.popen with a non-constant command line.

## What it does
Flags calls that always hand their command string to a shell (`os.system`,
`os.popen`, `os.popen2/3/4`, the Python 2 `popen2` and `commands` modules,
`platform.popen`, `asyncio.create_subprocess_shell`) and `os.spawn*` calls that
start `/bin/sh -c`, when the command is not a constant string.

## Why is this bad?
These functions run the command with `/bin/sh -c` (or `cmd.exe /c`). Any part
of the command that can be influenced from outside can carry shell
metacharacters (`;`, `|`, `&&`, `$(...)`, backticks, newlines) that end the
intended command and start another one with the privileges of the process
(CWE-78, OS command injection). Quoting by hand is easy to get wrong.

## Example
```python
import os

def ping(host):
    os.system("ping -c 1 " + host)
```

## Use instead
```python
import subprocess

def ping(host):
    subprocess.run(["ping", "-c", "1", "--", host], check=True)
```

## References
- https://cwe.mitre.org/data/definitions/78.html
- https://docs.python.org/3/library/os.html#os.system
- https://docs.python.org/3/library/subprocess.html#replacing-os-system
"""

from __future__ import annotations

import posixpath

from secreview.lang.python.file import Call, PyFile
from secreview.lang.python.strings import argument_text
from secreview.lang.python.syntax import unwrap
from secreview.model import Confidence, Severity
from secreview.rules.python import CallRule
from secreview.rules.python._taint import TaintAware

_ALWAYS_SHELL = (
    "os.system", "os.popen", "os.popen2", "os.popen3", "os.popen4", "platform.popen",
    "commands.getoutput", "commands.getstatusoutput",
    "asyncio.create_subprocess_shell",
)
# popen2 runs a string through /bin/sh but a list directly.
_SHELL_IF_STRING = ("popen2.popen2", "popen2.popen3", "popen2.popen4", "popen2.Popen3", "popen2.Popen4")
_SPAWN = tuple(f"os.spawn{suffix}" for suffix in ("l", "le", "lp", "lpe", "v", "ve", "vp", "vpe"))
_SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh", "csh", "tcsh", "ash", "busybox", "cmd", "cmd.exe"})


class OsSystemNonLiteral(TaintAware, CallRule):
    vulnerability = "cmdi"
    id = "os-system-non-literal"
    family = "command-injection"
    cwe = 78
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    callees = _ALWAYS_SHELL + _SHELL_IF_STRING + _SPAWN
    message = "`{callee}` runs a non-constant command through the shell: {argument}"
    description = (
        "`{callee}` passes `{argument}` to /bin/sh -c. The command line is not a constant, so if any part "
        "of it can be influenced from outside (a request parameter, a file name, a configuration value), "
        "shell metacharacters such as `;`, `|`, `&&`, `$(...)` or a newline end the intended command and "
        "run arbitrary other commands with this process's privileges."
    )
    solution = (
        "Replace `{callee}` with `subprocess.run([...], check=True)` and pass the program and each "
        "argument as separate list items (no shell=True), e.g. `subprocess.run([\"prog\", \"--\", value])`; "
        "if a shell is unavoidable, quote every variable part with `shlex.quote()` after validating it "
        "against an allow-list."
    )

    def matches(self, file: PyFile, call: Call) -> dict[str, str] | None:
        if call.name in _SPAWN:
            return self._spawn(file, call)
        command = call.arg(0, "cmd") or call.arg(None, "command")
        command = unwrap(command)
        if command is None or file.is_constant(command):
            return None
        if call.name in _SHELL_IF_STRING and command.type in ("list", "tuple", "list_comprehension"):
            return None
        return {"argument": argument_text(file, command)}

    def _spawn(self, file: PyFile, call: Call) -> dict[str, str] | None:
        # os.spawnl(mode, "/bin/sh", "sh", "-c", cmd) / os.spawnv(mode, "/bin/sh", ["sh", "-c", cmd])
        program = file.constant_value(call.arg(1, "file") or call.arg(1, "path"))
        if not isinstance(program, str) or posixpath.basename(program).lower() not in _SHELLS:
            return None
        rest = list(call.args[2:])
        if call.name.startswith("os.spawnv") and rest and unwrap(rest[0]).type in ("list", "tuple"):
            rest = list(unwrap(rest[0]).named_children)
        values = [file.constant_value(node) for node in rest]
        for index, value in enumerate(values):
            if value in ("-c", "/c", "/C") and index + 1 < len(rest) and not file.is_constant(rest[index + 1]):
                return {"argument": argument_text(file, rest[index + 1])}
        return None
