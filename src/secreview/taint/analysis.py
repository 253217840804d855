"""A flow-sensitive taint interpreter over the IR of one file.

Values are abstract: the set of labels that reached them (attacker sources,
or "a parameter of this function" for data of unknown origin), plus what is
known exactly (constants, list items, dict entries by constant key).  Every
function is analysed once as an entry point with its parameters unknown, and
again, context-sensitively, wherever the file calls it (bounded depth).

Precision features: constant folding decides branches (`if 7 * 42 - num > 200`),
later assignments overwrite earlier ones, containers keep their items apart
when keys and indexes are constant, and guards refine values on the branch
where the guard passed (`if "../" in name: return` clears path traversal).

The analysis records the value of every call argument, returned expression
and stored value, keyed by syntax node, for rules to query.
"""

from __future__ import annotations

import builtins
import operator
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from secreview.taint import ir
from secreview.knowledge.schema import ALL

ATTACKER_KINDS = frozenset({"source", "local"})
"""Label kinds whose data someone outside the code chooses."""

UNKNOWN = object()
"""The value is not known statically."""

MAX_CONTEXT_DEPTH = 3
MAX_TRACE = 8
MAX_CONST_STRING = 4096
DEFAULT_STEP_BUDGET = 400_000


class StepBudgetExceeded(Exception):
    pass


@dataclass(frozen=True)
class Step:
    node: object
    note: str


@dataclass(frozen=True)
class Label:
    kind: str  # "source" (remote attacker) | "local" (local user) | "param" (unknown caller)
    name: str  # source description, or parameter name
    origin: object  # syntax node where the data entered
    cleared: frozenset[str] = frozenset()
    trace: tuple[Step, ...] = field(default=(), compare=False)

    @property
    def key(self) -> tuple:
        return (self.kind, self.name, id(self.origin), self.cleared)

    def active_for(self, cls: str) -> bool:
        return ALL not in self.cleared and cls not in self.cleared


@dataclass(frozen=True)
class Value:
    labels: tuple[Label, ...] = ()
    const: object = UNKNOWN
    items: tuple["Value", ...] | None = None  # exactly known sequence items
    fields: tuple[tuple[object, "Value"], ...] | None = None  # exactly known entries by constant key
    function: object = None  # a FunctionValue or ClassValue
    parsed_from: str | None = None  # the variable a URL/path object was parsed from
    instance_of: object = None  # the ClassValue of an object built from a class of the reviewed code
    # the dotted names of imported classes this may be an instance of, not looked up yet (another
    # module is read only when attacker data is passed to one of the object's methods)
    imported_class: tuple[str, ...] = ()

    def has(self, cls: str) -> bool:
        return any(label.active_for(cls) for label in self.labels)

    def field(self, key: object) -> "Value | None":
        for existing, value in self.fields or ():
            if existing == key:
                return value
        return None


EMPTY = Value()


@dataclass(frozen=True, eq=False)
class FunctionValue:
    function: ir.Function
    closure: dict  # name -> Value at definition time
    owner: "ClassValue | None" = None  # for methods
    origin: str | None = None  # the path of the file that defines it


@dataclass(eq=False)
class ClassValue:
    name: str
    methods: dict = field(default_factory=dict)  # name -> FunctionValue
    bases: tuple[str, ...] = ()


def merge_labels(*groups: Iterable[Label]) -> tuple[Label, ...]:
    seen: dict[tuple, Label] = {}
    for group in groups:
        for label in group:
            seen.setdefault(label.key, label)
    return tuple(seen.values())


def derived(*values: Value, const: object = UNKNOWN) -> Value:
    """A value computed from others: it carries all their labels."""
    return Value(merge_labels(*(v.labels for v in values)), const)


def join(a: Value | None, b: Value | None) -> Value:
    if a is None:
        return b or EMPTY
    if b is None or a is b:
        return a
    const = a.const if a.const is not UNKNOWN and _same(a.const, b.const) else UNKNOWN
    items = None
    if a.items is not None and b.items is not None and len(a.items) == len(b.items):
        items = tuple(join(x, y) for x, y in zip(a.items, b.items))
    fields = None
    if a.fields is not None and b.fields is not None:
        keys = [k for k, _ in a.fields] + [k for k, _ in b.fields if a.field(k) is None]
        fields = tuple((k, join(a.field(k), b.field(k))) for k in keys)
    function = a.function if a.function is b.function else None
    parsed = a.parsed_from if a.parsed_from == b.parsed_from else None
    instance = a.instance_of if a.instance_of is b.instance_of else None
    imported = a.imported_class if a.imported_class == b.imported_class else ()
    return Value(merge_labels(a.labels, b.labels), const, items, fields, function, parsed, instance, imported)


def _same(x: object, y: object) -> bool:
    return type(x) is type(y) and x == y


def with_step(value: Value, node: object, note: str) -> Value:
    if not value.labels:
        return value
    labels = tuple(replace(l, trace=(l.trace + (Step(node, note),))[-MAX_TRACE:]) for l in value.labels)
    return replace(value, labels=labels)


def cleared(value: Value, classes: Iterable[str]) -> Value:
    extra = frozenset(classes)
    if not value.labels or not extra:
        return value
    return replace(value, labels=merge_labels(replace(l, cleared=l.cleared | extra) for l in value.labels),
                   items=None if value.items is None else tuple(cleared(v, extra) for v in value.items),
                   fields=None if value.fields is None else tuple((k, cleared(v, extra)) for k, v in value.fields))


def join_envs(a: dict | None, b: dict | None) -> dict | None:
    if a is None:
        return b
    if b is None:
        return a
    out = dict(a)
    for name, value in b.items():
        out[name] = join(a.get(name), value) if name in a else join(value, EMPTY)
    for name in a.keys() - b.keys():
        out[name] = join(a[name], EMPTY)
    return out


class FileAnalysis:
    """Runs the interpreter over a module; holds what rules query."""

    def __init__(self, module: ir.Module, spec, budget: int = DEFAULT_STEP_BUDGET,
                 resolver=None, entry_points: bool = True, origin: str | None = None) -> None:
        """`resolver(dotted_name)` returns the Value of a name defined in another reviewed module, or None.

        With `entry_points` false only the module's definitions are evaluated (for a module that is
        imported by the file under review, not reviewed through this analysis).
        `origin` is the file's path: calls into functions of other files carrying attacker data are
        kept in `outgoing`, so the analysis of the callee's file can follow them (`follow_callers`).
        """
        self.spec = spec
        self.resolver = resolver or (lambda name: None)
        self.entry_points = entry_points
        self.origin = origin
        self.outgoing: list[OutgoingCall] = []
        self.functions: dict[tuple[str, int], FunctionValue] = {}  # analysed functions by (name, start byte)
        self.callers_elsewhere: Callable[[], list[OutgoingCall]] | None = None
        self._followed_callers = False
        self.values: dict[int, Value] = {}
        self.module_env: dict[str, Value] = {}
        self.incomplete: str | None = None
        self._budget = budget
        self._steps = 0
        self._memo: dict[tuple, Value] = {}
        self._active: set[int] = set()
        self._ran: set[int] = set()  # functions whose body was analysed in some context
        try:
            Interpreter(self, None, 0).run_module(module)
        except StepBudgetExceeded:
            self.incomplete = f"dataflow analysis stopped after {budget} steps; later code was not analysed"
        except RecursionError:
            self.incomplete = "dataflow analysis stopped: code nested too deeply"

    def follow_callers(self, parameter_of: object) -> bool:
        """Analyse this file's functions again with the attacker data other files pass to them.

        Asked for data from a parameter of the function defined at `parameter_of` (a label's
        origin); only a function's parameter can be filled by another file.  Runs once; True when
        it ran now and some call carried data in.  What reaches a sink this way is recorded on the
        sink's nodes like any other context, so rules see it as a source.
        """
        if self._followed_callers or self.callers_elsewhere is None or self.incomplete:
            return False
        start = getattr(parameter_of, "start_byte", None)
        if all(key[1] != start for key in self.functions):
            return False
        self._followed_callers = True
        followed = False
        try:
            for call in self.callers_elsewhere():
                fn = self.functions.get(call.function)
                if fn is not None:
                    Interpreter(self, None, 0).call_function(fn, self._arguments_from(call, fn))
                    followed = True
        except StepBudgetExceeded:
            self.incomplete = f"dataflow analysis stopped after {self._budget} steps; later code was not analysed"
        except RecursionError:
            self.incomplete = "dataflow analysis stopped: code nested too deeply"
        return followed

    def _arguments_from(self, call: "OutgoingCall", fn: FunctionValue) -> dict[str, Value]:
        """The call's arguments as values of this file: the caller's syntax nodes belong to another
        tree, so each attacker label is restated with its path through the caller as text."""
        args: dict[str, Value] = {}
        for position, name in enumerate(fn.function.params):
            if position == 0 and fn.owner is not None and not _is_static(fn.function):
                args[name] = self.spec.instance_as_called(fn.owner)
                continue
            given = call.arguments.get(name, EMPTY)
            caller = os.path.relpath(call.caller, os.path.dirname(self.origin or "")) if call.caller else "another file"
            labels = tuple(_restated(label, fn, name, caller) for label in given.labels
                           if label.kind in ATTACKER_KINDS)
            args[name] = Value(labels) if labels else Value(const=given.const)
        return args

    def tick(self) -> None:
        self._steps += 1
        if self._steps > self._budget:
            raise StepBudgetExceeded

    def record(self, node: object, value: Value) -> None:
        if node is None:
            return
        key = node.id  # syntax nodes of the file (tree-sitter: unique while the tree lives)
        previous = self.values.get(key)
        self.values[key] = value if previous is None or previous is value else join(previous, value)

    def value_of(self, node: object) -> Value | None:
        return self.values.get(node.id)


@dataclass(frozen=True)
class OutgoingCall:
    """A call from one file into a function defined in another, with attacker data among its arguments."""

    callee_file: str
    function: tuple[str, int]  # the callee's name and the start byte of its definition
    arguments: dict[str, Value] = field(compare=False)
    caller: str = ""  # the calling file's path
    argument_nodes: dict[str, object] = field(default_factory=dict, compare=False)  # parameter -> caller's syntax
    caller_file: object = field(default=None, compare=False)  # the caller's parsed file, set by the project


def _is_static(function: ir.Function) -> bool:
    return any(isinstance(d, ir.Name) and d.id == "staticmethod" for d in function.decorators)


def _restated(label: Label, fn: FunctionValue, parameter: str, caller: str) -> Label:
    """An attacker label of another file, anchored at `fn`'s definition here with its path as text."""
    steps = "; ".join(f"line {step.node.start_point[0] + 1}: {step.note}" for step in label.trace
                      if hasattr(step.node, "start_point"))
    where = f"{caller}: {steps}" if steps else caller
    node = fn.function.node
    return Label(label.kind, f"{label.name} (passed in as `{parameter}` from {caller})", node, label.cleared,
                 (Step(node, f"`{fn.function.name}` called from {where}"),))


class Interpreter:
    """Executes one function body (or the module) over abstract values."""

    def __init__(self, analysis: FileAnalysis, function: FunctionValue | None, depth: int) -> None:
        self.analysis = analysis
        self.spec = analysis.spec
        self.function = function
        self.depth = depth
        self.returned: Value | None = None
        self.final_self: Value | None = None
        self.loop_exits: list[tuple[list[dict], list[dict]]] = []  # per enclosing loop: break / continue envs
        self.current_class: ClassValue | None = None

    # -- entry points -----------------------------------------------------------

    def run_module(self, module: ir.Module) -> None:
        env: dict[str, Value] = {}
        self.analysis.module_env = env
        self.deferred: list[FunctionValue] = []
        final = self.exec_block(module.body, env) or env
        self.analysis.module_env = final
        # module-level functions run after the whole module was loaded: they see its final names
        for fn in self.deferred:
            if not fn.function.internal:
                self.analyse_entry(FunctionValue(fn.function, final, fn.owner, fn.origin))
        # internal functions run in their callers' contexts; one that no context reached runs alone
        for fn in self.deferred:
            if fn.function.internal and id(fn.function) not in self.analysis._ran:
                self.analyse_entry(FunctionValue(fn.function, final, fn.owner, fn.origin))

    def run_function(self, fn: FunctionValue, args: dict[str, Value]) -> Value:
        env = dict(fn.closure)
        env.update(args)
        end = self.exec_block(fn.function.body, env)
        if end is not None:
            self.returned = join(self.returned, Value(const=None))
            self._note_self(end)
        return self.returned or EMPTY

    def _note_self(self, env: dict) -> None:
        """Remember what `self` holds when a constructor finishes (its attributes)."""
        if self.function is not None and self.function.function.name == "__init__" and self.function.function.params:
            name = self.function.function.params[0]
            self.final_self = join(self.final_self, env.get(name))

    # -- statements ----------------------------------------------------------------

    def exec_block(self, statements: Iterable[ir.Stmt], env: dict | None) -> dict | None:
        for statement in statements:
            if env is None:
                return None
            self.analysis.tick()
            env = _EXEC[type(statement)](self, statement, env)
        return env

    def _exec_Assign(self, stmt: ir.Assign, env: dict) -> dict:
        value = self.eval(stmt.value, env)
        for target in stmt.targets:
            self.assign(target, value, env, stmt.node)
        return env

    def _exec_AugAssign(self, stmt: ir.AugAssign, env: dict) -> dict:
        current = self.eval(stmt.target, env)
        value = self.binary(stmt.op, current, self.eval(stmt.value, env))
        self.assign(stmt.target, with_step(value, stmt.node, "augmented assignment"), env, stmt.node)
        return env

    def _exec_ExprStmt(self, stmt: ir.ExprStmt, env: dict) -> dict:
        self.eval(stmt.expr, env)
        return env

    def _exec_Return(self, stmt: ir.Return, env: dict) -> None:
        value = self.eval(stmt.value, env) if stmt.value is not None else Value(const=None)
        self._note_self(env)
        self.returned = join(self.returned, value)
        return None

    def _exec_Exit(self, stmt: ir.Exit, env: dict) -> None:
        if stmt.value is not None:
            self.eval(stmt.value, env)
        if stmt.kind in ("break", "continue") and self.loop_exits:
            breaks, continues = self.loop_exits[-1]
            (breaks if stmt.kind == "break" else continues).append(dict(env))
        return None

    def _exec_If(self, stmt: ir.If, env: dict) -> dict | None:
        test = self.eval(stmt.test, env)
        truth = _truth(test.const)
        if truth is True:
            return self.exec_block(stmt.body, self.refine(stmt.test, True, dict(env)))
        if truth is False:
            return self.exec_block(stmt.orelse, self.refine(stmt.test, False, dict(env)))
        then_env = self.exec_block(stmt.body, self.refine(stmt.test, True, dict(env)))
        else_env = self.exec_block(stmt.orelse, self.refine(stmt.test, False, dict(env)))
        return join_envs(then_env, else_env)

    def _exec_Loop(self, stmt: ir.Loop, env: dict) -> dict | None:
        if stmt.test is not None and _truth(self.eval(stmt.test, env).const) is False:
            return self.exec_block(stmt.orelse, env)
        iterable = self.eval(stmt.iter, env) if stmt.iter is not None else None
        state: dict | None = env
        after = dict(env)  # the loop may run zero times
        broken: dict | None = None
        for _ in range(2):  # twice: values flowing around the back edge reach their uses
            if state is None:
                break
            body_env = dict(state)
            if stmt.target is not None and iterable is not None:
                self.assign(stmt.target, self.element_of(iterable), body_env, stmt.node)
            self.loop_exits.append(([], []))
            try:
                end = self.exec_block(stmt.body, body_env)
            finally:
                breaks, continues = self.loop_exits.pop()
            for continued in continues:
                end = join_envs(end, continued)
            for left in breaks:
                broken = join_envs(broken, left)
            state = join_envs(end, state)
            after = join_envs(after, state)
        after = self.exec_block(stmt.orelse, after) if after is not None else None
        return join_envs(after, broken)

    def _exec_Try(self, stmt: ir.Try, env: dict) -> dict | None:
        body_env = self.exec_block(stmt.body, dict(env))
        # a handler may start from any point of the body: from before it, or from its end
        handler_start = join_envs(dict(env), body_env) or dict(env)
        result = self.exec_block(stmt.orelse, body_env) if body_env is not None else None
        for alias, body in stmt.handlers:
            start = dict(handler_start)
            if alias:
                start[alias] = EMPTY
            result = join_envs(result, self.exec_block(body, start))
        if stmt.finalbody:
            final = self.exec_block(stmt.finalbody, dict(result if result is not None else handler_start))
            return final if result is not None else None
        return result

    def _exec_With(self, stmt: ir.With, env: dict) -> dict | None:
        for value, target in stmt.items:
            evaluated = self.eval(value, env)
            if target is not None:
                self.assign(target, evaluated, env, stmt.node)
        return self.exec_block(stmt.body, env)

    def _exec_Match(self, stmt: ir.Match, env: dict) -> dict | None:
        subject = self.eval(stmt.subject, env)
        result = None
        for patterns, body in stmt.cases:
            if patterns is not None and subject.const is not UNKNOWN:
                values = [self.eval(p, env).const for p in patterns]
                if not any(_same(v, subject.const) for v in values):
                    continue
                return join_envs(result, self.exec_block(body, dict(env)))
            result = join_envs(result, self.exec_block(body, dict(env)))
            if patterns is None:
                return result
        return join_envs(result, env)

    def _exec_FunctionDef(self, stmt: ir.FunctionDef, env: dict) -> dict:
        owner = self.current_class if stmt.function.is_method else None
        fn = FunctionValue(stmt.function, env, owner, self.analysis.origin)
        env[stmt.function.name] = Value(function=fn)
        for decorator in stmt.function.decorators:
            self.eval(decorator, env)
        if self.analysis.entry_points:
            if self.function is None and self.current_class is None:
                self.deferred.append(fn)
            else:
                self.analyse_entry(fn)
        return env

    def _exec_ClassDef(self, stmt: ir.ClassDef, env: dict) -> dict:
        cls = ClassValue(stmt.name, bases=stmt.bases)
        class_env = dict(env)
        for inner in stmt.body:  # methods first, so that methods calling each other resolve
            if isinstance(inner, ir.FunctionDef):
                cls.methods[inner.function.name] = FunctionValue(inner.function, env, cls, self.analysis.origin)
        outer, self.current_class = self.current_class, cls
        try:
            self.exec_block(stmt.body, class_env)
        finally:
            self.current_class = outer
        env[stmt.name] = Value(function=cls)
        return env

    # -- functions -------------------------------------------------------------------

    def analyse_entry(self, fn: FunctionValue) -> None:
        """Analyse a function as called from unknown code: parameters are 'param' labels."""
        node = fn.function.node
        if node is not None:
            self.analysis.functions.setdefault((fn.function.name, node.start_byte), fn)
        args: dict[str, Value] = {}
        for position, name in enumerate(fn.function.params):
            if position == 0 and fn.owner is not None and not _is_static(fn.function):
                args[name] = self.spec.instance_as_called(fn.owner)
                continue
            filled = self.spec.entry_parameter(fn.function, position, name)
            args[name] = filled if filled is not None else Value((Label("param", name, fn.function.node),))
        self.call_function(fn, args, entry=True)

    def call_function(self, fn: FunctionValue, args: dict[str, Value], entry: bool = False) -> Value:
        """The value `fn` returns for these arguments.

        Without attacker data among the arguments the function's summary (its entry analysis,
        parameters standing for themselves) is instantiated with the arguments: cheap, and
        nothing inside the callee can become a finding that the entry analysis did not see.
        With attacker data the body is analysed again in this context (bounded depth), so that
        sinks inside the callee see it; so is an internal function given only constants, which
        therefore never sees "unknown" parameters when every caller passes fixed values.
        """
        if not entry and not any(l.kind in ATTACKER_KINDS for v in args.values() for l in v.labels) \
                and not (fn.function.internal and not any(v.labels for v in args.values())):
            # (an internal function given only constants runs with them: its callers are all known)
            return instantiate(self.summary(fn), fn.function, args)
        key = (id(fn.function), tuple((n, tuple(l.key for l in v.labels), _hashable(v.const))
                                      for n, v in sorted(args.items())))
        if key in self.analysis._memo:
            return self.analysis._memo[key]
        if id(fn.function) in self.analysis._active or self.depth >= MAX_CONTEXT_DEPTH:
            return derived(*args.values())
        self.analysis._active.add(id(fn.function))
        self.analysis._ran.add(id(fn.function))
        try:
            result = Interpreter(self.analysis, fn, self.depth + (0 if entry else 1)).run_function(fn, args)
        finally:
            self.analysis._active.discard(id(fn.function))
        self.analysis._memo[key] = result
        return result

    def summary(self, fn: FunctionValue) -> Value:
        key = ("summary", id(fn.function))
        if key not in self.analysis._memo:
            if id(fn.function) in self.analysis._active:
                return EMPTY  # recursion: the summary being built contributes nothing new
            self.analysis._memo[key] = EMPTY
            args = {name: Value((Label("param", name, fn.function.node),)) for name in fn.function.params}
            if fn.owner is not None and fn.function.params:
                args[fn.function.params[0]] = Value(instance_of=fn.owner)
            self.analysis._memo[key] = self.call_function(fn, args, entry=True)
        return self.analysis._memo[key]

    def bind_arguments(self, fn: ir.Function, call: ir.Call, env: dict,
                       receiver: Value | None) -> dict[str, Value]:
        """Parameters bound to the call's arguments; `receiver` is `self` for a method call."""
        params = list(fn.params)
        if receiver is not None and params:
            params = params[1:]
        bound: dict[str, Value] = {}
        for name, default in fn.defaults:
            bound[name] = self.eval(default, env)
        for name, expr in zip(params, call.args):
            bound[name] = with_step(self.eval(expr, env), call.node, f"passed to `{fn.name}` as `{name}`")
        for key, expr in call.kwargs:
            if key in params:
                bound[key] = with_step(self.eval(expr, env), call.node, f"passed to `{fn.name}` as `{key}`")
        for name in params:
            bound.setdefault(name, EMPTY)
        if receiver is not None and fn.params:
            bound[fn.params[0]] = receiver
        return bound

    # -- assignment --------------------------------------------------------------------

    def assign(self, target: ir.Target, value: Value, env: dict, node: object) -> None:
        if isinstance(target, ir.Name):
            env[target.id] = with_step(value, node, f"assigned to `{target.id}`")
        elif isinstance(target, ir.Sequence):
            for position, inner in enumerate(target.items):
                item = value.items[position] if value.items is not None and position < len(value.items) \
                    else derived(value)
                self.assign(inner, item, env, node)
        elif isinstance(target, ir.Subscript):
            self._store_item(target, value, env, node)
        elif isinstance(target, ir.Attr):
            self.analysis.record(target.node, value)
            if isinstance(target.obj, ir.Name) and target.obj.id in env:
                holder = env[target.obj.id]
                key = ("attr", target.attr)
                env[target.obj.id] = self._with_field(holder, key, value)

    def _store_item(self, target: ir.Subscript, value: Value, env: dict, node: object) -> None:
        self.analysis.record(target.node, value)
        index = self.eval(target.index, env) if target.index is not None else EMPTY
        if not isinstance(target.obj, ir.Name):
            self.eval(target.obj, env)
            return
        holder = env.get(target.obj.id, EMPTY)
        if holder.fields is not None and index.const is not UNKNOWN and _hashable(index.const) is not None:
            env[target.obj.id] = self._with_field(holder, index.const, value)
        elif holder.items is not None and isinstance(index.const, int) and -len(holder.items) <= index.const < len(holder.items):
            items = list(holder.items)
            items[index.const] = value
            env[target.obj.id] = Value(merge_labels(*(i.labels for i in items)), items=tuple(items))
        else:
            env[target.obj.id] = Value(merge_labels(holder.labels, value.labels, index.labels))

    @staticmethod
    def _with_field(holder: Value, key: object, value: Value) -> Value:
        if holder.fields is None:
            return replace(holder, labels=merge_labels(holder.labels, value.labels), const=UNKNOWN)
        fields = [(k, v) for k, v in holder.fields if k != key] + [(key, value)]
        return replace(holder, labels=merge_labels(*(v.labels for _, v in fields)), fields=tuple(fields),
                       const=UNKNOWN)

    # -- expressions ------------------------------------------------------------------------

    def eval(self, expr: ir.Expr | None, env: dict) -> Value:
        if expr is None:
            return EMPTY
        self.analysis.tick()
        value = _EVAL[type(expr)](self, expr, env)
        self.analysis.record(expr.node, value)
        return value

    def _eval_Const(self, expr: ir.Const, env: dict) -> Value:
        return Value(const=expr.value)

    def _eval_Name(self, expr: ir.Name, env: dict) -> Value:
        if expr.id in env:
            return env[expr.id]
        if expr.qualified:
            found = self.spec.name_source(expr)
            return found if found is not None else EMPTY
        if expr.id in _BUILTIN_NAMES:
            return EMPTY
        # bound nowhere we can see (star imports, injected globals): origin unknown
        return Value((Label("param", expr.id, expr.node),))

    def _eval_Attr(self, expr: ir.Attr, env: dict) -> Value:
        source = self.spec.attribute_source(self, expr, env)
        if source is not None:
            return source
        base = self.eval(expr.obj, env)
        known = base.field(("attr", expr.attr))
        if known is not None:
            return known
        if base.instance_of is not None:
            # an attribute set outside the code seen here: its origin is as unknown as a parameter's
            return Value((Label("param", f"attribute `{expr.attr}`", expr.node),))
        if base.function is not None or not base.labels:
            return EMPTY
        return Value(base.labels)

    def _eval_Subscript(self, expr: ir.Subscript, env: dict) -> Value:
        base = self.eval(expr.obj, env)
        if expr.index is None:  # slicing keeps the data
            return derived(base)
        index = self.eval(expr.index, env)
        if base.fields is not None and index.const is not UNKNOWN:
            found = base.field(index.const)
            return found if found is not None else EMPTY
        if base.items is not None and isinstance(index.const, int) and -len(base.items) <= index.const < len(base.items):
            return base.items[index.const]
        if isinstance(base.const, (str, tuple)) and isinstance(index.const, int):
            try:
                return Value(const=base.const[index.const])
            except IndexError:
                return EMPTY
        return derived(base)

    def _eval_Binary(self, expr: ir.Binary, env: dict) -> Value:
        return self.binary(expr.op, self.eval(expr.left, env), self.eval(expr.right, env))

    def binary(self, op: str, left: Value, right: Value) -> Value:
        const = _fold(op, left.const, right.const)
        if op == "+" and left.items is not None and right.items is not None:
            return Value(merge_labels(left.labels, right.labels), items=left.items + right.items)
        return derived(left, right, const=const)

    def _eval_Format(self, expr: ir.Format, env: dict) -> Value:
        parts = [self.eval(p, env) for p in expr.parts]
        consts = [p.const for p in parts]
        const = "".join(consts) if all(isinstance(c, str) for c in consts) else UNKNOWN
        return derived(*parts, const=const)

    def _eval_Sequence(self, expr: ir.Sequence, env: dict) -> Value:
        items = tuple(self.eval(i, env) for i in expr.items)
        consts = tuple(i.const for i in items)
        const = consts if expr.kind == "tuple" and all(c is not UNKNOWN for c in consts) else UNKNOWN
        return Value(merge_labels(*(i.labels for i in items)), const, items=items if expr.kind != "set" else None)

    def _eval_Mapping(self, expr: ir.Mapping, env: dict) -> Value:
        fields: list[tuple[object, Value]] = []
        labels = []
        exact = True
        for key, value in zip(expr.keys, expr.values):
            evaluated = self.eval(value, env)
            labels.append(evaluated.labels)
            key_value = self.eval(key, env) if key is not None else None
            if key_value is None or _hashable(key_value.const) is None:
                exact = False
                if key_value is not None:
                    labels.append(key_value.labels)
                continue
            fields.append((key_value.const, evaluated))
        return Value(merge_labels(*labels), fields=tuple(fields) if exact else None)

    def _eval_Comprehension(self, expr: ir.Comprehension, env: dict) -> Value:
        inner = dict(env)
        for target, iterable in expr.loops:
            self.assign(target, self.element_of(self.eval(iterable, inner)), inner, expr.node)
        return derived(self.eval(expr.element, inner))

    def _eval_Conditional(self, expr: ir.Conditional, env: dict) -> Value:
        truth = _truth(self.eval(expr.test, env).const)
        if truth is True:
            return self.eval(expr.body, self.refine(expr.test, True, dict(env)))
        if truth is False:
            return self.eval(expr.orelse, self.refine(expr.test, False, dict(env)))
        return join(self.eval(expr.body, self.refine(expr.test, True, dict(env))),
                    self.eval(expr.orelse, self.refine(expr.test, False, dict(env))))

    def _eval_Compare(self, expr: ir.Compare, env: dict) -> Value:
        values = [self.eval(o, env) for o in expr.operands]
        result: object = True
        for op, left, right in zip(expr.ops, values, values[1:]):
            outcome = _compare(op, left.const, right.const)
            if outcome is UNKNOWN:
                result = UNKNOWN
                break
            if not outcome:
                result = False
                break
        return Value(const=result)

    def _eval_BoolOp(self, expr: ir.BoolOp, env: dict) -> Value:
        values = [self.eval(v, env) for v in expr.values]
        truths = [_truth(v.const) for v in values]
        if expr.op == "and" and False in truths[:1]:
            return values[0]
        if expr.op == "or" and truths[0] is True:
            return values[0]
        if all(t is not None for t in truths):
            decided = all(truths) if expr.op == "and" else any(truths)
            return Value(merge_labels(*(v.labels for v in values)), decided)
        return derived(*values)

    def _eval_Not(self, expr: ir.Not, env: dict) -> Value:
        truth = _truth(self.eval(expr.operand, env).const)
        return Value(const=UNKNOWN if truth is None else not truth)

    def _eval_Lambda(self, expr: ir.Lambda, env: dict) -> Value:
        fn = FunctionValue(expr.function, dict(env))
        self.analyse_entry(fn)
        return Value(function=fn)

    def _eval_Opaque(self, expr: ir.Opaque, env: dict) -> Value:
        return derived(*(self.eval(p, env) for p in expr.parts))

    def _eval_Call(self, call: ir.Call, env: dict) -> Value:
        receiver = self.eval(call.receiver, env) if call.receiver is not None else None
        args = [self.eval(a, env) for a in call.args]
        kwargs = {key: self.eval(v, env) for key, v in call.kwargs}
        return self._call_result(call, receiver, args, kwargs, env)

    def _call_result(self, call: ir.Call, receiver: Value | None, args: list[Value],
                     kwargs: dict[str, Value], env: dict) -> Value:
        inputs = ([receiver] if receiver is not None else []) + args + list(kwargs.values())
        carries_source = any(l.kind in ATTACKER_KINDS for v in inputs for l in v.labels)
        target = self._callee(call, receiver, env, carries_source)
        if isinstance(target, ClassValue):
            return self.construct(target, call, env)
        if target is not None:
            if receiver is not None and receiver.imported_class and isinstance(target.owner, ClassValue):
                receiver = replace(receiver, instance_of=target.owner, imported_class=())
            bound_self = receiver if call.receiver is not None and not _is_static(target.function) else None
            bound = self.bind_arguments(target.function, call, env, bound_self)
            self._note_outgoing(target, call, bound, bound_self is not None)
            return with_step(self.call_function(target, bound), call.node, f"returned by `{target.function.name}`")
        modelled = self.spec.model_call(self, call, receiver, args, kwargs, env)
        if modelled is not None:
            return modelled
        result = with_step(derived(*([receiver] if receiver else []), *args, *kwargs.values()),
                           call.node, f"through `{call.callee or call.method or 'call'}`")
        imported = self._imported_names(call, env)
        return replace(result, imported_class=imported) if imported else result

    def _imported_names(self, call: ir.Call, env: dict) -> tuple[str, ...]:
        """The dotted names a call of an imported name may construct (`Pages()` after `from m import *`)."""
        function = call.function
        if call.receiver is not None or not isinstance(function, ir.Name) or function.id in env:
            return ()
        if function.qualified is not None:
            return (function.qualified,)
        return tuple(f"{module}.{function.id}" for module in getattr(self.spec, "star_imports", ()))

    def _note_outgoing(self, target: "FunctionValue", call: ir.Call, bound: dict[str, Value], method: bool) -> None:
        """Keep a call into another file's function that passes attacker data (see `follow_callers`)."""
        node = target.function.node
        if target.origin is None or target.origin == self.analysis.origin or node is None:
            return
        if any(l.kind in ATTACKER_KINDS for v in bound.values() for l in v.labels):
            params = target.function.params[1:] if method else target.function.params
            nodes = {name: expr.node for name, expr in zip(params, call.args)}
            nodes.update((key, expr.node) for key, expr in call.kwargs if key in params)
            self.analysis.outgoing.append(OutgoingCall(target.origin, (target.function.name, node.start_byte),
                                                       bound, self.analysis.origin or "", nodes))

    def _callee(self, call: ir.Call, receiver: Value | None, env: dict,
                carries_source: bool) -> "FunctionValue | ClassValue | None":
        """The function or class of the reviewed code that this call runs, if known.

        Another module's code is looked up only for calls that carry attacker data: only then
        can its body change a verdict (a helper that sanitises, or returns a constant instead).
        """
        if call.receiver is not None:
            if receiver is not None and isinstance(receiver.instance_of, ClassValue) and call.method:
                return receiver.instance_of.methods.get(call.method)
            if receiver is not None and receiver.imported_class and call.method and carries_source:
                return self._imported_method(receiver.imported_class, call.method)
            if receiver is not None and isinstance(receiver.function, ClassValue) and call.method:
                return None  # Class.method(...): unbound; arguments already flow by default
        value = None
        imported = isinstance(call.function, ir.Name) and call.function.qualified is not None
        if call.receiver is None and call.function is not None and not imported:
            value = self.eval(call.function, env)  # a local function, a lambda, f()()
        elif call.callee and carries_source and call.callee.split(".")[0] not in env:
            value = self.analysis.resolver(call.callee)
        if value is not None and isinstance(value.function, (FunctionValue, ClassValue)):
            return value.function
        return None

    def _imported_method(self, classes: tuple[str, ...], method: str) -> "FunctionValue | None":
        for name in classes:
            found = self.analysis.resolver(name)
            if found is not None and isinstance(found.function, ClassValue):
                candidate = found.function.methods.get(method)
                if isinstance(candidate, FunctionValue):
                    return candidate
        return None

    def construct(self, cls: ClassValue, call: ir.Call, env: dict) -> Value:
        """An instance of a class of the reviewed code, with what its constructor stored on it."""
        instance = Value(fields=(), instance_of=cls)
        init = cls.methods.get("__init__")
        if init is None:
            return instance
        bound = self.bind_arguments(init.function, call, env, instance)
        key = ("init", id(init.function), tuple((n, tuple(l.key for l in v.labels)) for n, v in sorted(bound.items())
                                                if n != init.function.params[0]))
        if key in self.analysis._memo:
            return self.analysis._memo[key]
        if id(init.function) in self.analysis._active or self.depth >= MAX_CONTEXT_DEPTH:
            return instance
        self.analysis._active.add(id(init.function))
        try:
            runner = Interpreter(self.analysis, init, self.depth + 1)
            runner.run_function(init, bound)
        finally:
            self.analysis._active.discard(id(init.function))
        built = runner.final_self if runner.final_self is not None else instance
        result = replace(built, instance_of=cls)
        self.analysis._memo[key] = result
        return result

    # -- helpers ---------------------------------------------------------------------------

    def element_of(self, container: Value) -> Value:
        if container.items is not None:
            joined = EMPTY
            for item in container.items:
                joined = join(joined, item)
            return joined if container.items else EMPTY
        return derived(container)

    def refine(self, test: ir.Expr, outcome: bool, env: dict) -> dict:
        return self.spec.refine(self, test, outcome, env)


_BUILTIN_NAMES = frozenset(dir(builtins)) | {"__file__", "__name__", "__doc__", "__package__", "__spec__"}


_EXEC = {cls: getattr(Interpreter, "_exec_" + cls.__name__) for cls in
         (ir.Assign, ir.AugAssign, ir.ExprStmt, ir.Return, ir.Exit, ir.If, ir.Loop, ir.Try, ir.With, ir.Match,
          ir.FunctionDef, ir.ClassDef)}
_EVAL = {cls: getattr(Interpreter, "_eval_" + cls.__name__) for cls in
         (ir.Const, ir.Name, ir.Attr, ir.Subscript, ir.Call, ir.Binary, ir.Format, ir.Sequence, ir.Mapping,
          ir.Comprehension, ir.Conditional, ir.Compare, ir.BoolOp, ir.Not, ir.Lambda, ir.Opaque)}


def instantiate(summary: Value, function: ir.Function, args: dict[str, Value]) -> Value:
    """A callee's summary with its parameter labels replaced by the labels of the actual arguments."""
    labels: list[Label] = []
    for label in summary.labels:
        if label.kind == "param" and label.origin is function.node and label.name in args:
            labels.extend(replace(actual, cleared=actual.cleared | label.cleared) for actual in args[label.name].labels)
        else:
            labels.append(label)
    return Value(merge_labels(labels), summary.const)


def _root(expr: ir.Expr) -> str | None:
    while isinstance(expr, ir.Attr):
        expr = expr.obj
    return expr.id if isinstance(expr, ir.Name) else None


def _hashable(value: object) -> object:
    if value is UNKNOWN:
        return None
    try:
        hash(value)
    except TypeError:
        return None
    return value


def _truth(const: object) -> bool | None:
    if const is UNKNOWN:
        return None
    try:
        return bool(const)
    except Exception:  # noqa: BLE001 - a folded constant of odd type
        return None


_COMPARATORS = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt,
    ">=": operator.ge, "in": lambda a, b: operator.contains(b, a), "not in": lambda a, b: not operator.contains(b, a),
    "is": lambda a, b: a is b if a is None or b is None else UNKNOWN,
    "is not": lambda a, b: a is not b if a is None or b is None else UNKNOWN,
}
_FOLDABLE = (str, int, float, bool, tuple, type(None))


def _compare(op: str, left: object, right: object) -> object:
    if left is UNKNOWN or right is UNKNOWN or op not in _COMPARATORS:
        return UNKNOWN
    if not isinstance(left, _FOLDABLE) or not isinstance(right, _FOLDABLE):
        return UNKNOWN
    try:
        return _COMPARATORS[op](left, right)
    except TypeError:
        return UNKNOWN


def _fold(op: str, left: object, right: object) -> object:
    if left is UNKNOWN or right is UNKNOWN:
        return UNKNOWN
    numbers = (int, float)
    try:
        if op == "+" and (isinstance(left, str) and isinstance(right, str) or
                          isinstance(left, numbers) and isinstance(right, numbers)):
            result = left + right
        elif op == "-" and isinstance(left, numbers) and isinstance(right, numbers):
            result = left - right
        elif op == "*" and isinstance(left, numbers) and isinstance(right, numbers):
            result = left * right
        elif op == "//" and isinstance(left, numbers) and isinstance(right, numbers) and right:
            result = left // right
        elif op == "%" and isinstance(left, str) and isinstance(right, (str, int, float, tuple)):
            result = left % right
        elif op == "%" and isinstance(left, numbers) and isinstance(right, numbers) and right:
            result = left % right
        else:
            return UNKNOWN
    except (TypeError, ValueError, OverflowError, ZeroDivisionError):
        return UNKNOWN
    if isinstance(result, str) and len(result) > MAX_CONST_STRING:
        return UNKNOWN
    if isinstance(result, int) and abs(result) > 10 ** 30:
        return UNKNOWN
    return result
