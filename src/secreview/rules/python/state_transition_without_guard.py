"""A stored record's state is checked, changed and saved with no expected-state guard on the save.

## What it does
Flags the assignment of a record's life-cycle field (a name with `state` or `status`:
`instance.task_state`, `lb.provisioning_status`, `node.provision_state`) that runs under a check
of that same field in the same function (an enclosing `if`/`elif`/`while`, or an earlier `if` that
leaves) and that the function then writes back with `record.save()` / `store()` / `update()`, when the
write carries no compare-and-swap keyword (`save(expected_task_state=...)`, `atomic_key=...`:
knowledge/concurrency.py `GUARD_KEYWORD_PREFIXES`) and no lock is held (`with lock:`,
`with task_manager.acquire(...)`, `@synchronized`). A record built in the function is its own and is
not reported; one loaded by a call, passed in or held on `self` is shared with every other worker.

## Why is this bad?
The check reads the state from a copy loaded earlier; the save writes the new state back whatever the
stored state has become meanwhile. Two API requests or workers that both find a record `ACTIVE` both
move it to their own pending state, and both go on: a delete runs next to an update, two operations
drive one resource at once, or an operation the state machine should have refused (a resize of an
instance being deleted) is carried out (CWE-362, CWE-367). A guard on the write (`UPDATE ... WHERE
state = <the state checked>`, `save(expected_task_state=...)`) makes the second one fail instead.

## Example
```python
def start_rebuild(self, context, instance_id):
    instance = self.db.instance_get(context, instance_id)
    if instance.task_state is None:
        instance.task_state = "rebuilding"
        instance.save()
```

## Use instead
```python
def start_rebuild(self, context, instance_id):
    instance = self.db.instance_get(context, instance_id)
    if instance.task_state is None:
        instance.task_state = "rebuilding"
        instance.save(expected_task_state=[None])
```

## References
- https://cwe.mitre.org/data/definitions/362.html
- https://cwe.mitre.org/data/definitions/367.html
- https://docs.sqlalchemy.org/en/20/orm/versioning.html
"""

from __future__ import annotations

from collections.abc import Iterator

from secreview.lang.python.file import PyFile
from secreview.lang.python.shared_state import unguarded_transitions
from secreview.lang.python.syntax import line_of
from secreview.model import Confidence, Severity
from secreview.rules import Hit, Rule, shorten


class StateTransitionWithoutGuard(Rule):
    id = "state-transition-without-guard"
    cwe = 362
    severity = Severity.MEDIUM
    confidence = Confidence.LOW
    message = "`{field}` is checked, changed and saved by `{write}` with no expected-state guard"
    description = (
        "Line {line} sets `{field}` after the check `{check}` (line {check_line}) and line {write_line} writes "
        "it back with `{write}`. The check read a copy loaded earlier and the write stores the new state "
        "whatever the stored one has become: two requests or workers that both pass the check both make "
        "the transition and both go on, so two operations drive the same resource at once or one the "
        "state machine should refuse is carried out."
    )
    solution = (
        "Make the write conditional on the state that was checked, so the loser fails instead of "
        "overwriting: pass the expected state to the save (`{write_call}(expected_<field>=...)`-style), "
        "or update with `WHERE <field> = <checked value>` and check the row count, or hold the record's "
        "lock across the check and the write."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        for transition in unguarded_transitions(file):
            yield Hit(transition.assignment, {
                "field": transition.field,
                "check": shorten(file.text_of(transition.check), 50),
                "check_line": str(line_of(transition.check)),
                "write": shorten(file.text_of(transition.write.node), 50),
                "write_call": shorten(file.text_of(transition.write.node.child_by_field_name("function")), 40),
                "write_line": str(line_of(transition.write.node)),
            })
