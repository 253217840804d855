"""How C and C++ library calls act on taint, driven by the merged C knowledge (`knowledge/libc.py`, ...).

The interpreter is language-agnostic; this adapter answers its C questions.
Sources return data (`getenv`) or write it through pointer arguments
(`fgets(buf, ...)`, `recv(s, buf, ...)`, `scanf("%d", &n)`): the variable
under such an argument takes the data, joined with what it held (the call may
fill only part of a buffer).  Copies (`strcpy`, `memcpy`, `snprintf`...) move
their sources' data into their destination; number conversions make text a
number, which no longer carries injection classes; lengths (`strlen`) are
bounded by the data itself and carry nothing.  `main`'s `argv` is the
command line.  A test `x == CONSTANT` pins `x` on the branch where it holds.
"""

from __future__ import annotations

from secreview.knowledge.classes import C_TEXT_CLASSES
from secreview.knowledge.schema import CKnowledge, CSource
from secreview.lang.c_family.file import CPP_CASTS
from secreview.taint import ir
from secreview.taint.analysis import (
    EMPTY, UNKNOWN, Interpreter, Label, Step, Value, cleared, derived, merge_labels, with_step,
)

_COMMAND_LINE = "command-line arguments"


class CSemantics:
    def __init__(self, knowledge: CKnowledge, includes: tuple[str, ...]) -> None:
        self.knowledge = knowledge
        self._sources = {source.name: source for source in knowledge.sources}
        self._copies = {copy.function: copy for copy in knowledge.copies}
        # sources of libraries whose headers this file includes (Qt's `reply->readAll()`)
        included = [sources for sources in knowledge.header_sources
                    if any(header.startswith(sources.prefixes) for header in includes)]
        self._method_sources = {method: description for sources in included for method, description in sources.methods}
        self._call_sources = {call: description for sources in included for call, description in sources.calls}

    # -- entry points and names ------------------------------------------------------

    def entry_parameter(self, function: ir.Function, position: int, name: str) -> Value | None:
        if function.name == "main" and position == 1:
            return _source_value(_COMMAND_LINE, function.node, f"`{name}` of `main`", remote=False)
        return None

    def instance_as_called(self, cls) -> Value:
        return Value(instance_of=cls)

    def name_source(self, name: ir.Name) -> Value | None:
        return None

    def attribute_source(self, interp: Interpreter, attr: ir.Attr, env: dict) -> Value | None:
        return None

    # -- calls --------------------------------------------------------------------------

    def model_call(self, interp: Interpreter, call: ir.Call, receiver: Value | None, args: list[Value],
                   kwargs: dict[str, Value], env: dict) -> Value | None:
        name = _plain(call.callee)
        if call.receiver is None and name in self._sources:
            return self._source_call(interp, self._sources[name], call, env)
        if call.receiver is None and call.callee in self._call_sources:
            return _source_value(self._call_sources[call.callee], call.node, f"`{call.callee}()`", remote=False)
        if call.receiver is not None and call.method in self._method_sources:
            description = self._method_sources[call.method]
            return _source_value(description, call.node, f"`.{call.method}()`", remote=True)
        if call.receiver is None and name in self._copies:
            return self._copy(interp, name, call, args, env)
        if call.receiver is None and name in CPP_CASTS:
            return derived(*args)  # static_cast<T>(x) is x
        method = call.method if call.receiver is not None else name
        if method in self.knowledge.lengths:
            return EMPTY
        if method in self.knowledge.number_conversions:
            inputs = ([receiver] if receiver is not None else []) + args
            return with_step(cleared(derived(*inputs), C_TEXT_CLASSES), call.node, f"converted by `{method}`")
        if call.receiver is not None and call.method in self.knowledge.appending_methods and args:
            _write_through(interp, call.receiver, derived(*args), env, call.node, f"stored by `.{call.method}()`")
        # code not in this file: its result may hold anything, like a parameter's value
        inputs = ([receiver] if receiver is not None else []) + args
        unknown = Label("param", f"result of `{call.callee or call.method or 'a call'}`", call.node)
        return with_step(Value(merge_labels(derived(*inputs).labels, (unknown,))), call.node,
                         f"through `{call.callee or call.method or 'call'}`")

    def _source_call(self, interp: Interpreter, source: CSource, call: ir.Call, env: dict) -> Value:
        description, remote = source.description, source.remote
        if source.console_stream is not None:
            stream = call.arg(source.console_stream)
            if isinstance(stream, ir.Name) and stream.id in self.knowledge.console_streams:
                description = "console input"
        value = _source_value(description, call.node, f"{description} (`{call.callee}`)", remote)
        if source.numeric:
            value = cleared(value, C_TEXT_CLASSES)
        result = cleared(value, {"number"}) if source.small else value
        outputs = list(source.outputs)
        if source.outputs_from is not None:
            outputs.extend(range(source.outputs_from, len(call.args)))
        for index in outputs:
            target = call.arg(index)
            if target is not None:
                _write_through(interp, target, value, env, call.node, f"filled by `{call.callee}`")
        return result if source.result else EMPTY

    def _copy(self, interp: Interpreter, name: str, call: ir.Call, args: list[Value], env: dict) -> Value:
        copy = self._copies[name]
        destination, first_source = copy.destination, copy.first_source
        if copy.parses:
            data = args[first_source] if first_source < len(args) else EMPTY
            for target in call.args[destination:]:
                _write_through(interp, target, data, env, call.node, f"parsed by `{name}`")
            return EMPTY
        target = call.arg(destination)
        data = derived(*args[first_source:])
        if target is not None:
            _write_through(interp, target, data, env, call.node, f"copied by `{name}`")
        return derived(args[destination], data) if destination < len(args) else data

    # -- guards ----------------------------------------------------------------------------

    def refine(self, interp: Interpreter, test: ir.Expr, outcome: bool, env: dict) -> dict:
        if isinstance(test, ir.Not):
            return self.refine(interp, test.operand, not outcome, env)
        if isinstance(test, ir.BoolOp) and (test.op == "and") == outcome:
            for value in test.values:
                env = self.refine(interp, value, outcome, env)
            return env
        if isinstance(test, ir.Compare) and test.ops[0] in ("==", "!=") and (test.ops[0] == "==") == outcome:
            subject, other = test.operands
            pinned = interp.eval(other, env).const
            if isinstance(subject, ir.Name) and subject.id in env and pinned is not UNKNOWN:
                env[subject.id] = Value(const=pinned)
        return env


def _plain(name: str | None) -> str | None:
    return name[5:] if name and name.startswith("std::") else name


def _source_value(description: str, node: object, detail: str, remote: bool) -> Value:
    return Value((Label("source" if remote else "local", description, node, trace=(Step(node, f"source: {detail}"),)),))


def _written_variable(target: ir.Expr) -> ir.Expr | None:
    """The variable (or member) a pointer argument writes into: `buf`, `&n`, `data + len`, `s.buf`, `*p`."""
    while True:
        if isinstance(target, (ir.Name, ir.Attr)):
            return target
        if isinstance(target, ir.Subscript):
            target = target.obj
        elif isinstance(target, ir.Binary) and target.op in ("+", "-"):
            target = target.left
        else:
            return None


def _write_through(interp: Interpreter, target: ir.Expr, data: Value, env: dict, node: object, note: str) -> None:
    variable = _written_variable(target)
    if variable is None or not data.labels:
        return
    if isinstance(variable, ir.Name) and variable.id not in env:
        return  # a global or a name bound elsewhere: nothing here to update
    current = interp.eval(variable, env) if not isinstance(variable, ir.Name) else env[variable.id]
    interp.assign(variable, with_step(derived(current, data), node, note), env, node)
