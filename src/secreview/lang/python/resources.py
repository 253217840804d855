"""Resources a function acquires and the failing paths on which nothing gives them back.

Vocabulary:

- an *acquisition* is a call whose effect must be undone: a library call whose result is a resource
  (`f = open(p)`, `d = tempfile.mkdtemp()`), a method that holds its receiver (`lock.acquire()`), or a
  project's own `create_X`/`map_X`/`attach_X`... (knowledge.resources.ACQUIRE_VERBS) on a *manager* that
  also offers the matching `delete_X`/`unmap_X`/`detach_X`: the file calls it on the same receiver, the
  receiver's class or module defines it (in this file, or in the reviewed module it comes from, asked
  through `file.context`), or both names are imported from one module;
- a *step* is a call or a `raise` that runs after the acquisition, on the way out of the function, and
  can fail;
- a step is *covered* when an enclosing `try` releases in an `except`/`finally` (any call whose name
  undoes something: `delete_`, `cleanup`, `close`, `rollback`...), handles the error (an `except`
  that does not leave again), or an enclosing `with` releases (`with f:`,
  `with remove_path_on_error(...)`), or an earlier statement on the way to the step released it;
- the resource is *handed on* once it (or a value made from it) is returned, yielded, stored in a
  container, given to a constructor, a cleanup registry (`stack.callback(delete, x)`) or a recording
  method of `self` (`self.resource_id_set(x["id"])`), or kept on `self` outside `__init__` in a class
  that releases that attribute elsewhere: from there on its owner cleans up;
- a *leak* is an acquisition with at least one uncovered step before it is released or handed on.
  An acquisition in a function whose every call in the file is covered is its callers' to clean up.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import tree_sitter as ts

from secreview.knowledge.resources import (
    ACQUIRE_VERBS,
    HELD_STATES,
    LIBRARY_RESOURCES,
    LOGGER_METHODS,
    LOGGER_RECEIVER,
    NOUN_QUALIFIERS,
    QUIET_CALLS,
    READING_VERBS,
    RECORDING_WORDS,
    RELEASE_PHRASES,
    RELEASE_WORDS,
    SUCCESS_RAISES,
)
from secreview.knowledge.vocabulary import words
from secreview.lang.python.exceptions import failure_blocks, try_statements_around
from secreview.lang.python.file import Call, PyFile
from secreview.lang.python.flow import block_leaves, conditions_enclosing, statements_after
from secreview.lang.python.scopes import (
    NESTED_SCOPES, declared_global, descendants, enclosing_class, function_of, statement_of)
from secreview.lang.python.syntax import normalise, unwrap

_HAND_ON_METHODS = frozenset({"append", "add", "extend", "insert", "put", "push", "register", "callback",
                              "enter_context", "addCleanup", "add_cleanup", "setdefault", "appendleft"})


@dataclass(frozen=True)
class Acquisition:
    """A call that acquires something the function must give back if it fails."""

    call: Call
    statement: ts.Node
    what: str  # "file", "lock", "volume"
    handle: ts.Node | None  # where the resource is kept (`f`, `self.volume_id`, the lock), if anywhere
    release: str  # how it is given back, for people: "close()", "self.driver.remove_volume"
    known_by: str  # why this call acquires: "`open`", "this file calls `self.driver.remove_volume` (line 12)"
    release_names: frozenset[str] = frozenset()  # methods or functions (last name) that release it
    release_verbs: frozenset[str] = frozenset()  # or: `<verb>_<noun>` releases it
    noun: str = ""

    def released_by(self, name: str) -> bool:
        """True when a call of `name` (a method or a function's last name) gives this resource back."""
        return name in self.release_names or bool(self.noun) and _releases_noun(name, self.release_verbs, self.noun)


@dataclass(frozen=True)
class Leak:
    acquisition: Acquisition
    steps: tuple[ts.Node, ...]  # calls and raise statements that can fail with nothing releasing
    # Of those, the further calls of the manager that created a project resource given that resource
    # (`map_volume(volume_id)` after `volume_id = create_volume(...)` on the same driver): the system
    # holding it fails on it, and it stays there after this process has gone, unlike a file or socket the
    # interpreter closes once dropped.
    manager_steps: tuple[ts.Node, ...] = ()


def error_path_leaks(file: PyFile) -> list[Leak]:
    """Every acquisition of the file that a failing step leaves behind (see the module's vocabulary)."""
    return file.memo(("resource-leaks",), lambda: list(_leaks(file)))


def _leaks(file: PyFile) -> Iterator[Leak]:
    candidates = _candidate_calls_by_function(file)
    for function in file.nodes_of_type("function_definition"):
        for acquisition in _acquisitions(file, candidates.get(function.id, ())):
            if _handed_to_object(file, function, acquisition) or _callers_cover(file, function):
                continue
            steps = tuple(_uncovered_steps(file, acquisition))
            if steps:
                yield Leak(acquisition, steps, tuple(step for step in steps if _fails_on_it(file, step, acquisition)))


# -- acquisitions ---------------------------------------------------------------------------

def _candidate_calls_by_function(file: PyFile) -> dict[int, list[Call]]:
    """The calls whose name could acquire something, by the function whose own frame runs them.

    Only the name is looked at here (most calls of a file cannot acquire anything), so the
    structural checks of `_acquisitions` run on a few calls, not on all of them."""
    by_function: dict[int, list[Call]] = {}
    for call in file.calls:
        if call.node.type != "call" or not _may_acquire(call):
            continue
        function = function_of(file, call.node)
        if function is not None:
            by_function.setdefault(function.id, []).append(call)
    return by_function


def _may_acquire(call: Call) -> bool:
    if call.name in _LIBRARY_ACQUIRE_NAMES or call.method in _HELD_ACQUIRE_METHODS:
        return True
    split = _verb_and_noun(call.method or "")
    return split is not None and split[0] in ACQUIRE_VERBS


_LIBRARY_ACQUIRE_NAMES = frozenset().union(*(resource.acquire for resource in LIBRARY_RESOURCES))
_HELD_ACQUIRE_METHODS = frozenset(acquire for acquire, _, _ in HELD_STATES)


def _acquisitions(file: PyFile, calls: Iterable[Call]) -> Iterator[Acquisition]:
    for call in calls:
        node = call.node
        statement = statement_of(node)
        if statement is None or file.inside(node, ("with_item", "return_statement", "argument_list", "lambda")) \
                or statement.type not in ("expression_statement",):
            continue
        found = _library(file, call, statement) or _held(file, call, statement) or _learned(file, call, statement)
        if found is not None:
            yield found


def _bound_target(statement: ts.Node, call: ts.Node) -> ts.Node | None:
    """`x` or `self.x` in `x = call(...)`, also `x = call(...)["record"]` (what the call returned)."""
    assignment = statement.named_children[0] if statement.named_children else None
    right = assignment.child_by_field_name("right") if assignment is not None else None
    while right is not None and right.type in ("subscript", "attribute") and right != call:
        right = right.child_by_field_name("value") or right.child_by_field_name("object")
    if assignment is None or assignment.type != "assignment" or right != call:
        return None
    target = assignment.child_by_field_name("left")
    if target is not None and target.type == "pattern_list" and target.named_children:
        target = target.named_children[0]  # fd, path = mkstemp(): the descriptor
    return target if target is not None and target.type in ("identifier", "attribute") else None


def _library(file: PyFile, call: Call, statement: ts.Node) -> Acquisition | None:
    if call.name is None or file.is_local_object(call.node.child_by_field_name("function")):
        return None
    for resource in LIBRARY_RESOURCES:
        if call.name in resource.acquire:
            handle = _bound_target(statement, call.node)
            if handle is None:
                return None
            release = " / ".join(sorted(f"{m}()" for m in resource.release_methods) + sorted(resource.release_calls))
            names = resource.release_methods | {name.rsplit(".", 1)[-1] for name in resource.release_calls}
            return Acquisition(call, statement, resource.what, handle, release, f"`{call.name}`", names)
    return None


def _held(file: PyFile, call: Call, statement: ts.Node) -> Acquisition | None:
    if call.receiver is None or call.args or call.kwargs or statement.named_children[0] != call.node:
        return None
    for acquire, releases, what in HELD_STATES:
        if call.method == acquire:
            release = " / ".join(f"{file.text_of(call.receiver)}.{r}()" for r in sorted(releases))
            return Acquisition(call, statement, what, call.receiver, release, f"`{acquire}()`", releases)
    return None


def _learned(file: PyFile, call: Call, statement: ts.Node) -> Acquisition | None:
    split = _verb_and_noun(call.method or "")
    if split is None or split[0] not in ACQUIRE_VERBS:
        return None
    verb, noun = split
    handle = _bound_target(statement, call.node)
    if handle is None and not call.args and not call.kwargs:
        return None  # `self.connect_disk()`: the object's own state, which stays with its owner
    releases = ACQUIRE_VERBS[verb]
    manager = file.text_of(call.receiver) if call.receiver is not None else ""
    evidence = _release_offered(file, call, manager, releases, noun)
    if evidence is None:
        return None
    release, known_by = evidence
    return Acquisition(call, statement, noun.replace("_", " "), handle, release, known_by,
                       release_verbs=releases, noun=noun)


@functools.lru_cache(maxsize=8192)
def _verb_and_noun(name: str) -> tuple[str, str] | None:
    """("create", "volume") for `create_volume`, `create_volume_by_name`; None without a noun.

    Cached: every call of a file is split once per name, not once per acquisition it is compared with."""
    verb, _, rest = name.lstrip("_").partition("_")
    noun = NOUN_QUALIFIERS.sub("", rest)
    return (verb.lower(), noun.lower()) if noun else None


def _same_noun(one: str, other: str) -> bool:
    return one.rstrip("s") == other.rstrip("s")


def _releases_noun(name: str, releases: frozenset[str], noun: str) -> bool:
    split = _verb_and_noun(name)
    return split is not None and split[0] in releases and _same_noun(split[1], noun)


def _release_offered(file: PyFile, call: Call, manager: str, releases: frozenset[str],
                     noun: str) -> tuple[str, str] | None:
    """(the release, how we know it) when `manager` offers a release of `noun`, else None.  A manager
    reached through `self` is looked for in the same class only."""
    cls = file.inside(call.node, ("class_definition",))
    scope = cls if manager.split(".", 1)[0] == "self" and cls is not None else file.root
    for other in file.memo(("resource-release-calls",), lambda: _release_shaped_calls(file)):
        if not scope.start_byte <= other.node.start_byte < scope.end_byte:
            continue
        if other.method and _releases_noun(other.method, releases, noun):
            other_manager = file.text_of(other.receiver) if other.receiver is not None else ""
            if other_manager == manager:
                shown = f"{manager}.{other.method}" if manager else other.method
                return shown, f"this file calls `{shown}` (line {other.line})"
    if manager == "self":
        for name in _defined_functions(file, cls):
            if _releases_noun(name, releases, noun):
                return f"self.{name}", f"the class defines `{name}`"
    if not manager:
        for name in _defined_functions(file, file.root):
            if _releases_noun(name, releases, noun):
                return name, f"this module defines `{name}`"
        origin = file.imports.get(call.method or "", "").rpartition(".")[0]
        for local, qualified in file.imports.items():
            if origin and qualified.rpartition(".")[0] == origin and _releases_noun(local, releases, noun):
                return local, f"`{origin}` offers both"
    module = file.imports.get(manager) if manager and "." not in manager else None
    if module is not None:
        for name in _module_functions(file, module):
            if _releases_noun(name, releases, noun):
                return f"{manager}.{name}", f"the reviewed module `{module}` defines `{name}`"
    return None


def _release_shaped_calls(file: PyFile) -> list[Call]:
    """The calls of the file named `<release verb>_<noun>` for some acquire verb's release."""
    verbs = frozenset().union(*ACQUIRE_VERBS.values())
    return [call for call in file.calls if call.method and (_verb_and_noun(call.method) or ("", ""))[0] in verbs]


def _defined_functions(file: PyFile, scope: ts.Node | None) -> list[str]:
    """Names of the functions defined directly in a class or module body (once per scope and file)."""
    if scope is None:
        return []
    return file.memo(("defined-functions", scope.start_byte, scope.end_byte), lambda: _function_names(file, scope))


def _function_names(file: PyFile, scope: ts.Node) -> list[str]:
    body = scope.child_by_field_name("body") if scope is not None and scope.type == "class_definition" else scope
    if body is None:
        return []
    names = []
    for child in body.named_children:
        definition = child.child_by_field_name("definition") if child.type == "decorated_definition" else child
        if definition is not None and definition.type == "function_definition":
            names.append(file.text_of(definition.child_by_field_name("name")))
    return names


def _module_functions(file: PyFile, module: str) -> tuple[str, ...]:
    """Top-level function names of another reviewed module (consulted through the file's context)."""
    sources = file.context.module_sources(module)
    return _top_level_functions(sources[0].text) if len(sources) == 1 else ()


_TOP_LEVEL_DEF = re.compile(r"^(?:async\s+)?def\s+(\w+)", re.M)


@functools.lru_cache(maxsize=256)
def _top_level_functions(text: str) -> tuple[str, ...]:
    return tuple(_TOP_LEVEL_DEF.findall(text))


# -- releasing ---------------------------------------------------------------------------------

def calls_run_by(file: PyFile, node: ts.Node) -> Iterator[Call]:
    """The calls `node` runs in its own frame (itself included when it is a call), outermost first."""
    if node.type == "call":
        yield file.call_at(node)
    for inner in descendants(node, frozenset({"call"})):
        yield file.call_at(inner)


def undoes(name: str) -> bool:
    """True when a callee's (last) name says it releases or undoes something."""
    parts = words(name.rsplit(".", 1)[-1])
    return any(p in RELEASE_WORDS for p in parts) or any(
        (a, b) in zip(parts, parts[1:]) for a, b in RELEASE_PHRASES)


def _block_releases(file: PyFile, block: ts.Node | None) -> bool:
    """A call in `block` (its own frame) undoes something, directly or through a helper of this file."""
    if block is None:
        return False
    return any(call.method and undoes(call.method) or _helper_releases(file, call)
               for call in calls_run_by(file, block))


def _helper_releases(file: PyFile, call: Call) -> bool:
    """`self._reset()` or `_undo()` whose body, defined in this file, undoes something."""
    if call.method is None or call.receiver is not None and file.text_of(call.receiver) != "self":
        return False
    return call.method in file.memo(("resource-releasing-helpers",), lambda: _releasing_helpers(file))


def _releasing_helpers(file: PyFile) -> frozenset[str]:
    """Names of the functions of this file whose body calls something that undoes (first definition wins)."""
    found: dict[str, bool] = {}
    for definition in file.nodes_of_type("function_definition"):
        name, body = file.text_of(definition.child_by_field_name("name")), definition.child_by_field_name("body")
        if name not in found:
            found[name] = body is not None and any(undoes(c.method or "") for c in calls_run_by(file, body))
    return frozenset(name for name, releases in found.items() if releases)


def _releases_this(file: PyFile, node: ts.Node, acquisition: Acquisition) -> bool:
    """A call in `node` gives this acquisition back."""
    handle = normalise(file.text_of(acquisition.handle)) if acquisition.handle is not None else None
    for call in calls_run_by(file, node):
        if not call.method or not acquisition.released_by(call.method):
            continue
        mentioned = {normalise(file.text_of(n)) for n in (call.receiver, *call.args) if n is not None}
        if handle is None or handle in mentioned or acquisition.noun:
            return True
    return False


# -- handing on ---------------------------------------------------------------------------------

def _hands_on(file: PyFile, statement: ts.Node, acquisition: Acquisition, made_from: set[str]) -> bool:
    """`statement` gives the resource (or a value made from it, in `made_from`) to someone who will clean
    it up (see the module's vocabulary)."""
    if acquisition.handle is None:
        return False
    handle = normalise(file.text_of(acquisition.handle))
    if statement.type == "return_statement" or statement.type == "expression_statement" \
            and statement.named_children and statement.named_children[0].type == "yield":
        return _mentions(normalise(file.text_of(statement)), made_from)
    if statement.type == "with_statement" and statement.named_children and handle in {
            normalise(file.text_of(v)) for v in _with_values(statement.named_children[0])}:
        return True
    for node in descendants(statement, frozenset({"call", "assignment"})):
        if node.type == "assignment":
            right = node.child_by_field_name("right")
            left = node.child_by_field_name("left")
            if right is not None and left is not None and left.type == "subscript" \
                    and _mentions(normalise(file.text_of(right)), made_from):
                return True
            continue
        call = file.call_at(node)
        arguments = [normalise(file.text_of(a)) for a in (*call.args, *call.kwargs.values())]
        if handle in arguments and (call.method in _HAND_ON_METHODS or (call.method or "")[:1].isupper()
                                    or any(call.name in resource.acquire for resource in LIBRARY_RESOURCES)):
            return True
        if _records_on_self(file, call) and any(_mentions(a, made_from) for a in arguments):
            return True
        if call.method in _HAND_ON_METHODS and any(
                a.type in ("attribute", "identifier") and undoes(file.text_of(a)) for a in call.args):
            return True
    return False


def _records_on_self(file: PyFile, call: Call) -> bool:
    """`self.resource_id_set(...)`, `self._track(...)`: the function's own object records the value."""
    return call.receiver is not None and file.text_of(call.receiver) == "self" \
        and bool(set(words(call.method or "")) & RECORDING_WORDS)


def _handed_to_object(file: PyFile, function: ts.Node, acquisition: Acquisition) -> bool:
    """Kept where it outlives the call and its owner releases it: on `self` outside `__init__`, in a class
    where another method releases that attribute, or this one releases the value it replaces (`if self.sock:
    self.sock.close()` before `self.sock = socket.socket()`); or in a module global (`global STATS`)."""
    handle = acquisition.handle
    if handle is not None and handle.type == "identifier" and declared_global(file, function, file.text_of(handle)):
        return True
    if handle is None or handle.type != "attribute" or not file.text_of(handle).startswith("self."):
        return False
    if file.text_of(function.child_by_field_name("name")) == "__init__":
        return False
    cls = enclosing_class(file, function)
    if cls is None:
        return False
    text = normalise(file.text_of(handle))
    for method in file.nodes_of_type("function_definition", within=cls):
        for call in calls_run_by(file, method.child_by_field_name("body") or method):
            if method == function and call.node.start_byte >= acquisition.statement.start_byte:
                break  # in the acquiring method, only a release of the value it replaces counts
            if call.method and acquisition.released_by(call.method) and any(
                    normalise(file.text_of(n)) == text for n in (call.receiver, *call.args) if n is not None):
                return True
    return False


# -- failing steps ---------------------------------------------------------------------------------

def _uncovered_steps(file: PyFile, acquisition: Acquisition) -> Iterator[ts.Node]:
    handle = {normalise(file.text_of(acquisition.handle))} if acquisition.handle is not None else set()
    derived: set[str] = set()  # what set-up made of it (for a project resource: what its manager made)
    made_from = set(handle)  # every value made from it
    for statement in statements_after(file, acquisition.statement):
        if _hands_on(file, statement, acquisition, made_from):
            return
        for step in _steps_in(file, statement):
            if _works_on(file, step, acquisition, handle, derived) and not _covered(file, step, acquisition):
                yield step
        derived |= _derived(file, statement, acquisition, handle | derived)
        made_from |= _derived(file, statement, None, made_from)
        if _releases_this(file, statement, acquisition) and statement.type != "if_statement" \
                or statement.type == "try_statement" and any(
                    _block_releases(file, b) for b in failure_blocks(statement) if b.parent.type == "finally_clause"):
            return


def _works_on(file: PyFile, step: ts.Node, acquisition: Acquisition, handle: set[str], derived: set[str]) -> bool:
    """The step fails while the resource is held for it: any step under a lock, a `raise`, a call of a
    project resource's manager (its set-up: `map_volume` after `create_volume`) or one given what the
    manager made of it (the mapped path), or a call on a library resource or taking it as an argument.
    Calls given a project resource's own record only read data (`notify(ref)`), they do not set it up."""
    if _acquired_nothing(file, step, handle):
        return False
    if acquisition.what == "lock" or step.type == "raise_statement":
        return True
    call = file.call_at(step)
    parts = [n for n in (call.receiver, *call.args, *call.kwargs.values()) if n is not None]
    if not acquisition.noun:
        return any(_mentions(normalise(file.text_of(n)), handle | derived) for n in parts)
    return _sets_up(file, call, acquisition) or any(
        _mentions(normalise(file.text_of(n)), derived) for n in parts)


def _fails_on_it(file: PyFile, step: ts.Node, acquisition: Acquisition) -> bool:
    """`step` is a further call of the manager that made a project resource, given that resource."""
    if not acquisition.noun or acquisition.handle is None or step.type != "call":
        return False
    call = file.call_at(step)
    handle = {normalise(file.text_of(acquisition.handle))}
    return _sets_up(file, call, acquisition) and any(
        _mentions(normalise(file.text_of(argument)), handle) for argument in (*call.args, *call.kwargs.values()))


def _acquired_nothing(file: PyFile, step: ts.Node, handle: set[str]) -> bool:
    """`step` runs only when the acquisition returned nothing (`if not x: raise ...`, `if x is None:`)."""
    for condition, holds in conditions_enclosing(file, step):
        condition = unwrap(condition)
        if condition is None:
            continue
        tested, absent = condition, False
        if condition.type == "not_operator":
            tested, absent = unwrap(condition.child_by_field_name("argument")), True
        elif condition.type == "comparison_operator" and condition.named_child_count == 2 \
                and condition.named_children[1].type == "none":
            operator = " ".join(file.text_of(c) for c in condition.children if not c.is_named)
            tested, absent = condition.named_children[0], operator in ("is", "==")
        if tested is not None and normalise(file.text_of(tested)) in handle and absent == holds:
            return True
    return False


def _sets_up(file: PyFile, call: Call, acquisition: Acquisition) -> bool:
    """`call` is a further action of the receiver that acquired a project resource (never plain `self`;
    `get_X`/`list_X`... only read)."""
    manager = normalise(file.text_of(acquisition.call.receiver)) if acquisition.call.receiver is not None else ""
    return manager not in ("", "self") and call.receiver is not None \
        and normalise(file.text_of(call.receiver)) == manager \
        and not set(words(call.method or "")[:1]) & READING_VERBS


def _mentions(text: str, names: set[str]) -> bool:
    return any(re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", text) for name in names)


def _derived(file: PyFile, statement: ts.Node, acquisition: Acquisition | None, names: set[str]) -> set[str]:
    """Targets that `statement` binds from `names` (`path = driver.map_volume(volume_id)`); given a
    project resource's acquisition, only what its manager makes of them."""
    if statement.type != "expression_statement" or not statement.named_children \
            or statement.named_children[0].type != "assignment":
        return set()
    assignment = statement.named_children[0]
    left, right = assignment.child_by_field_name("left"), assignment.child_by_field_name("right")
    if left is None or right is None or left.type not in ("identifier", "attribute") \
            or not _mentions(normalise(file.text_of(right)), names):
        return set()
    if acquisition is not None and acquisition.noun \
            and not (right.type == "call" and _sets_up(file, file.call_at(right), acquisition)):
        return set()
    return {normalise(file.text_of(left))}


def _steps_in(file: PyFile, statement: ts.Node) -> Iterator[ts.Node]:
    """Calls that can fail and `raise` statements run by `statement` (its own frame, outermost calls of
    a chain first)."""
    if statement.type in NESTED_SCOPES or statement.type == "decorated_definition":
        return
    nodes = [statement] if statement.type in ("call", "raise_statement") else []
    nodes += list(descendants(statement, frozenset({"call", "raise_statement"})))
    for node in nodes:
        if node.type == "raise_statement":
            # a bare `raise` re-raises what a handler caught; `raise HTTPCreated(...)` answers successfully
            if node.named_children and not _raises_success(file, node):
                yield node
            continue
        if file.inside(node, ("raise_statement",)) is not None:
            continue
        call = file.call_at(node)
        if _quiet(file, call) or call.method and undoes(call.method):
            continue
        yield node


def _raises_success(file: PyFile, statement: ts.Node) -> bool:
    raised = unwrap(statement.named_children[0])
    if raised is not None and raised.type == "call":
        raised = raised.child_by_field_name("function")
    return raised is not None and bool(SUCCESS_RAISES.search(file.text_of(raised)))


def _quiet(file: PyFile, call: Call) -> bool:
    if call.method in QUIET_CALLS:
        return True
    receiver = file.text_of(call.receiver) if call.receiver is not None else ""
    return call.method in LOGGER_METHODS and bool(LOGGER_RECEIVER.search(receiver))


def _covered(file: PyFile, step: ts.Node, acquisition: Acquisition) -> bool:
    for try_statement, part in try_statements_around(file, step):
        blocks = failure_blocks(try_statement)
        if part != "body":
            # a step of the cleanup itself, or one that a `finally` follows with a release
            own = [b for b in blocks if b.start_byte <= step.start_byte < b.end_byte]
            if any(_block_releases(file, b) for b in own + [b for b in blocks if b.parent.type == "finally_clause"]):
                return True
            continue
        for block in blocks:
            if _block_releases(file, block):
                return True
            if block.parent.type == "except_clause" and not block_leaves(file, block):
                return True  # the error is handled here and does not leave the function with the resource
    return _released_before(file, step, acquisition) or _with_releases(file, step, acquisition)


def _released_before(file: PyFile, step: ts.Node, acquisition: Acquisition) -> bool:
    """A statement between the acquisition and `step`, on the way to `step`, gives the resource back
    (`delete(x); raise Error()`)."""
    current = step
    for ancestor in file.ancestors(step):
        if ancestor.type in NESTED_SCOPES or ancestor == acquisition.statement.parent:
            break
        if ancestor.type == "block":
            earlier = current.prev_named_sibling
            while earlier is not None:
                if _releases_this(file, earlier, acquisition):
                    return True
                earlier = earlier.prev_named_sibling
        current = ancestor
    return False


def _with_releases(file: PyFile, step: ts.Node, acquisition: Acquisition) -> bool:
    """An enclosing `with` of the same function manages the handle or says it cleans up on error."""
    handle = normalise(file.text_of(acquisition.handle)) if acquisition.handle is not None else None
    for ancestor in file.ancestors(step):
        if ancestor.type in NESTED_SCOPES:
            return False
        if ancestor.type != "with_statement" or not ancestor.named_children:
            continue
        clause = ancestor.named_children[0]
        if handle is not None and handle in {normalise(file.text_of(v)) for v in _with_values(clause)}:
            return True
        if _with_cleans_up(file, ancestor):
            return True
    return False


def _with_cleans_up(file: PyFile, with_statement: ts.Node) -> bool:
    """The context managers of a `with` say they undo something (`remove_path_on_error(...)`)."""
    return bool(with_statement.named_children) and any(
        undoes(c.method or "") for c in calls_run_by(file, with_statement.named_children[0]))


def _with_values(clause: ts.Node) -> Iterator[ts.Node]:
    for item in clause.named_children:
        value = item.child_by_field_name("value")
        if value is not None and value.type == "as_pattern":
            value = value.named_children[0]
        if value is not None:
            yield value
            if value.type == "call":
                arguments = value.child_by_field_name("arguments")
                yield from arguments.named_children if arguments is not None else ()


# -- callers -------------------------------------------------------------------------------------

def _callers_cover(file: PyFile, function: ts.Node) -> bool:
    """Every call of `function` in this file (by its name, at least one) runs where a `try` or `with`
    releases when it fails: its callers clean up."""
    name = file.text_of(function.child_by_field_name("name"))
    calls = [c for c in file.calls if c.method == name and c.node.start_byte not in
             range(function.start_byte, function.end_byte)]
    if not calls:
        return False
    return all(_call_site_covered(file, c.node) for c in calls)


def _call_site_covered(file: PyFile, node: ts.Node) -> bool:
    for try_statement, part in try_statements_around(file, node):
        if part == "body" and any(_block_releases(file, b) for b in failure_blocks(try_statement)):
            return True
    for ancestor in file.ancestors(node):
        if ancestor.type in NESTED_SCOPES:
            return False
        if ancestor.type == "with_statement" and _with_cleans_up(file, ancestor):
            return True
    return False

