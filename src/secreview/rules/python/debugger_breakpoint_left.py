"""Debugger breakpoint or remote debugger left in the code.

## What it does
Flags calls that stop the program in a debugger or open a debugger to the
network: `pdb.set_trace()`, `breakpoint()`, `pdb.post_mortem()`,
`ipdb`/`pudb`/`pdbpp`/`wdb` `set_trace()`, Celery's `rdb.set_trace()`,
remote debuggers (`rpdb`, `remote_pdb`, `web_pdb`, `debugpy.listen()`,
`ptvsd.enable_attach()`, `pydevd.settrace()`) and `IPython.embed()` /
`code.interact()`, with any import alias (`from pdb import set_trace as
st`). Calls guarded by a debug switch (`if args.pdb:`, `if DEBUG:`) and
calls inside functions whose name says they start a debugger are deliberate
and not reported.

## Why is this bad?
A forgotten breakpoint in a server stops the request thread and waits for
input on the process's stdin: the worker hangs (denial of service), or, when
stdin is attached to a terminal or a socket, whoever controls it gets an
interactive Python prompt inside the application, with its credentials and
data. Remote debuggers are worse: `rpdb`, `remote_pdb`, `web_pdb` and
`debugpy.listen()` open a TCP port that gives anyone who reaches it
arbitrary code execution, without authentication.

## Example
```python
import pdb

def transfer(account, amount):
    pdb.set_trace()
    account.withdraw(amount)
```

## Use instead
```python
import logging

log = logging.getLogger(__name__)

def transfer(account, amount):
    log.debug("transfer %s from %s", amount, account.id)
    account.withdraw(amount)
```

## References
- https://cwe.mitre.org/data/definitions/489.html
- https://docs.python.org/3/library/pdb.html
- https://docs.python.org/3/library/functions.html#breakpoint
"""

from __future__ import annotations

from collections.abc import Iterator

from secreview.lang.python.file import PyFile
from secreview.lang.python.flow import conditions_enclosing
from secreview.lang.python.scopes import function_of
from secreview.model import Confidence, Severity
from secreview.rules import Hit, Rule
from secreview.knowledge.vocabulary import words

_LOCAL = {
    "pdb.set_trace", "pdb.post_mortem", "pdb.pm", "pdb.Pdb.set_trace",
    "ipdb.set_trace", "ipdb.post_mortem", "ipdb.pm", "ipdb.sset_trace", "pudb.set_trace", "pudb.post_mortem",
    "pdbpp.set_trace", "bpdb.set_trace", "trepan.api.debug", "IPython.embed", "IPython.terminal.embed.embed",
    "code.interact", "breakpoint", "builtins.breakpoint",
}
_REMOTE = {
    "rpdb.set_trace", "rpdb.Rpdb.set_trace", "remote_pdb.set_trace", "remote_pdb.RemotePdb.set_trace",
    "web_pdb.set_trace", "web_pdb.WebPdb.set_trace", "celery.contrib.rdb.set_trace", "wdb.set_trace",
    "debugpy.listen", "debugpy.wait_for_client", "ptvsd.enable_attach", "ptvsd.wait_for_attach",
    "pydevd.settrace", "madbg.set_trace", "pydevd_pycharm.settrace",
}
_DEBUG_WORDS = frozenset({"debug", "debugger", "pdb", "breakpoint", "break", "trace", "debugging", "interact", "embed",
                          "shell", "console", "repl"})


class DebuggerBreakpointLeft(Rule):
    id = "debugger-breakpoint-left"
    cwe = 489
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    message = "Debugger breakpoint left in the code: {code}"
    description = (
        "`{code}` {effect} Nothing switches this call off in production: left in code that serves requests or runs "
        "unattended, {impact}"
    )
    solution = (
        "Remove `{code}` (use logging, or run the program under `python -m pdb` / an IDE when you need a "
        "debugger); if a debug hook must stay, put it behind an explicit opt-in switch that is off by "
        "default and never listens on a network interface."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        for call in file.calls:
            name = self._debugger_name(file, call)
            if name is None:
                continue
            remote = name in _REMOTE
            values = {
                "effect": ("opens a remote debugger that accepts connections over the network."
                           if remote else "stops the program in an interactive debugger."),
                "impact": ("anyone who can connect to the debugger's port gets an interactive Python prompt "
                           "inside the process and can run arbitrary code with its privileges and data."
                           if remote else
                           "it blocks the worker waiting for input on stdin (every request that reaches it "
                           "hangs: a denial of service), and whoever controls that terminal gets a Python "
                           "prompt with the application's credentials and data."),
            }
            if self._deliberate(file, call.node):
                continue
            yield Hit(call.node, values, severity=Severity.HIGH if remote else None)

    @staticmethod
    def _debugger_name(file: PyFile, call) -> str | None:
        name = call.name
        if name is None and call.receiver is not None and call.receiver.type == "call":
            inner = file.call_at(call.receiver)
            if inner.name == "__import__" and inner.args:  # __import__("pdb").set_trace()
                module = file.constant_value(inner.args[0])
                name = f"{module}.{call.method}" if isinstance(module, str) else None
            elif inner.name:  # pdb.Pdb().set_trace(), RemotePdb(host, port).set_trace()
                name = f"{inner.name}.{call.method}"
        if name == "breakpoint" and "breakpoint" in file.imports:
            return None  # a local import named breakpoint is something else
        if name in _LOCAL or name in _REMOTE:
            if name == "breakpoint" and _defines(file, "breakpoint"):
                return None
            return name
        return None

    @staticmethod
    def _deliberate(file: PyFile, node) -> bool:
        """Behind a debug switch, or inside a function whose job is to start a debugger."""
        for condition, _ in conditions_enclosing(file, node):
            if any(word in _DEBUG_WORDS or word in ("dev", "verbose") for word in words(file.text_of(condition))):
                return True
        function = function_of(file, node)
        while function is not None:
            name = file.text_of(function.child_by_field_name("name"))
            if any(word in _DEBUG_WORDS for word in words(name)):
                return True
            function = function_of(file, function)
        return False


def _defines(file: PyFile, name: str) -> bool:
    return any(file.text_of(f.child_by_field_name("name")) == name for f in file.nodes_of_type("function_definition"))
