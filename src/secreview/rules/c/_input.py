"""Which variables hold values read from outside.

First by local reasoning inside one function: a variable is *external* when
it is assigned the result of a number conversion of text (`atoi`, `strtol`,
...), of a read (`recv`, `read`, `fread`, `getchar`), of a pseudo-random
generator, or is filled through a pointer by `scanf`-style parsing.  Where
that finds nothing, the dataflow analysis (`_taint`) answers: input read in
a caller and passed down, through copies, pointers, struct members or arrays.
Those are the values an attacker (or chance) chooses: zero, negative, huge.
"""

from __future__ import annotations

from dataclasses import dataclass

import tree_sitter as ts

from secreview.lang.c_family.file import CFile, strip_casts
from secreview.rules.c import _flow, _taint

CONVERSIONS = frozenset({"atoi", "atol", "atoll", "atof", "strtol", "strtoul", "strtoll", "strtoull", "strtod",
                         "strtof", "wcstol", "wcstoul", "_wtoi", "_wtol", "_atoi64", "wcstod", "strtoimax",
                         "strtoumax"})
READS = frozenset({"recv", "recvfrom", "read", "fread", "getchar", "fgetc", "getc", "_read", "pread", "recvmsg"})
RANDOM = frozenset({"rand", "random", "lrand48", "mrand48", "rand_r"})
SCANNERS = {"scanf": 1, "fscanf": 2, "sscanf": 2, "wscanf": 1, "fwscanf": 2, "swscanf": 2}  # first out-arg index
QT_CONVERSIONS = frozenset({"toInt", "toLong", "toLongLong", "toUInt", "toULong", "toShort", "toDouble",
                            "toFloat", "toULongLong"})
ENVIRONMENT = frozenset({"getenv", "secure_getenv", "_wgetenv"})


@dataclass(frozen=True)
class Origin:
    """Where an external value came from: the call that produced it."""

    call: ts.Node
    text: str
    by_dataflow: bool = False  # found by the dataflow analysis, possibly in another function


def origin_of_value(file: CFile, value: ts.Node | None) -> Origin | None:
    """The producing call when `value` is an external number (possibly wrapped in casts or arithmetic)."""
    value = strip_casts(value)
    if value is None:
        return None
    call = file.call_of(value)
    if call is not None:
        if call.receiver is None and (call.method in CONVERSIONS or call.method in READS or call.method in RANDOM):
            return Origin(call.node, file.text_of(call.node))
        if call.receiver is not None and call.method in QT_CONVERSIONS:
            return Origin(call.node, file.text_of(call.node))
    return None


def external_origin(file: CFile, name: str, use: ts.Node) -> Origin | None:
    """The latest external assignment of `name` that runs before `use` in its function, if the
    variable is not reassigned from something else in between."""
    body = _flow.body_of(file, use)
    if body is None:
        return None
    latest: tuple[ts.Node, Origin | None] | None = None
    for identifier, value in _flow.bindings(file, body, name):
        if identifier.start_byte < use.start_byte:
            latest = (identifier, origin_of_value(file, value))
    for identifier, call in _scanned(file, body, name):
        if identifier.start_byte < use.start_byte and (latest is None or identifier.start_byte > latest[0].start_byte):
            latest = (identifier, Origin(call, file.text_of(call)))
    # The latest assignment before the use decides, even in a branch: input may flow on that path.
    if latest is not None and latest[1] is not None:
        return latest[1]
    call = _taint.input_origin(file, use)
    return Origin(call, file.text_of(call), by_dataflow=True) if call is not None else None


def _scanned(file: CFile, body: ts.Node, name: str) -> list[tuple[ts.Node, ts.Node]]:
    """(identifier, scanf call) where `&name` is an output argument of a scanf-family call."""
    found = []
    for call in file.calls_to(*SCANNERS):
        if not _flow.inside(call.node, body):
            continue
        for argument in call.args[SCANNERS[call.method or ""]:]:
            argument = strip_casts(argument)
            if argument is not None and argument.type == "pointer_expression":
                target = strip_casts(argument.child_by_field_name("argument"))
                if target is not None and target.type == "identifier" and file.text_of(target) == name:
                    found.append((target, call.node))
    return found
