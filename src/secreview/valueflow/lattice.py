"""The values the value-flow engine knows about a variable, and how they join.

A `Value` says, for one variable on one path, what is known about it:

- nullness: `NULL`, `NON_NULL`, `MAYBE_NULL` (null on some path merged into
  this one) or unknown (None);
- heap state: `FREED` (released on this path), `MAYBE_FREED` (released on
  some merged path), or unknown (None);
- an integer interval, when it follows from constants and tests (`vague` when
  a bound holds only because an operand is unknown: `i % 5` is -4 to 4, but
  which of them depends on i; also a field that was known not NULL before a
  call that may have written it, `STALE`);
- for a pointer into a buffer of known size: the buffer's size (`block`) and
  where in it the pointer points (`offset`), both in bytes;
- `text`: for a pointer into a string literal, the literal's length (its
  terminator's offset in the block);
- `wrapped`: the arithmetic that overflowed (or went below 0) on the way to
  this value, when it did;
- `unset`: where a local declared without a value was declared, while nothing
  has assigned it (`maybe_unset` once a path that did assign it was merged in);
- `dereferenced`: where a pointer nothing had tested was dereferenced (on
  every path merged in), for a NULL test that comes after it;
- `owners`: the allocations of this function the pointer may point into
  (keys of `State.owned`; negative keys stand for the function's own pointer
  parameters, whose fate goes into its summary).

An `Origin` remembers why a value is (maybe) NULL or freed: the node that
made it so and a phrase for the finding.  A `State` maps the tracked
variables of a function to their values; a variable it does not hold is
unknown.  Joining two states keeps what both paths agree on and turns
disagreements into "maybe".
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

Node = Any  # a tree-sitter node, opaque here

NULL = "null"
NON_NULL = "non-null"
MAYBE_NULL = "maybe-null"
FREED = "freed"
MAYBE_FREED = "maybe-freed"

_LIMIT = 1 << 64  # beyond this an interval bound says nothing useful: it becomes unbounded


# the name of a field reached from a variable, as a state holds it (`p->f`, `s.f`)
FIELD_KEY = re.compile(r"[A-Za-z_]\w*(?:->|\.)[A-Za-z_]\w*\Z")


@dataclass(frozen=True)
class Origin:
    """Why a value is NULL, zero or freed: the node that made it so, and how."""

    node: Node
    # assigned | tested | allocation | function | released | invalidated (a container changed) |
    # empty (a smart pointer declared, reset or released empty) | moved (a smart pointer moved from) |
    # parameter (nullness unknown: still the value the caller passed, `callee` names the parameter) |
    # opened (in `State.owned`: a handle from `fopen`, `open`, `socket`... or a function of the file returning one) |
    # kept back (`ownership.kept_back_name`: the call that failed and so did not keep an allocation)
    # library (a C library call that returns NULL when refused or when it finds nothing: `fopen`, `getenv`,
    # `strchr`; `library.null_result_reason`)
    kind: str
    callee: str = ""  # the function whose result or call it was, for allocation / function / released / invalidated
    forks: int = 0  # the path's undecided branches (`State.forks`) when it happened


@dataclass(frozen=True)
class Interval:
    """Integers from `low` to `high`, both included; None is unbounded on that side."""

    low: int | None
    high: int | None

    @staticmethod
    def exactly(value: int) -> "Interval":
        return Interval(value, value)

    def is_empty(self) -> bool:
        return self.low is not None and self.high is not None and self.low > self.high

    def join(self, other: "Interval") -> "Interval":
        low = None if self.low is None or other.low is None else min(self.low, other.low)
        high = None if self.high is None or other.high is None else max(self.high, other.high)
        return Interval(low, high)

    def meet(self, other: "Interval") -> "Interval":
        low = other.low if self.low is None else self.low if other.low is None else max(self.low, other.low)
        high = other.high if self.high is None else self.high if other.high is None else min(self.high, other.high)
        return Interval(low, high)

    def widen(self, newer: "Interval", thresholds: tuple[int, ...] = ()) -> "Interval":
        """A bound that moved between two loop rounds goes to the next of `thresholds` (sorted: the
        constants the loop's test compares with) beyond it, else is dropped, so loops reach a fixpoint."""
        low = self.low if self.low is not None and newer.low is not None and newer.low >= self.low else None
        high = self.high if self.high is not None and newer.high is not None and newer.high <= self.high else None
        if low is None and newer.low is not None:
            low = next((t for t in reversed(thresholds) if t <= newer.low), None)
        if high is None and newer.high is not None:
            high = next((t for t in thresholds if t >= newer.high), None)
        return Interval(low, high)

    def without(self, value: int) -> "Interval":
        """The interval minus one value, where that removes an end point."""
        if self.low == value:
            return Interval(value + 1, self.high)
        if self.high == value:
            return Interval(self.low, value - 1)
        return self


def arithmetic(operator: str, left: Interval, right: Interval) -> Interval | None:
    """`left operator right` for + - *, None when not computed."""
    if operator == "+":
        return _bounded(_add(left.low, right.low), _add(left.high, right.high))
    if operator == "-":
        return _bounded(_add(left.low, _negate(right.high)), _add(left.high, _negate(right.low)))
    if operator == "*" and None not in (left.low, left.high, right.low, right.high):
        products = [a * b for a in (left.low, left.high) for b in (right.low, right.high)]  # type: ignore[operator]
        return _bounded(min(products), max(products))
    return None


def _add(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else a + b


def _negate(a: int | None) -> int | None:
    return None if a is None else -a


def _bounded(low: int | None, high: int | None) -> Interval:
    return Interval(low if low is not None and -_LIMIT < low < _LIMIT else None,
                    high if high is not None and -_LIMIT < high < _LIMIT else None)


@dataclass(frozen=True, eq=False)
class Value:
    null: str | None = None
    null_origin: Origin | None = None
    heap: str | None = None
    heap_origin: Origin | None = None
    interval: Interval | None = None
    since: int = 0  # the path's undecided branches (`State.forks`) when the interval was computed
    vague: bool = False
    block: Interval | None = None
    offset: Interval | None = None
    wrapped: Origin | None = None
    text: int | None = None
    borrowed: str | None = None  # the C++ container whose storage it points into (an iterator, `data()`)
    unset: Origin | None = None  # a local declared without a value and not assigned since, on this path
    maybe_unset: bool = False  # ... or only on some path merged into this one
    # where a pointer whose nullness nothing told was dereferenced, on every path merged into this one
    dereferenced: Origin | None = None
    owners: frozenset[int] = frozenset()  # allocations it may point into (`State.owned`), on any path merged in
    function: str | None = None  # the function of the run a function pointer points to, on every path merged in

    def __eq__(self, other: object) -> bool:
        # the fields' dictionaries compare in C: the interpreter compares values at every step
        return isinstance(other, Value) and self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        return hash(tuple(self.__dict__.values()))

    def join(self, other: "Value") -> "Value":
        if self == other:
            return self
        null, null_origin = _join_null(self, other)
        heap, heap_origin = _join_heap(self, other)
        interval = _join_intervals(self.interval, other.interval)
        block, offset = _join_intervals(self.block, other.block), _join_intervals(self.offset, other.offset)
        unset = self.unset or other.unset
        return Value(null, null_origin, heap, heap_origin, interval, min(self.since, other.since),
                     self.vague or other.vague, block, offset if block is not None else None,
                     self.wrapped or other.wrapped, self.text if self.text == other.text else None,
                     _join_borrowed(self.borrowed, other.borrowed), unset,
                     unset is not None and (self.maybe_unset or other.maybe_unset or self.unset is None
                                            or other.unset is None),
                     self.dereferenced if self.dereferenced is not None and other.dereferenced is not None else None,
                     self.owners | other.owners, self.function if self.function == other.function else None)

    def widen(self, newer: "Value", thresholds: tuple[int, ...] = ()) -> "Value":
        joined = self.join(newer)
        if self.interval is not None and joined.interval is not None:
            joined = joined.but(interval=self.interval.widen(joined.interval, thresholds))
        if self.offset is not None and joined.offset is not None:
            joined = joined.but(offset=self.offset.widen(joined.offset))
        return joined

    def with_null(self, null: str, origin: Origin | None) -> "Value":
        return self.but(null=null, null_origin=origin if null != NON_NULL else None)

    def but(self, **changes: Any) -> "Value":
        """A copy with `changes` (field: value): `dataclasses.replace` without its checks, which the
        interpreter's hot path cannot afford."""
        copy = object.__new__(Value)
        copy.__dict__.update(self.__dict__)
        copy.__dict__.update(changes)
        return copy


UNKNOWN = Value()
STALE = Value(vague=True)  # a field that was known not NULL before a call that may have written it


def _join_intervals(a: Interval | None, b: Interval | None) -> Interval | None:
    return None if a is None or b is None else a.join(b)


def _join_borrowed(a: str | None, b: str | None) -> str | None:
    """Into one container on some path (and nowhere known on the others): still into that container."""
    return a or b if a is None or b is None or a == b else None


def _join_null(a: Value, b: Value) -> tuple[str | None, Origin | None]:
    if a.null == b.null:
        return a.null, a.null_origin or b.null_origin
    a_null, b_null = a.null in (NULL, MAYBE_NULL), b.null in (NULL, MAYBE_NULL)
    if a_null and b_null:
        return MAYBE_NULL, a.null_origin or b.null_origin
    if a_null or b_null:
        return MAYBE_NULL, a.null_origin if a_null else b.null_origin  # why it is NULL, not where it came in
    return None, None


def _join_heap(a: Value, b: Value) -> tuple[str | None, Origin | None]:
    if a.heap == b.heap:
        return a.heap, a.heap_origin or b.heap_origin
    if a.heap in (FREED, MAYBE_FREED) or b.heap in (FREED, MAYBE_FREED):
        return MAYBE_FREED, a.heap_origin or b.heap_origin
    return None, None


# A path's `decided` entry saying memory ran out on it: a test found NULL what an allocator (or a function
# that returns NULL only then) returned. Kept through joins only when every joined path has it; never
# forgotten by a name (it names none).
OUT_OF_MEMORY = "\x00out of memory"

# A path's `decided` entry saying two pointers differ (`DIFFERS a b`, names sorted): forgotten, like a test's
# outcome, once either changes; both NULL on that path is impossible.
DIFFERS = "differs:"


def differs_key(first: str, second: str) -> str:
    return " ".join((DIFFERS, *sorted((first, second))))


@dataclass(frozen=True)
class Relation:
    """What one tracked variable is, measured against another tracked variable `other` (as each holds
    now): an index at most `other + k` (`bound`, from a test such as `i < n` or `i <= n`), or a pointer to
    the start of a buffer of `other + k` elements of `width` bytes (`extent`, from `malloc(n)`,
    `calloc(n, sizeof *p)`). Symbolic: it holds whatever the numbers are. `forks`: the path's undecided
    branches when it was learnt."""

    kind: str  # bound | extent | size-bound (an index at most `other.size() + k`, other a container)
    other: str
    k: int
    forks: int = 0
    width: int = 1


@dataclass(frozen=True)
class Lock:
    """What this function did last to a lock on one path: took it (`held`) or gave it back, at `origin`.
    `scope`: for a C++ guard (`std::lock_guard g(m);`), the byte range of the block whose end gives it back;
    `guard`: that guard variable's name."""

    held: bool
    origin: Origin  # `callee`: the lock as written there
    scope: tuple[int, int] | None = None
    guard: str = ""
    recursive: bool = False  # the thread holding it may take it again
    order: str = ""  # the key its order with other locks is compared by (`locks.py`), "" for none
    was_held: bool = True  # given back: this path had taken it (not a lock whose state nothing told)


class State:
    """The values of the tracked variables on one path (a variable missing from it is unknown), and how
    many branches whose outcome nothing decided (`forks`) the path took: a defect reached through
    at most one such decision is shown on a path of its own; through more, paths may not combine.
    `relations` (variable -> `Relation`) are forgotten as soon as either variable changes. `locks` (lock ->
    `Lock`): the locks this function took or gave back on this path; joined paths keep a lock only where
    both left it alike. `owned` (allocation key -> where it was made): the memory this function allocated
    and still owns on this path (not released, returned or handed to anything that may keep it); joined
    paths keep only what both own."""

    __slots__ = ("values", "forks", "decided", "relations", "locks", "owned")

    def __init__(self, values: dict[str, Value] | None = None, forks: int = 0,
                 decided: Mapping[str, bool] | None = None, relations: Mapping[str, Relation] | None = None,
                 locks: Mapping[str, Lock] | None = None, owned: Mapping[int, Origin] | None = None) -> None:
        self.values: dict[str, Value] = values if values is not None else {}
        self.forks = forks
        # tests this path took, by their text, with their outcome; forgotten when what they read changes
        self.decided: Mapping[str, bool] = decided if decided is not None else {}
        self.relations: Mapping[str, Relation] = relations if relations is not None else {}
        self.locks: Mapping[str, Lock] = locks if locks is not None else {}
        self.owned: Mapping[int, Origin] = owned if owned is not None else {}

    def forked(self) -> "State":
        return State(self.values, self.forks + 1, self.decided, self.relations, self.locks, self.owned)

    def deciding(self, test: str, truth: bool) -> "State":
        return State(self.values, self.forks, {**self.decided, test: truth}, self.relations, self.locks, self.owned)

    def relating(self, name: str, relation: Relation) -> "State":
        return State(self.values, self.forks, self.decided, {**self.relations, name: relation}, self.locks, self.owned)

    def locking(self, key: str, lock: Lock | None) -> "State":
        """With `lock` as what this function last did to lock `key` (None: nothing known of it)."""
        locks = {k: v for k, v in self.locks.items() if k != key}
        if lock is not None:
            locks[key] = lock
        return State(self.values, self.forks, self.decided, self.relations, locks, self.owned)

    def owning(self, key: int, origin: Origin) -> "State":
        """With the allocation `key` (made at `origin`) owned by this function on this path."""
        return State(self.values, self.forks, self.decided, self.relations, self.locks, {**self.owned, key: origin})

    def disowning(self, keys: frozenset[int]) -> "State":
        """Without the allocations `keys`: released, returned, or handed to something that may keep them."""
        if not self.owned or not any(key in self.owned for key in keys):
            return self
        return State(self.values, self.forks, self.decided, self.relations, self.locks,
                     {key: origin for key, origin in self.owned.items() if key not in keys})

    def forgetting(self, name: str, relations_too: bool = True, fields_too: bool = True) -> "State":
        """Without the tests and relations that read `name` (it was assigned, or handed to a call that may
        change it; `relations_too` False: a call that gets its value, and may change only what it points to),
        and what it knew of the fields reached through it (`name->f`; not when `fields_too` is False: one field
        was written, which the caller handles)."""
        if not name:  # rooted in no variable (a constant, a call's result): nothing the path knows changes
            return self
        relations = self.relations
        values = self.values
        if fields_too and values:
            prefixes = (f"{name}->", f"{name}.")
            if any(key.startswith(prefixes) for key in values):
                values = {key: value for key, value in values.items() if not key.startswith(prefixes)}
        if relations_too and relations and any(subject == name or relation.other == name for subject, relation in relations.items()):
            relations = {subject: relation for subject, relation in relations.items()
                         if subject != name and relation.other != name}
        if not any(name in test for test in self.decided):
            return self if relations is self.relations and values is self.values \
                else State(values, self.forks, self.decided, relations, self.locks, self.owned)
        pattern = re.compile(rf"\b{re.escape(name)}\b")
        return State(values, self.forks, {t: v for t, v in self.decided.items()
                                          if t == OUT_OF_MEMORY or not pattern.search(t)},
                     relations, self.locks, self.owned)

    def without_fields(self, field: str | None = None) -> "State":
        """Without what it knew of fields reached through pointers (`p->f`, `s.f`: `interpreter._field_path`),
        or only of those named `field`: code it cannot see may have written them."""
        def kept(key: str) -> bool:
            if ("->" not in key and "." not in key) or not FIELD_KEY.match(key):
                return True
            return field is not None and not key.endswith((f"->{field}", f".{field}"))
        decided = self.decided
        if any(test.startswith(DIFFERS) for test in decided):  # a pointer apart from a field that may change
            decided = {test: truth for test, truth in decided.items()
                       if not test.startswith(DIFFERS) or all(kept(name) for name in test.split()[1:])}
        if all(kept(key) for key in self.values) and len(decided) == len(self.decided):
            return self
        # a field known not NULL stays as `vague`: a NULL a later test finds there needs the code not seen to
        # have reset it, which this path cannot show (`interpreter._dereference` leaves it to the audit profile)
        return State({key: value if kept(key) else STALE for key, value in self.values.items()
                      if kept(key) or value.null == NON_NULL or value.vague}, self.forks, decided,
                     self.relations, self.locks, self.owned)

    def apart(self, name: str) -> Iterator[str]:
        """The pointers this path found different from `name` (`if (a == b) return;`), while neither changed."""
        for test in self.decided:
            if test.startswith(DIFFERS):
                first, second = test.split()[1:]
                if name in (first, second):
                    yield second if name == first else first

    def get(self, name: str) -> Value:
        return self.values.get(name, UNKNOWN)

    def set(self, name: str, value: Value) -> "State":
        values = dict(self.values)
        if value == UNKNOWN:
            values.pop(name, None)
        else:
            values[name] = value
        return State(values, self.forks, self.decided, self.relations, self.locks, self.owned)

    def join(self, other: "State") -> "State":
        mine, theirs = self.values, other.values
        forks, decided = max(self.forks, other.forks), _agreed(self.decided, other.decided)
        relations, locks = _agreed(self.relations, other.relations), _same_locks(self.locks, other.locks)
        owned = _owned_by_both(self.owned, other.owned)
        if mine is theirs:
            return State(mine, forks, decided, relations, locks, owned)
        joined = {}
        for name in mine.keys() | theirs.keys():
            a, b = mine.get(name, UNKNOWN), theirs.get(name, UNKNOWN)
            value = a if a is b else a.join(b)  # paths share most value objects: no comparison needed
            if value is not UNKNOWN and value != UNKNOWN:
                joined[name] = value
        return State(joined, forks, decided, relations, locks, owned)

    def widen(self, newer: "State", thresholds: tuple[int, ...] = ()) -> "State":
        return State({name: value for name in self.values.keys() | newer.values.keys()
                      if (value := self.get(name).widen(newer.get(name), thresholds)) != UNKNOWN},
                     max(self.forks, newer.forks),
                     _agreed(self.decided, newer.decided), _agreed(self.relations, newer.relations),
                     _same_locks(self.locks, newer.locks), _owned_by_both(self.owned, newer.owned))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, State) and self.values == other.values  # forks only qualify findings

    def shown_alone(self, origin: Origin | None) -> bool:
        """Whether this path reached here from `origin` through at most one undecided branch."""
        return origin is not None and self.forks - origin.forks <= 1


def _agreed(a: Mapping[str, Any], b: Mapping[str, Any]) -> Mapping[str, Any]:
    """What both paths know alike (test outcomes, relations)."""
    if a is b:
        return a
    return {key: known for key, known in a.items() if key in b and (b[key] is known or b[key] == known)}


def _same_locks(a: Mapping[str, Lock], b: Mapping[str, Lock]) -> Mapping[str, Lock]:
    """The locks both paths left alike (both holding, or both having given back), wherever they took them."""
    if a is b or not a:
        return a
    return {key: lock for key, lock in a.items()
            if key in b and (b[key].held, b[key].scope, b[key].was_held) == (lock.held, lock.scope, lock.was_held)}


def _owned_by_both(a: Mapping[int, Origin], b: Mapping[int, Origin]) -> Mapping[int, Origin]:
    if a is b or not a:
        return a
    return {key: origin for key, origin in a.items() if key in b}


def join_all(states: list[State]) -> State | None:
    """One state over-approximating all of them (None for no state: the point is unreachable)."""
    if not states:
        return None
    joined = states[0]
    for state in states[1:]:
        joined = joined.join(state)
    return joined
