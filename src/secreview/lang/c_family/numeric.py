"""Integers read from outside and how they are validated before use.

Which variables hold values read from outside is first decided by local
reasoning inside one function: a variable is *external* when it is assigned
the result of a number conversion of text (`atoi`, `strtol`, ...), of a read
(`recv`, `read`, `fread`, `getchar`), of a pseudo-random generator, or is
filled through a pointer by `scanf`-style parsing.  Where that finds nothing,
the dataflow analysis answers: input read in a caller and passed down,
through copies, pointers, struct members or arrays.  Those are the values an
attacker (or chance) chooses: zero, negative, huge.

`external_integer` then answers: is this expression a local variable whose
value was read from input, and which tests of it ran before this use?  The
rules decide what is missing: any test at all, a lower bound for a signed
value, a zero test before a division.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import tree_sitter as ts

from secreview.lang.c_family import flow
from secreview.lang.c_family.dataflow import input_origin
from secreview.lang.c_family.file import CFile, Variable, strip_casts


def is_unsigned_type(type_text: str) -> bool:
    return bool(re.search(r"\bunsigned\b|\bsize_t\b|\buint\w*_t\b|\bDWORD\b|\bUINT\b|\bquint\w*|\buint\b|^u\d+$|\bULONG",
                          type_text))


def is_signed_integer_type(type_text: str) -> bool:
    """int, long, short, ssize_t, intN_t, qint64 ... (char excluded: it is used for text)."""
    if is_unsigned_type(type_text):
        return False
    return bool(re.fullmatch(r"(?:signed\s+)?(?:short|int|long|long long|long int|short int|long long int|ssize_t|"
                             r"int\d+_t|intptr_t|ptrdiff_t|off_t|qint\d+|qsizetype|LONG|INT|int_fast\d+_t)",
                             type_text))


# -- values read from outside ---------------------------------------------------------

CONVERSIONS = frozenset({"atoi", "atol", "atoll", "atof", "strtol", "strtoul", "strtoll", "strtoull", "strtod",
                         "strtof", "wcstol", "wcstoul", "_wtoi", "_wtol", "_atoi64", "wcstod", "strtoimax",
                         "strtoumax"})
READS = frozenset({"recv", "recvfrom", "read", "fread", "getchar", "fgetc", "getc", "_read", "pread", "recvmsg"})
RANDOM = frozenset({"rand", "random", "lrand48", "mrand48", "rand_r"})
SCANNERS = {"scanf": 1, "fscanf": 2, "sscanf": 2, "wscanf": 1, "fwscanf": 2, "swscanf": 2}  # first out-arg index
QT_CONVERSIONS = frozenset({"toInt", "toLong", "toLongLong", "toUInt", "toULong", "toShort", "toDouble",
                            "toFloat", "toULongLong"})


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
    body = flow.body_of(file, use)
    if body is None:
        return None
    latest: tuple[ts.Node, Origin | None] | None = None
    for identifier, value in flow.bindings(file, body, name):
        if identifier.start_byte < use.start_byte:
            latest = (identifier, origin_of_value(file, value))
    for identifier, call in _scanned(file, body, name):
        if identifier.start_byte < use.start_byte and (latest is None or identifier.start_byte > latest[0].start_byte):
            latest = (identifier, Origin(call, file.text_of(call)))
    # The latest assignment before the use decides, even in a branch: input may flow on that path.
    if latest is not None and latest[1] is not None:
        return latest[1]
    call = input_origin(file, use)
    return Origin(call, file.text_of(call), by_dataflow=True) if call is not None else None


def _scanned(file: CFile, body: ts.Node, name: str) -> list[tuple[ts.Node, ts.Node]]:
    """(identifier, scanf call) where `&name` is an output argument of a scanf-family call."""
    found = []
    for call in file.calls_to(*SCANNERS):
        if not flow.inside(call.node, body):
            continue
        for argument in call.args[SCANNERS[call.method or ""]:]:
            argument = strip_casts(argument)
            if argument is not None and argument.type == "pointer_expression":
                target = strip_casts(argument.child_by_field_name("argument"))
                if target is not None and target.type == "identifier" and file.text_of(target) == name:
                    found.append((target, call.node))
    return found


# -- integers read from outside and their tests -------------------------------------------


@dataclass(frozen=True)
class ExternalInteger:
    name: str
    variable: Variable
    origin: Origin | None  # None for a parameter (its caller chooses the value)
    tests: tuple[tuple[ts.Node, bool], ...]  # (test, negated) of the variable before the use

    @property
    def signed(self) -> bool:
        return is_signed_integer_type(self.variable.type_text)

    @property
    def source(self) -> str:
        return self.origin.text if self.origin is not None else f"parameter `{self.name}`"


def external_integer(file: CFile, node: ts.Node | None, *, parameters: bool = False,
                     origins: frozenset[str] | None = None) -> ExternalInteger | None:
    """The input-derived integer variable `node` names, with the tests of it before `node`."""
    node = strip_casts(node)
    if node is None or node.type != "identifier":
        return None
    variable = file.variable(node)
    if variable is None or variable.is_pointer or variable.is_array or not _is_integer(variable):
        return None
    name = file.text_of(node)
    origin = external_origin(file, name, node)
    if origin is not None and origins is not None and not origin.by_dataflow \
            and _call_name(file, origin.call) not in origins:
        return None
    if origin is None and not (parameters and variable.is_parameter and not _reassigned_before(file, name, node)):
        return None
    body = flow.body_of(file, node)
    if body is None:
        return None
    start = origin.call if origin is not None and flow.inside(origin.call, body) else None
    return ExternalInteger(name, variable, origin, tuple(_tests_before(file, body, name, node, start)))


def converted_text(file: CFile, external: ExternalInteger) -> ts.Node | None:
    """The text whose number `external` is (an index, a length), when its function converts it (`atoi(text)`,
    `sscanf(text, "%d", &i)`, `fscanf(stream, ...)`): dataflow judges whether the input chooses it. None for a
    value found by dataflow elsewhere (a parameter, a byte read: its range is the caller's or the type's), a
    random number, or a count (`%n`)."""
    origin = external.origin
    call = file.call_of(origin.call) if origin is not None and not origin.by_dataflow else None
    if call is None or not call.args:
        return None
    if call.method in CONVERSIONS:
        return call.args[0]
    if call.method in SCANNERS and SCANNERS[call.method] == 2:
        format_text = file.text_of(call.args[1]) if len(call.args) > 1 else ""
        return call.args[0] if format_text.startswith('"') and "%n" not in format_text else None
    return None


def _call_name(file: CFile, node: ts.Node) -> str:
    call = file.call_of(node)
    return (call.method or "") if call is not None else ""


def _is_integer(variable: Variable) -> bool:
    return is_signed_integer_type(variable.type_text) or is_unsigned_type(variable.type_text) or \
        variable.type_text in ("float", "double", "long double")


def _reassigned_before(file: CFile, name: str, use: ts.Node) -> bool:
    body = flow.body_of(file, use)
    return body is not None and any(n.start_byte < use.start_byte for n, _ in flow.bindings(file, body, name))


def _tests_before(file: CFile, body: ts.Node, name: str, use: ts.Node,
                  start: ts.Node | None) -> list[tuple[ts.Node, bool]]:
    """(test, negated) for the tests of `name` before `use`; negated when `use` runs where the test failed."""
    return [(t, _negated_at(file, t, use)) for t in flow.tests_of(file, body, name)
            if t.start_byte < use.start_byte and (start is None or t.start_byte > start.start_byte)]


def _negated_at(file: CFile, test: ts.Node, use: ts.Node) -> bool:
    """True when `use` runs only if the condition holding `test` was false (else branch, or after an
    `if` whose body always leaves: `if (n < 0) return; use(n);`)."""
    for ancestor in file.ancestors(test):
        if ancestor.type not in ("if_statement", "conditional_expression"):
            continue
        condition = ancestor.child_by_field_name("condition")
        if condition is None or not flow.inside(test, condition):
            continue
        consequence, alternative = ancestor.child_by_field_name("consequence"), \
            ancestor.child_by_field_name("alternative")
        if flow.inside(use, consequence):
            return False
        if flow.inside(use, alternative):
            return True
        return flow.ends_with_exit(file, consequence)
    return False


_NEGATION = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}
_MIRROR = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


def bound_kinds(file: CFile, test: ts.Node, negated: bool = False) -> set[str]:
    """Which bounds a test of a variable establishes where the use runs: "lower", "upper", "zero"."""
    current = flow.magnitude_of(file, test)
    absolute = current != test and current.type == "call_expression"
    # `(unsigned)n < LIMIT` rejects negative n too: they become huge unsigned values
    as_unsigned = current != test and current.type == "cast_expression" and \
        is_unsigned_type(file.text_of(current.child_by_field_name("type")))
    parent = current.parent
    if parent is None or parent.type != "binary_expression":
        return {"zero"}  # `if (n)`, `!n`: a truth test
    operator = file.text_of(parent.child_by_field_name("operator"))
    if operator not in _NEGATION:
        return {"zero"} if operator in ("&&", "||") else set()
    is_left = parent.child_by_field_name("left") == current
    other = parent.child_by_field_name("right" if is_left else "left")
    if not is_left:
        operator = _MIRROR[operator]  # `N > n` is `n < N`
    if negated:
        operator = _NEGATION[operator]
    value = file.constant_value(other)
    known = isinstance(value, (int, float)) and not isinstance(value, bool)
    if operator in ("==", "!="):
        return {"zero"} if known and value == 0 else {"zero", "lower", "upper"}
    if absolute:  # |n| < c bounds both sides; |n| > c (c >= 0) only rules out zero
        return {"upper", "lower"} if operator in ("<", "<=") else {"zero"}
    if operator in ("<", "<="):
        return {"upper", "lower"} if as_unsigned else {"upper"}
    kinds = {"lower"}
    if known and (value > 0 or (value == 0 and operator == ">")):
        kinds.add("zero")
    return kinds


def bounds_established(file: CFile, external: ExternalInteger) -> set[str]:
    kinds: set[str] = set()
    for test, negated in external.tests:
        kinds |= bound_kinds(file, test, negated)
    if "zero" in kinds and is_unsigned_type(external.variable.type_text):
        kinds.add("lower")  # for an unsigned value, excluding 0 is its lower bound
    return kinds


# function -> index of its size_t length argument (where a negative int turns into a huge size)
SIZE_ARGUMENTS = {"memcpy": 2, "memmove": 2, "memset": 2, "strncpy": 2, "strncat": 2, "wmemcpy": 2, "wmemset": 2,
                  "wcsncpy": 2, "malloc": 0, "alloca": 0, "_alloca": 0, "realloc": 1, "calloc": 0, "read": 2,
                  "recv": 2, "fgets": 1, "fread": 2, "fwrite": 2, "write": 2, "send": 2, "snprintf": 1,
                  "memcmp": 2, "strncmp": 2, "bzero": 1}


ALLOCATORS = ("malloc", "alloca", "_alloca", "realloc", "calloc")
ALLOCATION_USES = frozenset(f"the size of `{name}`" for name in ALLOCATORS)


def size_uses(file: CFile) -> list[tuple[ts.Node, ts.Node, str]]:
    """(anchor, value, what) for every size argument of a length-taking call and every array index."""
    found = []
    for call in file.calls_to(*SIZE_ARGUMENTS):
        argument = call.arg(SIZE_ARGUMENTS[call.method or ""])
        if argument is not None:
            found.append((call.node, argument, f"the size of `{call.method}`"))
    for access in file.nodes_of_type("subscript_expression"):
        index = access.child_by_field_name("index")
        if index is None:
            indices = access.child_by_field_name("indices")
            index = indices.named_children[0] if indices is not None and indices.named_child_count == 1 else None
        if index is not None:
            found.append((access, index, "an array index"))
    return sorted(found, key=lambda item: item[0].start_byte)


MAGNITUDE_ORIGINS = CONVERSIONS | RANDOM | frozenset(SCANNERS) | QT_CONVERSIONS
"""Values whose magnitude the input chooses.  Reads (`recv`, `read`) are left out: their results are
bounded by the buffer size they were given (though they can be 0 or -1)."""


@dataclass(frozen=True)
class ExternalArithmetic:
    node: ts.Node
    operand: ExternalInteger
    operator: str


def external_arithmetic(file: CFile, operators: frozenset[str], missing_bound: str) -> list[ExternalArithmetic]:
    """Arithmetic (`x + 1`, `x * y`, `x++`, `x -= 1` ...) on an input integer lacking `missing_bound`."""
    found = []
    for node in file.nodes_of_type("binary_expression", "assignment_expression", "update_expression"):
        operator = file.text_of(node.child_by_field_name("operator")).rstrip("=")
        if node.type == "update_expression":
            operator = "+" if "++" in file.text_of(node) else "-"
        if operator not in operators or (node.type == "assignment_expression" and
                                         file.text_of(node.child_by_field_name("operator")) == "="):
            continue
        for operand in _operands(node):
            external = external_integer(file, operand, origins=MAGNITUDE_ORIGINS)
            if external is None or external.variable.type_text in ("float", "double", "long double"):
                continue
            if missing_bound not in bounds_established(file, external):
                found.append(ExternalArithmetic(node, external, operator))
                break
    return found


def _operands(node: ts.Node) -> list[ts.Node]:
    if node.type == "update_expression":
        argument = node.child_by_field_name("argument")
        return [argument] if argument is not None else []
    return [n for n in (node.child_by_field_name("left"), node.child_by_field_name("right")) if n is not None]
