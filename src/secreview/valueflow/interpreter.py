"""Abstract interpretation of one C/C++ function over the lowered IR (`taint.ir`, from `taint.c_lower`).

The function runs on a small set of abstract states (paths kept apart, up to
`MAX_PATHS`; more are joined into one), statement by statement.  Tests split
and refine the states (`refine.py`), paths that a test rules out are dropped,
`goto` carries its state to the label, only the first arm of an `#if` runs,
loops run until their head state stops
changing (intervals widened after a few rounds), and every statement executed
counts against a step budget (weighed by the number of values it carries):
past it the function is abandoned with a note, never a hang.  Only parameters and locals of the function whose address is
never taken are tracked; everything else is unknown.

Along the way it records `Event`s, the defects the checks report: a
dereference of a value that is NULL (or maybe NULL), a use or release of freed
memory, a division by a value that is 0 on a path, an index outside a declared
array.  Calls to functions of the same file use their `Summary` (may return
NULL, releases a parameter, never returns).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace

import tree_sitter as ts

from secreview.lang.c_family.buffers import member_array_length
from secreview.lang.c_family.file import CFile, Variable, literal_bytes
from secreview.lang.c_family.flow import C_LIBRARY
from secreview.lang.c_family.initialisation import declared_without_value, reads_value
from secreview.lang.c_family.lifetime import (
    DEREFERENCING_CALLS, FILES, HEAP, OPENING_ARITY, READING_NAME, RELEASERS, is_reference, owned_at_birth)
from secreview.lang.c_family.loops import contains_any
from secreview.taint import ir
from secreview.taint.c_lower import EXIT_CALLS
from secreview.valueflow.integers import IntType, bounded, cast_types, common, integer_type, literal_type, promoted, stored
from secreview.valueflow.lattice import (
    FIELD_KEY,
    FREED, MAYBE_FREED, MAYBE_NULL, NON_NULL, NULL, OUT_OF_MEMORY, UNKNOWN, Interval, Lock, Origin, Relation, State,
    Value,
    arithmetic, join_all)
from secreview.valueflow.library import (
    ALLOCATION_SIZE_ARGUMENTS, BORROWING_FUNCTIONS, BORROWING_METHODS, CONSTANT_MACROS, CONTIGUOUS_CONTAINER, COPIES,
    COUNTED_VECTOR, FIXED_ARRAY, GROWING_BY_ONE,
    ELEMENT_METHODS, EMPTYING_METHODS, GROWING_METHODS, INVALIDATING_METHODS, RAW_POINTER_METHODS, READ_ONLY_METHODS,
    REALLOCATORS, RESULT_RANGES, RETURNS_FIRST_ARGUMENT, SIZE_METHODS, SMART_POINTER, SMART_POINTER_FACTORIES, STD_STRING,
    STRING_COPIES, STRING_READERS, USING_ONLY, Copy, allocation_bytes, copy_bytes, null_result_reason)
from secreview.valueflow.locks import LockKey, LockStep, call_steps, class_of, guard_steps, member_key
from secreview.valueflow.ownership import FILLED_PREFIX, filled_name, kept_back_name
from secreview.valueflow.refine import asserted, call_result_name, container_size, field_path, refine, tracked_operand

MAX_PATHS = 8
_CONSTANT_NAME = re.compile(r"[A-Z][A-Z0-9_]*\Z")  # a macro or enumerator by the naming convention
_MEMBER_NAME = re.compile(r"m_[A-Za-z0-9_]+\Z")  # a data member by the naming convention
_PRECISE_ROUNDS = 3  # loop rounds on head states kept apart ...
_PRECISE_HEADS = 4  # ... while there are this few
_MAX_ROUNDS = 12  # rounds on one joined head before giving up on a fixpoint (widening from the third)
_WIDEN_AFTER = 2
# Calls that end the process, or whose names say they do (error reporters that exit, assertion failures).
_NORETURN_NAME = re.compile(r"(?:^|_)(?:die|fatal|panic|abort|exit|bug|fail|assert|unreachable)", re.I)
_ASSERTIONS = re.compile(r"assert", re.I)
_OTHER_ARMS = frozenset({"preproc_else", "preproc_elif", "preproc_elifdef"})
_JUMPS = frozenset({"break_statement", "return_statement", "goto_statement", "continue_statement",
                    "throw_statement"})
_TESTED_STATEMENTS = frozenset({"if_statement", "while_statement", "do_statement", "for_statement",
                                "switch_statement"})
_MACRO_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
_ERROR_REPORTER = re.compile(r"(?:^|_)(?:err|error|usage|croak|bail|throw)", re.I)
_LAST_IDENTIFIER = re.compile(r"([A-Za-z_]\w*)\W*$")
_SURELY_FITS = IntType(31, False)  # 0 .. INT_MAX: a result of int rank or above always holds it
_SIZE_T = IntType(64, False)  # the type of `sizeof`
_SMALLEST_FITS = IntType(7, False)  # 0 .. 127: fits every integer type, char included
_LEAVING_STATEMENTS = frozenset({"break_statement", "return_statement", "goto_statement", "throw_statement",
                                 "co_return_statement"})
_CASTS_TO_RVALUE = frozenset({"std::move", "std::forward"})  # their result is their argument, unchanged
# casts whose result is NULL exactly when their argument is (not `dynamic_cast` or `qobject_cast`, which may
# turn a non-NULL pointer into NULL)
_POINTER_CASTS = frozenset({"static_cast", "const_cast", "reinterpret_cast"})
_NEGATIVE_INTEGER = re.compile(r"-\s*(?:0[xX][0-9a-fA-F]+|\d+)[uUlL]*")
# C++ methods whose names say they use the object (open it, read or set a property): other methods (`create()`,
# `setParent()`, `deleteLater()`, `registerWith()` ...) may hand it to an owner
_USING_METHOD = re.compile(r"^(?:open|close|read|write|exists|size|count|length|load|save|parse|seek|flush|resize|clear|"
                           r"fill|value|data|text|name|at|isEmpty|isNull|isValid)$|^(?:is|has|get)[A-Z_]|"
                           r"^set(?!Parent|Owner|Attribute|AutoDelete)[A-Z_]")
# a local variable whose declaration releases it when it goes out of scope (GCC's cleanup attribute, GLib's and
# systemd's macros built on it)
_RELEASED_AT_SCOPE_END = re.compile(r"__attribute__\s*\(\(\s*(?:__)?cleanup|\bg_auto(?:free|ptr)\b|\b_cleanup_\w*|"
                                    r"\b__free\s*\(|\bauto_free\b")
# functions whose names say they write out what they are given (a log line, a dump), keeping nothing
_OUTPUT_NAME = re.compile(r"(?i)^(?:print|log|dump|debug|trace)(?:[A-Z_]|$)|^(?:print|log|dump|debug|trace)_")
# expressions whose value carries no pointer of their operands on
_NO_POINTER_FLOWS = frozenset({"sizeof_expression", "alignof_expression", "typeid_expression", "new_expression",
                               "delete_expression", "string_literal", "concatenated_string"})


class BudgetExceeded(Exception):
    """The function took more steps than its budget allows."""


@dataclass(frozen=True)
class Event:
    """A defect seen on some path: what, where, on which variable, and why."""

    # null-dereference | use-after-free | double-free | division-by-zero | index-out-of-bounds |
    # use-after-invalidation (an iterator or pointer into a vector or string after a change that may move it) |
    # uninitialised-read (a local declared without a value, read before anything assigned it) |
    # integer-overflow | integer-underflow (arithmetic that wrapped, where its result is used as an index or
    # a size) | shift-out-of-range | copy-overflow | copy-overread (a copy's length past a buffer's end) |
    # null-checked-after-dereference (a NULL test of a pointer dereferenced before on every path) |
    # double-lock | double-unlock | lock-not-released | lock-order-inversion (`name`: the lock as written;
    # `origin`: where it was taken or given back before, or, for an inversion, where the other lock was taken) |
    # leak (`ownership.py`: `node` the exit, `origin` the allocation, `name` the variable holding it, `via_line`
    # where another path released or handed it on, 0 if none does)
    kind: str
    node: ts.Node
    name: str
    origin: Origin | None
    certain: bool  # shown on a path of its own, not only after paths were merged
    size: int | None = None  # index-out-of-bounds: the array's length ...
    index: Interval | None = None  # ... and the index's values there (copies: sizes and lengths in bytes)
    write: bool = False
    via: str = ""  # null-dereference: the function of the file that dereferences the argument passed to it
    via_line: int = 0  # ... and the line where it does (locks: the function taking the lock, or the other order)
    via_path: str = ""  # ... in that file, when another file of the run defines the function
    symbolic: tuple[str, str] | None = None  # index-out-of-bounds against a size held in a variable: (size, index)
    lines: tuple[int, ...] = ()  # leak: the other exits that leak the same allocation


@dataclass(frozen=True)
class Reach:
    """How far into the buffer a pointer parameter points to a function reads or writes on every path:
    element `index` of `width` bytes (`position`: the parameter's), or, when `by` is set, element
    `index` past the value of the integer parameter at position `by` (`p[n - 1]`, `memcpy(p, s, n)`)."""

    position: int
    width: int
    index: int
    write: bool
    by: int | None = None
    copy: bool = False  # a copy of that many elements: a count of 0 touches nothing (no element -1)


@dataclass(frozen=True)
class Summary:
    """What callers learn about a function of the same file, or of another file of the run (`path`)."""

    returns_null: str | None  # "always" | "sometimes" | None
    releases: frozenset[int]  # positions of parameters released on every path that returns
    returns: bool  # some path returns
    result: Interval | None = None  # every value it returns, when each return's is known
    references: frozenset[int] = frozenset()  # positions of reference parameters (C++ `T &x`)
    # pointer parameters dereferenced on every path, before any test of them, as (position, line of the
    # first dereference): passing NULL there is a NULL dereference in the callee
    dereferences: tuple[tuple[int, int], ...] = ()
    reaches: tuple[Reach, ...] = ()  # pointer parameters' farthest element touched on every path
    # shared locks (`locks.py`) it takes at some point (its callees' included), holds at every exit having
    # taken them, and gives back at every exit without taking them (a lock and an unlock wrapper)
    lock_takes: frozenset[LockKey] = frozenset()
    lock_holds: frozenset[LockKey] = frozenset()
    lock_gives: frozenset[LockKey] = frozenset()
    # memory it allocates and returns (non-NULL) on every path that returns something else than NULL: the
    # allocator it calls ("" when it does not); and the pointer parameters it neither keeps nor releases
    # on any path (it only uses what they point to)
    allocates: str = ""
    borrows: frozenset[int] = frozenset()
    # pointer parameters it keeps (or releases) only on the paths that return some values: (position, the
    # values it returns having kept it, those it returns having left it to the caller), which never overlap
    # (`if (full) return -1; q->items[n] = item; return 0;`: a caller whose call failed still owns the item)
    keeps_when: tuple[tuple[int, Interval, Interval], ...] = ()
    opens: bool = False  # what it allocates and returns is an open handle (`FILES`), not memory
    # pointer-to-pointer parameters it fills with memory it allocated (`*out = p;`): (position, the values it
    # returns having filled it, or None when it fills it on every exit, those it returns without, the
    # allocation's kind and allocator as `Origin.kind`/`callee`)
    fills: tuple[tuple[int, Interval | None, Interval | None, str, str], ...] = ()
    returns_argument: int | None = None  # the pointer parameter every return hands back, as it was passed
    path: str = ""  # the file defining the function, when it is another file of the run (its lines are there)
    # it returns NULL only on paths where an allocation failed (`lattice.OUT_OF_MEMORY`), or the unchecked
    # result of an allocator: to its callers it is an allocator, whose NULL the allocation rules judge
    null_when_out_of_memory: bool = False
    # fields it leaves NULL or not NULL on every exit, through a pointer parameter it never reassigns
    # (`p->buf = NULL;`: (position, field, nullness); `*slot = NULL;`: field "*") or, for a C++ method, data
    # members of its class (position -1, `m_player = nullptr;`); `method_of` names that class
    writes_fields: tuple[tuple[int, str, str], ...] = ()
    method_of: str = ""

    def dereferenced_at(self, position: int) -> int:
        """The line where the parameter at `position` is first dereferenced, 0 when it is not."""
        return next((line for where, line in self.dereferences if where == position), 0)


@dataclass
class MemberAccess:
    member: str  # `Class::field`
    node: ts.Node
    write: bool
    held: frozenset[str]  # keys of the locks held there on every path
    lock_text: str  # one of them as written, for messages


@dataclass
class FunctionRun:
    file: CFile
    function: ir.Function
    tracked: frozenset[str]
    summaries: dict[str, Summary]
    budget: int
    paths: int = MAX_PATHS  # 1 for the coarse run of a function too costly to follow path by path
    # C++ local references: only what they refer into is followed (a vector's element), never their value
    references: frozenset[str] = frozenset()
    entry_parameters: tuple[str, ...] = ()  # pointers and integers followed from the value the caller passed
    events: dict[tuple[str, int], Event] = field(default_factory=dict)
    # pointer parameters dereferenced before any branch, and the line of the first such dereference
    dereferenced: dict[str, int] = field(default_factory=dict)
    # ... and the farthest element touched there, by (pointer, integer parameter it is counted from, or None)
    reached: dict[tuple[str, str | None], Reach] = field(default_factory=dict)
    returned: list[tuple[State, Value]] = field(default_factory=list)
    returned_at: list[ts.Node | None] = field(default_factory=list)  # the return statement of each of them
    lock_takes: dict[str, LockKey] = field(default_factory=dict)  # locks taken that have an order key, by it
    # (lock held, lock taken), by order keys -> where it was taken, where the held one was, the taken one as
    # written, the other locks held then, and whether both keys name one object everywhere (not by type)
    lock_order: dict[tuple[str, str], tuple[ts.Node, Origin, str, frozenset[str], bool]] = field(default_factory=dict)
    _guards: dict[str, LockStep] = field(default_factory=dict)  # C++ lock guard variable -> its declaration
    # (test, variable) -> the NULL test of a pointer dereferenced before it, origin None once a path reached
    # the test without that dereference
    _null_tests: dict[tuple[int, str], Event] = field(default_factory=dict)
    # C++ data members of the method's class read or written here: node start -> the access, with the locks
    # held there on every path (`MemberAccess`); and the locks held at every call of each function of the file
    member_accesses: dict[int, MemberAccess] = field(default_factory=dict)
    held_at_calls: dict[str, frozenset[str]] = field(default_factory=dict)
    # ownership of the memory it allocates: the allocations released or handed on somewhere (key -> the
    # first place), the positions of pointer parameters it may keep or release on some path, and, for each
    # return, whether it returns memory it allocated and still owned
    handed: dict[int, ts.Node] = field(default_factory=dict)
    kept: set[int] = field(default_factory=set)
    returned_fresh: list[str] = field(default_factory=list)  # the allocator, "" when not
    returned_parameter: list[int | None] = field(default_factory=list)  # the parameter returned as passed, if any
    returned_opened: list[bool] = field(default_factory=list)  # ... and whether what it returns fresh is a handle
    _owner: str | None = None  # the class a C++ method belongs to ("" for none), computed once
    _member_keys: dict[str, str | None] = field(default_factory=dict)
    _steps: int = 0
    _breaks: list[list[State]] = field(default_factory=list)
    _continues: list[list[State]] = field(default_factory=list)
    _gotos: dict[str, list[State]] = field(default_factory=dict)
    _declarations: dict[str, Variable | None] = field(default_factory=dict)
    _containers: dict[str, bool] = field(default_factory=dict)  # name -> a std::vector or std::string
    _counted_kinds: dict[str, str | None] = field(default_factory=dict)  # name -> "vector" | "array" | None
    _smart: dict[str, bool] = field(default_factory=dict)  # name -> a std::unique_ptr or std::shared_ptr
    _followed_strings: dict[str, bool] = field(default_factory=dict)  # array -> what string it holds is followed
    _loop_kinds: dict[int, bool] = field(default_factory=dict)  # loop statement -> only its test may end it
    _unset_seen: bool = False  # a local declared without a value was met: reads are worth checking
    _fills_seen: bool = False  # it wrote memory it allocated through a pointer parameter (`*out = p`)
    _arms: dict[tuple[int, int], bool] = field(default_factory=dict)  # statement -> in an #else arm
    _casts: dict[tuple[int, int], IntType | None] = field(default_factory=dict)
    # what branch conditions may refine: the tracked variables and the data members of a C++ method's class
    # (`this->m`, also written `m`), held as fields of `this` (`field_path`)
    _refinable: frozenset[str] = frozenset()

    def run(self) -> list[State]:
        """The states at the end of the body (returns are in `returned`)."""
        self._casts = cast_types(self.file)
        self._refinable = self.tracked | self._member_paths()
        node = self.function.node
        entry = {name: Value(null_origin=Origin(node, "parameter", name),
                             owners=frozenset({-position - 1}) if self.pointer_parameter(name) else frozenset())
                 for position, name in enumerate(self.function.params)
                 if name in self.entry_parameters and name in self.tracked}
        # the memory the caller passed in, as long as this path has not kept or released it (its summary
        # tells callers whether it keeps a parameter only on the paths that return some values)
        passed = {key: Origin(node, "parameter", name) for name, value in entry.items() for key in value.owners}
        ends = self.block(self.function.body, [State(entry, owned=passed)])
        for event in self._null_tests.values():
            if event.origin is not None:  # dereferenced on every path that reached the test
                self._record(event)
        return ends

    # -- statements ------------------------------------------------------------------

    def block(self, statements: tuple[ir.Stmt, ...], states: list[State]) -> list[State]:
        for statement in statements:
            if self._other_configuration(statement):
                continue
            if _marker(statement, "labeled_statement"):
                states = states + self._gotos.pop(self._label(statement.node), [])
            if isinstance(statement.node, ts.Node):
                states = [self._scopes_left(statement.node, state) if state.locks else state for state in states]
            states = _distinct([after for before in states for after in self.statement(statement, before)])
            if len(states) > self.paths:
                self._steps += sum(len(state.values) for state in states) // 32
                states = [join_all(states)]  # type: ignore[list-item]
        return states

    def statement(self, statement: ir.Stmt, state: State) -> list[State]:
        self._steps += 1 + len(state.values) // 32  # a step's cost grows with the values it copies
        if self._steps > self.budget:
            raise BudgetExceeded(self.function.name)
        handler = getattr(self, "_" + type(statement).__name__, None)
        if handler is None:
            return [state]
        keeper = self._keeping_call(statement, state)
        if keeper is None:
            return handler(statement, state)
        # one path per outcome of the call, its result known on each (`_result`, `refine`)
        call, outcomes = keeper
        result = call_result_name(call)
        return [after.set(result, Value()) for outcome in outcomes
                for after in handler(statement, state.set(result, Value(interval=outcome, since=state.forks + 1)).forked())]

    def _keeping_call(self, statement: ir.Stmt, state: State) -> tuple[ir.Call, tuple[Interval, Interval]] | None:
        """The call the statement makes (as a whole, compared, or negated) to a function of the file that keeps
        a pointer argument only when it succeeds, passed memory this path owns, with the results of its two
        outcomes: kept, and left to this function; or that fills a local passed by address (`make(&obj)`) only
        when it succeeds: filled, and not."""
        expression = statement.value if isinstance(statement, (ir.Assign, ir.Return)) \
            else statement.expr if isinstance(statement, ir.ExprStmt) \
            else statement.test if isinstance(statement, ir.If) else None
        if isinstance(expression, ir.Not):
            expression = expression.operand
        if isinstance(expression, ir.Compare) and len(expression.operands) == 2:
            expression = next((operand for operand in expression.operands if isinstance(operand, ir.Call)), None)
        if not isinstance(expression, ir.Call) or not isinstance(expression.node, ts.Node):
            return None
        summary = self.summaries.get(expression.callee or "")
        if summary is None or not (summary.keeps_when or summary.fills):
            return None
        for position, kept, left in summary.keeps_when:
            if position < len(expression.args) and any(
                    key in state.owned for key in self._owners(expression.args[position], state)):
                return expression, (kept, left)
        for position, filled, unfilled, _, _ in summary.fills:
            if filled is not None and unfilled is not None and position < len(expression.args) \
                    and self._filled_variable(expression.args[position]) is not None:
                return expression, (filled, unfilled)
        return None

    def _filled_variable(self, argument: ir.Expr) -> str | None:
        """The local whose address is passed (`&obj`), for a callee that may fill it with memory it allocated."""
        if isinstance(argument, ir.Name) and _address_of(argument.node) and argument.id in self.tracked \
                and self._holds_ownership(argument):
            return argument.id
        return None

    def _Assign(self, statement: ir.Assign, state: State) -> list[State]:
        choice = statement.value
        if isinstance(choice, ir.Conditional) and self._null_on_one_arm(statement, state):
            # `p = x ? &d : NULL;`: as `if (x) p = &d; else p = NULL;`, each arm on a path of its own (a joined
            # value would be "maybe NULL" on both and lose the test that decides it)
            state = self.visit(choice.test, state)
            arms = [(refine(choice.test, truth, state, self._refinable, self.value_of), branch)
                    for truth, branch in ((True, choice.body), (False, choice.orelse))]
            if arms[0][0] and arms[1][0]:
                arms = [([entered.forked() for entered in states], branch) for states, branch in arms]
            return [after for states, branch in arms for entered in states
                    for after in self._Assign(replace(statement, value=branch), entered)]
        before = state
        state = self.visit(statement.value, state)
        # `p.release()` hands over what p held before the call emptied it
        source = before if self._hands_over(statement.value) else state
        value = self.value_of(statement.value, source)
        owners = self._owners(statement.value, source)
        moved = self._moved_smart_pointer(statement.value)
        for target in statement.targets:
            filled = self._filled_parameter(target, owners, state)
            if owners and not self._holds_ownership(target):
                state = self._hand_over(owners, statement.node, state)  # stored where this function does not follow it
            if filled is not None:  # `*out = p;`: the caller gets it (the summary's `fills`)
                # (exactly 1 marks it as this path's own: a join with a path that did not fill it loses that)
                state = state.set(filled_name(filled[0]), Value(null_origin=filled[1], owners=owners,
                                                                interval=Interval.exactly(1)))
            if isinstance(target, ir.Name) and self._smart_pointer(target):
                value = self._smart_assigned(statement.value, statement.node, source)
            if moved is not None and not (isinstance(target, ir.Name) and target.id == moved.id):
                # `q = std::move(p)` (not `p = std::move(p)`): the standard leaves p empty
                state = state.set(moved.id, Value(NULL, Origin(statement.node, "moved", moved.id, state.forks)))
            # writing `p[i]` or `p->f` changes what p points to, not p
            state = state.forgetting(_root(target), relations_too=isinstance(target, ir.Name),
                                     fields_too=not isinstance(target, ir.Attr))
            if isinstance(target, ir.Name) and target.id in self.references:
                state = self._bind_or_write_reference(target, statement, state)
                continue
            if isinstance(target, ir.Name) and self.file.language == "cpp" and isinstance(statement.node, ts.Node):
                for step in guard_steps(self.file, target, statement.value, self.function.node):
                    state = self._lock_step(step, statement.node, state)
            if isinstance(target, ir.Name) and self._contiguous(target):
                state = self._invalidate(target, statement.node, "=", state)
            if isinstance(target, ir.Name) and self._in_method():
                self._member_access(target, state, write=True)
            if isinstance(target, ir.Name):
                if target.id in self.tracked and self._declared_without_value(target, statement.value):
                    self._unset_seen = True
                    state = state.set(target.id, Value(unset=Origin(statement.node, "declared", forks=state.forks)))
                elif target.id in self.tracked:
                    stored = self._stored_in(target, value, state).but(owners=owners)
                    old = state.get(target.id)
                    if old.null == NULL and _alias_update(statement):
                        stored = stored.but(null=NULL, null_origin=old.null_origin)  # nothing to write into
                    state = state.set(target.id, stored)
                    if self._counted(target) is not None:
                        state = state.set(target.id, Value(interval=self._count_built(target, statement.value, state),
                                                           since=state.forks))
                    extent = self._symbolic_extent(statement.value, state)
                    if extent is not None and extent.other != target.id:
                        state = state.relating(target.id, extent)
            else:
                state = self.visit(target, state, write=True)
            if isinstance(target, ir.Subscript) and target.index is None and isinstance(target.obj, ir.Name) \
                    and target.obj.id in self.entry_parameters and target.obj.id in self.tracked:
                # `*out = NULL;`: what the caller's pointer holds after the call (`Summary.writes_fields`, "*")
                state = state.set(through_key(target.obj.id), _nullness(value))
            if isinstance(target, ir.Name) and value.text is not None and isinstance(statement.value, ir.Const) \
                    and self._string_followed(target) and value.text < (self._buffer_start(target, state).block
                                                                        or Interval.exactly(0)).low:
                # `char name[8] = "abc";` (not `char name[3] = "abc";`, which holds no NUL)
                state = state.set(_string_key(target.id), Value(interval=Interval.exactly(value.text), since=state.forks))
            path = field_path(target, self._refinable)
            if isinstance(target, ir.Attr) or path is not None:  # the same field of another pointer may be this one
                state = state.without_fields(target.attr if isinstance(target, ir.Attr) else target.id)
            if path is not None:
                state = state.set(path, _field_value(value))
        return [state]

    def _AugAssign(self, statement: ir.AugAssign, state: State) -> list[State]:
        state = self.visit(statement.value, state)
        if statement.op in ("/", "%"):
            self._divisor(statement.value, state, statement.node)
        target = statement.target
        state = state.forgetting(_root(target), relations_too=isinstance(target, ir.Name))
        if isinstance(target, ir.Name) and self._contiguous(target):
            state = self._invalidate(target, statement.node, statement.op + "=", state)
        if isinstance(target, ir.Name) and target.id in self.references:
            self._freed_use(target, statement.node, state)
            return [state]
        if not isinstance(target, ir.Name):
            state = self._hand_over(self._owners(statement.value, state), statement.node, state)
            return [self.visit(target, state, write=True)]
        if self._in_method():
            self._member_access(target, state, write=True)
        if target.id not in self.tracked:
            return [state]
        old, step = state.get(target.id), self.value_of(statement.value, state)
        operator = "-" if _is_decrement(statement.node) else statement.op  # the IR writes `x--` as x += 1
        # a pointer moved along stays non-NULL; a number stepped may reach 0
        still = NON_NULL if old.null == NON_NULL and self._is_pointer(target) else None
        # a pointer moved along still points into the same allocation
        if _in_condition(statement.node):
            return [state.set(target.id, Value(still, owners=old.owners))]
        if old.block is not None and operator in ("+", "-"):
            return [state.set(target.id, self._moved(target, old, operator, step).but(owners=old.owners))]
        combined = self._combined(operator, old, step, statement.node, lambda: self._kind_of(target), state)
        return [state.set(target.id, combined.but(null=still, owners=old.owners))]

    def _ExprStmt(self, statement: ir.ExprStmt, state: State) -> list[State]:
        if _marker(statement, "goto_statement"):
            self._gotos.setdefault(self._label(statement.node), []).append(state)
            return []
        expression = statement.expr
        state = self.visit(expression, state)
        if isinstance(expression, ir.Call):
            name = expression.callee or ""
            if _ASSERTIONS.search(name) and expression.args:
                return refine(expression.args[0], True, state, self._refinable, self.value_of)
            if self._never_returns(name):
                return []
        return [state]

    def _Return(self, statement: ir.Return, state: State) -> list[State]:
        value = Value()
        if statement.value is not None:
            state = self.visit(statement.value, state)
            owners = self._owners(statement.value, state)
            value = self.value_of(statement.value, state).but(owners=owners)
            fresh = bool(owners) and all(key >= 0 and key in state.owned for key in owners)
            self.returned_fresh.append(state.owned[min(owners)].callee if fresh else "")
            self.returned_opened.append(fresh and state.owned[min(owners)].kind == "opened")
            passed = len(owners) == 1 and min(owners) < 0 and min(owners) in state.owned
            self.returned_parameter.append(-min(owners) - 1 if passed else None)
            state = self._hand_over(owners, statement.node, state)  # the caller owns it now
        else:
            self.returned_fresh.append("")
            self.returned_opened.append(False)
            self.returned_parameter.append(None)
        self.returned.append((state, value))
        self.returned_at.append(statement.node if isinstance(statement.node, ts.Node) else None)
        return []

    def _Exit(self, statement: ir.Exit, state: State) -> list[State]:
        if statement.kind == "break" and self._breaks:
            self._breaks[-1].append(state)
        elif statement.kind == "continue" and self._continues:
            self._continues[-1].append(state)
        return []

    def _If(self, statement: ir.If, state: State) -> list[State]:
        state = self.visit(statement.test, state)
        for name in _null_tested(statement.test, self._refinable) if isinstance(statement.test.node, ts.Node) else ():
            if name in self.tracked or FIELD_KEY.match(name):
                dereferenced = state.get(name).dereferenced
                test = statement.test.node
                if dereferenced is not None and test.start_byte <= dereferenced.node.start_byte < test.end_byte:
                    dereferenced = None  # `if (p && (x = p->f))`: the lowering runs the assignment first
                key = (test.start_byte, name)
                seen = self._null_tests.get(key)
                if dereferenced is None or (seen is not None and seen.origin is None):
                    self._null_tests[key] = Event("null-checked-after-dereference", statement.test.node, name, None, False)
                elif seen is None:
                    self._null_tests[key] = Event("null-checked-after-dereference", statement.test.node, name,
                                                  dereferenced, True)
        text = self._test_text(statement.test)
        known = state.decided.get(text) if text else None  # the same test, taken before on this path
        taken = refine(statement.test, True, state, self._refinable, self.value_of) if known is not False else []
        skipped = refine(statement.test, False, state, self._refinable, self.value_of) if known is not True else []
        if taken and skipped and not _acquisition_failure_test(statement.test, state):  # nothing decides it here
            taken, skipped = [s.forked() for s in taken], [s.forked() for s in skipped]
        taken = [_without_failed_acquisitions(statement.test, True, self._decided(statement.test, True, s)) for s in taken]
        skipped = [_without_failed_acquisitions(statement.test, False, self._decided(statement.test, False, s))
                   for s in skipped]
        exhausted = self._out_of_memory_names(statement.test, state)
        if exhausted:  # the branch where an allocation's result is NULL: memory ran out there
            taken, skipped = ([s.deciding(OUT_OF_MEMORY, True) if any(s.get(n).null == NULL for n in exhausted) else s
                               for s in branch] for branch in (taken, skipped))
        out: list[State] = []
        for entered, branch in ((taken, statement.body), (skipped, statement.orelse)):
            left = self.block(branch, entered)
            if not _may_end_there(branch):
                out += left
        return out

    def _Loop(self, statement: ir.Loop, state: State) -> list[State]:
        """Rounds on the head states kept apart while they are few and settle soon (so a loop that
        surely runs once is seen to); otherwise on one joined head, widened until it stops changing."""
        ranged = self._ranged_container(statement)
        if ranged is not None:  # `for (x : v)` walks v with an iterator of its own
            state = state.set(ranged.id, Value(NON_NULL, borrowed=statement.iter.id))  # type: ignore[union-attr]
        heads, pending, exits = [state], [state], []
        for _ in range(_PRECISE_ROUNDS if self.paths > 1 else 0):
            following: list[State] = []
            for head in pending:
                body, breaks = self._loop_round(statement, head)
                exits += breaks
                following += body
            pending = []
            for candidate in following:
                if candidate not in heads and candidate not in pending:
                    pending.append(candidate)
            heads += pending
            if not pending or len(heads) > _PRECISE_HEADS:
                break
        if pending or self.paths == 1:
            head = join_all(heads)
            thresholds = _thresholds(statement.test)
            for round_ in range(_MAX_ROUNDS):
                body, breaks = self._loop_round(statement, head)  # type: ignore[arg-type]
                exits += breaks
                following_head = join_all([head, *body])  # type: ignore[list-item]
                if round_ >= _WIDEN_AFTER:
                    following_head = head.widen(following_head, thresholds)  # type: ignore[union-attr, arg-type]
                if following_head == head:
                    break
                head = following_head
            heads = [head]  # type: ignore[list-item]
        for head in heads:
            exits += self._loop_exit(statement, head)
        if self._may_never_end(statement):
            if not exits:
                self._endless(statement, heads)
            elif not any(refine(statement.test, False, self._typed(statement.test, head), self._refinable, self.value_of)
                         for head in heads):
                self._endless(statement, heads, by_type=True)
        return exits

    def _may_never_end(self, statement: ir.Loop) -> bool:
        """A loop whose end only its test decides, a test of tracked variables (memoised: loops run often)."""
        key = id(statement)
        if key not in self._loop_kinds:
            self._loop_kinds[key] = self._reads_tracked(statement.test) and not self._may_leave(statement)
        return self._loop_kinds[key]

    def _endless(self, statement: ir.Loop, heads: list[State], by_type: bool = False) -> None:
        """A loop whose test no value reaching it can make false, with no other way out."""
        test = statement.test
        node = test.node if test is not None and isinstance(test.node, ts.Node) else statement.node
        if not isinstance(node, ts.Node) or not heads:
            return
        names = ", ".join(f"`{name}`" for name in sorted(self._names_in(test)))
        self._record(Event("endless-loop", node, self.file.text_of(node).strip("()"), None, True,
                           symbolic=(names, "type" if by_type else "")))

    def _reads_tracked(self, test: ir.Expr | None) -> bool:
        """A test made only of tracked variables, constants and operators, that reads at least one variable
        (not `while (1)`, not `for (;;)`; not one reading memory or calling, which the engine does not follow
        into the loop)."""
        if test is None or not self._names_in(test):
            return False
        pending: list[object] = [test]
        while pending:
            item = pending.pop()
            if isinstance(item, ir.Name):
                if item.id not in self.tracked and not _MACRO_NAME.match(item.id):
                    return False
            elif isinstance(item, (ir.Compare, ir.BoolOp, ir.Not, ir.Binary)):
                pending.extend(getattr(item, name) for name in ir.ir_parts(type(item)))
            elif isinstance(item, tuple):
                pending.extend(item)
            elif not isinstance(item, (ir.Const, str)) and item is not None:
                return False
        return not _contains_update(test)

    def _names_in(self, test: ir.Expr | None) -> set[str]:
        return {name.id for name in names_read(test) if name.id in self.tracked}

    def _may_leave(self, statement: ir.Loop) -> bool:
        """Whether the loop has a way out other than its test: `return`, `goto`, `throw`, a `break` (even one
        the analysis found unreachable), or a call that may end the process or jump away."""
        node = statement.node
        if not isinstance(node, ts.Node) or contains_any(node, _LEAVING_STATEMENTS):
            return True
        for call in self.file.nodes_of_type("call_expression", within=node):
            called = self.file.text_of(call.child_by_field_name("function")).rsplit("::", 1)[-1]
            if called in EXIT_CALLS or _NORETURN_NAME.search(called) or "jmp" in called or self._never_returns(called):
                return True
        return False

    def _typed(self, test: ir.Expr | None, state: State) -> State:
        """The state with each integer variable the test reads given its type's range where nothing bounds it
        or its interval ran past that range (it wrapped): an `unsigned` is never below 0, an `unsigned char`
        never above 255."""
        for name in names_read(test):
            if name.id not in self.tracked:
                continue
            variable = self.file.variable(name.node) if isinstance(name.node, ts.Node) else None  # this scope's
            kind = integer_type(variable.type_text) if variable is not None and not variable.is_pointer \
                and not variable.is_array else None
            interval = state.get(name.id).interval
            if kind is not None and (interval is None or not kind.fits(interval)):  # unknown, or wrapped around
                state = state.set(name.id, state.get(name.id).but(interval=kind.range()))
        return state

    def _loop_round(self, statement: ir.Loop, head: State) -> tuple[list[State], list[State]]:
        """One pass through the body from `head`: the states back at the head, and those that broke out."""
        self._breaks.append([])
        self._continues.append([])
        ranged = self._ranged_container(statement)
        if ranged is not None:
            self._freed_use(ranged, statement.node, head)  # the next item, through the loop's own iterator
        checked = self.visit(statement.test, head)
        if isinstance(statement.target, ir.Name) and statement.target.id in self.tracked:
            checked = checked.set(statement.target.id, Value())
        entered = refine(statement.test, True, checked, self._refinable, self.value_of)
        if entered and statement.test is not None and refine(statement.test, False, checked, self._refinable,
                                                             self.value_of):
            entered = [s.forked() for s in entered]  # another round, or not: nothing decides it here
        if statement.test is not None:
            entered = [self._decided(statement.test, True, s) for s in entered]
        body = self.block(statement.body, entered)
        continues = self._continues.pop()
        return body + continues, self._breaks.pop()

    def _loop_exit(self, statement: ir.Loop, head: State) -> list[State]:
        if statement.test is None:
            return [head] if statement.iter is not None else []  # a for-range loop may run no round
        if head.decided and head.decided.get(self._test_text(statement.test)) is True:
            return []  # a test this path found true and nothing changed since: the loop does not end here
        checked = self.visit(statement.test, head)
        exits = refine(statement.test, False, checked, self._refinable, self.value_of)
        if exits and refine(statement.test, True, checked, self._refinable, self.value_of):
            exits = [s.forked() for s in exits]  # leaving, or another round: nothing decides it here
        return [self._decided(statement.test, False, s) for s in exits]

    def _Match(self, statement: ir.Match, state: State) -> list[State]:
        state = self.visit(statement.subject, state)
        self._breaks.append([])
        entries: list[tuple[list[State], tuple[ir.Stmt, ...]]] = []
        for values, body in statement.cases:
            entered = [state]
            if values is not None and len(values) == 1:
                entered = refine(ir.Compare(("==",), (statement.subject, values[0]), statement.node), True, state,
                                 self._refinable, self.value_of)
            entries.append((entered, body))
        if not any(values is None for values, _ in statement.cases):
            entries.append(([state], ()))  # no default: no case may match
        undecided = sum(1 for entered, _ in entries if entered) > 1
        falls = _falls_through(statement.node, len(statement.cases))
        out: list[State] = []
        carried: list[State] = []  # from a case without a break into the next one
        for position, (entered, body) in enumerate(entries):
            left = self.block(body, ([s.forked() for s in entered] if undecided else entered) + carried)
            carried = left if position < len(falls) and falls[position] else []
            if not carried:
                out += left
        return out + carried + self._breaks.pop()

    def _Try(self, statement: ir.Try, state: State) -> list[State]:
        out = self.block(statement.body, [state])
        # a handler starts wherever the body threw: what the body assigns may or may not be assigned there
        thrown = state.forked()
        for name in _assigned_in(statement.body):
            if name in self.tracked:
                thrown = thrown.forgetting(name).set(name, Value())
        for _, handler in statement.handlers:
            out += self.block(handler, [thrown])
        return out

    def _With(self, statement: ir.With, state: State) -> list[State]:
        return self.block(statement.body, [state])

    # -- expressions -----------------------------------------------------------------

    def visit(self, expression: ir.Expr | None, state: State, write: bool = False) -> State:
        """Evaluate for effect: record the defects the expression commits, return the state after it."""
        if isinstance(expression, ir.Name) and expression.id in self.references and isinstance(expression.node, ts.Node):
            self._freed_use(expression, expression.node, state)  # reading a reference reads what it refers to
        if self._unset_seen and isinstance(expression, ir.Name) and isinstance(expression.node, ts.Node):
            unset = state.get(expression.id).unset
            if unset is not None and reads_value(expression.node, self.file.language == "cpp"):
                value = state.get(expression.id)
                certain = not value.maybe_unset and state.shown_alone(unset)
                self._record(Event("uninitialised-read", expression.node, expression.id, unset, certain))
        if isinstance(expression, (ir.Name, ir.Attr)) and self._in_method():
            self._member_access(expression, state, write)
        if expression is None or isinstance(expression, (ir.Name, ir.Const)):
            return state
        if isinstance(expression, ir.Attr):
            after = self.visit(expression.obj, state)
            return self._arrow(expression.obj, expression.node, state, after) if _is_arrow(expression.node) else after
        if isinstance(expression, ir.Subscript):
            state = self.visit(expression.index, self.visit(expression.obj, state))
            return self._element(expression, state, write)
        if isinstance(expression, ir.Call):
            return self._call(self._through_pointer(expression, state), state)
        if isinstance(expression, ir.BoolOp):
            first = self.visit(expression.values[0], state)
            states = [first]
            for previous, operand in zip(expression.values, expression.values[1:]):
                # the right operand runs only where the left one did not decide
                states = [after for before in states
                          for after in refine(previous, expression.op == "and", before, self._refinable, self.value_of)]
                states = [self.visit(operand, entered) for entered in states]
            return first
        if isinstance(expression, ir.Conditional):
            state = self.visit(expression.test, state)
            for truth, branch in ((True, expression.body), (False, expression.orelse)):
                for entered in refine(expression.test, truth, state, self._refinable, self.value_of):
                    self.visit(branch, entered)
            return state
        if isinstance(expression, ir.Binary):
            state = self.visit(expression.right, self.visit(expression.left, state))
            if expression.op == ">>" and self.file.language == "cpp" and isinstance(expression.right, ir.Name) \
                    and state.get(expression.right.id).unset is not None:
                state = state.set(expression.right.id, Value())  # `stream >> x` fills x (a shift by it reads it)
            if expression.op in ("//", "%"):
                self._divisor(expression.right, state, expression.node)
            elif expression.op in ("<<", ">>"):
                self._shift(expression, state)
            return state
        if isinstance(expression, ir.Opaque) and expression.node is not None \
                and expression.node.type == "delete_expression" and expression.parts:
            return self._release(expression.parts[0], self.visit(expression.parts[0], state), expression.node)
        if isinstance(expression, ir.Opaque) and expression.node is not None \
                and expression.node.type == "new_expression":
            for part in expression.parts:  # a constructor may keep what it is given
                state = self._hand_over(self._owners(part, state), expression.node, self.visit(part, state))
            if not self._new_owned(expression.node):
                return state
            return state.owning(_key(expression.node), Origin(expression.node, "allocation", "new", state.forks))
        for part in _parts(expression):
            state = self.visit(part, state)
        return state

    def value_of(self, expression: ir.Expr | None, state: State) -> Value:
        """What is known of the expression's value in `state`, converted by a cast around it."""
        value = self._value_of(expression, state)
        node = expression.node if expression is not None else None
        if self._casts and isinstance(node, ts.Node) and (node.start_byte, node.end_byte) in self._casts:
            kind = self._casts[(node.start_byte, node.end_byte)]
            if kind is not None and value.interval is not None:  # an explicit conversion: any wrap is meant
                return value.but(interval=stored(value.interval, kind), block=None, offset=None, wrapped=None)
        return value

    def _value_of(self, expression: ir.Expr | None, state: State) -> Value:
        if isinstance(expression, ir.Const):
            value = _integer_literal(expression)
            if value is None or (isinstance(value, int) and value == 0):
                return Value(NULL, Origin(expression.node, "assigned", forks=state.forks), interval=Interval.exactly(0))
            if isinstance(value, int):
                return Value(interval=Interval.exactly(int(value)), since=state.forks)
            if isinstance(value, str):
                width = _character_width(expression.node)
                if width > 1:  # `L"..."`, `u"..."`: wide characters, whose count is the length
                    return Value(NON_NULL, block=Interval.exactly((len(value) + 1) * width),
                                 offset=Interval.exactly(0), since=state.forks)
                length = literal_bytes(value)
                return Value(NON_NULL, block=Interval.exactly(length + 1), offset=Interval.exactly(0),
                             text=length if "\0" not in value else None, since=state.forks)
            return Value()
        if isinstance(expression, ir.Name):
            if expression.id in self.summaries and expression.id not in self.tracked and self._variable(expression) is None:
                return Value(NON_NULL, function=expression.id)  # `handler = on_close;`, `&on_close`
            if _address_of(expression.node) or self._is_array(expression):
                return self._buffer_start(expression, state)
            if expression.id in self.tracked:
                return _updated_operand(expression.node, state.get(expression.id))
            member = field_path(expression, self._refinable)
            if member is not None:
                return state.get(member)
            if expression.id in CONSTANT_MACROS and self._variable(expression) is None:
                return Value(interval=Interval.exactly(CONSTANT_MACROS[expression.id]), since=state.forks)
            return self._constant_variable(expression, state)
        if isinstance(expression, ir.Call):
            expression = self._through_pointer(expression, state)
            return self._owned_result(expression, self._result(expression, state), state)
        if isinstance(expression, ir.Binary):
            return self._binary(expression, state)
        if isinstance(expression, ir.Subscript) and _address_of(expression.node):
            return self._element_address(expression, state)
        if isinstance(expression, ir.Attr) and _address_of(expression.node):
            return Value(NON_NULL)  # `&s->member`: an address inside an object, never NULL
        path = field_path(expression, self._refinable)
        if path is not None and path in state.values:
            return state.values[path]
        if isinstance(expression, ir.Conditional):
            return self.value_of(expression.body, state).join(self.value_of(expression.orelse, state))
        if isinstance(expression, (ir.Attr, ir.Subscript)) and state.decided \
                and state.decided.get(self._test_text(expression)):
            return Value(NON_NULL)  # memory a test on this path found non-zero (`if (*list) { p = *list; ...`
        if isinstance(expression, ir.Opaque) and expression.node is not None \
                and expression.node.type in ("new_expression", "string_literal", "concatenated_string"):
            owned = expression.node.type == "new_expression" and self._new_owned(expression.node)
            return Value(NON_NULL, owners=frozenset({_key(expression.node)}) if owned else frozenset())
        return Value()

    def _result(self, call: ir.Call, state: State) -> Value:
        if call.method in SIZE_METHODS and not call.args and isinstance(call.receiver, ir.Name) \
                and call.receiver.id in self.tracked and self._counted(call.receiver) is not None:
            counted = state.get(call.receiver.id)
            if counted.interval is not None:
                return Value(interval=counted.interval, since=counted.since)
        container = self._borrowed_from(call)
        if container is not None:
            return Value(NON_NULL, borrowed=container)
        if isinstance(call.receiver, ir.Name) and call.method in RAW_POINTER_METHODS and self._smart_pointer(call.receiver):
            return _nullness(state.get(call.receiver.id))  # `p.get()`: the pointer p holds
        name = call.callee or ""
        if name in _CASTS_TO_RVALUE and len(call.args) == 1:
            return self.value_of(call.args[0], state)  # a cast to an rvalue: the same value
        if name in _POINTER_CASTS and len(call.args) == 1:
            inner = self.value_of(call.args[0], state)  # `static_cast<T *>(p)`: NULL exactly when p is
            return _nullness(inner).but(owners=inner.owners)
        if name in ALLOCATION_SIZE_ARGUMENTS:
            block, since = self._allocated(call, name, state)
            null = MAYBE_NULL if name in HEAP.acquire else NON_NULL
            return Value(null, Origin(call.node, "allocation", name, state.forks) if null == MAYBE_NULL else None,
                         block=block, offset=Interval.exactly(0) if block is not None else None, since=since)
        if name in HEAP.acquire:
            return Value(MAYBE_NULL, Origin(call.node, "allocation", name, state.forks))
        library = name.removeprefix("std::").removeprefix("::")
        if call.receiver is None and name not in self.summaries and null_result_reason(library) is not None \
                and len(call.args) >= OPENING_ARITY.get(library, 1 if library != "tmpfile" else 0):
            if library not in FILES.acquire and state.decided.get(self._test_text(call)) is True:
                return Value(NON_NULL)  # `if (getenv("TMP") != NULL) tmp = getenv("TMP");`: asked again
            return Value(MAYBE_NULL, Origin(call.node, "library", library, state.forks))
        if name in RESULT_RANGES and name not in self.summaries:
            return Value(interval=RESULT_RANGES[name], since=state.forks)
        if name == "strlen" and len(call.args) == 1 and name not in self.summaries:
            return self._string_length(self.value_of(call.args[0], state), state)
        summary = self.summaries.get(name)
        if summary is not None and (summary.keeps_when or summary.fills):
            known = state.values.get(call_result_name(call))
            if known is not None:  # this path took one outcome of the call (`_keeping_call`)
                return known
        value = Value()
        if summary is not None and summary.returns_null is not None:
            null = NULL if summary.returns_null == "always" else MAYBE_NULL
            # a function that returns NULL only when memory runs out is an allocator to its callers
            kind = "allocation" if null == MAYBE_NULL and summary.null_when_out_of_memory else "function"
            value = Value(null, Origin(call.node, kind, name, state.forks))
        if summary is not None and summary.result is not None:
            # over every path of the callee, whatever the arguments; and a function returning a constant is
            # often a stub for one build configuration: a finding that needs it is for the audit profile
            value = value.but(interval=summary.result, since=state.forks, vague=True)
        return value

    def _call(self, call: ir.Call, state: State) -> State:
        before, state = state, self.visit(call.receiver, state)
        if call.receiver is not None and _is_arrow(call.node.child_by_field_name("function")):
            state = self._arrow(call.receiver, call.node, before, state)
        if call.receiver is not None and (self.file.language != "cpp" or not _USING_METHOD.match(call.method or "")):
            state = self._hand_over(self._owners(call.receiver, state), call.node, state)  # it may register itself
        length = self._string_copy(call, state)
        state = self._call_arguments(call, state)
        if length is not None:  # what the destination array holds now (its key was forgotten with the call)
            state = state.set(_string_key(call.args[0].id), length)  # type: ignore[union-attr]
        if self._allocates(call, state):
            state = state.owning(_key(call.node), Origin(call.node, "opened" if self._opens(call) else "allocation",
                                                         call.callee or "", state.forks))
        if isinstance(call.receiver, ir.Name) and call.method in INVALIDATING_METHODS and self._contiguous(call.receiver):
            state = self._invalidate(call.receiver, call.node, call.method, state)  # after its arguments were read
        if isinstance(call.receiver, ir.Name) and call.receiver.id in self.tracked and self._smart_pointer(call.receiver):
            state = self._smart_pointer_method(call, call.receiver, state)
        counted = self._counted(call.receiver) if isinstance(call.receiver, ir.Name) else None
        if counted is not None and call.method not in READ_ONLY_METHODS and call.receiver.id in self.tracked:
            count = self._count_after(call, state.get(call.receiver.id), state) if counted == "vector" else None
            state = state.set(call.receiver.id, Value(interval=count, since=state.forks) if count is not None else Value())
        if not self._leaves_fields(call):
            state = self._fields_written_by(call, state.without_fields())
        if isinstance(call.receiver, ir.Name) and call.method not in READ_ONLY_METHODS:
            state = state.forgetting(call.receiver.id)  # `v.push_back(x)`: its size, and tests on it, changed
            if call.receiver.id in self.tracked and not self._is_pointer(call.receiver) and counted is None \
                    and not self._smart_pointer(call.receiver) and not self._contiguous(call.receiver):
                state = state.set(call.receiver.id, Value())  # `handle.put()`, `ptr.attach(p)`: it may hold anything now
        return self._locks_of_call(call, state)

    def _fields_written_by(self, call: ir.Call, state: State) -> State:
        """What a callee of the file leaves in fields on every exit (`Summary.writes_fields`): in the fields of
        the pointers passed to it, and, for a method of this method's class called on `this`, in its data
        members."""
        summary = self.summaries.get(call.callee or "")
        if summary is None or not summary.writes_fields:
            return state
        on_this = (call.receiver is None or (isinstance(call.receiver, ir.Name) and call.receiver.id == "this")) \
            and bool(summary.method_of) and self._in_method() and summary.method_of == self._owner
        for position, field_name, null in summary.writes_fields:
            if field_name == "*":  # `clear(&p)` with `*slot = NULL;` in clear: p itself
                argument = call.args[position] if position < len(call.args) else None
                key = argument.id if isinstance(argument, ir.Name) and _address_of(argument.node) \
                    and argument.id in self.tracked and self._is_pointer(argument) else ""
            elif position < 0:
                key = f"this->{field_name}" if on_this else ""
            else:
                argument = call.args[position] if position < len(call.args) else None
                key = f"{argument.id}->{field_name}" if isinstance(argument, ir.Name) and argument.id in self.tracked \
                    and self._is_pointer(argument) else ""
            if key and (position >= 0 or key in self._refinable):
                origin = Origin(call.node, "assigned", call.callee or "", state.forks) if null == NULL else None
                state = state.set(key, Value(null, origin))
        return state

    def _leaves_fields(self, call: ir.Call) -> bool:
        """A call that writes no field except through the pointers passed to it (which `forgetting` drops): the
        C library's functions; anything else may reach any object."""
        name = (call.callee or "").removeprefix("std::").removeprefix("::")
        return call.receiver is None and (name in C_LIBRARY or name in USING_ONLY or name in HEAP.acquire
                                          or name in RELEASERS or self._may_be_macro(name))

    def _call_arguments(self, call: ir.Call, state: State) -> State:
        """What passing its arguments does: reads, releases, dereferences, and writes through references."""
        name = call.callee or ""
        if self._may_be_macro(name):
            return self._macro(call, state)
        summary = self.summaries.get(name)
        if name in COPIES and summary is None:
            self._copy(call, name, state)
        reads_strings = summary is None and call.receiver is None and (name in STRING_READERS or name in STRING_COPIES)
        for position, argument in enumerate(call.args):
            # a value passed is not changed, unless a C++ callee takes it by reference
            by_reference = position in summary.references if summary is not None else self._may_take_reference(name)
            only_read = reads_strings and isinstance(argument, ir.Name) \
                and (name in STRING_READERS or position == STRING_COPIES[name][1])
            held = state.values.get(_string_key(argument.id)) if only_read else None  # type: ignore[union-attr]
            state = self.visit(argument, state).forgetting(_root(argument), relations_too=by_reference)
            if held is not None:
                state = state.set(_string_key(argument.id), held)  # `strlen(s)`: it only read what s holds
            if self._kept_back(call, position, summary, state):
                for key in self._owners(argument, state):
                    state = state.set(kept_back_name(key), Value(null_origin=Origin(call.node, "kept back", name)))
            elif not self._only_uses(name, position, summary):
                state = self._hand_over(self._owners(argument, state), call.node, state)
            dereferenced_at = summary.dereferenced_at(position) if summary is not None else 0
            if dereferenced_at and not isinstance(argument, ir.Name):  # `get_age(NULL)`, `get_age(find(id))`
                self._dereference(argument, call.node, state, via=name, via_line=dereferenced_at, via_path=summary.path)
            elif summary is None and isinstance(argument, ir.Call) and name in DEREFERENCING_CALLS \
                    and _from_library(self.value_of(argument, state)):
                # `strlen(getenv("HOME"))` (a function of the run that may return NULL, passed on the spot,
                # is left to the audit profile's held results: judged mostly false there)
                self._dereference(argument, call.node, state)
            for reach in summary.reaches if summary is not None else ():
                if reach.position == position:
                    self._passed_buffer(call, argument, reach, state)
            moved = self._moved_smart_pointer(argument)
            if moved is not None:  # a callee taking `T &&` may leave it as it was
                state = state.set(moved.id, Value(MAYBE_NULL, Origin(call.node, "moved", moved.id, state.forks)))
            if not isinstance(argument, ir.Name) or argument.id not in self.tracked:
                continue
            if self._smart_pointer(argument) and name not in _CASTS_TO_RVALUE \
                    and (summary is None or position in summary.references):
                state = state.set(argument.id, Value())  # taken by reference, the callee may reset or fill it
                continue
            if summary is None and self._may_take_reference(name):
                value = state.get(argument.id)  # a C++ `T &` parameter may assign it: its number is unknown
                state = state.set(argument.id, value.but(interval=None, block=None, offset=None, wrapped=None,
                                                       text=None, vague=False, unset=None, maybe_unset=False))
            if _address_of(argument.node) or (summary is not None and position in summary.references):
                # the callee may free or keep what it held, and store anything there
                state = self._hand_over(state.get(argument.id).owners, call.node, state).set(argument.id, Value())
                state = self._filled_by(call, position, argument, summary, state)
            elif (name in RELEASERS and position == 0) or (summary is not None and position in summary.releases):
                state = self._release(argument, state, call.node)
            elif dereferenced_at:
                state = self._dereference(argument, call.node, state, via=name, via_line=dereferenced_at,
                                          via_path=summary.path)  # type: ignore[union-attr]
            elif name in DEREFERENCING_CALLS and self._is_pointer(argument):
                state = self._dereference(argument, call.node, state)
            elif READING_NAME.match(call.method or name.rsplit("::", 1)[-1]):
                self._freed_use(argument, call.node, state)
        return state

    def _macro(self, call: ir.Call, state: State) -> State:
        """A function-like macro may assign its arguments and any variable its body names: they become
        unknown. A bare variable passed to it may be what it assigns (`GET_LENGTH(p, len)`): not a read."""
        for argument in call.args:
            if isinstance(argument, ir.Name) and argument.id in self.tracked and state.get(argument.id).unset is not None:
                state = state.set(argument.id, Value())
            state = self._hand_over(self._owners(argument, state), call.node, self.visit(argument, state))
        body = self.file.function_macros.get(call.callee or "", "")
        written = {_root(argument) for argument in call.args} | {
            name for name in self.tracked if name in body and re.search(rf"\b{re.escape(name)}\b", body)}
        for name in written:
            if name:
                state = state.forgetting(name)
                if name in self.tracked:
                    state = self._hand_over(state.get(name).owners, call.node, state).set(name, Value())
        return state

    def _may_take_reference(self, name: str) -> bool:
        """A C++ call to a function not defined in this file, which may take a parameter by reference (C
        library functions never do)."""
        return self.file.language == "cpp" and name.removeprefix("std::").removeprefix("::") not in C_LIBRARY

    def _may_be_macro(self, name: str) -> bool:
        return bool(name) and (name in self.file.function_macros or bool(_MACRO_NAME.match(name)))

    # -- ownership of allocated memory ---------------------------------------------------------------

    def _owners(self, expression: ir.Expr | None, state: State) -> frozenset[int]:
        """The allocations the expression's value may point into: its own, and those of the variables, calls
        and `new` objects whose pointer it carries on (`p`, `p + 1`, `c ? p : q`, `&p->next`, `{p, n}`, not
        `p->next` or `*p`)."""
        owners = self.value_of(expression, state).owners
        for part in flowing(expression):
            if isinstance(part, ir.Name):
                if part.id in self.tracked:
                    owners = owners | state.get(part.id).owners
            elif part is not expression:
                owners = owners | self.value_of(part, state).owners
        return owners

    def _filled_parameter(self, target: ir.Target, owners: frozenset[int], state: State) -> tuple[int, Origin] | None:
        """`*out = p` with out a pointer parameter still as passed and p memory this path allocated: out's
        position and where the memory was made."""
        if not (isinstance(target, ir.Subscript) and target.index is None and isinstance(target.obj, ir.Name)
                and target.obj.id in self.entry_parameters and target.obj.id in self.tracked):
            return None
        fresh = [key for key in owners if key >= 0 and key in state.owned]
        if len(fresh) != 1 or len(owners) != 1:
            return None
        self._fills_seen = True
        return self.function.params.index(target.obj.id), state.owned[fresh[0]]

    def _hand_over(self, owners: frozenset[int], at: ts.Node, state: State) -> State:
        """The allocations `owners` leave this function's hands at `at`: released, returned, stored where it
        does not follow them, or passed to code that may keep them."""
        if not owners:
            return state
        if self._fills_seen:  # what it wrote through a parameter moves on again (freed, stored elsewhere)
            for name in [name for name, value in state.values.items()
                         if name.startswith(FILLED_PREFIX) and value.owners & owners]:
                state = state.set(name, Value())
        for key in owners:
            if key < 0:
                self.kept.add(-key - 1)  # a parameter's memory: the caller learns that this function may keep it
            elif key in state.owned:
                self.handed.setdefault(key, at)
        return state.disowning(owners)

    def _holds_ownership(self, target: ir.Target) -> bool:
        """A variable whose value this function follows (not a reference, a smart pointer, a member or a
        global, which take the memory out of its hands; in C++ a pointer, not an object whose destructor
        may release what it was built from)."""
        if not (isinstance(target, ir.Name) and target.id in self.tracked and target.id not in self.references
                and not self._smart_pointer(target) and (self.file.language != "cpp" or self._is_pointer(target))):
            return False
        variable = self._variable(target)
        if variable is None:
            return True
        if variable.is_array:
            return False  # `T *items[] = {p};`: the engine does not follow what each element holds
        # the declaration with what comes before it in its statement (attributes, which the parser is spared)
        data = self.file.data
        start = max(data.rfind(b";", 0, variable.declaration.start_byte), data.rfind(b"{", 0, variable.declaration.start_byte),
                    data.rfind(b"}", 0, variable.declaration.start_byte)) + 1
        written = data[start:variable.declaration.end_byte].decode("utf-8", "replace")
        return not _RELEASED_AT_SCOPE_END.search(written)

    def _allocates(self, call: ir.Call, state: State) -> bool:
        """The call hands out new heap memory (not a reallocation of memory this function owns already) or opens
        a handle."""
        name = call.callee or ""
        summary = self.summaries.get(name)
        if summary is not None:
            return bool(summary.allocates)
        name = name.removeprefix("std::").removeprefix("::")
        if name in REALLOCATORS and call.args and self._owners(call.args[0], state):
            return False
        if name not in FILES.acquire and name not in HEAP.acquire:
            return False
        if evaluated_conditionally(call.node):
            return False  # `if (quiet || (fd = open(path, O_RDONLY)) == -1)`: the lowering runs it before the test
        if name in FILES.acquire:  # the C library's, not a method of the same name called from its class
            return call.receiver is None and len(call.args) >= OPENING_ARITY.get(name, 0)
        return True

    def _opens(self, call: ir.Call) -> bool:
        """The acquisition is an open handle (file, descriptor, socket, directory), not memory."""
        summary = self.summaries.get(call.callee or "")
        return summary.opens if summary is not None else (call.callee or "") in FILES.acquire

    def _owned_result(self, call: ir.Call, value: Value, state: State) -> Value:
        name = call.callee or ""
        if name.removeprefix("std::") in RETURNS_FIRST_ARGUMENT and call.args and name not in self.summaries:
            return value.but(owners=self._owners(call.args[0], state))  # `return memset(p, 0, n);`
        if name in REALLOCATORS and call.args and name not in self.summaries:
            grown = self._owners(call.args[0], state)
            if grown:  # on success the old block is gone and the new one is the same allocation
                return value.but(owners=grown)
        if self._allocates(call, state):
            return value.but(owners=frozenset({_key(call.node)}))
        summary = self.summaries.get(name)
        if summary is not None and summary.returns_argument is not None and summary.returns_argument < len(call.args):
            passed = call.args[summary.returns_argument]
            value = value.but(owners=self._owners(passed, state))
            given = self.value_of(passed, state)  # the pointer handed back as it was passed: NULL when it was
            return value.with_null(given.null, given.null_origin) if value.null is None and given.null is not None \
                else value
        return value

    def _new_owned(self, new_expression: ts.Node) -> bool:
        """`new T`, `new T[n]`, `new T(path, 3)`: an object this function owns, unless a constructor argument
        may become its owner (`this`, a `parent`, a pointer, a member or global whose type is not known
        here), or it is a placement new."""
        if new_expression.child_by_field_name("placement") is not None or owned_at_birth(self.file, new_expression):
            return False
        arguments = new_expression.child_by_field_name("arguments")
        declared = self.file.declarations_in(self.function.node)
        stack = list(arguments.named_children) if arguments is not None else []
        while stack:
            node = stack.pop()
            if node.type in ("this", "field_expression", "qualified_identifier", "pointer_expression"):
                return False
            if node.type == "identifier":
                variables = declared.get(self.file.text_of(node), ())
                if not variables or any(variable.is_pointer or variable.is_array for variable in variables):
                    return False
            stack.extend(node.named_children)
        return True

    def _filled_by(self, call: ir.Call, position: int, argument: ir.Name, summary: Summary | None,
                   state: State) -> State:
        """`make(&obj)` with a callee of the file that fills that parameter with memory it allocated (on this
        path's outcome of the call): obj holds a new allocation this function owns."""
        if summary is None or not summary.fills or self._filled_variable(argument) is None:
            return state
        known = state.values.get(call_result_name(call))
        for where, filled, _, kind, callee in summary.fills:
            if where != position:
                continue
            if filled is not None and (known is None or known.interval is None or known.interval.meet(filled).is_empty()):
                continue  # only on the outcome that fills it
            key = _key(argument.node)
            return state.owning(key, Origin(call.node, kind, call.callee or callee, state.forks)).set(
                argument.id, Value(owners=frozenset({key})))
        return state

    def _kept_back(self, call: ir.Call, position: int, summary: Summary | None, state: State) -> bool:
        """On this path the callee failed, and when it fails it does not keep what is passed at `position`."""
        if summary is None or not summary.keeps_when:
            return False
        known = state.values.get(call_result_name(call))
        return known is not None and known.interval is not None and any(
            where == position and known.interval.meet(kept).is_empty() for where, kept, _ in summary.keeps_when)

    def _only_uses(self, name: str, position: int, summary: Summary | None) -> bool:
        """The callee only uses the memory a pointer passed at `position` points to, and keeps no pointer (or
        hands it back as its result, which carries it on)."""
        if summary is not None:
            return position in summary.borrows or position == summary.returns_argument
        if name in _CASTS_TO_RVALUE or name in _POINTER_CASTS:
            return True  # its result is the same pointer, which carries the allocation on
        if self._may_be_macro(name):
            return False
        return name.removeprefix("std::").removeprefix("::") in USING_ONLY or bool(_OUTPUT_NAME.match(name))

    def pointer_parameter(self, name: str) -> bool:
        return any(variable.is_parameter and (variable.is_pointer or variable.is_array)
                   for variable in self.file.declarations_in(self.function.node).get(name, ()))

    def reassigned(self, name: str) -> bool:
        """Whether the body assigns the variable itself (`p = next;`), not only what it points to."""
        node = self.function.node
        body = node.child_by_field_name("body") if isinstance(node, ts.Node) else None
        return body is None or any(
            use.parent is not None and use.parent.type in ("assignment_expression", "update_expression")
            and (use.parent.type == "update_expression" or use.parent.child_by_field_name("left") == use)
            for use in self.file.identifiers(body).get(name, ()))

    def method_class(self) -> str:
        """The class a C++ method belongs to, "" for a function."""
        return self._owner or "" if self._in_method() else ""

    # -- locks ---------------------------------------------------------------------------------

    def _locks_of_call(self, call: ir.Call, state: State) -> State:
        """A lock taken or given back by the call, or by the function of the file it calls (its summary)."""
        # which locks every call of a function holds: only C++ member accesses (`_unguarded`) ask
        callee = call.callee or (call.method if isinstance(call.receiver, ir.Name) and call.receiver.id == "this" else "")
        if callee and self.file.language == "cpp":
            held = frozenset(key for key, lock in state.locks.items() if lock.held)
            known = self.held_at_calls.get(callee)
            self.held_at_calls[callee] = held if known is None else known & held
        for step in call_steps(self.file, call, self.function.node, self._guards):
            state = self._lock_step(step, call.node, state)
        summary = self.summaries.get(call.callee or "")
        if summary is None or not (summary.lock_takes or summary.lock_gives):
            return state
        name = call.callee or ""
        for lock in summary.lock_takes:
            self._taking(lock, call.node, state, via=name)
        for lock in summary.lock_holds:
            state = state.locking(lock.key, Lock(True, Origin(call.node, "taken", lock.text, state.forks),
                                                 recursive=lock.recursive, order=lock.order))
        for lock in summary.lock_gives:
            state = self._lock_step(LockStep("give", lock), call.node, state)
        return state

    def _lock_step(self, step: LockStep, at: ts.Node, state: State) -> State:
        key, known = step.lock.key, state.locks.get(step.lock.key)
        if step.action == "unsure" or (step.lock.recursive and step.action == "give"):
            return state.locking(key, None)  # a recursive lock is given back once per take: not counted here
        if step.guard:
            self._guards.setdefault(step.guard, step)
        if step.action == "guard":  # deferred: nothing taken yet; adopted: the guard now gives it back
            return state.locking(key, replace(known, scope=step.scope, guard=step.guard)) \
                if known is not None and known.held else state
        origin = Origin(at, "taken" if step.action == "take" else "given", step.lock.text, state.forks)
        if step.action == "take":
            if known is not None and known.held and step.guard and known.guard == step.guard \
                    and known.scope == step.scope and _declares(at):
                return state.locking(key, self._held(step, origin))  # a loop's next round
            if self._taking(step.lock, at, state, together=step.together):
                return state
            return state.locking(key, self._held(step, origin))
        if known is not None and not known.held and known.was_held:
            self._record(Event("double-unlock", at, step.lock.text, known.origin, state.shown_alone(known.origin)))
            return state
        return state.locking(key, Lock(False, origin, order=step.lock.order, was_held=known is not None and known.held))

    @staticmethod
    def _held(step: LockStep, origin: Origin) -> Lock:
        return Lock(True, origin, step.scope, step.guard, step.lock.recursive, step.lock.order)

    def _taking(self, lock: LockKey, at: ts.Node, state: State, via: str = "", together: bool = False) -> bool:
        """Checks taking `lock` here: whether this path holds it already (a second take blocks for ever), and
        the order in which it is taken after the other locks held. True when it is held already. (Through
        a callee, only a lock object known everywhere can be told to be the one held here.)"""
        known = state.locks.get(lock.key)
        if known is not None and known.held and (not via or lock.everywhere):
            if not (known.recursive or lock.recursive):
                self._record(Event("double-lock", at, lock.text, known.origin, state.shown_alone(known.origin),
                                   via=via))
            return True
        if lock.order:
            self.lock_takes.setdefault(lock.order, lock)
            held = frozenset(other.order for other in state.locks.values() if other.held and other.order)
            if not together:
                for other_key, other in state.locks.items():
                    if other.held and other.order and other.order != lock.order:
                        same_objects = lock.everywhere and not other_key.startswith("~")
                        self.lock_order.setdefault((other.order, lock.order),
                                                   (at, other.origin, lock.text, held - {other.order}, same_objects))
        return False

    def _member_paths(self) -> frozenset[str]:
        """`this->m` for each data member of a C++ method's class the body names: declared in the file's classes
        or in its class's definition in the file's own header, or named by the `m_` convention when the class is
        declared elsewhere, and not a local."""
        node = self.function.node
        if self.file.language != "cpp" or not isinstance(node, ts.Node) or not self._in_method():
            return frozenset()
        body = node.child_by_field_name("body")
        declared = self.file.declarations_in(node)
        in_header = self.file.own_header_members.get(self._owner or "", frozenset())
        return frozenset(f"this->{name}" for name in (self.file.identifiers(body) if body is not None else {})
                         if name not in declared and name not in self.file.globals
                         and (name in self.file.fields or name in in_header or _MEMBER_NAME.match(name)))

    def _in_method(self) -> bool:
        if self._owner is None:
            node = self.function.node
            self._owner = class_of(self.file, node) if self.file.language == "cpp" and isinstance(node, ts.Node) else ""
        return bool(self._owner)

    def _member_access(self, expression: ir.Name | ir.Attr, state: State, write: bool) -> None:
        """Records a read or write of a data member of the method's class, with the locks held."""
        node = expression.node
        if not isinstance(node, ts.Node):
            return
        if isinstance(expression, ir.Name):
            if expression.id not in self._member_keys:
                self._member_keys[expression.id] = member_key(self.file, expression, self.function.node)
            member = self._member_keys[expression.id]
        else:
            member = member_key(self.file, expression, self.function.node)
        if member is None:
            return
        held = {key: lock for key, lock in state.locks.items() if lock.held}
        known = self.member_accesses.get(node.start_byte)
        if known is None:
            text = next((lock.origin.callee for lock in held.values()), "")
            self.member_accesses[node.start_byte] = MemberAccess(member, node, write, frozenset(held), text)
        else:
            known.held &= frozenset(held)

    def _scopes_left(self, at: ts.Node, state: State) -> State:
        """Without the locks of C++ guards whose block the path has left (their destructor gave them back)."""
        for key, lock in list(state.locks.items()):
            if lock.scope is not None and not lock.scope[0] <= at.start_byte < lock.scope[1]:
                state = state.locking(key, None)
        return state

    # -- integers and buffers ------------------------------------------------------------

    def _binary(self, expression: ir.Binary, state: State) -> Value:
        left, right = self.value_of(expression.left, state), self.value_of(expression.right, state)
        if left.block is not None and right.block is not None:
            return Value()  # the distance between two pointers
        if left.block is not None and expression.op in ("+", "-"):
            return self._moved(expression.left, left, expression.op, right)
        if right.block is not None and expression.op == "+":
            return self._moved(expression.right, right, "+", left)
        return self._combined(expression.op, left, right, expression.node, lambda: self._type_of(expression), state)

    def _combined(self, operator: str, left: Value, right: Value, at: object,
                  kind_of: Callable[[], IntType | None], state: State) -> Value:
        """`left operator right` computed in the type `kind_of()` gives (None: a type this does not
        know; asked only when it matters): arithmetic that leaves the type's range wraps, and the result
        remembers where (`Value.wrapped`)."""
        operator = "//" if operator == "/" else operator
        first, second = left.interval, right.interval
        kind: IntType | None = None
        if operator in ("+", "-", "*"):
            result = arithmetic(operator, first, second) if first is not None and second is not None else None
            vague = left.vague or right.vague
        else:
            if operator == "&" and second is None:
                first, second = second, first
            if operator == "%" and not (first is not None and first.low is not None and first.low >= 0):
                kind = kind_of()  # an unsigned computation has no negative operand
            result = bounded(operator, first, second, kind)
            vague = left.vague or right.vague or first is None or second is None
        if result is None:
            return Value()
        vague = vague and (result.low is None or result.low != result.high)  # one value: exact, whatever the operands
        # a wrap the code then masks or reduces (`(i - 1) & (n - 1)`, `% n`) is the idiom, not a defect
        carried = left.wrapped or right.wrapped if operator in ("+", "-", "*", "<<") else None
        value = Value(interval=result, since=min(left.since, right.since), vague=vague, wrapped=carried)
        if result.low is None or result.high is None or not isinstance(at, ts.Node) \
                or operator not in ("+", "-", "*", "<<") or _SURELY_FITS.fits(result):
            return value  # 0 .. INT_MAX fits every integer type of int's rank or above
        kind = kind_of()
        if kind is None or kind.fits(result):
            return value
        how = "overflow" if result.high > kind.high else "underflow"
        # the wrap happened on every path that carried these operand values here
        return value.but(interval=stored(result, kind), wrapped=Origin(at, how, forks=min(left.since, right.since)))

    def _moved(self, pointer: ir.Expr, value: Value, operator: str, step: Value) -> Value:
        """A pointer into a known buffer moved by `step` elements."""
        width = self._pointee_bytes(pointer)
        if width is None or step.interval is None or value.offset is None:
            return Value(NON_NULL if value.null == NON_NULL else None)
        distance = arithmetic("*", step.interval, Interval.exactly(width))  # None when a bound is unknown
        if distance is None:
            return Value(NON_NULL if value.null == NON_NULL else None)
        moved = arithmetic(operator, value.offset, distance)
        return value.but(offset=moved, vague=value.vague or step.vague, since=min(value.since, step.since))

    def _stored_in(self, target: ir.Name, value: Value, state: State) -> Value:
        """The value as the target variable's type holds it (`unsigned char c = 300` holds 44): a known
        value that does not fit is converted implicitly, and that is remembered like a wrap."""
        interval = value.interval
        if interval is None or _SMALLEST_FITS.fits(interval):
            return value
        kind = self._kind_of(target)
        if kind is None or kind.fits(interval):
            return value
        if interval.low is None or interval.high is None or not isinstance(target.node, ts.Node):
            return value.but(interval=stored(interval, kind))
        how = "overflow" if interval.high > kind.high else "underflow"
        return value.but(interval=stored(interval, kind), wrapped=Origin(target.node.parent or target.node, how,
                                                                              forks=state.forks))

    def _kind_of(self, name: ir.Name) -> IntType | None:
        variable = self._variable(name)
        if variable is None or variable.is_pointer or variable.is_array:
            return None
        return integer_type(variable.type_text)

    def _type_of(self, expression: ir.Expr | None) -> IntType | None:
        """The C type of an integer expression, where this knows it."""
        node = expression.node if expression is not None else None
        if isinstance(node, ts.Node) and (node.start_byte, node.end_byte) in self._casts:
            return self._casts[(node.start_byte, node.end_byte)]
        if isinstance(expression, ir.Const) and type(expression.value) is int:
            if isinstance(node, ts.Node) and node.type == "sizeof_expression":
                return _SIZE_T
            return literal_type(self.file.text_of(node) if isinstance(node, ts.Node) else "", expression.value)
        if isinstance(expression, ir.Name):
            return self._kind_of(expression)
        if isinstance(expression, ir.Binary):
            left = self._type_of(expression.left)
            if expression.op in ("<<", ">>"):
                return promoted(left) if left is not None else None
            right = self._type_of(expression.right)
            return common(left, right) if left is not None and right is not None else None
        return None

    def _pointee_bytes(self, pointer: ir.Expr) -> int | None:
        """The size of what a pointer (or array) variable's elements are."""
        variable = self._variable(pointer) if isinstance(pointer, ir.Name) else None
        if variable is None or not (variable.is_pointer or variable.is_array):
            return None
        node = pointer.node
        if isinstance(node, ts.Node) and (node.start_byte, node.end_byte) in self._casts:
            return None  # `(char *)p`: the cast's element type, not p's, is what counts
        size = self.file.element_size(variable)
        return size if isinstance(size, int) and size > 0 else None

    def _buffer_start(self, name: ir.Name, state: State) -> Value:
        """An array, or `&x`: non-NULL, at the start of its bytes when their number is known (and the length
        of the string it holds, when the path wrote one the engine follows)."""
        variable = self._variable(name)
        size = self._array_bytes(variable) if variable is not None and variable.is_array else None
        if size is None:
            return Value(NON_NULL)
        held = state.values.get(_string_key(name.id)) if not _address_of(name.node) else None
        text = held.interval.low if held is not None and held.interval is not None \
            and held.interval.low == held.interval.high and self._string_followed(name) else None
        return Value(NON_NULL, block=Interval.exactly(size), offset=Interval.exactly(0), text=text,
                     since=state.forks if held is None else min(held.since, state.forks))

    def _array_bytes(self, variable: Variable) -> int | None:
        """sizeof an array variable (of numbers or of pointers), all its dimensions multiplied."""
        total = self.file.element_size(variable)
        if len(variable.array_sizes) == 1:
            length = self.file.array_length(variable)  # also `int a[] = {1, 2}`, `char s[] = "ab"`
            return total * length if isinstance(total, int) and isinstance(length, int) else None
        for dimension in variable.array_sizes:
            length = self.file.constant_value(dimension) if dimension is not None else None
            if not isinstance(total, int) or not isinstance(length, int):
                return None
            total *= length
        return total if isinstance(total, int) else None

    def _element_address(self, subscript: ir.Subscript, state: State) -> Value:
        """`&a[i]`: a pointer i elements into a's buffer."""
        if not isinstance(subscript.obj, ir.Name):
            return Value(NON_NULL)
        if self._contiguous(subscript.obj):
            return Value(NON_NULL, borrowed=subscript.obj.id)
        base = self.value_of(subscript.obj, state)
        if base.block is None:
            return Value(NON_NULL)
        index = self.value_of(subscript.index, state) if subscript.index is not None else Value(
            interval=Interval.exactly(0))
        return self._moved(subscript.obj, base, "+", index)

    def _constant_variable(self, name: ir.Name, state: State) -> Value:
        """A `const` integer variable of the file with a constant initialiser (`static const int LIMIT = 4;`), an
        enumerator or a macro of the file standing for an integer constant."""
        variable = self._variable(name)
        if variable is None and isinstance(name.node, ts.Node) \
                and (name.id in self.file.enumerators or name.id in self.file.macros):
            value = self.file.constant_value(name.node)
            return Value(interval=Interval.exactly(value), since=state.forks) if type(value) is int else Value()
        if variable is None or not variable.is_const or variable.is_pointer or variable.is_array \
                or variable.initializer is None:
            return Value()
        value = self.file.constant_value(variable.initializer)
        if type(value) is not int:
            return Value()
        return Value(interval=Interval.exactly(value), since=state.forks)

    def _string_length(self, string: Value, state: State) -> Value:
        """strlen of a pointer into a string literal: the characters from where it points."""
        offset = string.offset
        if string.text is None or offset is None or offset.low is None or offset.high is None \
                or offset.low < 0 or offset.high > string.text:
            return Value()
        return Value(interval=Interval(string.text - offset.high, string.text - offset.low),
                     since=min(string.since, state.forks), vague=string.vague)

    def _allocated(self, call: ir.Call, name: str, state: State) -> tuple[Interval | None, int]:
        """The bytes an allocation call hands out, and the path's undecided branches when its size was
        computed."""
        sizes, since = [], state.forks
        for position in ALLOCATION_SIZE_ARGUMENTS[name]:
            if position >= len(call.args):
                return None, since
            size = self.value_of(call.args[position], state)
            self._wrapped_use(size, state)
            sizes.append(size.interval if not size.vague else None)
            since = min(since, size.since)
        return allocation_bytes(name, sizes), since

    def _wrapped_use(self, value: Value, state: State) -> None:
        """An index or size whose arithmetic wrapped on the way: the overflow is the defect."""
        origin = value.wrapped
        if origin is None or not isinstance(origin.node, ts.Node):
            return
        # definite only on a straight path: no undecided branch between the operands' values and this use
        certain = not value.vague and state.forks == origin.forks
        self._record(Event(f"integer-{origin.kind}", origin.node, self.file.text_of(origin.node), origin, certain,
                           index=value.interval))

    def _shift(self, expression: ir.Binary, state: State) -> None:
        """`x << n`, `x >> n` with n negative or at least the width of x's (promoted) type."""
        kind = self._type_of(expression.left)
        amount = self.value_of(expression.right, state)
        interval = amount.interval
        if kind is None or interval is None:
            return
        kind = promoted(kind)
        wrong = (interval.low is not None and interval.low < 0) or (interval.high is not None and interval.high >= kind.bits)
        if not wrong:
            return
        outside = (interval.high is not None and interval.high < 0) or \
            (interval.low is not None and interval.low >= kind.bits)
        known = interval.low is not None and interval.high is not None
        certain = (outside or known) and not amount.vague and state.forks - amount.since <= 1
        name = self.file.text_of(expression.right.node) if isinstance(expression.right.node, ts.Node) else ""
        self._record(Event("shift-out-of-range", expression.node, name, None, certain, kind.bits, interval))

    def _copy(self, call: ir.Call, name: str, state: State) -> None:
        """memcpy/memset/... of a known length into (or out of) a buffer of known size."""
        shape = COPIES[name]
        if len(call.args) <= shape.length:
            return
        self._copy_reach(call, name, shape, state)
        length = self.value_of(call.args[shape.length], state)
        self._wrapped_use(length, state)
        if length.interval is None or length.vague:
            return
        touched = copy_bytes(name, length.interval)
        if touched is None or touched.low is None:
            return
        if touched.low < 0:  # a negative length converted to size_t: as far as memory goes
            touched = Interval(1 << 63, None)
        for position, kind in ((shape.destination, "copy-overflow"), (shape.source, "copy-overread")):
            if position is None:
                continue
            buffer = self.value_of(call.args[position], state)
            if buffer.block is None or buffer.offset is None or buffer.block.high is None \
                    or buffer.offset.low is None:
                continue
            room = buffer.block.high - buffer.offset.low
            if touched.low > room:
                argument = call.args[position]
                text = self.file.text_of(argument.node) if isinstance(argument.node, ts.Node) else ""
                certain = state.forks - min(length.since, buffer.since) <= 1
                self._record(Event(kind, call.node, text, None, certain, room, touched))

    def _through_pointer(self, call: ir.Call, state: State) -> ir.Call:
        """`fp(x)` / `(*fp)(x)` with fp a followed pointer that holds one function of the run on this path: a
        call of that function, whose summary applies."""
        pointer = call.function.obj if isinstance(call.function, ir.Subscript) and call.function.index is None \
            else call.function
        if call.receiver is not None or not isinstance(pointer, ir.Name) or pointer.id not in self.tracked:
            return call
        target = state.get(pointer.id).function
        return replace(call, callee=target, method=target) if target is not None else call

    def _null_on_one_arm(self, statement: ir.Assign, state: State) -> bool:
        """`p = test ? q : NULL`: a tracked pointer given NULL by exactly one arm of a conditional whose test
        reads values, not a call's outcome (`localtime_s(&tm, &t) ? NULL : &tm` is NULL when the call fails,
        which depends on what it is given, as a search that may find nothing does: the joined value stays)."""
        target, choice = statement.targets[0], statement.value
        if len(statement.targets) != 1 or not isinstance(target, ir.Name) or target.id not in self.tracked \
                or not isinstance(choice, ir.Conditional) or not self._is_pointer(target) \
                or any(isinstance(item, ir.Call) for item in ir.walk_ir(choice.test)):
            return False
        arms = [self.value_of(arm, state).null == NULL for arm in (choice.body, choice.orelse)]
        return arms[0] != arms[1]

    def _string_copy(self, call: ir.Call, state: State) -> Value | None:
        """`strcpy(dst, src)` / `strcat(dst, src)`: the bytes written are the source's characters and its NUL
        (after those the destination held, for an append); too many for the destination's room is an overflow.
        Returns the string length the destination array holds after the call, when it is followed and known."""
        name = (call.callee or "").removeprefix("std::")
        shape = STRING_COPIES.get(name) if call.receiver is None and name not in self.summaries else None
        if shape is None or len(call.args) <= max(shape[0], shape[1]):
            return None
        destination_position, source_position, appends, width = shape
        source = self._string_length(self.value_of(call.args[source_position], state), state)
        if source.interval is None or source.interval.low is None:
            return None
        destination = call.args[destination_position]
        held = Interval.exactly(0)
        since = source.since
        if appends:
            if not isinstance(destination, ir.Name) or not self._string_followed(destination):
                return None
            before = state.values.get(_string_key(destination.id))
            if before is None or before.interval is None or before.interval.low is None:
                return None
            held, since = before.interval, min(since, before.since)
        length = arithmetic("+", held, source.interval)
        if length is None or length.low is None:
            return None
        buffer = self.value_of(destination, state)
        if buffer.block is not None and buffer.offset is not None and buffer.block.high is not None \
                and buffer.offset.low is not None:
            room = buffer.block.high - buffer.offset.low
            written = Interval((length.low + 1) * width, None if length.high is None else (length.high + 1) * width)
            if written.low > room:
                text = self.file.text_of(destination.node) if isinstance(destination.node, ts.Node) else ""
                certain = state.forks - min(since, buffer.since) <= 1 and not source.vague
                self._record(Event("string-overflow", call.node, text, None, certain, room, written))
        if isinstance(destination, ir.Name) and self._string_followed(destination) and length.low == length.high:
            return Value(interval=length, since=min(since, state.forks))
        return None

    def _string_followed(self, array: ir.Name) -> bool:
        """A local `char` array whose every use the function shows: indexed, measured, or passed to a C library
        call that keeps no pointer to it. What such an array holds is only changed where the path can see."""
        cached = self._followed_strings.get(array.id)
        if cached is None:
            variable = self._variable(array)
            cached = variable is not None and variable.is_array and not variable.is_parameter \
                and len(variable.array_sizes) == 1 and self.file.element_size(variable) == 1 \
                and all(_seen_string_use(self.file, use)
                        for use in self.file.identifiers(self.function.node).get(array.id, ())
                        if self.file.variable(use) == variable)
            self._followed_strings[array.id] = cached
        return cached

    def _copy_reach(self, call: ir.Call, name: str, shape: Copy, state: State) -> None:
        """`memcpy(dst, src, n)` on the parameters as passed, on every path: the callers' buffers must hold n."""
        counted = self._entry_count(call.args[shape.length], state)
        if state.forks != 0 or counted is None:
            return
        unit = copy_bytes(name, Interval.exactly(1))
        width = unit.low if unit is not None and unit.low else 1
        for position, write in ((shape.destination, True), (shape.source, False)):
            buffer = call.args[position] if position is not None else None
            if isinstance(buffer, ir.Name) and buffer.id in self.entry_parameters \
                    and _entry_value(state.get(buffer.id)):
                self._reaching(buffer.id, counted[0], Reach(0, width, counted[1] - 1, write, copy=True))

    # -- the checks ------------------------------------------------------------------

    def _dereference(self, pointer: ir.Expr, at: ts.Node, state: State, via: str = "", via_line: int = 0,
                     via_path: str = "") -> State:
        """`*p`, `p->f`, `p[i]` or a library call reading through p: after it, p is not NULL."""
        if isinstance(pointer, (ir.Call, ir.Const)) and isinstance(pointer.node, ts.Node):  # `p.get()->f`, `f(NULL)`
            value = self.value_of(pointer, state)
            if value.null in (NULL, MAYBE_NULL):
                self._record(Event("null-dereference", at, self.file.text_of(pointer.node), value.null_origin,
                                   value.null == NULL and _shown_alone(state, value.null_origin), via=via,
                                   via_line=via_line, via_path=via_path))
            return state
        path = field_path(pointer, self._refinable)
        if path is not None:
            known = state.get(path)
            if known.null in (NULL, MAYBE_NULL):
                certain = known.null == NULL and not known.vague and _shown_alone(state, known.null_origin)
                self._record(Event("null-dereference", at, path, known.null_origin, certain, via=via, via_line=via_line,
                                    via_path=via_path))
            # a later NULL test of it says the author thought it could be NULL here
            dereferenced = known.dereferenced or (Origin(at, "dereferenced", forks=state.forks) if known.null is None
                                                  else None)
            return state.set(path, known.with_null(NON_NULL, None).but(dereferenced=dereferenced))
        if not isinstance(pointer, ir.Name) or pointer.id not in self.tracked or self._is_array(pointer):
            return state
        value = state.get(pointer.id)
        if value.null is None and _entry_value(value) and state.forks == 0:
            # on every path into the function, before anything tested it
            self.dereferenced.setdefault(pointer.id, at.start_point[0] + 1)
        if value.null in (NULL, MAYBE_NULL):
            certain = value.null == NULL and _shown_alone(state, value.null_origin)
            self._record(Event("null-dereference", at, pointer.id, value.null_origin, certain, via=via,
                               via_line=via_line, via_path=via_path))
        self._freed_use(pointer, at, state)
        # a later NULL test of it says the author thought it could be NULL here
        dereferenced = value.dereferenced or (Origin(at, "dereferenced", forks=state.forks)
                                              if value.null is None or _entry_value(value) else None)
        if _entry_value(value):  # still the caller's pointer, now known not NULL
            return state.set(pointer.id, value.but(null=NON_NULL, dereferenced=dereferenced))
        return state.set(pointer.id, value.with_null(NON_NULL, None).but(dereferenced=dereferenced))

    def _freed_use(self, pointer: ir.Name, at: ts.Node, state: State) -> None:
        value = state.get(pointer.id)
        if value.heap in (FREED, MAYBE_FREED):
            invalidated = value.heap_origin is not None and value.heap_origin.kind == "invalidated"
            self._record(Event("use-after-invalidation" if invalidated else "use-after-free", at, pointer.id,
                               value.heap_origin, value.heap == FREED))

    def _declared_without_value(self, target: ir.Name, value: ir.Expr | None) -> bool:
        """`int n;`: a local scalar or pointer declared without an initialiser (the lowering's own assignment
        of nothing to it)."""
        if not isinstance(value, ir.Opaque) or value.parts or not isinstance(value.node, ts.Node) \
                or value.node.type != "identifier" or not isinstance(target.node, ts.Node):
            return False
        variable = self.file.variable(target.node)
        return variable is not None and declared_without_value(self.file, variable)

    # -- C++ smart pointers: std::unique_ptr and std::shared_ptr hold NULL when empty ---------------------

    def _smart_pointer(self, name: ir.Name) -> bool:
        """A local std::unique_ptr / std::shared_ptr (or Qt's QScopedPointer / QSharedPointer), by its declared
        type or, for `auto`, by the factory that makes it."""
        if self.file.language != "cpp":
            return False
        if name.id not in self._smart:
            variable = self.file.variable(name.node) if isinstance(name.node, ts.Node) \
                and name.node.type == "identifier" else None
            self._smart[name.id] = variable is not None and variable.pointer_depth == 0 and not variable.is_array \
                and (SMART_POINTER.match(variable.type_text) is not None or self._made_smart(variable))
        return self._smart[name.id]

    def _made_smart(self, variable: Variable) -> bool:
        """`auto p = std::make_unique<T>(...)`."""
        initializer = variable.initializer
        if variable.type_text != "auto" or initializer is None or initializer.type != "call_expression":
            return False
        return SMART_POINTER_FACTORIES.match(self.file.text_of(initializer.child_by_field_name("function"))) is not None

    def _smart_assigned(self, expression: ir.Expr | None, at: ts.Node, state: State) -> Value:
        """What a smart pointer holds after its declaration (`std::unique_ptr<T> p;`, `p(nullptr)`, `p{}`,
        `p(new T)`) or an assignment."""
        if isinstance(expression, ir.Opaque) and isinstance(expression.node, ts.Node):
            if expression.node.type == "identifier" and not expression.parts:  # declared without an initialiser
                return Value(NULL, Origin(at, "empty", "", state.forks))
            if expression.node.type == "argument_list" and len(expression.parts) <= 1:
                return self._smart_held(expression.parts[0], at, state) if expression.parts \
                    else Value(NULL, Origin(at, "empty", "", state.forks))
            return Value()
        if isinstance(expression, ir.Sequence) and len(expression.items) <= 1:
            return self._smart_held(expression.items[0], at, state) if expression.items \
                else Value(NULL, Origin(at, "empty", "", state.forks))
        return self._smart_held(expression, at, state) if expression is not None else Value()

    def _smart_held(self, expression: ir.Expr, at: ts.Node, state: State) -> Value:
        """What a smart pointer built from `expression` holds: its nullness, nothing more."""
        if isinstance(expression, ir.Call) and SMART_POINTER_FACTORIES.match(expression.callee or ""):
            return Value(NON_NULL)
        return _nullness(self.value_of(expression, state))

    def _smart_pointer_method(self, call: ir.Call, pointer: ir.Name, state: State) -> State:
        """`p.reset()`, `p.release()`, `p.reset(q)`, `p.swap(q)`: what p holds afterwards."""
        if call.method in EMPTYING_METHODS and not (call.method == "reset" and call.args):
            return state.set(pointer.id, Value(NULL, Origin(call.node, "empty", f"{pointer.id}.{call.method}()",
                                                            state.forks)))
        if call.method == "reset":
            return state.set(pointer.id, self._smart_held(call.args[0], call.node, state))
        if call.method == "swap" and len(call.args) == 1 and isinstance(call.args[0], ir.Name) \
                and call.args[0].id in self.tracked:
            other = call.args[0].id
            return state.set(pointer.id, state.get(other)).set(other, state.get(pointer.id))
        return state

    def _moved_smart_pointer(self, expression: ir.Expr | None) -> ir.Name | None:
        """The tracked smart pointer p that `std::move(p)` (alone, or as a constructor's only argument) hands on."""
        if isinstance(expression, ir.Opaque) and len(expression.parts) == 1 and isinstance(expression.node, ts.Node) \
                and expression.node.type == "argument_list":
            expression = expression.parts[0]
        if isinstance(expression, ir.Call) and expression.callee == "std::move" and len(expression.args) == 1:
            moved = expression.args[0]
            if isinstance(moved, ir.Name) and moved.id in self.tracked and self._smart_pointer(moved):
                return moved
        return None

    def _arrow(self, pointer: ir.Expr, at: ts.Node, before: State, after: State) -> State:
        """`pointer->...`, with `after` the state once `pointer` was evaluated. `p.release()->f()` dereferences
        what p held before the call emptied it."""
        if self._hands_over(pointer):
            self._dereference(pointer, at, before)
            return after
        return self._dereference(pointer, at, after)

    def _hands_over(self, expression: ir.Expr | None) -> bool:
        """`p.release()` / `p.take()` on a smart pointer: the result is what p held before the call."""
        return isinstance(expression, ir.Call) and expression.method in ("release", "take") \
            and isinstance(expression.receiver, ir.Name) and self._smart_pointer(expression.receiver)

    # -- C++ containers: iterators and pointers into a vector's or a string's buffer -------------------

    def _counted(self, name: ir.Name | ir.Expr | None) -> str | None:
        """"vector" for a std::vector, "array" for a std::array (a declared local, not a pointer or reference),
        whose element count the engine follows; None otherwise."""
        if not isinstance(name, ir.Name) or self.file.language != "cpp":
            return None
        if name.id not in self._counted_kinds:
            variable = self._variable(name)
            kind = None
            if variable is not None and variable.pointer_depth == 0 and not variable.is_array \
                    and not variable.is_parameter and not is_reference(self.file, variable):
                kind = "vector" if COUNTED_VECTOR.match(variable.type_text) else \
                    "array" if FIXED_ARRAY.match(variable.type_text) else None
            self._counted_kinds[name.id] = kind
        return self._counted_kinds[name.id]

    def _count_built(self, target: ir.Name, value: ir.Expr | None, state: State) -> Interval | None:
        """The element count a declaration or assignment gives a std::vector or std::array."""
        variable = self._variable(target)
        fixed = FIXED_ARRAY.match(variable.type_text) if variable is not None else None
        if fixed is not None:
            return Interval.exactly(int(fixed.group(1)))
        if isinstance(value, ir.Sequence):  # `= {1, 2, 3}`, `{1, 2, 3}`: one element each
            return Interval.exactly(len(value.items))
        if isinstance(value, ir.Opaque) and not value.parts and isinstance(value.node, ts.Node) \
                and value.node.type == "identifier":
            return Interval.exactly(0)  # `std::vector<int> v;`
        if isinstance(value, ir.Opaque) and value.parts and isinstance(value.node, ts.Node) \
                and value.node.type in ("argument_list", "parameter_list") and len(value.parts) <= 2:
            count = self.value_of(value.parts[0], state).interval  # `v(n)`, `v(n, x)`: n elements
            if count is not None and count.low is not None and count.low >= 0 and not self._counted(value.parts[0]):
                return count
        if isinstance(value, ir.Name) and self._counted(value) is not None:
            return state.get(value.id).interval  # a copy
        return None

    def _count_after(self, call: ir.Call, before: Value, state: State) -> Interval | None:
        """A std::vector's element count after a method call (None: not known)."""
        count, method = before.interval, call.method or ""
        if method == "clear" and not call.args:
            return Interval.exactly(0)
        if method in ("resize", "assign") and call.args and len(call.args) <= 2:
            size = self.value_of(call.args[0], state).interval
            return size if size is not None and not self._counted(call.args[0]) else None
        if method == "reserve" or count is None:
            return count
        if method in GROWING_BY_ONE or (method in ("insert", "emplace") and len(call.args) == 2
                                        and not isinstance(call.args[1], ir.Sequence)):
            return arithmetic("+", count, Interval.exactly(1))
        if method == "insert" and len(call.args) == 2 and isinstance(call.args[1], ir.Sequence):
            return arithmetic("+", count, Interval.exactly(len(call.args[1].items)))
        if method == "insert" and len(call.args) == 3:
            added = self.value_of(call.args[1], state).interval
            return arithmetic("+", count, added) if added is not None and added.low is not None and added.low >= 0 else None
        if method == "pop_back" and count.low is not None and count.low >= 1:
            return arithmetic("-", count, Interval.exactly(1))
        return None

    def _contiguous(self, name: ir.Name) -> bool:
        """A std::vector or std::string variable (its declared type says so)."""
        if self.file.language != "cpp":
            return False
        if name.id not in self._containers:  # apart from `_variable`'s memo, whose first asker picks the declaration
            variable = self.file.variable(name.node) if isinstance(name.node, ts.Node) \
                and name.node.type == "identifier" else None
            self._containers[name.id] = variable is not None and variable.pointer_depth == 0 \
                and not variable.is_array and CONTIGUOUS_CONTAINER.match(variable.type_text) is not None
        return self._containers[name.id]

    def _borrowed_from(self, call: ir.Call) -> str | None:
        """The container `v` whose buffer the call's result points into (`v.begin()`, `v.data()`, `std::end(v)`)."""
        if isinstance(call.receiver, ir.Name) and call.method in BORROWING_METHODS and self._contiguous(call.receiver):
            return call.receiver.id
        if call.callee in BORROWING_FUNCTIONS and len(call.args) == 1 and isinstance(call.args[0], ir.Name) \
                and self._contiguous(call.args[0]):
            return call.args[0].id
        return None

    def _invalidate(self, container: ir.Name, at: ts.Node, how: str, state: State) -> State:
        """After `v.push_back(...)` (or any change that may move v's buffer) the values pointing into it are
        invalid, like freed memory."""
        borrowed = [(name, value) for name, value in state.values.items() if value.borrowed == container.id]
        if not borrowed or how in GROWING_METHODS and self._reserves(container.id):
            return state  # after `v.reserve(n)`, growing within that capacity moves nothing
        origin = Origin(at, "invalidated", f"{container.id}.{how}" if how[0].isalpha() else f"{container.id} {how}",
                        state.forks)
        for name, value in borrowed:
            state = state.set(name, value.but(heap=FREED, heap_origin=origin))
        return state

    def _ranged_container(self, statement: ir.Loop) -> ir.Name | None:
        """The hidden iterator of `for (x : v)` over a vector or string, as a name of its own."""
        if isinstance(statement.iter, ir.Name) and statement.test is None and isinstance(statement.node, ts.Node) \
                and self._contiguous(statement.iter):
            return ir.Name(f"for (... : {statement.iter.id})", statement.node)
        return None

    def _bind_or_write_reference(self, reference: ir.Name, statement: ir.Assign, state: State) -> State:
        """`int &first = v[0];` binds `first` into v's buffer; a later `first = 2;` writes through it (the
        lowering's own assignments, what a call may have changed, are neither)."""
        kind = statement.node.type if isinstance(statement.node, ts.Node) else None
        if kind == "assignment_expression":
            self._freed_use(reference, statement.node, state)
        if kind != "init_declarator":
            return state
        container = self._element_of(statement.value)
        return state.set(reference.id, Value(borrowed=container) if container is not None else UNKNOWN)

    def _element_of(self, expression: ir.Expr | None) -> str | None:
        """The container `v` whose element the expression is (`v[i]`, `v.at(i)`, `v.front()`, `v.back()`)."""
        if isinstance(expression, ir.Subscript) and isinstance(expression.obj, ir.Name) \
                and expression.index is not None and self._contiguous(expression.obj):
            return expression.obj.id
        if isinstance(expression, ir.Call) and isinstance(expression.receiver, ir.Name) \
                and expression.method in ELEMENT_METHODS and self._contiguous(expression.receiver):
            return expression.receiver.id
        return None

    def _reserves(self, container: str) -> bool:
        node = self.function.node
        text = self.file.text_of(node) if isinstance(node, ts.Node) else ""
        return re.search(rf"\b{re.escape(container)}\s*(?:\.|->)\s*reserve\s*\(", text) is not None

    def _release(self, pointer: ir.Expr, state: State, at: ts.Node) -> State:
        state = self._hand_over(self._owners(pointer, state), at, state)
        if not isinstance(pointer, ir.Name) or pointer.id not in self.tracked:
            return state
        value = state.get(pointer.id)
        if value.null == NULL:
            return state  # free(NULL) does nothing
        if value.heap in (FREED, MAYBE_FREED):
            self._record(Event("double-free", at, pointer.id, value.heap_origin, value.heap == FREED))
        name = "delete" if at.type == "delete_expression" else self.file.text_of(at.child_by_field_name("function"))
        return state.set(pointer.id, Value(value.null, value.null_origin, FREED,
                                           Origin(at, "released", name, state.forks), value.interval))

    def _divisor(self, divisor: ir.Expr, state: State, at: ts.Node) -> None:
        value = self.value_of(divisor, state)
        if value.interval is None or value.interval != Interval.exactly(0) or self._is_floating(divisor):
            return
        name = divisor.id if isinstance(divisor, ir.Name) else self.file.text_of(divisor.node)
        self._record(Event("division-by-zero", at, name, value.null_origin, state.shown_alone(value.null_origin)))

    def _element(self, subscript: ir.Subscript, state: State, write: bool) -> State:
        pointer = subscript.obj
        if isinstance(pointer, ir.Attr) and subscript.index is not None and not _address_of(subscript.node):
            self._member_element(subscript, pointer, state, write)
        if isinstance(pointer, ir.Subscript) and subscript.index is not None and not _address_of(subscript.node):
            self._inner_element(subscript, state, write)
        if isinstance(pointer, ir.Binary) and pointer.op in ("+", "-") and not _address_of(subscript.node):
            self._moved_element(subscript, pointer, state, write)
        if isinstance(pointer, (ir.Attr, ir.Call)) and not _address_of(subscript.node):
            return self._dereference(pointer, subscript.node, state)  # `s->data[0]`, `*s->data`, `*find(k)`
        if not isinstance(pointer, ir.Name) or _address_of(subscript.node):
            return state
        variable = self._variable(pointer)
        index = self.value_of(subscript.index, state) if subscript.index is not None else None
        if index is not None:
            self._wrapped_use(index, state)
        if index is not None and pointer.id in self.tracked and self._counted(pointer) is not None:
            count = state.get(pointer.id)
            if count.interval is not None and count.interval.low is not None and count.interval.low == count.interval.high \
                    and state.forks - count.since <= 1 and not _hoisted(subscript.node):
                self._bounds(subscript, pointer.id, count.interval.low, index, state, write)
            return state
        if variable is None or not variable.is_array:
            self._pointer_element(subscript, pointer, index, state, write)
            self._symbolic_element(subscript, pointer, state, write)
            return self._dereference(pointer, subscript.node, state)
        outer = variable.array_sizes[-1]  # `a[64][8]` lists [8] first: the first index runs over 64
        size = self.file.constant_value(outer) if outer is not None else None
        if isinstance(size, int) and index is not None:
            self._bounds(subscript, pointer.id, size, index, state, write)
        return state

    def _moved_element(self, subscript: ir.Subscript, moved: ir.Binary, state: State, write: bool) -> None:
        """`*(p + k)`, `(p - 1)[i]`: an element of a buffer through a pointer computed in place."""
        base = moved.left if isinstance(moved.left, ir.Name) else moved.right if isinstance(moved.right, ir.Name) \
            else None
        width = self._pointee_bytes(base) if base is not None else None
        if base is not None and width and moved.op == "+" and subscript.index is None and base.id in self.tracked \
                and _entry_value(state.get(base.id)) and state.forks == 0:
            other = moved.right if moved.left is base else moved.left  # `*(p + n)` on the parameters as passed
            counted = self._entry_count(other, state)
            if counted is not None:
                self._reaching(base.id, counted[0], Reach(0, width, counted[1], write))
        value = self.value_of(moved, state)
        if base is None or not width or value.block is None or value.offset is None or value.block.high is None:
            return
        index = self.value_of(subscript.index, state) if subscript.index is not None else Value(
            interval=Interval.exactly(0), since=state.forks)
        self._offset_bounds(subscript, base.id, value, width, index, state, write)

    def _inner_element(self, subscript: ir.Subscript, state: State, write: bool) -> None:
        """`a[i][j]`: j against the length of a's dimension it indexes."""
        depth, base = 1, subscript.obj
        while isinstance(base, ir.Subscript):
            depth, base = depth + 1, base.obj
        base = base if isinstance(base, ir.Name) else None
        variable = self._variable(base) if base is not None else None
        if variable is None or not variable.is_array or len(variable.array_sizes) < depth:
            return
        dimension = variable.array_sizes[-depth]
        size = self.file.constant_value(dimension) if dimension is not None else None
        if isinstance(size, int) and base is not None:
            index = self.value_of(subscript.index, state)
            self._bounds(subscript, base.id, size, index, state, write)

    def _member_element(self, subscript: ir.Subscript, member: ir.Attr, state: State, write: bool) -> None:
        """`s.a[i]`, `p->a[i]`: a member array of a type declared in this file."""
        holder = self._variable(member.obj) if isinstance(member.obj, ir.Name) else None
        size = member_array_length(self.file, member.attr, holder.type_text if holder is not None else "")
        if size is not None:
            index = self.value_of(subscript.index, state)
            self._wrapped_use(index, state)
            name = self.file.text_of(member.node) if isinstance(member.node, ts.Node) else member.attr
            self._bounds(subscript, name, size, index, state, write)

    def _pointer_element(self, subscript: ir.Subscript, pointer: ir.Name, index: Value | None, state: State,
                         write: bool) -> None:
        """`p[i]` or `*p` where p points into a buffer of known size."""
        value = state.get(pointer.id) if pointer.id in self.tracked else None
        width = self._pointee_bytes(pointer)
        back = _step_back(pointer.node)
        if value is not None and width and back == 0:
            self._reach(pointer.id, value, width, index, subscript, state, write)
        if value is None or value.block is None or value.offset is None or value.block.high is None or not width \
                or back is None:
            return
        if back:  # `*p++`: the element before the updated pointer
            value = value.but(offset=arithmetic("+", value.offset, Interval.exactly(back * width)))
        if index is None:
            if subscript.index is not None:
                return
            index = Value(interval=Interval.exactly(0), since=state.forks)
        self._offset_bounds(subscript, pointer.id, value, width, index, state, write)

    # -- symbolic sizes: a buffer of n elements, an index tested against n ----------------------------

    def _symbolic_extent(self, expression: ir.Expr | None, state: State) -> Relation | None:
        """`malloc(n)`, `malloc(n + 1)`, `malloc(n * sizeof(T))`, `calloc(n, sizeof(T))`: a buffer of `n + k`
        units of `width` bytes, for a tracked variable n."""
        if not isinstance(expression, ir.Call) or expression.callee not in ALLOCATION_SIZE_ARGUMENTS \
                or expression.callee in self.summaries:
            return None
        positions = ALLOCATION_SIZE_ARGUMENTS[expression.callee]
        if any(position >= len(expression.args) for position in positions):
            return None
        sizes = [expression.args[position] for position in positions]
        if len(sizes) == 1 and isinstance(sizes[0], ir.Binary) and sizes[0].op == "*":
            sizes = [sizes[0].left, sizes[0].right]  # `n * sizeof(T)`: n units of sizeof(T) bytes
        if len(sizes) == 1:
            counted = tracked_operand(sizes[0], self.tracked)
            return Relation("extent", counted[0], counted[1], state.forks) if counted is not None else None
        if len(sizes) != 2:
            return None
        for count, unit in (sizes, sizes[::-1]):
            known = self.value_of(unit, state).interval
            if isinstance(count, ir.Name) and count.id in self.tracked and known is not None \
                    and known.low is not None and known.low == known.high and known.low > 0:
                return Relation("extent", count.id, 0, state.forks, known.low)
        return None

    def _symbolic_element(self, subscript: ir.Subscript, pointer: ir.Name, state: State, write: bool) -> None:
        """`p[i]` where p was allocated with n elements and i is n, or was tested to be at most n (or past it);
        `v[i]` of a vector or string where i is `v.size()` or was tested to be at most that."""
        if _hoisted(subscript.node):
            return  # its place among the test's guards is lost: the IR runs it before the whole test
        if subscript.index is not None and self._contiguous(pointer):
            sized = self._measured_against_size(subscript.index, pointer.id, state)
            if sized is not None and sized[0] >= (1 if self._std_string(pointer) else 0):  # past its terminator
                k, exact = sized
                size = f"{pointer.id}.size()"
                self._record(Event("index-out-of-bounds", subscript.node, pointer.id, None, True, write=write,
                                   symbolic=(size, _plus(size, k) if exact else f"up to {_plus(size, k)}")))
            return
        extent = state.relations.get(pointer.id)
        if extent is None or extent.kind != "extent" or subscript.index is None \
                or self._pointee_bytes(pointer) != extent.width:
            return
        measured = self._measured(subscript.index, extent.other, state)
        if measured is None or measured[0] < extent.k:
            return
        k, exact = measured
        # Relations hold on every path that keeps them (a change of either variable, or a join with a path
        # that does not know them, drops them): an index equal to the size, or one the code's own test lets
        # reach it (`i <= n`), is out of bounds wherever the access runs: certain.
        shown = (_plus(extent.other, extent.k), _plus(extent.other, k) if exact else f"up to {_plus(extent.other, k)}")
        self._record(Event("index-out-of-bounds", subscript.node, pointer.id, None, True, write=write,
                           symbolic=shown))

    def _std_string(self, name: ir.Name) -> bool:
        """A std::string (or other basic_string), which keeps a terminator at `s[s.size()]`."""
        variable = self.file.variable(name.node) if isinstance(name.node, ts.Node) else None
        return variable is not None and STD_STRING.match(variable.type_text) is not None

    def _measured_against_size(self, index: ir.Expr, container: str, state: State) -> tuple[int, bool] | None:
        """The index's largest value as `container.size() + k`: (k, whether it is exactly that)."""
        sized = container_size(index)
        if sized is not None:
            return (sized[1], True) if sized[0] == container else None
        found = tracked_operand(index, self.tracked)
        bound = state.relations.get(found[0]) if found is not None else None
        if found is None or bound is None or bound.kind != "size-bound" or bound.other != container:
            return None
        return bound.k + found[1], False

    def _measured(self, index: ir.Expr, other: str, state: State) -> tuple[int, bool] | None:
        """The index's largest value as `other + k`: (k, whether it is exactly that)."""
        found = tracked_operand(index, self.tracked)
        if found is None:
            return None
        name, offset = found
        if name == other:
            return offset, True
        bound = state.relations.get(name)
        if bound is None or bound.kind != "bound" or bound.other != other:
            return None
        return bound.k + offset, False

    def _reach(self, name: str, value: Value, width: int, index: Value | None, subscript: ir.Subscript,
               state: State, write: bool) -> None:
        """A pointer parameter's element at a constant index, on every path before any test of it: callers
        must pass a buffer that holds it."""
        if not _entry_value(value) or state.forks != 0:
            return
        if index is None:
            if subscript.index is not None:
                return
            index = Value(interval=Interval.exactly(0))
        counted = self._entry_count(subscript.index, state)
        if counted is not None:
            self._reaching(name, counted[0], Reach(0, width, counted[1], write))  # `p[n - 1]`: as far as n says
            return
        known = index.interval
        if known is None or known.low is None or known.low != known.high or known.low < 0 or index.vague:
            return
        self._reaching(name, None, Reach(0, width, known.low, write))

    def _entry_count(self, expression: ir.Expr | None, state: State) -> tuple[str, int] | None:
        """(integer parameter, constant added) for `n`, `n - 1` where n is still the value the caller passed."""
        counted = tracked_operand(expression, self.tracked) if expression is not None else None
        if counted is None or counted[0] not in self.entry_parameters or not _entry_value(state.get(counted[0])):
            return None
        return counted

    def _reaching(self, name: str, by: str | None, reach: Reach) -> None:
        reached = self.reached.get((name, by))
        if reached is None or reached.index < reach.index:
            self.reached[(name, by)] = reach

    def _passed_buffer(self, call: ir.Call, argument: ir.Expr, reach: Reach, state: State) -> None:
        """A buffer handed to a function that always touches element `reach.index` of it: is it that long?"""
        value = self.value_of(argument, state)
        if value.block is None or value.offset is None or value.block.high is None or value.block.low != value.block.high:
            return
        start = Interval(None if value.offset.low is None else value.offset.low // reach.width,
                         None if value.offset.high is None else value.offset.high // reach.width)
        vague, since = value.vague, value.since
        index = Interval.exactly(reach.index)
        if reach.by is not None:  # counted from an integer argument: its values here
            if reach.by >= len(call.args):
                return
            count = self.value_of(call.args[reach.by], state)
            if count.interval is None:
                return
            index = arithmetic("+", count.interval, index)
            if reach.copy and index.low is not None and index.low < 0:
                if index.high is not None and index.high < 0:
                    return  # nothing copied
                index = Interval(0, index.high)  # only how far the copy goes matters
            vague, since = vague or count.vague, min(since, count.since)
        position = arithmetic("+", start, index)
        name = self.file.text_of(argument.node) if isinstance(argument.node, ts.Node) else "the argument"
        self._bounds(call.node, name, value.block.high // reach.width, Value(interval=position, vague=vague, since=since),
                     state, reach.write, via=call.callee or "")

    def _offset_bounds(self, subscript: ir.Subscript, name: str, pointer: Value, width: int, index: Value,
                       state: State, write: bool) -> None:
        """Element `index` from where `pointer` points, in its buffer of `width`-byte elements."""
        if index.interval is None or pointer.offset is None or pointer.block is None or pointer.block.high is None:
            return
        start = Interval(None if pointer.offset.low is None else pointer.offset.low // width,
                         None if pointer.offset.high is None else pointer.offset.high // width)
        position = arithmetic("+", start, index.interval)
        moved = index.but(interval=position, vague=index.vague or pointer.vague,
                        since=min(index.since, pointer.since))
        self._bounds(subscript, name, pointer.block.high // width, moved, state, write)

    def _bounds(self, subscript: ir.Subscript | ts.Node, name: str, size: int, index_value: Value, state: State,
                write: bool, via: str = "") -> None:
        """An element access at `index_value` in a buffer of `size` elements: out of range on some path?"""
        index = index_value.interval
        if index is None:
            return
        outside = (index.low is not None and index.low >= size) or (index.high is not None and index.high < 0)
        beyond = index.high is not None and index.high >= size
        before = index.low is not None and index.low < 0
        if beyond or before or outside:
            known = index.low is not None and index.high is not None
            certain = (outside or known) and not index_value.vague and state.forks - index_value.since <= 1
            node = subscript.node if isinstance(subscript, ir.Subscript) else subscript
            self._record(Event("index-out-of-bounds", node, name, None, certain, size, index, write, via=via))

    def _record(self, event: Event) -> None:
        key = (event.kind, event.node.start_byte)
        known = self.events.get(key)
        if known is None or (event.certain and not known.certain):
            self.events[key] = event

    # -- facts about names -----------------------------------------------------------------

    def _variable(self, name: ir.Name) -> Variable | None:
        """The declaration of a name used in this function (one per name: redeclarations share one type)."""
        if name.id not in self._declarations:
            self._declarations[name.id] = self.file.variable(name.node) if isinstance(name.node, ts.Node) \
                and name.node.type == "identifier" else None
        return self._declarations[name.id]

    def _is_pointer(self, name: ir.Name) -> bool:
        variable = self._variable(name)
        return variable is not None and variable.is_pointer

    def _is_array(self, name: ir.Name) -> bool:
        variable = self._variable(name)
        return variable is not None and variable.is_array

    def _is_floating(self, divisor: ir.Expr) -> bool:
        variable = self._variable(divisor) if isinstance(divisor, ir.Name) else None
        words = variable.type_text.split() if variable is not None else []
        return "float" in words or "double" in words or \
            (isinstance(divisor, ir.Const) and isinstance(divisor.value, float))

    def _never_returns(self, name: str) -> bool:
        summary = self.summaries.get(name)
        if summary is not None:
            return not summary.returns
        return name in EXIT_CALLS or bool(_NORETURN_NAME.search(name.rsplit("::", 1)[-1]))

    def _other_configuration(self, statement: ir.Stmt) -> bool:
        """Inside an `#else`/`#elif` arm: the lowering puts every arm in sequence, while one build runs one
        arm; the first arm stands for them all."""
        node = statement.node
        if not isinstance(node, ts.Node):
            return False
        key = (node.start_byte, node.end_byte)
        if key not in self._arms:
            inside = False
            while node is not None and node.type not in ("function_definition", "lambda_expression"):
                if node.type in _OTHER_ARMS:
                    inside = True
                    break
                node = node.parent
            self._arms[key] = inside
        return self._arms[key]

    def _decided(self, test: ir.Expr, truth: bool, state: State) -> State:
        """The path remembers the test's outcome, and that of each operand it settles (`a && b` true: a and
        b are; `a || b` false: neither is)."""
        text = self._test_text(test)
        if text:
            state = state.deciding(text, truth)
        tested = _null_compared_operand(test)
        if tested is not None:  # `x == NULL` false says `x` (as a test) is true
            operand_text = self._test_text(tested[0])
            if operand_text:
                state = state.deciding(operand_text, truth != tested[1])
        if isinstance(test, ir.Not):
            return self._decided(test.operand, not truth, state)
        if isinstance(test, ir.BoolOp) and (test.op == "and") == truth:
            for operand in test.values:
                state = self._decided(operand, truth, state)
        return state

    def _out_of_memory_names(self, test: ir.Expr, state: State) -> list[str]:
        """The pointers a test compares with NULL that hold what an allocator returned, or a function that
        returns NULL only when memory runs out: NULL there means the allocation failed."""
        return [name for name in _null_tested(test, self._refinable)
                if state.get(name).null == MAYBE_NULL and out_of_memory_origin(state.get(name).null_origin)]

    def _test_text(self, test: ir.Expr) -> str:
        """A test's text, spaces squashed: the key under which a path remembers its outcome."""
        node = test.node if isinstance(test.node, ts.Node) else None
        return " ".join(self.file.text_of(node).split()) if node is not None and node.type != "identifier" else ""

    def _label(self, node: ts.Node) -> str:
        return self.file.text_of(node.child_by_field_name("label"))


def flowing(expression: object) -> Iterator[ir.Expr]:
    """The parts of an expression whose value (a pointer, not what it points to) the expression's value may
    carry on: variables (`p`, `p + n`, `c ? p : q`, `&p->next`, `(T *)p`, the items of an initialiser list),
    calls (their result: an allocation, `std::move(p)`, `memset(p, 0, n)`) and `new` expressions; not
    `p->next`, `*p`, `p[i]` or `p == q`."""
    if isinstance(expression, (ir.Name, ir.Call)):
        yield expression
    elif isinstance(expression, (ir.Attr, ir.Subscript)):
        if _address_of(expression.node) or (isinstance(expression, ir.Attr) and isinstance(expression.node, ts.Node)
                                            and expression.node.type == "field_expression"
                                            and not _is_arrow(expression.node)):
            yield from flowing(expression.obj)  # `&p->f`, `&p[i]`, `s.member`
    elif isinstance(expression, ir.Binary):
        yield from flowing(expression.left)
        yield from flowing(expression.right)
    elif isinstance(expression, ir.Conditional):
        yield from flowing(expression.body)
        yield from flowing(expression.orelse)
    elif isinstance(expression, ir.Opaque):
        kind = expression.node.type if isinstance(expression.node, ts.Node) else ""
        if kind == "new_expression":
            yield expression  # the new object (its constructor's arguments are the constructor's business)
        elif kind not in _NO_POINTER_FLOWS:
            for part in expression.parts:
                yield from flowing(part)
    elif isinstance(expression, (ir.Sequence, ir.Format)):
        for part in _parts(expression):
            yield from flowing(part)


def _character_width(literal: object) -> int:
    """Bytes per character of a string literal: `L"..."` and `U"..."` 4 (wchar_t as on Unix), `u"..."` 2."""
    if not isinstance(literal, ts.Node) or not literal.text:
        return 1
    prefix = literal.text[:2]
    return 4 if prefix[:1] in (b"L", b"U") else 2 if prefix == b'u"' else 1


def _key(node: ts.Node) -> int:
    """An allocation's key: where its call or `new` is."""
    return node.start_byte


def names_read(expression: object) -> Iterator[ir.Name]:
    """The names an IR expression reads (not inside a nested function or lambda)."""
    return (item for item in ir.walk_ir(expression) if isinstance(item, ir.Name))


def _assigned_in(statements: tuple[ir.Stmt, ...]) -> set[str]:
    """The names the statements (and the blocks inside them) assign."""
    names: set[str] = set()
    for item in ir.walk_ir(statements):
        if isinstance(item, ir.Assign):
            names.update(target.id for target in item.targets if isinstance(target, ir.Name))
        elif isinstance(item, ir.AugAssign) and isinstance(item.target, ir.Name):
            names.add(item.target.id)
    return names


def _contains_update(test: ir.Expr) -> bool:
    """`while (n--)`: the test itself changes what it reads."""
    node = test.node
    return not isinstance(node, ts.Node) or contains_any(
        node, ("update_expression", "assignment_expression", "call_expression"))


def _plus(name: str, k: int) -> str:
    return name if k == 0 else f"{name} + {k}" if k > 0 else f"{name} - {-k}"


def _null_tested(test: ir.Expr | None, fields: frozenset[str] = frozenset()) -> list[str]:
    """The variables a test compares with NULL: `p`, `!p`, `p == NULL`, `p != nullptr`, `!p || n == 0`; with
    `fields` (the refinable names), also the fields it so tests (`!s->buf`, `m_stream == nullptr`)."""
    path = field_path(test, fields) if fields else None
    if path is not None:
        return [path]
    if isinstance(test, ir.Name):
        return [test.id]
    if isinstance(test, ir.Not):
        return _null_tested(test.operand, fields)
    if isinstance(test, ir.BoolOp):
        return [name for operand in test.values[:1] for name in _null_tested(operand, fields)]  # the first runs always
    if isinstance(test, ir.Compare) and len(test.ops) == 1 and test.ops[0] in ("==", "!=") and len(test.operands) == 2:
        left, right = test.operands
        if isinstance(right, (ir.Name, ir.Attr)) and _is_null_constant(left):
            left, right = right, left
        path = field_path(left, fields) if fields else None
        if path is not None and _is_null_constant(right):
            return [path]
        if isinstance(left, ir.Name) and _is_null_constant(right):
            return [left.id]
    return []


def _without_failed_acquisitions(test: ir.Expr, truth: bool, state: State) -> State:
    """After a test of an allocation's pointer or a handle: on the path where it found the pointer NULL or the
    descriptor negative or equal to the invalid value (`fd == INVALID_SOCKET`), the acquisition failed and
    there is nothing to release."""
    for name in _failure_tested(test):
        value = state.get(name)
        if not value.owners:
            continue
        negative = value.interval is not None and value.interval.high is not None and value.interval.high < 0
        invalid = isinstance(test, ir.Compare) and test.ops[0] == ("==" if truth else "!=") \
            and any(isinstance(operand, ir.Name) and _CONSTANT_NAME.match(operand.id) for operand in test.operands) \
            and any(key in state.owned and state.owned[key].kind == "opened" for key in value.owners)
        if value.null == NULL or negative or invalid:
            state = state.disowning(frozenset(key for key in value.owners if key >= 0))
    return state


def _acquisition_failure_test(test: ir.Expr, state: State) -> bool:
    """`if (!p)` right after `p = malloc(n)`, `if (fd < 0)` right after `fd = open(...)`: whether the
    acquisition failed, not a decision of the program's own (its two outcomes are the acquisition's, and no
    path through it combines unrelated choices)."""
    if not isinstance(test, (ir.Name, ir.Not, ir.Compare, ir.Call)):
        return False
    names = _failure_tested(test)
    if len(names) != 1:
        return False
    value = state.get(names[0])
    if value.null == MAYBE_NULL and value.null_origin is not None and value.null_origin.kind == "allocation" \
            and any(key >= 0 for key in value.owners):
        return True
    return any(key >= 0 and key in state.owned and state.owned[key].kind == "opened" for key in value.owners)


def _failure_tested(test: ir.Expr | None) -> list[str]:
    """The variables a test compares with NULL (`_null_tested`), with the -1 or 0 that separates a failed
    descriptor from an open one (`fd < 0`, `fd == -1`, `fd >= 0`), or with a constant's name
    (`fd == INVALID_SOCKET`)."""
    if isinstance(test, ir.Not):
        return _failure_tested(test.operand)
    if asserted(test) is not None:
        return _failure_tested(asserted(test))
    if isinstance(test, ir.Compare) and len(test.ops) == 1 and len(test.operands) == 2:
        left, right = test.operands
        if isinstance(left, (ir.Const, ir.Name)) and isinstance(right, ir.Name) and not _CONSTANT_NAME.match(right.id):
            left, right = right, left
        if isinstance(left, ir.Name) and isinstance(right, ir.Const) and _integer_literal(right) in (-1, 0) \
                and test.ops[0] in ("<", "<=", ">", ">=", "==", "!="):
            return [left.id]
        if isinstance(left, ir.Name) and isinstance(right, ir.Name) and _CONSTANT_NAME.match(right.id) \
                and not _CONSTANT_NAME.match(left.id) and test.ops[0] in ("==", "!="):
            return [left.id]
    return _null_tested(test)


def evaluated_conditionally(node: object) -> bool:
    """The expression runs only on some evaluations of its statement: in the right operand of `&&` or `||`,
    or an arm of `?:`."""
    if not isinstance(node, ts.Node):
        return False
    child, parent = node, node.parent
    while parent is not None and not parent.type.endswith("statement") and parent.type not in ("declaration",
                                                                                                 "init_declarator"):
        if parent.type == "binary_expression" and parent.child_by_field_name("operator") is not None \
                and parent.child_by_field_name("operator").type in ("&&", "||") \
                and parent.child_by_field_name("right") == child:
            return True
        if parent.type == "conditional_expression" and parent.child_by_field_name("condition") != child:
            return True
        child, parent = parent, parent.parent
    return False


def _is_null_constant(expression: ir.Expr) -> bool:
    return isinstance(expression, ir.Const) and expression.value in (0, None) and not isinstance(expression.value, bool)


def _entry_value(value: Value) -> bool:
    """Still the pointer the caller passed (nothing assigned it or tested it; dereferencing it is allowed)."""
    return value.null_origin is not None and value.null_origin.kind == "parameter" and value.null in (None, NON_NULL)


def _field_value(value: Value) -> Value:
    """What a path keeps of a value stored in a field: whether it is NULL, and its number."""
    if value.null is None and value.interval is None:
        return Value()
    return Value(value.null, value.null_origin, interval=value.interval, since=value.since, vague=value.vague)


def _nullness(value: Value) -> Value:
    """Only what a value says about NULL (a smart pointer's held pointer has no interval or buffer here)."""
    return Value(value.null, value.null_origin) if value.null is not None else Value()


def _root(expression: ir.Expr | None) -> str:
    """The variable an lvalue or argument is rooted in: p for `p->a.b[i]`, `*p`, `&p->x` ('' if none)."""
    while isinstance(expression, (ir.Attr, ir.Subscript)):
        expression = expression.obj
    if isinstance(expression, ir.Call) and expression.receiver is not None:
        return _root(expression.receiver)
    return expression.id if isinstance(expression, ir.Name) else ""


def _declares(node: ts.Node) -> bool:
    return node.type in ("init_declarator", "declaration")


def _marker(statement: ir.Stmt, kind: str) -> bool:
    return isinstance(statement, ir.ExprStmt) and isinstance(statement.expr, ir.Opaque) \
        and not statement.expr.parts and statement.node is not None and statement.node.type == kind


def _may_end_there(branch: tuple[ir.Stmt, ...]) -> bool:
    """The branch ends in a call that may not come back: a macro (which may hide a return or a jump) or
    an error reporter (`error()`, `(*ctx->on_error)(...)`, `usage()`), which programs often make exit."""
    statements = list(branch)
    while statements and _alias_update(statements[-1]):
        statements.pop()
    last = statements[-1] if statements else None
    if not (isinstance(last, ir.ExprStmt) and isinstance(last.expr, ir.Call)):
        return False
    name = _called_name(last.expr)
    return bool(_MACRO_NAME.match(name) or _ERROR_REPORTER.search(name) or _NORETURN_NAME.search(name))


def _alias_update(statement: ir.Stmt) -> bool:
    """What the lowering adds after a call that may write through a pointer into other names' memory."""
    return isinstance(statement, ir.Assign) and isinstance(statement.value, ir.Opaque) and \
        isinstance(statement.node, ts.Node) and statement.node.type == "expression_statement"


def _called_name(call: ir.Call) -> str:
    """The last identifier naming the called function: `f`, `ns::f` -> f, `(*ctx->on_error)` -> on_error."""
    if call.callee:
        return call.callee.rsplit("::", 1)[-1]
    function = call.node.child_by_field_name("function") if isinstance(call.node, ts.Node) else None
    text = function.text.decode("utf-8", "replace") if function is not None and function.text else ""
    found = _LAST_IDENTIFIER.search(text)
    return found.group(1) if found else ""


def _updated_operand(node: object, value: Value) -> Value:
    """The operand of `i++`, `--i`: the IR updates i before its statement (or its whole test), so a
    postfix operand reads one step back, and an update inside a test leaves nothing known."""
    if value.interval is None:
        return value
    back = _step_back(node)
    if back is None:
        return Value(value.null, value.null_origin, value.heap, value.heap_origin)
    if not back:
        return value
    return Value(value.null, value.null_origin, value.heap, value.heap_origin,
                 arithmetic("+", value.interval, Interval.exactly(back)))


def _step_back(node: object) -> int | None:
    """How many steps the value an update's operand reads lies from the variable's value after the
    update, which the IR runs first: -1 for `p++`, 1 for `p--`, 0 for a prefix update or none; None
    inside a test (the IR runs the update before the whole test)."""
    parent = node.parent if isinstance(node, ts.Node) else None
    if parent is None or parent.type != "update_expression":
        return 0
    if _in_condition(parent):
        return None
    first = parent.child(0)
    if first is None or first.type in ("++", "--"):
        return 0  # prefix: the updated value is the operand's
    return 1 if _is_decrement(parent) else -1


def _null_compared_operand(test: ir.Expr) -> tuple[ir.Expr, bool] | None:
    """(x, True) for `x == 0` / `x == NULL`, (x, False) for `x != 0`: the operand a test compares with
    zero, and whether it tests for equality."""
    if not isinstance(test, ir.Compare) or len(test.ops) != 1 or test.ops[0] not in ("==", "!=") \
            or len(test.operands) != 2:
        return None
    left, right = test.operands
    for operand, other in ((left, right), (right, left)):
        if isinstance(other, ir.Const) and (other.value is None or (type(other.value) is int and other.value == 0)):
            return operand, test.ops[0] == "=="
    return None


def _thresholds(test: ir.Expr | None) -> tuple[int, ...]:
    """The integer constants a loop's test compares with, and their neighbours, sorted: where a loop
    counter's widening stops (`i != 100` keeps i at most 100 rather than unbounded)."""
    found: set[int] = set()
    pending: list[ir.Expr | None] = [test]
    while pending and len(found) < 12:
        expression = pending.pop()
        if isinstance(expression, ir.Compare):
            pending.extend(expression.operands)
        elif isinstance(expression, ir.BoolOp):
            pending.extend(expression.values)
        elif isinstance(expression, ir.Not):
            pending.append(expression.operand)
        elif isinstance(expression, ir.Binary):
            pending.extend((expression.left, expression.right))
        elif isinstance(expression, ir.Const):
            value = _integer_literal(expression)
            if type(value) is int:
                found.update((value - 1, value, value + 1))
    return tuple(sorted(found))


def _integer_literal(constant: ir.Const) -> object:
    """A constant's value, with a negative integer literal (`-1`, which the front end reads as a float)
    as the integer it is."""
    value = constant.value
    node = constant.node
    if isinstance(value, float) and value.is_integer() and isinstance(node, ts.Node) \
            and _NEGATIVE_INTEGER.fullmatch(node.text.decode("utf-8", "replace") if node.text else ""):
        return int(value)
    return value


def _falls_through(switch: object, count: int) -> list[bool]:
    """For each case of a switch, in order: whether its statements run on into the next case."""
    body = switch.child_by_field_name("body") if isinstance(switch, ts.Node) else None
    cases = [c for c in body.named_children if c.type == "case_statement"] if body is not None else []
    if len(cases) != count:
        return [False] * count
    return [not any(child.type in _JUMPS for child in case.named_children) for case in cases]


def _in_condition(node: object) -> bool:
    """An update inside a test (`if (--n < 0 || a[n])`): the IR runs it before the whole test, so the
    value it leaves is not the one every operand of the test sees."""
    current = node if isinstance(node, ts.Node) else None
    while current is not None and current.parent is not None:
        parent = current.parent
        if parent.type == "condition_clause":
            return True
        if parent.type in _TESTED_STATEMENTS:
            condition = parent.child_by_field_name("condition")
            return condition is not None and condition.start_byte == current.start_byte \
                and condition.end_byte == current.end_byte
        if parent.type in ("expression_statement", "compound_statement"):
            return False
        current = parent
    return False


def _hoisted(node: object) -> bool:
    """Part of an assignment inside a test (`if (ok && (c = s[i + 1]) > 0)`): the IR runs the assignment
    before the whole test, out of reach of the guards before it."""
    current = node if isinstance(node, ts.Node) else None
    while current is not None and current.parent is not None:
        if current.type == "assignment_expression":
            return _in_condition(current)
        if current.type in ("expression_statement", "compound_statement"):
            return False
        current = current.parent
    return False


def _is_decrement(node: object) -> bool:
    if not isinstance(node, ts.Node) or node.type != "update_expression":
        return False
    operator = node.child_by_field_name("operator")
    return operator is not None and operator.type == "--"


def _is_arrow(node: ts.Node | None) -> bool:
    if node is None or node.type != "field_expression" or _address_of(node):
        return False
    operator = node.child_by_field_name("operator")
    return operator is not None and operator.type == "->"


def _address_of(node: object) -> bool:
    """`&x`, `&p->f`, `&a[i]`: an address computed, no memory touched."""
    if not isinstance(node, ts.Node):
        return False
    parent = node.parent
    while parent is not None and parent.type == "parenthesized_expression":
        parent = parent.parent
    if parent is None or parent.type != "pointer_expression":
        return False
    operator = parent.child_by_field_name("operator")
    return operator is not None and operator.type == "&"


def _parts(expression: ir.Expr) -> tuple[ir.Expr, ...]:
    if isinstance(expression, (ir.Opaque, ir.Format)):
        return expression.parts
    if isinstance(expression, ir.Sequence):
        return expression.items
    if isinstance(expression, ir.Compare):
        return expression.operands
    if isinstance(expression, ir.Not):
        return (expression.operand,)
    return ()


def out_of_memory_origin(origin: Origin | None) -> bool:
    """A NULL that comes from an allocator running out of memory (`malloc`, or a function of the run that
    returns NULL only then): not from `new`, which throws, nor from an open that failed."""
    return origin is not None and origin.kind == "allocation" and origin.callee not in ("new", "") \
        and origin.callee not in FILES.acquire


def _shown_alone(state: State, origin: Origin | None) -> bool:
    """A NULL this path holds from `origin` through at most one undecided branch, and not because memory ran
    out (`if (!(p = malloc(n)) && n > 0) fail();` leaves p NULL only when the allocation failed): a NULL
    that only exhaustion brings is the allocation rules' audit finding, not a sure defect."""
    return state.shown_alone(origin) and state.decided.get(OUT_OF_MEMORY) is not True


THROUGH = ".<through>"


def through_key(parameter: str) -> str:
    """The name under which a path holds what it last wrote through a pointer parameter (`*out = NULL;`):
    forgotten, as the parameter's fields are, when the parameter is reassigned or handed to a call."""
    return parameter + THROUGH


def _from_library(value: Value) -> bool:
    """A C library call's NULL result (`getenv`, `strchr`: `library.null_result_reason`)."""
    return value.null_origin is not None and value.null_origin.kind == "library"


def _string_key(array: str) -> str:
    """The name under which a path holds the length of the string in a followed `char` array (`strcpy`
    sets it; `forgetting` the array drops it, as it drops the array's fields)."""
    return f"{array}.<string>"


def _seen_string_use(file: CFile, use: ts.Node) -> bool:
    """An occurrence of an array that cannot let code the path does not see write it later: indexed,
    measured, declared, or passed to a C library call that keeps no pointer to it."""
    parent = use.parent
    if parent is None:
        return False
    if parent.type in ("init_declarator", "array_declarator", "sizeof_expression", "declaration"):
        return True
    if parent.type == "subscript_expression" and parent.child_by_field_name("argument") == use:
        return True
    if parent.type == "parenthesized_expression" and parent.parent is not None \
            and parent.parent.type == "sizeof_expression":
        return True
    if parent.type == "argument_list" and parent.parent is not None:
        call = file.call_of(parent.parent)
        return call is not None and call.receiver is None and (call.method or "") in USING_ONLY
    return False


def _identical(one: State, other: State) -> bool:
    """The same state in every respect (`State.__eq__` compares values only: forks, test outcomes, relations,
    locks and ownership qualify what a path finds)."""
    return one.values == other.values and one.forks == other.forks and one.decided == other.decided \
        and one.relations == other.relations and one.locks == other.locks and one.owned == other.owned


def _distinct(states: list[State]) -> list[State]:
    """The states without repeats: two paths that arrive alike in every respect (a test's two ways to be false
    that refine nothing followed) go on as one, so each statement after runs once for them."""
    if len(states) < 2:
        return states
    kept: list[State] = []
    for state in states:
        if not any(state is other or _identical(state, other) for other in kept):
            kept.append(state)
    return kept
