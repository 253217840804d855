"""Resource acquired and left behind when a later step of the same function raises.

## What it does
Flags a call that acquires something that must be given back — a file, socket, descriptor,
temporary directory, database connection, child process or held lock from the standard library
(knowledge/resources.py), or a volume, port, mapping or attachment made through the project's own
API — when a later step of the same function can raise (a call, a `raise`) on a path where nothing
gives it back: no `except`/`finally` that releases, no `with` that manages it, and it has not yet
been handed on (returned, stored in a container or on an object that releases it, registered for
cleanup). One finding per acquisition; it lists the steps that can fail.

A project's own call acquires when its receiver is a *resource manager*: it offers the matching
release for the same noun (`create_volume` / `remove_volume_by_name`, `map_volume` / `unmap_volume`,
`attach_X` / `detach_X`, `connect_X` / `disconnect_X`, `allocate_X` / `free_X`): this file calls
the release on the same receiver (within the same class for `self.…` receivers), the class or the
module defines it, both are imported from one module, or the reviewed module the receiver comes from
defines it. A function whose every call in the file runs under a `try` or `with` that cleans up
leaves the cleanup to its callers and is not reported.

## Why is this bad?
When the step after the acquisition fails, the exception carries control out of the function and
the only reference to the resource is lost (CWE-460). Each failed attempt leaves one more volume,
port, mapping, temporary directory or descriptor behind: storage and quotas fill up, a retry fails
because the name is taken, stale data stays readable by whoever gets the volume next, and an
attacker who can make the step fail (a bad image, a request that times out) exhausts the service
on purpose. A lock left held blocks every later caller for good.

## Example
```python
class Disk:
    def create(self, name, size):
        self.volume_id = self.driver.create_volume(name, size)
        self.path = self.driver.map_volume(self.volume_id)
        self.driver.import_image(self.source, self.path)

    def remove(self, name):
        self.driver.delete_volume(name)
```

## Use instead
```python
from oslo_utils import excutils


class Disk:
    def create(self, name, size):
        self.volume_id = self.driver.create_volume(name, size)
        try:
            self.path = self.driver.map_volume(self.volume_id)
            self.driver.import_image(self.source, self.path)
        except Exception:
            with excutils.save_and_reraise_exception():
                self.driver.delete_volume(name)

    def remove(self, name):
        self.driver.delete_volume(name)
```

## References
- https://cwe.mitre.org/data/definitions/460.html
- https://cwe.mitre.org/data/definitions/772.html
- https://docs.python.org/3/reference/compound_stmts.html#the-try-statement
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts

from secreview.lang.python.file import PyFile
from secreview.lang.python.resources import error_path_leaks
from secreview.lang.python.syntax import line_of
from secreview.model import Confidence, Evidence, Severity
from secreview.rules import Hit, Rule, shorten

_STEPS_SHOWN = 3


class ResourceLeakOnErrorPath(Rule):
    id = "resource-leak-on-error-path"
    cwe = 460
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    # A resource made through the project's own API in another system (a volume, port, mapping) and left
    # there when that system's next call fails outlives the process: shown by default. Files, sockets and
    # connections the interpreter closes once the exception drops them stay in the audit profile (judged:
    # mostly one-shot scripts, or steps that do not fail in practice; docs/precision.md).
    hit_evidence = frozenset({Evidence.DEFINITE})
    message = "The {what} acquired by `{acquire}` is left behind when {steps} raises"
    description = (
        "`{acquire}` acquires a {what} ({known_by}), and {steps_long} can raise afterwards in the same "
        "function. On that path nothing gives the {what} back: no `except` or `finally` releases it, no `with` "
        "manages it, and it has not been handed to anyone who would. The exception leaves the function and the "
        "{what} stays behind, so every failed attempt leaks one more, until quotas, storage or descriptors run "
        "out or a retry fails because the old one is still there."
    )
    solution = (
        "Release it when a later step fails: wrap the steps after `{acquire}` in `try:` ... `except Exception:` "
        "with `excutils.save_and_reraise_exception()` (or a plain `raise`) around a call of `{release}`, or use "
        "`finally`, a `with` statement or `contextlib.ExitStack().callback(...)` so every way out of the "
        "function gives it back."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        for leak in error_path_leaks(file):
            acquisition = leak.acquisition
            names = [f"`{shorten(file.text_of(_head(step)), 50)}`" for step in leak.steps]
            shown = [f"{name} (line {line_of(step)})" for name, step in zip(names, leak.steps)][:_STEPS_SHOWN]
            more = len(leak.steps) - len(shown)
            steps_long = ", ".join(shown) + (f" and {more} more step(s)" if more else "")
            yield Hit(acquisition.call.node, {
                "what": acquisition.what,
                "acquire": shorten(file.text_of(acquisition.call.node.child_by_field_name("function")), 50),
                "known_by": acquisition.known_by,
                "release": acquisition.release,
                "steps": names[0] if len(names) == 1 else f"{names[0]} or a later step",
                "steps_long": steps_long,
            }, evidence=Evidence.DEFINITE if leak.manager_steps else None,
                confidence=Confidence.HIGH if leak.manager_steps else None)


def _head(step: ts.Node) -> ts.Node:
    """What to show of a step: the callee of a call, the whole `raise` statement."""
    return step.child_by_field_name("function") or step if step.type == "call" else step
