"""Shared state and what serialises access to it: the facts race rules ask before they speak.

Vocabulary:

- an object is *shared* when more threads or green threads than the one running this code can reach it:
  a module global (bound at module level, not rebound in the function), a class attribute (`cls.x`,
  `Klass.x`), an attribute of `self` outside the constructors (a service's managers and drivers live as
  long as the process and serve every request), or an object *fetched* from a registry rather than
  built here (`self._store = kvs.get_store(name)`, `pool = registry.lookup(key)`, knowledge/concurrency.py
  `FETCH_VERBS`);
- a module is *concurrent* when it imports what runs code in threads or green threads
  (knowledge/concurrency.py `CONCURRENCY_MODULES`);
- a *state check* is an `if`/`elif` whose condition reads a flag of an object that tells whether it
  reached a state it keeps (`x.configured`, `x.is_initialized()`, knowledge/concurrency.py
  `STATE_FLAGS`); its *unset region* is the code that runs when the flag said "not yet";
- an *act* in the unset region brings the same object to that state: a call of an establishing method
  on it (`x.configure(...)`, `x.setup_drivers(...)`), or, after some other call did the work, setting the
  flag itself (`x.configured = True`);
- an act is *serialised* when it runs under a lock: between `lock.acquire()` and `release()`, in a
  lock-decorated function (`flow.lock_held`), or inside a `with` whose item names a lock
  (`with STORE_LOCK:`) or calls a locking method (knowledge/concurrency.py `LOCK_CONTEXT_METHODS`). The
  check then ran under the lock too, or is repeated under it (double-checked locking);
- a *missing-then-create* is the creation of a record (`api.create_role(role_id, ...)`) that runs because
  a look-up of the same record on the same receiver found nothing: it raised not-found around it, or its
  result was tested for nothing. Rows and remote resources are shared by every worker of a service, so
  such a creation races unless a handler takes the conflict a concurrent creation raises;
- an *unguarded transition* sets a loaded record's state field (`status`, `task_state`) to a state that
  claims it (`PENDING_UPDATE`, `DELETING`) under a check of that field, and writes it back (`save()`)
  with no compare-and-swap keyword (`expected_task_state=`, `atomic_key=`) and no lock.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterator
from dataclasses import dataclass

import tree_sitter as ts

from secreview.knowledge.concurrency import (
    CALLER_ARGUMENT_WORDS,
    CLAIM_STATE_WORDS,
    CONCURRENCY_MODULES,
    CONFLICT_WORDS,
    CREATE_VERBS,
    EXISTENCE_WORDS,
    FETCH_VERBS,
    GUARD_KEYWORD_PREFIXES,
    LOCK_CONTEXT_METHODS,
    LOOKUP_VERBS,
    NOT_FOUND_WORDS,
    NOUN_ENDS,
    PERSIST_METHODS,
    STATE_FIELD_WORDS,
    STATE_FLAGS,
)
from secreview.knowledge.vocabulary import words
from secreview.lang.python.exceptions import except_types, try_statements_around
from secreview.lang.python.file import Call, PyFile
from secreview.lang.python.flow import (
    block_leaves,
    branch_conditions,
    conditions_enclosing,
    guarded,
    lock_held,
    statements_after,
)
from secreview.lang.python.resources import calls_run_by
from secreview.lang.python.scopes import NESTED_SCOPES, enclosing_class, function_of, last_binding
from secreview.lang.python.syntax import unwrap

GLOBAL, CLASS, INSTANCE, FETCHED = "global", "class", "instance", "fetched"

_CONSTRUCTORS = frozenset({"__init__", "__new__", "__post_init__", "setUp", "setUpClass", "__enter__"})
_FLAG_WORDS = frozenset().union(*(flags for flags, _ in STATE_FLAGS.values()))
_LOCK_WORDS = frozenset({"lock", "rlock", "mutex", "semaphore", "sem", "locked"})


def _mentions_any(text: str, vocabulary: frozenset[str]) -> bool:
    """A cheap pre-filter: some word of `vocabulary` occurs in `text` at all (in any case)."""
    lowered = text.lower()
    return any(word in lowered for word in vocabulary)


def concurrency_import(file: PyFile, modules: tuple[str, ...] = CONCURRENCY_MODULES) -> str | None:
    """The first of `modules` (knowledge/concurrency.py) this file imports: its code runs concurrently."""
    return file.memo(("shared-state", "concurrency", modules),
                     lambda: next((m for m in modules if file.imports_module(m)), None))


# -- sharing ---------------------------------------------------------------------------------

def sharing(file: PyFile, subject: ts.Node, function: ts.Node) -> str | None:
    """How the object `subject` (a name or an attribute chain read in `function`) is shared: GLOBAL,
    CLASS, INSTANCE, FETCHED, or None when it is this call's own (a local, a parameter, unknown)."""
    root = _root(subject)
    if root is None:
        return None
    name = file.text_of(root)
    function_name = file.text_of(function.child_by_field_name("name"))
    if name == "self":
        if function_name not in _CONSTRUCTORS:
            return INSTANCE
        return FETCHED if subject.type == "attribute" and _fetched(file, _assigned_in(file, function, subject)) \
            else None
    cls = enclosing_class(file, function)
    if name == "cls" or cls is not None and name == file.text_of(cls.child_by_field_name("name")):
        return CLASS
    if file.is_parameter(name, function):
        return None
    if file.bindings_of(name, function):
        return FETCHED if subject.type == "identifier" and _fetched(file, last_binding(file, root)) else None
    if name not in file.imports and file.bindings_of(name, file.root):
        return GLOBAL
    return None


def _root(node: ts.Node) -> ts.Node | None:
    """`self` for `self.a.b`, `x` for `x`; None when the chain starts with a call or a subscript."""
    current = unwrap(node)
    while current is not None and current.type == "attribute":
        current = current.child_by_field_name("object")
    return current if current is not None and current.type == "identifier" else None


def _assigned_in(file: PyFile, function: ts.Node, target: ts.Node) -> ts.Node | None:
    """The value of the first `<target> = value` of `function` before `target` is read."""
    wanted = file.text_of(target)
    for assignment in file.nodes_of_type("assignment", within=function):
        if assignment.start_byte >= target.start_byte:
            break
        left = assignment.child_by_field_name("left")
        if left is not None and file.text_of(left) == wanted:
            return assignment.child_by_field_name("right")
    return None


def _fetched(file: PyFile, value: ts.Node | None) -> bool:
    """`value` is the result of a look-up (`kvs.get_store(name)`), not of a constructor."""
    value = unwrap(value)
    if value is None or value.type != "call":
        return False
    callee = file.text_of(value.child_by_field_name("function")).rsplit(".", 1)[-1]
    callee_words = words(callee)
    return bool(callee_words) and callee_words[0] in FETCH_VERBS


# -- serialisation ---------------------------------------------------------------------------

def serialised(file: PyFile, act: ts.Node) -> bool:
    """A lock is held where `act` runs (see the module's vocabulary): the check was made under it too, or
    is made again under it (double-checked locking)."""
    if lock_held(file, act, act):
        return True
    frame = itertools.takewhile(lambda ancestor: ancestor.type not in NESTED_SCOPES, file.ancestors(act))
    return any(ancestor.type == "with_statement" and _holds_lock(file, ancestor) for ancestor in frame)


def _holds_lock(file: PyFile, statement: ts.Node) -> bool:
    """A `with` item names a lock (`with STORE_LOCK:`) or calls a locking method (`task_manager.acquire()`)."""
    items = statement.named_children[0] if statement.named_children else None
    if items is None:
        return False
    if _LOCK_WORDS.intersection(words(file.text_of(items))):
        return True
    return any(file.call_at(node).method in LOCK_CONTEXT_METHODS for node in file.nodes_of_type("call", within=items))


# -- state checks and the acts they govern ------------------------------------------------------

@dataclass(frozen=True)
class StateCheck:
    """A test of an object's state flag in an if/elif condition, and the code run while it is unset."""

    read: ts.Node  # `x.configured` or the call `x.is_configured()`
    subject: ts.Node  # `x`
    flag: str  # `configured`, `is_configured`
    state: str  # a key of STATE_FLAGS
    unset: tuple[ts.Node, ...]  # statements that run when the flag said "not yet"


@dataclass(frozen=True)
class Act:
    """What the unset region does to bring the object to the state: a call or the flag's assignment."""

    node: ts.Node
    kind: str  # "call" or "flag"


def state_checks(file: PyFile) -> list[StateCheck]:
    """Every state check of the file inside a function (cheap: only conditions naming a flag word)."""
    return file.memo(("shared-state", "checks"), lambda: list(_state_checks(file)))


def _state_checks(file: PyFile) -> Iterator[StateCheck]:
    if not _mentions_any(file.text, _FLAG_WORDS):
        return
    for statement, condition in branch_conditions(file):
        if statement.type not in ("if_statement", "elif_clause") or condition is None \
                or not _FLAG_WORDS.intersection(words(file.text_of(condition))):
            continue
        for read, subject, flag in _flag_reads(file, condition):
            state = _state_of(flag)
            unset = _unset_region(file, read)
            if state is not None and unset:
                yield StateCheck(read, subject, flag, state, tuple(unset))


def _flag_reads(file: PyFile, condition: ts.Node) -> Iterator[tuple[ts.Node, ts.Node, str]]:
    """(read, object, flag name) for the leaves of a condition that read an object's flag: `x.flag` or
    `x.flag()` without arguments."""
    stack = [condition]
    while stack:
        node = stack.pop()
        if node.type in ("not_operator", "boolean_operator", "parenthesized_expression"):
            stack.extend(node.named_children)
            continue
        target = node
        if node.type == "call":
            arguments = node.child_by_field_name("arguments")
            if arguments is not None and arguments.named_child_count:
                continue
            target = node.child_by_field_name("function")
        if target is not None and target.type == "attribute":
            subject, attribute = target.child_by_field_name("object"), target.child_by_field_name("attribute")
            if subject is not None and attribute is not None:
                yield node, subject, file.text_of(attribute)


@functools.lru_cache(maxsize=4096)
def _state_of(flag: str) -> str | None:
    flag_words = set(words(flag))
    return next((state for state, (flags, _) in STATE_FLAGS.items() if flag_words & flags), None)


def _unset_region(file: PyFile, read: ts.Node) -> list[ts.Node]:
    """The statements that run when `read` was false: the `if` body under `not` (with only `and` around),
    else the `else` body or what follows an `if` whose body leaves (with only `or` around). None when
    the branch for "already in the state" raises: that check refuses misuse, it does not set up once."""
    governed = guarded(file, read)
    if governed is None:
        return []
    operators = set()
    for ancestor in file.ancestors(read):
        if ancestor == governed.condition_owner:
            break
        if ancestor.type == "boolean_operator":
            operators.add(file.text_of(ancestor.child_by_field_name("operator")))
        elif ancestor.type not in ("not_operator", "parenthesized_expression"):
            return []  # a comparison or an argument: not the flag's truth itself
    unset, done = (governed.when_true, governed.when_false) if governed.negated \
        else (governed.when_false, governed.when_true)
    if "or" in operators and governed.negated or "and" in operators and not governed.negated:
        return []
    if done and done[0].type == "raise_statement":
        return []  # "already started" is refused: a guard against misuse, not a once-only set-up
    return unset


def acts(file: PyFile, check: StateCheck) -> Iterator[Act]:
    """What the unset region of `check` does to bring the same object to the checked state."""
    subject = file.text_of(check.subject)
    establishing = STATE_FLAGS[check.state][1]
    flag_target = f"{subject}.{check.flag}"
    worked = False
    for statement in check.unset:
        for call in calls_run_by(file, statement):
            receiver = file.text_of(call.receiver) if call.receiver is not None else None
            method_words = words(call.method or "")
            if receiver == subject and method_words and method_words[0] in establishing:
                yield Act(call.node, "call")
            worked = True
        if worked and check.read.type == "attribute" and _sets_flag(file, statement, flag_target):
            yield Act(statement, "flag")


def _sets_flag(file: PyFile, statement: ts.Node, target: str) -> bool:
    """`statement` is `<target> = <something other than False/None>`."""
    assignment = statement.named_children[0] if statement.type == "expression_statement" \
        and statement.named_children else None
    if assignment is None or assignment.type != "assignment":
        return False
    left, right = assignment.child_by_field_name("left"), unwrap(assignment.child_by_field_name("right"))
    return left is not None and file.text_of(left) == target and right is not None \
        and right.type not in ("false", "none")



# -- records looked up, then created when missing ------------------------------------------------

@dataclass(frozen=True)
class MissingThenCreate:
    """A record's look-up that found nothing, and the creation of that record it leads to."""

    lookup: Call  # `self.role_api.get_role(role_id)`
    create: Call  # `self.role_api.create_role(role_id, role)`
    noun: str  # "role"
    how: str  # "except" (the look-up raised not-found) or "if" (it returned nothing)


def missing_then_create(file: PyFile) -> list[MissingThenCreate]:
    """Every creation of the file that runs because a look-up of the same record on the same receiver found
    nothing, with an argument in common, and that nothing makes safe: no handler of the conflict a
    concurrent creation raises (nor a broad one) and no lock (see `serialised`)."""
    return file.memo(("shared-state", "missing-then-create"), lambda: list(_missing_then_create(file)))


def _missing_then_create(file: PyFile) -> Iterator[MissingThenCreate]:
    for create in file.calls:
        noun = _record_noun(create.method, CREATE_VERBS)
        if noun is None or function_of(file, create.node) is None:
            continue
        found = _lookup_in_handler(file, create, noun) or _lookup_in_condition(file, create, noun)
        if found is not None and not _tolerates_conflict(file, create.node) and not serialised(file, create.node):
            yield MissingThenCreate(found[0], create, noun, found[1])


@functools.lru_cache(maxsize=8192)
def _record_noun(method: str | None, verbs: frozenset[str]) -> str | None:
    """"role" for `create_role`, `role_create`, `get_role_by_name` (with `verbs` its first or last word).
    Cached: every call of a file is asked, and a project repeats its method names."""
    method_words = list(words(method or ""))
    if len(method_words) < 2:
        return None
    if method_words[0] in verbs:
        noun_words = method_words[1:]
    elif method_words[-1] in verbs:
        noun_words = method_words[:-1]
    else:
        return None
    cut = next((i for i, w in enumerate(noun_words) if w in NOUN_ENDS), len(noun_words))
    return "_".join(noun_words[:cut]).rstrip("s") or None


def _is_lookup_of(file: PyFile, call: Call, create: Call, noun: str) -> bool:
    """`call` looks up the record `create` makes: same receiver, same noun, an argument in common."""
    if (call.receiver is None) != (create.receiver is None) or call.receiver is not None \
            and file.text_of(call.receiver) != file.text_of(create.receiver):
        return False
    method_words = set(words(call.method or ""))
    looked_up = _record_noun(call.method, LOOKUP_VERBS) or (
        _record_noun(call.method, EXISTENCE_WORDS) if method_words & EXISTENCE_WORDS else None)
    if looked_up != noun:
        return False
    created_with = " ".join(file.text_of(a) for a in (*create.args, *create.kwargs.values()))
    return any(_mentions(created_with, file.text_of(a)) for a in (*call.args, *call.kwargs.values())
               if a.type not in ("none", "true", "false") and not CALLER_ARGUMENT_WORDS.intersection(
                   words(file.text_of(a))))


def _mentions(text: str, expression: str) -> bool:
    index = text.find(expression)
    while index >= 0:
        end = index + len(expression)
        if (index == 0 or not (text[index - 1].isalnum() or text[index - 1] in "_.")) \
                and (end == len(text) or not (text[end].isalnum() or text[end] == "_")):
            return True
        index = text.find(expression, index + 1)
    return False


def _lookup_in_handler(file: PyFile, create: Call, noun: str) -> tuple[Call, str] | None:
    """`try: x.get_role(k) ... except RoleNotFound: x.create_role(k, ...)`."""
    for statement, part in try_statements_around(file, create.node):
        if part != "except":
            continue
        clause = next((c for c in statement.named_children if c.type in ("except_clause", "except_group_clause")
                       and c.start_byte <= create.node.start_byte < c.end_byte), None)
        if clause is None or not any(_says(file, t, NOT_FOUND_WORDS) for t in except_types(file, clause) or ()):
            continue
        body = statement.child_by_field_name("body")
        for call in calls_run_by(file, body) if body is not None else ():
            if _is_lookup_of(file, call, create, noun):
                return call, "except"
    return None


def _says(file: PyFile, exception: ts.Node, phrases: frozenset[tuple[str, str]]) -> bool:
    name_words = words(file.text_of(exception).rsplit(".", 1)[-1])
    return any(pair in phrases for pair in zip(name_words, name_words[1:]))


def _lookup_in_condition(file: PyFile, create: Call, noun: str) -> tuple[Call, str] | None:
    """`if not x.get_role(k): x.create_role(k, ...)`, also through a local: `r = x.find_role(k)` then
    `if r is None:`."""
    for ancestor in file.ancestors(create.node):
        if ancestor.type in NESTED_SCOPES:
            return None
        if ancestor.type not in ("if_statement", "elif_clause"):
            continue
        condition = ancestor.child_by_field_name("condition")
        consequence = ancestor.child_by_field_name("consequence")
        if condition is None or consequence is None or not consequence.start_byte <= create.node.start_byte:
            continue
        for call in _absence_tests(file, condition):
            if _is_lookup_of(file, call, create, noun):
                return call, "if"
    return None


def _absence_tests(file: PyFile, condition: ts.Node) -> Iterator[Call]:
    """Look-up calls a condition tests for "nothing found": `not x.get(k)`, `x.get(k) is None`, or the same
    on a local bound to the call (`r = x.get(k)` ... `not r`)."""
    condition = unwrap(condition)
    if condition is None:
        return
    if condition.type == "boolean_operator" and file.text_of(condition.child_by_field_name("operator")) == "and":
        for side in (condition.child_by_field_name("left"), condition.child_by_field_name("right")):
            if side is not None:
                yield from _absence_tests(file, side)
        return
    tested = None
    if condition.type == "not_operator":
        tested = unwrap(condition.child_by_field_name("argument"))
    elif condition.type == "comparison_operator" and condition.named_child_count == 2 \
            and condition.named_children[1].type == "none" \
            and [file.text_of(c) for c in condition.children if not c.is_named] in (["is"], ["=="]):
        tested = unwrap(condition.named_children[0])
    if tested is not None and tested.type == "identifier":
        tested = unwrap(last_binding(file, tested))
    if tested is not None and tested.type == "call":
        yield file.call_at(tested)


def _tolerates_conflict(file: PyFile, node: ts.Node) -> bool:
    """A `try` around `node` catches the conflict a concurrent creation raises, or catches everything."""
    for statement, part in try_statements_around(file, node):
        if part != "body":
            continue
        for clause in statement.named_children:
            if clause.type not in ("except_clause", "except_group_clause"):
                continue
            types = except_types(file, clause)
            if not types:
                return True  # a bare `except:`
            for exception in types:
                last = file.text_of(exception).rsplit(".", 1)[-1]
                if last in ("Exception", "BaseException") or CONFLICT_WORDS.intersection(words(last)):
                    return True
    return False


# -- stored state transitions -----------------------------------------------------------------

@dataclass(frozen=True)
class Transition:
    """A stored record's state field checked, set to a new value and written back with no guard."""

    check: ts.Node  # the condition that read the field
    assignment: ts.Node  # `record.status = NEW`
    write: Call  # `record.save()`
    field: str  # `record.status`


def unguarded_transitions(file: PyFile) -> list[Transition]:
    """Every assignment of a record's state field (knowledge/concurrency.py `STATE_FIELD_WORDS`) to a state
    that claims it for an operation in progress (`CLAIM_STATE_WORDS`: `PENDING_UPDATE`, `DELETING`) that runs
    under a condition of the same function reading that field, and that the function then writes back
    (`record.save()`) with no compare-and-swap keyword (`expected_task_state=`, `atomic_key=`) and no lock.
    A record made in this function (not loaded, passed in or held on `self`) is its own."""
    return file.memo(("shared-state", "transitions"), lambda: list(_transitions(file)))


def _transitions(file: PyFile) -> Iterator[Transition]:
    if not _mentions_any(file.text, PERSIST_METHODS):
        return
    for assignment in file.nodes_of_type("assignment"):
        left = assignment.child_by_field_name("left")
        if left is None or left.type != "attribute" or assignment.parent is None \
                or assignment.parent.type != "expression_statement":
            continue
        field = left.child_by_field_name("attribute")
        record = left.child_by_field_name("object")
        if field is None or record is None or not STATE_FIELD_WORDS.intersection(words(file.text_of(field))) \
                or not _claims(file, assignment.child_by_field_name("right")):
            continue
        function = function_of(file, assignment)
        if function is None or _made_here(file, record, function):
            continue
        check = _checked_by(file, assignment, file.text_of(left))
        write = _written_back(file, assignment.parent, file.text_of(record)) if check is not None else None
        if write is not None and not _guarded_write(write) and not serialised(file, assignment):
            yield Transition(check, assignment, write, file.text_of(left))


def _claims(file: PyFile, value: ts.Node | None) -> bool:
    """The new state claims the record for an operation in progress (`PENDING_UPDATE`, `DELETING`)."""
    value = unwrap(value)
    if value is None or value.type not in ("attribute", "identifier", "string"):
        return False
    last = file.text_of(value).rsplit(".", 1)[-1]
    return any(w in CLAIM_STATE_WORDS or len(w) > 4 and w.endswith("ing") for w in words(last))


def _made_here(file: PyFile, record: ts.Node, function: ts.Node) -> bool:
    """The record is built in this function (`lb = LoadBalancer(...)`, a literal): nobody else holds it
    yet. One loaded by a call (`get_by_id(...)`), passed in, or held on `self` is shared."""
    if record.type != "identifier" or file.is_parameter(file.text_of(record), function):
        return False
    value = unwrap(last_binding(file, record))
    if value is None:
        return False
    if value.type != "call":
        return True
    return file.text_of(value.child_by_field_name("function")).rsplit(".", 1)[-1][:1].isupper()


def _checked_by(file: PyFile, assignment: ts.Node, field: str) -> ts.Node | None:
    """The condition of an enclosing if/elif/while (or of an earlier `if` that leaves) reading `field`."""
    for condition, _ in conditions_enclosing(file, assignment):
        if condition is not None and _mentions(file.text_of(condition), field):
            return condition
    statement = assignment.parent
    for earlier in _earlier_siblings(statement):
        if earlier.type == "if_statement" and block_leaves(file, earlier.child_by_field_name("consequence")) \
                and _mentions(file.text_of(earlier.child_by_field_name("condition")), field):
            return earlier.child_by_field_name("condition")
    return None


def _earlier_siblings(statement: ts.Node) -> Iterator[ts.Node]:
    sibling = statement.prev_named_sibling
    while sibling is not None:
        yield sibling
        sibling = sibling.prev_named_sibling


def _written_back(file: PyFile, statement: ts.Node, record: str) -> Call | None:
    """The first `<record>.save(...)`-like call after `statement` on its way out of the function."""
    for later in statements_after(file, statement):
        for call in calls_run_by(file, later):
            if call.method in PERSIST_METHODS and call.receiver is not None and file.text_of(call.receiver) == record:
                return call
    return None


def _guarded_write(write: Call) -> bool:
    return any(keyword.startswith(GUARD_KEYWORD_PREFIXES) for keyword in write.kwargs)
