"""Shell started with `exec*`/`spawn*` (`sh -c`, `cmd /c`) running a non-constant script.

## What it does
Flags `execl`, `execlp`, `execle`, `_spawnl`... calls, and `execv`, `execvp`,
`posix_spawn`, `_spawnv`... calls with a local `argv` array, that start a
shell (`sh`, `bash`, `/bin/sh`, `cmd.exe`...) with `-c` (or `/c`, `/k`) and
pass a script that is not fixed by the program (neither a literal nor a
local buffer that only receives literal text).

## Why is this bad?
`exec` without a shell is safe from injection because each argument reaches
the program unparsed. Starting a shell with `-c` throws that away: the script
argument is parsed by the shell, so input inside it can add commands with
`;`, `|`, `&&`, `$(...)` or backticks (CWE-78).

## Example
```c
#include <unistd.h>

void list(const char *directory) {
    char script[256];
    snprintf(script, sizeof script, "ls %s", directory);
    execl("/bin/sh", "sh", "-c", script, (char *)NULL);
}
```

## Use instead
```c
#include <unistd.h>

void list(const char *directory) {
    execl("/bin/ls", "ls", "--", directory, (char *)NULL);
}
```

## References
- https://cwe.mitre.org/data/definitions/78.html
- https://wiki.sei.cmu.edu/confluence/display/c/ENV33-C.+Do+not+call+system%28%29
"""

from __future__ import annotations

from secreview.lang.c_family.expressions import is_constant_string, literal_text
from secreview.lang.c_family.file import Call, CFile, strip_casts
from secreview.lang.c_family.shells import SCRIPT_FLAGS, is_shell
from secreview.model import Confidence, Severity
from secreview.rules import shorten
from secreview.rules.c import DATA, CCallRule
from secreview.rules.c._taint import TaintJudged

_LIST_EXECS = ("execl", "execlp", "execle", "_execl", "_execlp", "_execle", "_wexecl", "_wexeclp",
               "_spawnl", "_spawnlp", "_wspawnl", "_wspawnlp")
# The argv-array forms: the arguments come from a `char *argv[] = {...}` array.
_VECTOR_EXECS = ("execv", "execvp", "execve", "execvpe", "_execv", "_execvp", "_wexecv", "_wexecvp",
                 "_spawnv", "_spawnvp", "_wspawnv", "_wspawnvp", "posix_spawn", "posix_spawnp")


class ExecShellNonLiteral(TaintJudged, CCallRule):
    id = "exec-shell-non-literal"
    cwe = 78
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    vulnerability = "cmdi"
    callees = _LIST_EXECS + _VECTOR_EXECS
    message = "`{callee}` runs a shell script built from non-constant text: {argument}"
    description = (
        "`{code}` starts the shell `{shell}` with `{flag}`, so `{argument}` is parsed as shell code. That "
        "text is not fixed by the program: if any part of it comes from input, metacharacters (`;`, `|`, "
        "`&&`, `$(...)`, backticks) let an attacker run commands of their choosing with this process's "
        "privileges."
    )
    solution = (
        "Execute the target program directly (`execl(\"/bin/prog\", \"prog\", \"--\", value, (char *)NULL)`) so "
        "each value stays one argument and no shell parses it."
    )

    def matches(self, file: CFile, call: Call) -> dict | None:
        name = call.method or ""
        offset = 1 if name.startswith(("_spawn", "_wspawn")) else 0  # spawn takes a mode first
        if name.startswith("posix_spawn"):
            offset = 1  # posix_spawn(&pid, path, actions, attributes, argv, envp)
        program = literal_text(file, call.arg(offset))
        if program is None or not is_shell(program):
            return None
        if name in _VECTOR_EXECS:
            vector = call.arg(4 if name.startswith("posix_spawn") else offset + 1)
            arguments = _array_items(file, vector)
        else:
            arguments = list(call.args[offset + 1:])
        return self._script_after_flag(file, call, program, arguments)

    @staticmethod
    def _script_after_flag(file: CFile, call: Call, program: str, arguments: list) -> dict | None:
        texts = [literal_text(file, argument) for argument in arguments]
        for index in range(len(arguments) - 1):
            if texts[index] in SCRIPT_FLAGS:
                script = arguments[index + 1]
                if file.is_null(script) or is_constant_string(file, script, call.node):
                    return None
                return {"argument": shorten(file.text_of(script)), "shell": program, "flag": texts[index],
                        DATA: script}
        return None


def _array_items(file: CFile, vector) -> list:
    """The entries of a local `char *argv[] = {...}` array named by `vector`, else []."""
    vector = strip_casts(vector)
    variable = file.variable(vector) if vector is not None and vector.type == "identifier" else None
    if variable is None or variable.initializer is None or variable.initializer.type != "initializer_list":
        return []
    return list(variable.initializer.named_children)
