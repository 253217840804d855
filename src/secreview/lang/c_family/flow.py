"""Local control-flow reasoning inside one C/C++ function.

No control-flow graph: the questions the rules ask are answered from the
tree's nesting, which is exact for structured code (gotos are ignored).

- `runs_before(file, a, b)`: whenever `b` runs, `a` has run earlier on the same
  pass through the function (a *dominates* b), because every construct
  between them and their common block runs unconditionally;
- `occurrences_between`: uses of a name textually between two nodes;
- `tests_of` / `guarding_conditions`: comparisons or truth tests of a name, and
  the conditions under which a node runs (`if (n < LEN) use(n)`);
- `ends_with_exit`, `bindings`: blocks that always leave, values a name receives.
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts

from secreview.lang.c_family.file import CFile, is_address_taken, is_written, strip_casts, unwrap

LOOPS = frozenset({"for_statement", "while_statement", "for_range_loop"})
EXITS = frozenset({"return_statement", "goto_statement", "break_statement", "continue_statement",
                   "throw_statement"})
_EXIT_CALLS = frozenset({"exit", "_exit", "abort", "_Exit", "quick_exit", "longjmp", "siglongjmp", "qFatal",
                         "std::exit", "std::abort", "err", "errx", "ExitProcess"})
_COMPARISONS = frozenset({"<", "<=", ">", ">=", "==", "!="})


def body_of(file: CFile, node: ts.Node) -> ts.Node | None:
    """The body of the function enclosing `node`; None for code outside functions and for functions the
    parser could not read cleanly (macros it cannot see through): flow reasoning there would guess."""
    function = file.enclosing_function(node)
    if function is None or function.has_error:
        return None
    return function.child_by_field_name("body")


def _conditional_edge(file: CFile, child: ts.Node, parent: ts.Node) -> bool:
    """True when `child` runs only sometimes although `parent` runs.

    Branches whose condition is a compile-time constant are not conditional:
    `if (1)`, `if (GLOBAL_CONST_TRUE)`, `while (1)` and `switch (6) { case 6: }`
    always take the same way.
    """
    kind = parent.type
    if kind == "if_statement" or kind == "conditional_expression":
        if child == parent.child_by_field_name("condition"):
            return False
        taken = _constant_truth(file, parent.child_by_field_name("condition"))
        if taken is None:
            return True
        return child != (parent.child_by_field_name("consequence") if taken else parent.child_by_field_name("alternative"))
    if kind == "else_clause":
        return False  # decided at the if_statement above
    if kind in LOOPS:
        if child == parent.child_by_field_name("body") and (
                _constant_truth(file, parent.child_by_field_name("condition")) or _first_pass_runs(file, parent)):
            return False  # `while (1)`, `for (i = 0; i < 1; i++)`: the body's first pass always runs
        return child == parent.child_by_field_name("body") or child == parent.child_by_field_name("update")
    if kind == "case_statement":
        return not _case_taken(file, parent)
    if kind in ("lambda_expression", "catch_clause"):
        return True
    if kind == "switch_statement":
        return child == parent.child_by_field_name("body") and not _constant_switch(file, parent)
    if kind == "binary_expression":
        operator = parent.child_by_field_name("operator")
        return operator is not None and operator.type in ("&&", "||") and child == parent.child_by_field_name("right")
    return False


def _constant_truth(file: CFile, condition: ts.Node | None) -> bool | None:
    """True/False for a condition whose value is fixed at compile time, else None."""
    if condition is None:
        return None
    if condition.type == "condition_clause":
        value = condition.child_by_field_name("value")
        condition = value if value is not None and value.type != "declaration" else None
    value = file.constant_value(condition)
    if isinstance(value, (int, float)) and not isinstance(value, bool) or isinstance(value, bool):
        return bool(value)
    return None


def _first_pass_runs(file: CFile, loop: ts.Node) -> bool:
    """`for (i = K; i < N; ...)` with constants K and N that satisfy the condition: the body runs once."""
    if loop.type != "for_statement":
        return False
    condition = strip_casts(loop.child_by_field_name("condition"))
    initializer = loop.child_by_field_name("initializer")
    if condition is None or condition.type != "binary_expression" or initializer is None:
        return False
    variable = strip_casts(condition.child_by_field_name("left"))
    bound = file.constant_value(condition.child_by_field_name("right"))
    if variable is None or variable.type != "identifier" or not isinstance(bound, (int, float)):
        return False
    start = _initial_value(file, initializer, file.text_of(variable))
    operator = file.text_of(condition.child_by_field_name("operator"))
    checks = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
              ">=": lambda a, b: a >= b, "!=": lambda a, b: a != b}
    return isinstance(start, (int, float)) and operator in checks and checks[operator](start, bound)


def _initial_value(file: CFile, initializer: ts.Node, name: str) -> object:
    if initializer.type == "assignment_expression" and file.text_of(initializer.child_by_field_name("left")) == name:
        return file.constant_value(initializer.child_by_field_name("right"))
    for declarator in initializer.children_by_field_name("declarator") if initializer.type == "declaration" else ():
        if declarator.type == "init_declarator" and file.text_of(declarator.child_by_field_name("declarator")) == name:
            return file.constant_value(declarator.child_by_field_name("value"))
    return None


def _constant_switch(file: CFile, switch: ts.Node) -> bool:
    condition = switch.child_by_field_name("condition")
    value = file.constant_value(condition.named_children[0] if condition is not None and condition.named_children
                                else None)
    return isinstance(value, int)


def _case_taken(file: CFile, case: ts.Node) -> bool:
    """The case a constant `switch` jumps to (or `default` when no case matches)."""
    switch = case.parent.parent if case.parent is not None else None
    if switch is None or switch.type != "switch_statement" or not _constant_switch(file, switch):
        return False
    condition = switch.child_by_field_name("condition")
    selected = file.constant_value(condition.named_children[0])
    cases = [c for c in case.parent.named_children if c.type == "case_statement"]
    values = [file.constant_value(c.child_by_field_name("value")) for c in cases
              if c.child_by_field_name("value") is not None]
    if case.child_by_field_name("value") is None:  # default
        return selected not in values
    return file.constant_value(case.child_by_field_name("value")) == selected


def lowest_common_ancestor(a: ts.Node, b: ts.Node) -> ts.Node | None:
    above_a = {n.id for n in _self_and_ancestors(a)}
    return next((n for n in _self_and_ancestors(b) if n.id in above_a), None)


def _self_and_ancestors(node: ts.Node) -> Iterator[ts.Node]:
    current: ts.Node | None = node
    while current is not None:
        yield current
        current = current.parent


def runs_before(file: CFile, a: ts.Node, b: ts.Node) -> bool:
    """`a` ends before `b` starts and runs whenever `b` does (structured code, same pass)."""
    if a.end_byte > b.start_byte:
        return False
    top = lowest_common_ancestor(a, b)
    if top is None:
        return False
    child = a
    while child.parent is not None and child != top:
        if _conditional_edge(file, child, child.parent):
            return False
        child = child.parent
    return not _jump_target_between(a, b, top)


def _jump_target_between(a: ts.Node, b: ts.Node, top: ts.Node) -> bool:
    """Code after an exit (`return`, `goto`...) that follows `a` runs only when a jump lands there: at a
    label that may be reached without passing `a` (`free(p); return 0; failed: free(p); return -1;`).
    A label reached by falling through from `a` is still a path on which both run."""
    passed_exit = False
    for statement in top.named_children:
        if statement.end_byte <= a.start_byte:
            continue
        if statement.start_byte >= b.end_byte:
            break
        contains_b = statement.start_byte <= b.start_byte and b.end_byte <= statement.end_byte
        if statement.type == "labeled_statement" and passed_exit:
            return True
        if contains_b:
            return False
        passed_exit = passed_exit or statement.type in EXITS
    return False


def occurrences(file: CFile, scope: ts.Node, name: str) -> list[ts.Node]:
    return list(file.identifiers(scope).get(name, ()))


def occurrences_between(file: CFile, scope: ts.Node, name: str, start: ts.Node, end: ts.Node) -> list[ts.Node]:
    return [n for n in occurrences(file, scope, name) if start.end_byte <= n.start_byte < end.start_byte]


def written_between(file: CFile, scope: ts.Node, name: str, start: ts.Node, end: ts.Node) -> bool:
    """The name is assigned, incremented, has its address taken, or (C++) is passed to a call that
    may take it by reference, between the two nodes."""
    for node in occurrences_between(file, scope, name, start, end):
        if is_written(node) or is_address_taken(node) or (file.language == "cpp" and _bare_argument(node)):
            return True
    return False


# C library functions take pointers by value: passing `p` to them never reassigns `p`.
C_LIBRARY = frozenset({
    "memcpy", "memmove", "memset", "memcmp", "memchr", "strcpy", "strncpy", "strcat", "strncat", "strlen",
    "strnlen", "strcmp", "strncmp", "strchr", "strrchr", "strstr", "strdup", "strtok", "sprintf", "snprintf",
    "vsprintf", "vsnprintf", "printf", "fprintf", "puts", "fputs", "fgets", "fread", "fwrite", "fclose", "fflush",
    "free", "realloc", "read", "write", "send", "recv", "close", "atoi", "atol", "strtol", "strtoul", "wcscpy",
    "wcslen", "wcscat", "wmemcpy", "wmemset", "qsort", "bsearch", "fseek", "ftell", "fputc", "fgetc", "sscanf",
})


def _bare_argument(node: ts.Node) -> bool:
    """`f(x)`: in C++ the parameter may be a reference through which `f` assigns `x` (not for C library calls)."""
    if node.parent is None or node.parent.type != "argument_list" or node.parent.parent is None:
        return False
    function = node.parent.parent.child_by_field_name("function")
    name = function.text.decode("utf-8", "replace") if function is not None and function.text else ""
    return name.removeprefix("std::").removeprefix("::") not in C_LIBRARY


def inside(node: ts.Node, container: ts.Node | None) -> bool:
    return container is not None and container.start_byte <= node.start_byte and node.end_byte <= container.end_byte


def guarding_conditions(node: ts.Node) -> Iterator[ts.Node]:
    """Conditions of the `if`/loops/`?:`/`&&` under which `node` runs (innermost first)."""
    child = node
    for parent in CFile.ancestors(node):
        if parent.type in ("if_statement", "while_statement", "for_statement", "conditional_expression", "do_statement"):
            condition = parent.child_by_field_name("condition")
            if condition is not None and child != condition:
                yield condition
        elif parent.type == "binary_expression" and child == parent.child_by_field_name("right"):
            operator = parent.child_by_field_name("operator")
            if operator is not None and operator.type in ("&&", "||"):
                yield parent.child_by_field_name("left")
        child = parent


def tests_of(file: CFile, scope: ts.Node, name: str) -> list[ts.Node]:
    """Occurrences of `name` that are compared or truth-tested (`n < MAX`, `!p`, `if (p)`, `p && ...`)."""
    found = []
    for node in occurrences(file, scope, name):
        if is_tested(file, node):
            found.append(node)
    return found


ABSOLUTE_VALUE = frozenset({"abs", "labs", "llabs", "imaxabs", "fabs", "fabsf", "fabsl", "qAbs", "std::abs", "std::fabs",
                            "std::llabs"})


STRING_LENGTH = frozenset({"strlen", "wcslen", "strnlen", "_tcslen", "lstrlen", "std::strlen"})


def magnitude_of(file: CFile, node: ts.Node) -> ts.Node:
    """The expression that is really compared when `node` is tested: `node` itself, wrapped in
    parentheses or casts, inside `fabs(node)` / `abs(node)`, or measured by `strlen(node)`."""
    current, parent = node, node.parent
    while parent is not None:
        if parent.type in ("parenthesized_expression", "cast_expression"):
            current, parent = parent, parent.parent
        elif parent.type == "argument_list" and parent.parent is not None and parent.named_children and \
                parent.named_children[0] == current and \
                file.text_of(parent.parent.child_by_field_name("function")) in ABSOLUTE_VALUE | STRING_LENGTH:
            current, parent = parent.parent, parent.parent.parent
        else:
            break
    return current


def is_tested(file: CFile, node: ts.Node) -> bool:
    """This occurrence is an operand of a comparison or the value of a truth test."""
    current = magnitude_of(file, node)
    parent = current.parent
    if parent is None:
        return False
    if parent.type == "binary_expression":
        operator = parent.child_by_field_name("operator")
        return operator is not None and (operator.type in _COMPARISONS or operator.type in ("&&", "||"))
    if parent.type == "unary_expression":
        operator = parent.child_by_field_name("operator")
        return operator is not None and operator.type == "!"
    if parent.type in ("condition_clause", "if_statement", "while_statement", "conditional_expression",
                       "for_statement", "do_statement"):
        return parent.child_by_field_name("condition") == current or parent.type == "condition_clause"
    if parent.type == "argument_list":
        call = parent.parent
        function = call.child_by_field_name("function") if call is not None else None
        return function is not None and file.text_of(function) in ("assert", "Q_ASSERT", "Q_CHECK_PTR",
                                                                   "g_return_if_fail", "g_return_val_if_fail")
    return False


def ends_with_exit(file: CFile, block: ts.Node | None) -> bool:
    """The statement or block always leaves the enclosing code (return, goto, break, exit())."""
    block = unwrap(block)
    if block is None:
        return False
    if block.type == "compound_statement":
        statements = [c for c in block.named_children if c.type != "comment"]
        return bool(statements) and ends_with_exit(file, statements[-1])
    if block.type in EXITS:
        return True
    if block.type == "expression_statement" and block.named_children:
        call = file.call_of(block.named_children[0])
        return call is not None and call.name in _EXIT_CALLS
    return False


def assigned_value(node: ts.Node) -> ts.Node | None:
    """For an identifier being assigned or initialised, the value it receives."""
    parent = node.parent
    if parent is None:
        return None
    if parent.type == "assignment_expression" and parent.child_by_field_name("left") == node:
        operator = parent.child_by_field_name("operator")
        return parent.child_by_field_name("right") if operator is not None and operator.type == "=" else None
    if parent.type == "init_declarator" and parent.child_by_field_name("declarator") == node:
        return parent.child_by_field_name("value")
    # `char *p = ...`: the identifier sits inside a pointer declarator
    while parent is not None and parent.type in ("pointer_declarator", "reference_declarator"):
        node, parent = parent, parent.parent
    if parent is not None and parent.type == "init_declarator" and parent.child_by_field_name("declarator") == node:
        return parent.child_by_field_name("value")
    return None


def bindings(file: CFile, scope: ts.Node, name: str) -> list[tuple[ts.Node, ts.Node]]:
    """(identifier, value) for every `name = value` / `T name = value` in scope, in source order."""
    found = []
    for node in occurrences(file, scope, name):
        value = assigned_value(node)
        if value is not None:
            found.append((node, strip_casts(value)))
    return found
