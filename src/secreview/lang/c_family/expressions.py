"""What an expression denotes: constant text and numbers, the same expression twice, named uses.

`literal_text` knows literals, macros and constants, and translation calls
around them (`_("...")`, `tr("...")`).  `is_constant_string` goes further:
commands, queries and formats are often assembled in a local array
(`char cmd[64] = "ls "; strcat(cmd, "-l"); system(cmd);`).  Such a buffer
holds constant text when its initialiser is a literal and every call in the
function that touches it (directly or through a pointer set to it) either
only reads it or copies more constant text into it.  Anything else (a
`recv`, an `fgets`, a copy from a variable, a call to unknown code) makes it
variable.
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts

from secreview.lang.c_family import flow
from secreview.lang.c_family.file import CFile, Variable, strip_casts

# Calls whose result is a translated copy of a literal: `printf(_("%d files"), n)` has a constant format.
TRANSLATION_CALLS = frozenset({"_", "gettext", "dgettext", "ngettext", "N_", "tr", "QObject::tr", "i18n",
                               "QT_TR_NOOP", "QStringLiteral", "QLatin1String", "QString::fromLatin1",
                               "QString::fromUtf8", "QLatin1StringView", "u8"})


def literal_text(file: CFile, node: ts.Node | None) -> str | None:
    """The text of a constant string argument: a literal, a macro or const naming one, a
    translation call around one (`_("...")`, `tr("...")`), or None when it is not constant."""
    node = strip_casts(node)
    if node is None:
        return None
    value = file.string_value(node)
    if isinstance(value, str):
        return value
    call = file.call_of(node)
    if call is not None and (call.name in TRANSLATION_CALLS or call.method == "tr") and call.args:
        return literal_text(file, call.args[0])
    if node.type == "conditional_expression":
        branches = [literal_text(file, node.child_by_field_name(f)) for f in ("consequence", "alternative")]
        if all(b is not None for b in branches):
            return branches[0]
    return None


def int_value(file: CFile, node: ts.Node | None) -> int | None:
    value = file.constant_value(node)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def same_expression(file: CFile, a: ts.Node | None, b: ts.Node | None) -> bool:
    """Same source text once casts, parentheses and whitespace are ignored."""
    a, b = strip_casts(a), strip_casts(b)
    return a is not None and b is not None and "".join(file.text_of(a).split()) == "".join(file.text_of(b).split())


def name_uses(file: CFile, calls: frozenset[str], constants: frozenset[str]) -> Iterator[tuple[ts.Node, str]]:
    """(node, name) for calls of `calls` and uses of the identifiers in `constants` (`ns::NAME` in C++)."""
    for call in file.calls_to(*calls):
        yield call.node, call.method or ""
    plain = {c for c in constants if "::" not in c}
    qualified = constants - plain
    for name in plain:
        for node in file.identifiers(file.root).get(name, ()):
            if node.parent is not None and node.parent.type != "preproc_def":
                yield node, name
    if qualified and file.language == "cpp":
        for node in file.nodes("(qualified_identifier) @q", "q"):
            text = "".join(file.text_of(node).split())
            if text in qualified:
                yield node, text


# -- constant text in buffers ------------------------------------------------------

_CONSTANT_WRITERS = frozenset({"strcpy", "strcat", "strncpy", "strncat", "wcscpy", "wcscat", "wcsncpy", "wcsncat",
                               "sprintf", "snprintf", "swprintf", "_snprintf", "lstrcpy", "lstrcat"})
_READERS = frozenset({"strlen", "wcslen", "printf", "puts", "fputs", "strcmp", "strncmp", "strchr", "strstr",
                      "wcscmp", "system", "popen", "execl", "execlp", "fprintf", "strnlen"})
_MAX_HOPS = 3


def is_constant_string(file: CFile, node: ts.Node | None, at: ts.Node) -> bool:
    """True when the text `node` denotes is fixed by the program (literal, or a buffer filled only with literals)."""
    if literal_text(file, node) is not None:
        return True
    return _buffer_constant(file, strip_casts(node), at, 0)


def _buffer_constant(file: CFile, node: ts.Node | None, at: ts.Node, hops: int) -> bool:
    if node is None or node.type != "identifier" or hops > _MAX_HOPS:
        return False
    name = file.resolve_alias(file.text_of(node))
    variable = file.lookup(name, node)  # resolved where it is written: inner blocks may shadow it
    body = flow.body_of(file, at)
    if variable is None or variable.is_parameter or body is None or \
            file.enclosing_function(variable.declaration) is None:
        return False
    if variable.is_array:
        return _array_constant(file, variable, body, at)
    if variable.pointer_depth == 1:
        value = _latest_value(file, body, variable, at)
        return value is not None and (literal_text(file, value) is not None or
                                      _buffer_constant(file, strip_casts(value), at, hops + 1))
    return False


def _latest_value(file: CFile, body: ts.Node, variable: Variable, at: ts.Node) -> ts.Node | None:
    bindings = [(bound, value) for bound, value in flow.bindings(file, body, variable.name)
                if bound.start_byte < at.start_byte and file.variable(bound) == variable]
    if not bindings or not flow.runs_before(file, bindings[-1][0], at):
        return None
    return bindings[-1][1]


def _array_constant(file: CFile, array: Variable, body: ts.Node, at: ts.Node) -> bool:
    if array.initializer is not None and literal_text(file, array.initializer) is None and \
            array.initializer.type != "initializer_list":
        return False
    aliases = {array.name} | _pointers_to(file, body, array.name)
    for call in file.calls:
        if not flow.inside(call.node, body) or call.node.start_byte >= at.start_byte:
            continue
        touched = [i for i, argument in enumerate(call.args) if _mentions(file, argument, aliases)]
        if touched and not _keeps_constant(file, call, touched):
            return False
    return not _element_writes(file, body, aliases, at)


def _pointers_to(file: CFile, body: ts.Node, array: str) -> set[str]:
    found = set()
    for assignment in file.nodes_of_type("assignment_expression", "init_declarator", within=body):
        value = strip_casts(assignment.child_by_field_name("right") or assignment.child_by_field_name("value"))
        target = assignment.child_by_field_name("left") or assignment.child_by_field_name("declarator")
        if value is not None and value.type == "identifier" and file.text_of(value) == array and target is not None:
            found.add(file.text_of(target).lstrip("* ").strip())
    return found


def _mentions(file: CFile, node: ts.Node, names: set[str]) -> bool:
    node = strip_casts(node)
    if node is None:
        return False
    if node.type == "identifier":
        return file.resolve_alias(file.text_of(node)) in names
    return any(n in names for n in file.identifiers(node))


def _keeps_constant(file: CFile, call, touched: list[int]) -> bool:
    """The call only reads the buffer, or copies more constant text into it (as its destination)."""
    callee = call.method or ""
    if callee in _READERS:
        return True
    destination = strip_casts(call.args[0]) if call.args else None
    if callee in _CONSTANT_WRITERS and touched == [0] and destination is not None and destination.type == "identifier":
        return all(literal_text(file, argument) is not None or file.is_constant(argument)
                   for argument in call.args[1:])
    return False


def _element_writes(file: CFile, body: ts.Node, aliases: set[str], at: ts.Node) -> bool:
    """`buf[i] = x` with a non-constant x before `at`."""
    for assignment in file.nodes_of_type("assignment_expression", within=body):
        if assignment.start_byte >= at.start_byte:
            continue
        left = assignment.child_by_field_name("left")
        if left is not None and left.type == "subscript_expression" and \
                _mentions(file, left.child_by_field_name("argument"), aliases) and \
                not file.is_constant(assignment.child_by_field_name("right")):
            return True
    return False
