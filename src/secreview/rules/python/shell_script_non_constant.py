"""Shell started explicitly (`sh -c`, `cmd /c`) with a non-constant script.

## What it does
Flags process-spawning calls (`subprocess.run`, `call`, `check_call`,
`check_output`, `Popen`, `os.execv*`, `os.spawnv*`) whose argument list starts
with a shell (`sh`, `bash`, `/bin/sh`, `cmd.exe`, `powershell`, ...) and a
script flag (`-c`, `/c`, `-Command`), when the script itself is not a
constant string.

## Why is this bad?
Passing a list instead of `shell=True` only avoids the shell when the program
is not itself a shell. `["sh", "-c", script]` hands `script` to the shell
parser exactly like `shell=True` does, so attacker-influenced text in it can
chain commands with `;`, `&&`, `|` or `$(...)` (CWE-78).

## Example
```python
import subprocess

def greet(name):
    subprocess.run(["sh", "-c", f"echo hello {name}"])
```

## Use instead
```python
import subprocess

def greet(name):
    subprocess.run(["echo", "hello", name])
```

## References
- https://cwe.mitre.org/data/definitions/78.html
- https://docs.python.org/3/library/subprocess.html#security-considerations
"""

from __future__ import annotations

import posixpath

from secreview import taint
from secreview.lang.python.file import Call, PyFile
from secreview.model import Confidence, Severity
from secreview.rules import shorten
from secreview.rules.python import CallRule
from secreview.rules.python._taint import TaintAware
from secreview.taint.analysis import UNKNOWN

_SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh", "csh", "tcsh", "ash", "busybox",
                     "cmd", "cmd.exe", "powershell", "powershell.exe", "pwsh"})
_SCRIPT_FLAGS = frozenset({"-c", "/c", "/C", "-Command", "-command", "-lc", "-ec"})
_SPAWNERS = ("run", "call", "check_call", "check_output", "Popen")


def _shell_name(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    name = posixpath.basename(value.replace("\\", "/")).lower()
    return name if name in _SHELLS else None


class ShellScriptNonConstant(TaintAware, CallRule):
    vulnerability = "cmdi"
    id = "shell-script-non-constant"
    family = "command-injection"
    cwe = 78
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    callees = tuple(f"subprocess.{name}" for name in _SPAWNERS) + (
        "os.execv", "os.execve", "os.execvp", "os.execvpe", "os.spawnv", "os.spawnve", "os.spawnvp", "os.spawnvpe")
    message = "`{shell} {flag}` runs a non-constant script: {argument}"
    description = (
        "`{callee}` starts the shell `{shell}` with `{flag}` and the script `{argument}`, which is not a "
        "constant. The list form does not protect anything here: the shell parses the script, so any "
        "outside data inside it can add commands with `;`, `&&`, `|`, backticks or `$(...)` and run them "
        "with this process's privileges."
    )
    solution = (
        "Run the program directly with its arguments as list items (no shell), e.g. "
        "`subprocess.run([\"echo\", value])`. If shell features are unavoidable, keep the script constant "
        "and pass data as positional parameters: `[\"{shell}\", \"{flag}\", 'echo \"$1\"', \"--\", value]`."
    )

    def matches(self, file: PyFile, call: Call) -> dict[str, str] | None:
        found = _shell_invocation(file, _argv(call))
        if found is None:
            return None
        shell, flag, script = found
        return {"shell": shell, "flag": flag, "argument": shorten(file.text_of(script))}

    def data_argument(self, file: PyFile, call: Call):
        found = _shell_invocation(file, _argv(call))
        return found[2] if found is not None else None


def _argv(call: Call):
    return call.arg(1 if call.name and call.name.startswith("os.") else 0, "args")


def _shell_invocation(file: PyFile, argv) -> tuple[str, str, object] | None:
    """(shell, flag, node holding the script) when `argv` is `[shell, "-c", script, ...]`.

    A list literal is read directly; a list built step by step (`args.append("sh")` ...)
    is read from the dataflow analysis, whose value keeps the items in order.
    """
    if argv is None:
        return None
    if argv.type in ("list", "tuple"):
        items = argv.named_children
        if len(items) < 3 or file.is_constant(items[2]):
            return None
        shell, flag = _shell_name(file.constant_value(items[0])), file.constant_value(items[1])
        return (shell, flag, items[2]) if shell and flag in _SCRIPT_FLAGS else None
    if argv.type != "identifier":
        return None
    value = taint.analysis_for(file).value_of(argv)
    if value is None or value.items is None or len(value.items) < 3:
        return None
    program, flag, script = value.items[:3]
    shell = _shell_name(program.const) or ("a shell" if program.const is UNKNOWN else None)
    if shell is None or flag.const not in _SCRIPT_FLAGS or script.const is not UNKNOWN:
        return None
    return shell, flag.const, argv
