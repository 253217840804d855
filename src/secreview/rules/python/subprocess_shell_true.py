"""Command run through a shell with a non-constant command line.

## What it does
Flags `subprocess` calls (`run`, `call`, `check_call`, `check_output`,
`Popen`, `getoutput`, `getstatusoutput`) that pass `shell=True` together
with a command that is not a constant string.

## Why is this bad?
With `shell=True` the command string is interpreted by `/bin/sh`. If any part
of it comes from outside (a request, a file name, a configuration value an
attacker can influence), shell metacharacters such as `;`, `|`, `$(...)` or
backticks let the attacker run arbitrary commands with the privileges of the
process (CWE-78, OS command injection).

## Example
```python
import subprocess

def archive(name):
    subprocess.run("tar czf backup.tgz " + name, shell=True)
```

## Use instead
```python
import subprocess

def archive(name):
    subprocess.run(["tar", "czf", "backup.tgz", "--", name])
```

## References
- https://cwe.mitre.org/data/definitions/78.html
- https://docs.python.org/3/library/subprocess.html#security-considerations
"""

from __future__ import annotations

from secreview.lang.python.constants import keyword_is_true
from secreview.lang.python.file import Call, PyFile
from secreview.model import Confidence, Severity
from secreview.rules import shorten
from secreview.rules.python import CallRule
from secreview.rules.python._taint import TaintAware

_SHELL_FUNCTIONS = ("run", "call", "check_call", "check_output", "Popen")
_ALWAYS_SHELL = ("getoutput", "getstatusoutput")


class SubprocessShellTrue(TaintAware, CallRule):
    vulnerability = "cmdi"
    id = "subprocess-shell-true"
    family = "command-injection"
    cwe = 78
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    callees = tuple(f"subprocess.{name}" for name in _SHELL_FUNCTIONS + _ALWAYS_SHELL)
    message = "Shell command built from non-constant data: {argument}"
    description = (
        "`{callee}` runs `{argument}` through /bin/sh (shell=True). The command line is not a constant, "
        "so if any part of it can be influenced from outside, shell metacharacters (`;`, `|`, `&&`, "
        "`$(...)`, backticks) let an attacker append and run arbitrary commands with this process's "
        "privileges."
    )
    solution = (
        "Pass the command as a list of arguments without shell=True (e.g. `subprocess.run([\"prog\", "
        "arg])`), so no shell parses it; if a shell is truly needed, quote every variable part with "
        "`shlex.quote()` and validate it against an allow-list first."
    )

    def matches(self, file: PyFile, call: Call) -> dict[str, str] | None:
        always = call.name is not None and call.name.rsplit(".", 1)[-1] in _ALWAYS_SHELL
        if not always and not keyword_is_true(file, call, "shell"):
            return None
        command = self.data_argument(file, call)
        if command is None or file.is_constant(command):
            return None
        return {"argument": shorten(file.text_of(command))}

    def data_argument(self, file: PyFile, call: Call):
        return call.arg(0, "args") or call.arg(None, "cmd")
