"""Memory a function allocated and still owns when it leaves: leaks, seen by the value-flow engine.

The interpreter (`interpreter.py`) gives every heap allocation of a function a
key (where its `malloc`, `new` or allocating callee is) and keeps, on each
path, the allocations the function still owns (`State.owned`); a pointer's
`Value.owners` says which allocations it may point into. An allocation leaves
the function's hands when it is released (`free`, `delete`), returned, stored
anywhere the engine does not follow (a member, a global, through a pointer, a
smart pointer, a C++ object), or passed to code that may keep it (anything but
the library calls known only to use the memory, `library.USING_ONLY`, and
functions of the file whose summary says they only use that parameter).
Joined paths own only what both own.

An allocation still owned at an exit is leaked there, unless the allocation
failed on that path (a variable holding it was found NULL). Each leaked
allocation is reported once, at the first exit that leaks it, with the other
exits that do and the first place where some other path released or handed
it on (none: nothing in the function ever does).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import tree_sitter as ts

from secreview.lang.c_family.lifetime import PROCESS_EXIT_FUNCTIONS
from secreview.valueflow.lattice import NULL, Origin, State

if TYPE_CHECKING:
    from secreview.lang.c_family.file import CFile
    from secreview.valueflow.interpreter import Event, FunctionRun


def leaks(node: ts.Node, run: "FunctionRun", ends: list[State]) -> list["Event"]:
    """One event per allocation of the function still owned at some exit where it did not fail."""
    from secreview.valueflow.interpreter import Event

    body = node.child_by_field_name("body")
    closing = body.children[-1] if body is not None and body.children else node
    exits = list(zip([state for state, _ in run.returned], run.returned_at)) + [(state, closing) for state in ends]
    leaking: dict[int, list[tuple[State, ts.Node]]] = {}
    for state, at in exits:
        if at is None:
            continue
        for key in state.owned:
            if key >= 0 and not _failed(state, key):  # (negative keys: the caller's memory, `run` in interpreter.py)
                leaking.setdefault(key, []).append((state, at))
    events = []
    for key, places in sorted(leaking.items()):
        places.sort(key=lambda place: place[1].start_byte)
        state, at = places[0]
        origin = state.owned[key]
        handed = run.handed.get(key)
        others = tuple(sorted({place.start_point[0] + 1 for _, place in places[1:]} - {at.start_point[0] + 1}))
        failed_call = state.get(kept_back_name(key)).null_origin  # a callee's failure left it here
        if failed_call is not None:
            events.append(Event("leak", at, holder(state, key), origin, state.shown_alone(origin),
                                via=failed_call.callee, via_line=failed_call.node.start_point[0] + 1, lines=others))
            continue
        events.append(Event("leak", at, holder(state, key), origin, state.shown_alone(origin),
                            via_line=handed.start_point[0] + 1 if handed is not None else 0, lines=others))
    return events


def kept_back_name(key: int) -> str:
    """The name under which a path records that a callee of the file failed and so did not keep the allocation
    `key` (its summary's `keeps_when`): the value's `null_origin` is that call, for the leak's message."""
    return f"<kept back {key}>"


FILLED_PREFIX = "<filled "


def filled_name(position: int) -> str:
    """The name under which a path records that the function wrote memory it allocated through its pointer
    parameter at `position` (`*out = p;`): the value's `owners` are those allocations, its `null_origin`
    where they were made (for the summary's `fills`)."""
    return f"{FILLED_PREFIX}{position}>"


def _failed(state: State, key: int) -> bool:
    """The acquisition failed on this path: a variable holding it is NULL (`if (!p) return -1;`) or a negative
    descriptor (`if (fd < 0) return -1;`) here."""
    return any(key in value.owners and (value.null == NULL or (value.interval is not None and value.interval.high
                                                              is not None and value.interval.high < 0))
               for value in state.values.values())


def holder(state: State, key: int) -> str:
    """The variable holding the allocation at this point ("" when none does any more)."""
    holders = sorted(name for name, value in state.values.items() if key in value.owners)
    exact = [name for name in holders if state.values[name].owners == frozenset({key})]
    return (exact or holders or [""])[0]


def leaks_in(file: "CFile", resource: str) -> Iterator["Event"]:
    """The file's leaks of one `resource`: "memory" (the C allocators and allocating functions of the file),
    "object" (C++ objects made with `new`) or "handle" (files, descriptors, sockets, directories: `FILES`),
    outside the functions whose return ends the process (`main`: the system reclaims them)."""
    from secreview.valueflow import facts

    for event in facts(file).of_kind("leak"):
        if event.origin is None or resource_of(event.origin) != resource:
            continue
        function = file.enclosing_function(event.node)
        if function is not None and file.function_name(function) in PROCESS_EXIT_FUNCTIONS:
            continue
        yield event


def resource_of(acquisition: Origin) -> str:
    """What an acquisition holds: "object" (made by `new`), "handle" (opened) or "memory"."""
    if acquisition.callee == "new":
        return "object"
    return "handle" if acquisition.kind == "opened" else "memory"


def leak_placeholders(event: "Event") -> dict[str, str]:
    """What the leak rules' messages say: the variable (or the call, when nothing holds it any more), the
    allocator, the lines of the allocation, of this exit, of the other leaking exits and of a release."""
    origin = event.origin
    assert origin is not None
    exits = (event.node.start_point[0] + 1,) + event.lines
    if event.via:
        reason = f"`{event.via}()` on line {event.via_line} failed and did not keep it"
        elsewhere = (f"because `{event.via}()` (line {event.via_line}) failed on this path, and it keeps what it "
                     "is given only when it succeeds")
    else:
        releases = "closes" if resource_of(origin) == "handle" else "releases"
        reason = f"line {event.via_line} {releases} or hands it on"
        elsewhere = f"while the path through line {event.via_line} {releases} it or hands it on"
    return {"name": event.name or f"{origin.callee}(...)", "callee": origin.callee,
            "acquired_line": str(origin.node.start_point[0] + 1), "exit_line": str(exits[0]),
            "exits": ", ".join(str(line) for line in exits), "other": str(event.via_line),
            "reason": reason, "elsewhere": elsewhere}


def definite_error_path_leak(event: "Event") -> bool:
    """A leak on an error path shown by default: on a path of its own, and at an error exit or after a callee
    of the file failed and left the memory to this function (`Summary.keeps_when`)."""
    return event.certain and (bool(event.via) or error_exit(event.node))


def error_exit(exit_node: ts.Node) -> bool:
    """An exit taken because something went wrong: a `return` inside a branch (`if`, `switch`), or one that
    follows a label (`fail: return -1;`, reached by `goto`). A leak at the function's ordinary end, because
    a release sat in a branch the path skipped, may be two tests the engine cannot relate (`if (flag) p =
    malloc(n); ... if (flag) free(p);` with flags set elsewhere): not shown by default."""
    if exit_node.type != "return_statement":
        return False
    current = exit_node.parent
    while current is not None and current.type != "function_definition":
        if current.type in ("if_statement", "else_clause", "case_statement", "switch_statement", "labeled_statement"):
            return True
        if current.type == "compound_statement" and current.parent is not None \
                and current.parent.type == "function_definition":
            return any(child.type == "labeled_statement" and child.end_byte <= exit_node.start_byte
                       for child in current.named_children)
        current = current.parent
    return False
