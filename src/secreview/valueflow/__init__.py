"""Value flow for C and C++: what values a variable can hold at each point of a function.

`facts(file)` runs the abstract interpreter (`interpreter.py`) over every
function of a parsed C/C++ file, lowered to the dataflow IR, and returns the
defects it saw on some path (`Event`s). A function whose step budget runs out
is run again on one joined path (cheaper, coarser); if that too runs out, a
note says so.  Functions are analysed callees first, so a call to a
function of the same file uses its summary: whether it returns NULL always or
on some path, which parameters it releases, whether it returns at all.
The answer is memoised on the file: every check shares one run.

What a value is (nullness, freed state, integer interval) and how values join
is in `lattice.py`; what a branch condition says about them, `refine.py`.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, replace

import tree_sitter as ts

from secreview.lang.c_family.file import CFile, is_address_taken
from secreview.lang.c_family.flow import C_LIBRARY
from secreview.lang.c_family.lifetime import DEREFERENCING_CALLS, FILES, HEAP, RELEASERS, is_reference
from secreview.taint import ir
from secreview.taint.c_lower import EXIT_CALLS, function_definitions, lower_function
from secreview.valueflow.integers import integer_type
from secreview.valueflow.library import (
    COPIES, LOCK_GIVING_FUNCTIONS, LOCK_TAKING_FUNCTIONS, LOCK_UNSURE_FUNCTIONS, REALLOCATORS, RESULT_RANGES,
    RETURNS_FIRST_ARGUMENT, USING_ONLY, null_result_reason)
from secreview.valueflow.interpreter import (
    MAX_PATHS, THROUGH, BudgetExceeded, Event, FunctionRun, MemberAccess, Summary, evaluated_conditionally,
    out_of_memory_origin)
from secreview.valueflow.lattice import FIELD_KEY, FREED, MAYBE_NULL, NON_NULL, NULL, OUT_OF_MEMORY, Interval, Origin, State
from secreview.valueflow.locks import LockKey, class_of, is_failure_return
from secreview.valueflow.ownership import filled_name, leaks

__all__ = ["Event", "FileFacts", "dereferenced_where", "describe", "facts"]

STEP_BUDGET = 20_000  # statements executed per function (each path counts)
_MEMO_KEY = ("value-flow",)


@dataclass(frozen=True)
class FileFacts:
    events: tuple[Event, ...]
    incomplete: tuple[str, ...]  # one note per function whose budget ran out

    def of_kind(self, kind: str) -> list[Event]:
        return [event for event in self.events if event.kind == kind]


def facts(file: CFile) -> FileFacts:
    return file.memo(_MEMO_KEY, lambda: _analyse(file))


def _analyse(file: CFile) -> FileFacts:
    functions = _functions(file)
    defined = _defined_once(functions)
    callees = [_callees(function, defined) for function in functions]  # (walking each body once)
    # calls into functions other files of the run define (`FileContext.functions`), summarised there
    summaries: dict[str, Summary] = _other_files_summaries(file, functions, callees)
    events: list[Event] = []
    incomplete: list[str] = []
    orders: list[tuple[str, FunctionRun]] = []  # each function's lock order, for inversions between them
    methods: list[tuple[ir.Function, FunctionRun]] = []  # C++ methods touching data members, for unguarded ones
    for function in _callees_first(functions, callees):
        outcome = _run(file, function, summaries, incomplete)
        if outcome is None:
            continue
        run, ends, seen = outcome
        events.extend(seen)
        if ends is None:
            continue  # the budget ran out on both runs
        node = function.node
        events.extend(_unreleased(file, node, run, ends))
        events.extend(leaks(node, run, ends))
        if run.lock_order:
            orders.append((function.name, run))
        if run.member_accesses or run.held_at_calls:
            methods.append((function, run))
        if function.name in defined:
            summaries[function.name] = _summary(function, run, ends, _reference_parameters(file, node, function))
    events.extend(_inversions(orders))
    events.extend(_unguarded(file, methods))
    events.sort(key=lambda event: event.node.start_byte)
    return FileFacts(tuple(events), tuple(incomplete))


def _functions(file: CFile) -> list[ir.Function]:
    from secreview.taint.c_lower import lower

    return [s.function for s in lower(file).body if isinstance(s, ir.FunctionDef)]


def _defined_once(functions: list[ir.Function]) -> set[str]:
    """Names of the functions the file defines once (two definitions, under `#if` arms, leave no summary)."""
    counts = Counter(function.name for function in functions)
    return {name for name, count in counts.items() if count == 1}


def _run(file: CFile, function: ir.Function, summaries: dict[str, Summary],
         incomplete: list[str], paths: int = MAX_PATHS, budget: int | None = None) -> tuple[FunctionRun, list[State] | None, list[Event]] | None:
    """One function's run: the run, its states at the end of the body (None when the budget ran out on the
    path-by-path run and on the joined one) and the events seen; None for a function the parser broke."""
    node = function.node
    if not isinstance(node, ts.Node) or node.has_error:
        return None
    budget = budget or STEP_BUDGET
    tracked = _tracked(file, node, function, summaries)
    references = _local_references(file, node)
    followed = _followed_parameters(file, node, function)
    run = FunctionRun(file, function, tracked, summaries, budget, paths=paths, references=references,
                      entry_parameters=followed)
    seen: list[Event] = []
    try:
        return run, run.run(), list(run.events.values())
    except BudgetExceeded:
        seen.extend(run.events.values())  # each seen on a real path before the budget ran out
    if paths == 1:
        return run, None, seen  # that was the joined run
    run = FunctionRun(file, function, tracked, summaries, budget, paths=1,  # one joined path
                      references=references, entry_parameters=followed)
    try:
        ends = run.run()
    except BudgetExceeded:
        incomplete.append(f"value flow of `{function.name}` (line {node.start_point[0] + 1}) stopped: "
                          f"more than {budget} steps")
        return run, None, seen + list(run.events.values())
    return run, ends, seen + list(run.events.values())


# -- summaries for the other files of a run --------------------------------------------------

_EXPORTED_KEY = ("value-flow", "exported")
EXPORT_BUDGET = 3_000  # steps of one exported function's joined run: a summary is worth less than a review
# Longer functions are not summarised for other files: the wrappers, allocators, resetters and lock helpers
# whose summaries say something are short, a long function's joined-path summary says little, and running
# them cost a third of the cross-file time on curl (each worker process summarises what its files call).
EXPORT_MAX_BYTES = 2_000


def exported_summaries(file: CFile, names: set[str]) -> dict[str, Summary]:
    """Summaries of the functions named in `names` that `file` defines once and exports (not `static`), for
    callers in other files. They are computed from this file alone (callees of other files unknown), on
    one joined path per function (cheaper; coarser than the file's own review), and only for the named
    functions and the functions of the file they call, which alone are lowered, in an order fixed by the
    file's calls: the same summaries whichever names were asked first."""
    state = file.memo(_EXPORTED_KEY, lambda: _ExportState(file))
    return state.summaries_of(names)


class _ExportState:
    def __init__(self, file: CFile) -> None:
        self.file = file
        nodes = function_definitions(file)
        counts = Counter(file.function_name(node) for node in nodes)
        self.by_name = {file.function_name(node): node for node in nodes if counts[file.function_name(node)] == 1}
        self.calls = {name: _called_names(file, node) & self.by_name.keys() for name, node in self.by_name.items()}
        self.order = _callees_first_by_name(list(self.by_name), self.calls)
        self.exported = {name for name, node in self.by_name.items()
                         if name.isidentifier() and not _is_static(file, node)
                         and node.end_byte - node.start_byte <= EXPORT_MAX_BYTES}
        self.summaries: dict[str, Summary] = {}
        self.done: set[str] = set()

    def summaries_of(self, names: set[str]) -> dict[str, Summary]:
        wanted = self._closure(names & self.exported) - self.done
        for name in self.order:
            if name not in wanted:
                continue
            self.done.add(name)
            function = lower_function(self.file, self.by_name[name])
            if function is None:
                continue
            outcome = _run(self.file, function, self.summaries, [], paths=1, budget=EXPORT_BUDGET)
            if outcome is not None and outcome[1] is not None:
                run, ends, _ = outcome
                self.summaries[name] = _summary(function, run, ends,
                                                _reference_parameters(self.file, function.node, function))
        return {name: self.summaries[name] for name in names & self.exported if name in self.summaries}

    def _closure(self, names: set[str]) -> set[str]:
        """The functions named and those of the file they call, directly or not."""
        found: set[str] = set()
        waiting = list(names)
        while waiting:
            name = waiting.pop()
            if name not in found:
                found.add(name)
                waiting.extend(self.calls[name])
        return found


def _called_names(file: CFile, function: ts.Node) -> set[str]:
    """Names of the functions a definition calls by name (`f(...)`), read from the syntax."""
    body = file.function_body(function)
    names = set()
    for call in file.nodes_of_type("call_expression", within=body) if body is not None else ():
        callee = call.child_by_field_name("function")
        if callee is not None and callee.type == "identifier":
            names.add(file.text_of(callee))
    return names


def _is_static(file: CFile, node: ts.Node) -> bool:
    return any(child.type == "storage_class_specifier" and file.text_of(child) == "static" for child in node.children)


def _other_files_summaries(file: CFile, functions: list[ir.Function], callees: list[set[str]]) -> dict[str, Summary]:
    """Summaries of the functions this file calls and another file of the run defines. A function the engine
    knows as the library's (`malloc`, `fopen`, `pthread_mutex_lock`...) keeps the library's meaning even
    when the run holds a replacement of it (a debug allocator, a test stub)."""
    index = file.context.functions if file.context is not None else None
    if index is None or file.language != "c":
        return {}  # (a bare call in a C++ method may be a member function's: a name alone cannot tell)
    own = {function.name for function in functions}
    called = set().union(*callees) if callees else set()
    return index.summaries({name for name in called - own if name.isidentifier() and name not in _LIBRARY},
                           file.path)


_LIBRARY = frozenset().union(
    C_LIBRARY, HEAP.acquire, HEAP.release, FILES.acquire, FILES.release, RELEASERS, EXIT_CALLS, COPIES,
    RESULT_RANGES, REALLOCATORS, RETURNS_FIRST_ARGUMENT, USING_ONLY, LOCK_TAKING_FUNCTIONS, LOCK_GIVING_FUNCTIONS,
    LOCK_UNSURE_FUNCTIONS, DEREFERENCING_CALLS)


def _tracked(file: CFile, node: ts.Node, function: ir.Function, summaries: dict[str, Summary]) -> frozenset[str]:
    """Parameters and locals, neither static nor references, whose address is never taken and which no
    lambda of the function may write (a lambda capturing by reference may assign them, unseen here). A name
    declared again in another block (`for (int i = 0; ...)` twice) is one variable here: each declaration
    rebinds it."""
    body = node.child_by_field_name("body")
    uses = file.identifiers(body) if body is not None else {}
    captured = _written_in_lambdas(file, body) if body is not None and file.language == "cpp" else set()
    declarations = file.declarations_in(node)
    names = set()
    for name, declared in declarations.items():
        if any(variable.is_static or is_reference(file, variable) for variable in declared):
            continue
        if name in captured or any(is_address_taken(use) and not _lent_to(file, use, summaries)
                                   for use in uses.get(name, ())) \
                or _shadowed(declared, uses.get(name, [])):
            continue
        names.add(name)
    return frozenset((names - _referred(file, declarations)) & (set(function.params) | set(uses)))


def _written_in_lambdas(file: CFile, body: ts.Node) -> set[str]:
    """Names a lambda inside `body` may change or take over: assigned, stepped, address taken, passed to a call
    (which may take a reference), deleted, or bound to a capture's own name. Reading a captured variable
    changes nothing."""
    written = set()
    for lam in file.nodes_of_type("lambda_expression", within=body):
        for name, uses in file.identifiers(lam).items():
            if any(_may_write(file, use) for use in uses):
                written.add(name)
    return written


def _may_write(file: CFile, use: ts.Node) -> bool:
    parent = use.parent
    if parent is None:
        return False
    if parent.type in ("lambda_capture_initializer", "delete_expression"):
        return True  # bound to another name there (`[&o = p]`, `[q = p]`), or released
    if parent.type == "assignment_expression":
        return parent.child_by_field_name("left") == use
    if parent.type == "argument_list":  # a cast (`static_cast<T *>(p)`) only reads
        callee = parent.parent.child_by_field_name("function") if parent.parent is not None else None
        return callee is None or not _CAST.match(file.text_of(callee))
    if parent.type == "pointer_expression":
        operator = parent.child_by_field_name("operator")
        return operator is not None and operator.type == "&"
    return parent.type == "update_expression"


_CAST = re.compile(r"^(?:static|dynamic|reinterpret|const|qobject)_cast\s*<")


def _lent_to(file: CFile, use: ts.Node, summaries: dict[str, Summary]) -> bool:
    """`&x` passed straight to a function of the file that fills that parameter with memory it allocates
    (`Summary.fills`: `make(&x)`), or sets it on every exit (`*slot = NULL;`, `Summary.writes_fields`), and keeps
    no pointer to it: the interpreter follows what x then holds.
    Other locals whose address is taken stay unfollowed."""
    address = use.parent
    arguments = address.parent if address is not None else None
    call = arguments.parent if arguments is not None else None
    if arguments is None or arguments.type != "argument_list" or call is None or call.type != "call_expression" \
            or evaluated_conditionally(call):
        return False  # (the interpreter keeps what only the first operand of `&&`, `||` and `?:` does)
    position = arguments.named_children.index(address)
    targets = [summaries.get(name) for name in _called_functions(file, call.child_by_field_name("function"))]
    if not targets or any(summary is None or position not in summary.borrows for summary in targets):
        return False  # one of them may keep the address
    return any(any(where == position for where, *_ in summary.fills)  # type: ignore[union-attr]
               or (position, "*") in ((where, f) for where, f, _ in summary.writes_fields)  # type: ignore[union-attr]
               for summary in targets)


def _called_functions(file: CFile, callee: ts.Node | None) -> list[str]:
    """The functions a call may run: its name, or, for a local function pointer (`fp(x)`, `(*fp)(x)`), every
    function the enclosing function assigns to it (none when it is given anything else)."""
    while callee is not None and callee.type in ("parenthesized_expression", "pointer_expression"):
        callee = callee.named_children[-1] if callee.named_children else None
    if callee is None or callee.type != "identifier":
        return []
    variable = file.variable(callee)
    if variable is None or variable.is_parameter or variable.is_static:
        return [file.text_of(callee)]
    function = file.enclosing_function(callee)
    values = [variable.initializer] if variable.initializer is not None else []
    for use in file.identifiers(function).get(variable.name, ()) if function is not None else ():
        parent = use.parent
        if parent is not None and parent.type == "assignment_expression" and parent.child_by_field_name("left") == use:
            values.append(parent.child_by_field_name("right"))
        elif parent is not None and parent.type == "pointer_expression" and file.text_of(parent).startswith("&"):
            return []  # its address is taken: anything may be stored there
    names = []
    for value in values:
        while value is not None and value.type in ("parenthesized_expression", "pointer_expression"):
            value = value.named_children[-1] if value.named_children else None  # `&handler`
        if value is None or value.type != "identifier" or file.variable(value) is not None:
            return []
        names.append(file.text_of(value))
    return names


def _referred(file: CFile, declarations: dict) -> set[str]:
    """Locals a C++ local reference is bound to (`T *&alias = p;`): changed through the reference, unseen."""
    if file.language != "cpp":
        return set()
    return {file.text_of(variable.initializer) for declared in declarations.values() for variable in declared
            if variable.initializer is not None and variable.initializer.type == "identifier"
            and not variable.is_parameter and is_reference(file, variable)}


def _followed_parameters(file: CFile, node: ts.Node, function: ir.Function) -> tuple[str, ...]:
    """The parameters declared as pointers (`struct s *item`, `char buf[]`) or integers (`size_t n`): what the
    function does with them as the caller passed them goes into its summary."""
    declared = file.declarations_in(node)
    return tuple(name for name in function.params
                 if any(variable.is_parameter and (variable.is_pointer or integer_type(variable.type_text) is not None)
                        for variable in declared.get(name, ())))


def _shadowed(declared: list, uses: list[ts.Node]) -> bool:
    """A name declared again inside the scope of another of its declarations (`void f(T *w) { if (T *w =
    g()) ... } w->x`), and used after that inner scope ends: two variables the engine, which follows one
    value per name, would mix up. An inner copy used only inside its block (`{ T *data = copy; ... }`), and
    declarations in sibling blocks (`for (int i ...)` twice), are one variable rebound, which it follows."""
    if len(declared) < 2:
        return False
    for inner in declared:
        if inner.is_parameter:
            continue
        scope = _scope_of(inner.declaration)
        if scope is None:
            continue
        for outer in declared:
            if outer is inner:
                continue
            outer_scope = None if outer.is_parameter else _scope_of(outer.declaration)
            if outer_scope is not None and not (outer_scope.start_byte <= inner.declaration.start_byte
                                                < outer_scope.end_byte):
                continue  # siblings, not nested
            end = outer_scope.end_byte if outer_scope is not None else None
            if any(use.start_byte >= scope.end_byte and (end is None or use.start_byte < end) for use in uses):
                return True  # the outer variable is read again after the inner one is gone
    return False


def _scope_of(declaration: ts.Node) -> ts.Node | None:
    """The block (or statement with its own scope) a declaration's name lives in."""
    current = declaration.parent
    while current is not None and current.type not in ("compound_statement", "for_statement", "if_statement",
                                                         "while_statement", "for_range_loop", "switch_statement"):
        current = current.parent
    return current


def _local_references(file: CFile, node: ts.Node) -> frozenset[str]:
    """C++ local references (`int &first = v[0];`), not parameters: bound once, to an object that lives elsewhere."""
    if file.language != "cpp":
        return frozenset()
    return frozenset(name for name, declared in file.declarations_in(node).items()
                     if all(not v.is_parameter and not v.is_static and is_reference(file, v) for v in declared))


def _reference_parameters(file: CFile, node: ts.Node, function: ir.Function) -> frozenset[int]:
    """Positions of the C++ reference parameters (`int &n`): the function may assign the caller's variable."""
    declared = file.declarations_in(node)
    return frozenset(position for position, name in enumerate(function.params)
                     if any(variable.is_parameter and is_reference(file, variable) for variable in declared.get(name, ())))


def _summary(function: ir.Function, run: FunctionRun, ends: list[State], references: frozenset[int]) -> Summary:
    values = [value for _, value in run.returned]
    nulls = [value for value in values if value.null == NULL]
    if values and len(nulls) == len(values) and not ends:
        returns_null: str | None = "always"
    elif nulls or any(value.null == MAYBE_NULL for value in values):
        returns_null = "sometimes"
    else:
        returns_null = None
    exits = [state for state, _ in run.returned] + ends
    releases = frozenset(position for position, name in enumerate(function.params)
                         if name in run.tracked and exits and all(s.get(name).heap == FREED for s in exits))
    intervals = [value.interval for value in values]
    result = None
    if intervals and all(interval is not None and not value.vague for interval, value in zip(intervals, values)):
        result = intervals[0]
        for interval in intervals[1:]:
            result = result.join(interval)  # type: ignore[union-attr, arg-type]
    dereferences = tuple((position, run.dereferenced[name]) for position, name in enumerate(function.params)
                         if name in run.dereferenced)
    positions = {name: position for position, name in enumerate(function.params)}
    reaches = tuple(replace(reach, position=positions[name], by=positions.get(by) if by is not None else None)
                    for (name, by), reach in run.reached.items() if name in positions and (by is None or by in positions))
    takes = frozenset(run.lock_takes.values())
    holds = frozenset(lock for lock in takes if lock.everywhere and exits and all(
        (held := s.locks.get(lock.key)) is not None and held.held and held.scope is None for s in exits))
    taken = {lock.key for lock in takes}
    gives = frozenset(LockKey(key, given.origin.callee, given.order, given.recursive)
                      for key, given in (exits[0].locks.items() if exits else ())
                      if not given.held and not key.startswith("~") and key not in taken
                      and all((other := s.locks.get(key)) is not None and not other.held for s in exits))
    fresh = [allocator for allocator, (_, value) in zip(run.returned_fresh, run.returned) if value.null != NULL]
    allocates = fresh[0] if fresh and all(fresh) and not ends else ""
    borrows = frozenset(position for position, name in enumerate(function.params)
                        if position not in run.kept and name in run.tracked and run.pointer_parameter(name))
    returned_parameters = set(run.returned_parameter)
    returns_argument = returned_parameters.pop() if len(returned_parameters) == 1 and not ends else None
    opens = bool(allocates) and all(opened for opened, (_, value) in zip(run.returned_opened, run.returned)
                                    if value.null != NULL)
    return Summary(returns_null, releases, bool(exits), result, references, dereferences, reaches, takes, holds, gives,
                   allocates, borrows, keeps_when=_keeps_when(run, ends), returns_argument=returns_argument, opens=opens,
                   fills=_fills(function, run, ends),
                   null_when_out_of_memory=returns_null == "sometimes" and _null_only_out_of_memory(run),
                   writes_fields=_written_fields(run, exits), method_of=run.method_class())


def _written_fields(run: FunctionRun, exits: list[State]) -> tuple[tuple[int, str, str], ...]:
    """The fields every exit leaves NULL, or every exit leaves not NULL, reached from a pointer parameter the
    function never reassigns, or a data member of the method's class (`Summary.writes_fields`)."""
    positions = {name: position for position, name in enumerate(run.function.params)
                 if name in run.tracked and not run.reassigned(name)}
    agreed: dict[tuple[int, str], str] | None = None
    for state in exits:
        found = {}
        for key, value in state.values.items():
            if value.vague or value.null not in (NULL, NON_NULL):
                continue
            root, arrow, field_name = key.partition("->")
            if key.endswith(THROUGH):  # `*slot = NULL;`
                root, field_name = key.removesuffix(THROUGH), "*"
            elif not arrow or not FIELD_KEY.match(key):
                continue
            position = -1 if root == "this" else positions.get(root)
            if position is not None:
                found[(position, field_name)] = value.null
        agreed = found if agreed is None else {key: null for key, null in agreed.items() if found.get(key) == null}
    return tuple(sorted((position, field_name, null) for (position, field_name), null in (agreed or {}).items()))


def _null_only_out_of_memory(run: FunctionRun) -> bool:
    """Every return that may hand back NULL is on a path where memory ran out, or hands back an allocator's
    unchecked result (`return malloc(n);`)."""
    return all(value.null not in (NULL, MAYBE_NULL) or state.decided.get(OUT_OF_MEMORY) is True
               or (value.null == MAYBE_NULL and out_of_memory_origin(value.null_origin))
               for state, value in run.returned)


def _fills(function: ir.Function, run: FunctionRun, ends: list[State]) -> tuple:
    """The pointer parameters the function fills with memory it allocated (`Summary.fills`): on every exit,
    or on the exits returning some values and not on those returning others."""
    exits = [(state, value.interval) for state, value in run.returned] + [(state, None) for state in ends]
    fills = []
    for position in range(len(function.params)):
        marks = [state.values.get(filled_name(position)) for state, _ in exits]
        if not any(mark is not None for mark in marks):
            continue
        if any(mark is not None and mark.interval is None for mark in marks):
            continue  # filled on some path merged into an exit, not on others: not known per outcome
        origin = next(mark.null_origin for mark in marks if mark is not None)
        if origin is None:
            continue
        filled = [interval for (_, interval), mark in zip(exits, marks) if mark is not None]
        unfilled = [interval for (_, interval), mark in zip(exits, marks) if mark is None]
        if not unfilled:
            fills.append((position, None, None, origin.kind, origin.callee))
            continue
        outcomes = _distinct_outcomes(filled, unfilled)
        if outcomes is not None:
            fills.append((position, *outcomes, origin.kind, origin.callee))
    return tuple(fills)


def _distinct_outcomes(these: list[Interval | None], those: list[Interval | None]) -> tuple[Interval, Interval] | None:
    """The values returned by two groups of exits, when both groups exist, every value is known and no value
    is in both: the caller can tell from the result which group its call took."""
    if not these or not those or any(interval is None for interval in these + those):
        return None
    joined = functools.reduce(Interval.join, these), functools.reduce(Interval.join, those)  # type: ignore[arg-type]
    return joined if joined[0].meet(joined[1]).is_empty() else None



def _keeps_when(run: FunctionRun, ends: list[State]) -> tuple[tuple[int, Interval, Interval], ...]:
    """The pointer parameters the function keeps (or releases) on the paths that return some values and
    leaves to the caller on those that return others (`Summary.keeps_when`)."""
    if ends:
        return ()  # an exit that returns nothing tells the caller nothing
    conditional = []
    for position in sorted(run.kept):
        key = -position - 1
        outcomes = _distinct_outcomes([value.interval for state, value in run.returned if key not in state.owned],
                                      [value.interval for state, value in run.returned if key in state.owned])
        if outcomes is not None:
            conditional.append((position, *outcomes))
    return tuple(conditional)


def _unreleased(file: CFile, node: ts.Node, run: FunctionRun, ends: list[State]) -> list[Event]:
    """Exits that still hold a lock this function took by hand, when other exits of the function give it
    back: the error path that forgot to unlock. A function that gives it back only where it fails (and keeps
    it where it succeeds) is taking the lock for its caller, and is left alone."""
    body = node.child_by_field_name("body")
    closing = body.children[-1] if body is not None and body.children else node
    exits = list(zip([state for state, _ in run.returned], run.returned_at)) + [(state, closing) for state in ends]
    held_keys = {key for state, _ in exits for key, lock in state.locks.items() if lock.held and lock.scope is None}
    if not held_keys:
        return []
    returns_pointer = _returns_pointer(node)
    events = []
    for key in sorted(held_keys):
        holding = [(state, at) for state, at in exits
                   if (lock := state.locks.get(key)) is not None and lock.held and lock.scope is None]
        giving = [at for state, at in exits if (lock := state.locks.get(key)) is not None and not lock.held]
        if not giving:
            continue  # it keeps the lock on every path that knows of it: a lock wrapper, or held by design
        if all(is_failure_return(file, at, returns_pointer) for at in giving) \
                and not any(is_failure_return(file, at, returns_pointer) for _, at in holding):
            continue  # it gives the lock back where it fails and keeps it where it succeeds
        for state, at in holding:
            lock = state.locks[key]
            if at is not None:
                events.append(Event("lock-not-released", at, lock.origin.callee, lock.origin,
                                    state.shown_alone(lock.origin), via_line=giving[0].start_point[0] + 1
                                    if giving[0] is not None else 0))
    return events


def _inversions(orders: list[tuple[str, FunctionRun]]) -> list[Event]:
    """Two locks taken in one order in one place and in the other order in another: two threads running
    them at once can each hold one lock and wait for ever for the other."""
    events = []
    for name, run in orders:
        for (held, taken), (at, held_origin, text, gates, same_objects) in run.lock_order.items():
            for other_name, other in orders:
                reverse = other.lock_order.get((taken, held))
                if reverse is None or reverse[0] is at or gates & reverse[3]:
                    continue  # the same place, or a third lock both hold keeps them apart
                # certain when both places name the same two lock objects, not two members of a struct type
                events.append(Event("lock-order-inversion", at, text, held_origin, same_objects and reverse[4],
                                    via=other_name, via_line=reverse[0].start_point[0] + 1))
                break
    return events


def _unguarded(file: CFile, methods: list[tuple[ir.Function, FunctionRun]]) -> list[Event]:
    """Reads and writes of a C++ data member with no lock held, where a method writes that member while
    holding a lock: the class guards it, and this access races with that write. Constructors and
    destructors (no other thread sees the object yet, or any more) are left out, and so are methods that
    every call in the file makes with a lock held."""
    called_with: dict[str, frozenset[str]] = {}
    for _, run in methods:
        for callee, held in run.held_at_calls.items():
            called_with[callee] = called_with[callee] & held if callee in called_with else held
    guarded: dict[str, tuple[MemberAccess, str]] = {}
    accesses: list[tuple[MemberAccess, str]] = []
    for function, run in methods:
        if _constructs_or_destroys(file, function):
            continue
        for access in run.member_accesses.values():
            held = access.held | called_with.get(function.name, frozenset())
            if access.write and held:
                guarded.setdefault(access.member, (access, function.name))
            elif not held:
                accesses.append((access, function.name))
    events = []
    reported: set[tuple[str, str]] = set()
    for access, name in sorted(accesses, key=lambda item: item[0].node.start_byte):
        write = guarded.get(access.member)
        if write is None or (access.member, name) in reported:
            continue
        reported.add((access.member, name))
        written, writer = write
        events.append(Event("unguarded-member-access", access.node, access.member.split("::")[-1],
                            Origin(written.node, "written", written.lock_text), True, write=access.write,
                            via=writer, via_line=written.node.start_point[0] + 1))
    return events


def _constructs_or_destroys(file: CFile, function: ir.Function) -> bool:
    """A constructor or destructor of the method's class (`Foo::Foo`, `~Foo`)."""
    node = function.node
    if not isinstance(node, ts.Node):
        return False
    method = file.function_name(node).rsplit("::", 1)[-1]
    owner = class_of(file, node)
    return bool(owner) and method.lstrip("~") == owner


def _returns_pointer(node: ts.Node) -> bool:
    declarator = node.child_by_field_name("declarator")
    return declarator is not None and declarator.type in ("pointer_declarator", "reference_declarator")


def _callees_first(functions: list[ir.Function], callees: list[set[str]]) -> list[ir.Function]:
    """Functions ordered so that each comes after the functions of the file it calls (cycles broken);
    `callees` holds the names each function calls."""
    by_name = {f.name: f for f in functions}  # (of two of one name, the later; both are run)
    calls = {f.name: called & by_name.keys() for f, called in zip(functions, callees)}
    names = _callees_first_by_name(list(dict.fromkeys(f.name for f in functions)), calls)
    position = {name: index for index, name in enumerate(names)}
    return sorted(functions, key=lambda f: position[f.name])


def _callees_first_by_name(names: list[str], calls: dict[str, set[str]]) -> list[str]:
    """`names` ordered so that each comes after those it calls (`calls`), cycles broken by file order."""
    ordered: list[str] = []
    placed: set[str] = set()
    entered: set[str] = set()
    for root in names:
        stack: list[tuple[str, bool]] = [(root, False)]
        while stack:
            name, expanded = stack.pop()
            if name in placed:
                continue
            if expanded:
                placed.add(name)
                ordered.append(name)
                continue
            if name in entered:
                continue  # a cycle: it is placed when its first visit finishes
            entered.add(name)
            stack.append((name, True))
            stack.extend((callee, False) for callee in sorted(calls[name]) if callee not in entered)
    return ordered


def _callees(function: ir.Function, defined: Collection[str] = ()) -> set[str]:
    """The names the function calls, and the functions of the file it takes as values (`fp = handler;`: it
    may call them through the pointer, so they are summarised before it)."""
    return {item.callee if isinstance(item, ir.Call) else item.id for item in ir.walk_ir(function.body)
            if (isinstance(item, ir.Call) and item.callee) or (isinstance(item, ir.Name) and item.id in defined)}


def dereferenced_where(event: Event) -> str:
    """How a NULL dereference happens, in words: in place, or inside the function it is passed to."""
    why = describe(event.origin)
    if not event.via:
        return why
    if event.name in ("NULL", "nullptr", "0"):
        why = "the caller passes it NULL"
    where = f" on line {event.via_line}" if event.via_line else ""
    if event.via_path:
        where += f" of {event.via_path}"
    return f"`{event.via}()` dereferences the argument unchecked{where}, and {why}"


def describe(origin: Origin | None, what: str = "NULL") -> str:
    """Why a value is NULL (or 0, or freed) on the path of a finding, in words."""
    if origin is None:
        return f"it is {what} on some path"
    line = origin.node.start_point[0] + 1
    if origin.kind == "assigned" and origin.callee:
        return f"`{origin.callee}()` on line {line} leaves it {what} (on every path through it)"
    if origin.kind == "assigned":
        return f"it was set to {what} on line {line}"
    if origin.kind == "tested":
        return f"the test on line {line} found it {what} and the path goes on to this use"
    if origin.kind == "empty":
        how = f"`{origin.callee}` emptied it" if origin.callee else "it was declared empty"
        return f"{how} on line {line}: an empty smart pointer holds NULL"
    if origin.kind == "moved":
        return f"it was moved from on line {line}, which leaves a smart pointer empty (NULL)"
    if origin.kind in ("allocation", "function"):
        return f"`{origin.callee}()` on line {line} may return NULL and it is not checked"
    if origin.kind == "library":
        return f"`{origin.callee}()` on line {line} returns NULL when {null_result_reason(origin.callee)}, unchecked here"
    return f"`{origin.callee}` released it on line {line}"
