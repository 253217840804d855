"""A record is looked up and created when missing, with no handling of a concurrent creation.

## What it does
Flags the creation of a record that runs because a look-up of the same record found nothing: the
creation is in the `except <NotFound>` handler of a `try` whose body looked it up
(`try: api.get_role(role_id) except RoleNotFound: api.create_role(role_id, ...)`), or under an `if`
that tests the look-up's result for nothing (`if not api.find_port(name): api.create_port(name)`,
also through a local: `port = api.find_port(name)` then `if port is None:`). Look-up and creation
are calls on the same receiver whose names share the record's noun (`get_role` / `create_role`,
`role_get` / `role_create`, `role_exists` / `add_role`) and that share an argument. Not reported when
a `try` around the creation catches the conflict a concurrent creation raises (`Conflict`,
`DBDuplicateEntry`, `IntegrityError`, `AlreadyExists`...) or catches everything, or when the creation
runs under a lock. The words are data (knowledge/concurrency.py).

## Why is this bad?
The look-up and the creation are two requests to shared storage. Two API requests or workers that
look up the same missing record at the same time both go on to create it: with a unique constraint
the second creation fails and its request ends in an unhandled error (an HTTP 500, a failed
operation the user has to retry, an RPC that leaves its resource half set up); without one, the record
is stored twice and later look-ups pick either (CWE-362, CWE-367). Under load, or when a client retries,
this is the race service reviewers report most.

## Example
```python
def add_user_to_project(self, project_id, user_id, role_id):
    try:
        self.role_api.get_role(role_id)
    except exception.RoleNotFound:
        self.role_api.create_role(role_id, {"id": role_id, "name": "member"})
    self.driver.add_role_to_user_and_project(user_id, project_id, role_id)
```

## Use instead
```python
def add_user_to_project(self, project_id, user_id, role_id):
    try:
        self.role_api.get_role(role_id)
    except exception.RoleNotFound:
        try:
            self.role_api.create_role(role_id, {"id": role_id, "name": "member"})
        except exception.Conflict:
            pass  # created concurrently by another request: it exists now, which is what we wanted
    self.driver.add_role_to_user_and_project(user_id, project_id, role_id)
```

## References
- https://cwe.mitre.org/data/definitions/362.html
- https://cwe.mitre.org/data/definitions/367.html
"""

from __future__ import annotations

from collections.abc import Iterator

from secreview.lang.python.file import PyFile
from secreview.lang.python.shared_state import missing_then_create
from secreview.lang.python.syntax import line_of
from secreview.model import Confidence, Severity
from secreview.rules import Hit, Rule, shorten

_HOW = {
    "except": "raised that it does not exist",
    "if": "returned nothing",
}


class LookupThenCreateRace(Rule):
    id = "lookup-then-create-race"
    cwe = 362
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    message = "`{create}` runs because `{lookup}` found no {noun}: a concurrent creation makes it fail"
    description = (
        "`{lookup}` (line {lookup_line}) {how}, so line {line} creates the {noun} with `{create}`. The look-up "
        "and the creation are two separate requests to shared storage: two requests or workers that look up the "
        "same missing {noun} at the same time both create it. With a unique constraint the second creation "
        "fails and nothing here handles that, so its request ends in an error; without one, the {noun} is "
        "stored twice."
    )
    solution = (
        "Create first and treat \"it already exists\" as success: wrap `{create_call}(...)` in `try:` ... "
        "`except <the conflict or duplicate-entry error>:` and use the existing {noun} there (look it up "
        "again), or make the creation itself idempotent (an upsert, `INSERT ... ON CONFLICT DO NOTHING`)."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        for found in missing_then_create(file):
            yield Hit(found.create.node, {
                "create": shorten(file.text_of(found.create.node), 60),
                "create_call": shorten(file.text_of(found.create.node.child_by_field_name("function")), 50),
                "lookup": shorten(file.text_of(found.lookup.node), 60),
                "lookup_line": str(line_of(found.lookup.node)),
                "noun": found.noun.replace("_", " "),
                "how": _HOW[found.how],
            })
