"""How Python library calls and checks act on taint, driven by the merged framework knowledge.

The interpreter (`taint.analysis`) is language-agnostic; this adapter answers
its Python questions: which attribute reads are sources, what a library call
returns (sanitizers, containers, URL parsers, default propagation) and what a
branch condition proves about a value.  The library facts are data
(`secreview.knowledge`, merged by `knowledge.registry.python()`); which
parameters of a route handler are request data is `lang.python.web`'s answer.
"""

from __future__ import annotations

import re
from dataclasses import replace

import tree_sitter as ts

from secreview.knowledge.classes import DANGEROUS_CHARACTERS
from secreview.knowledge.schema import ALL, PythonKnowledge
from secreview.lang.python import web
from secreview.lang.python.file import PyFile
from secreview.taint import ir
from secreview.taint.analysis import (
    EMPTY, UNKNOWN, Interpreter, Label, Step, Value, cleared, derived, join_envs, merge_labels, with_step,
)

NORMALISED = "normalised-path"
"""Pseudo-class recording that a path went through realpath/abspath/resolve."""

_HTML_ESCAPER_NAME = re.compile(r"(escape.*html|html.*escape)", re.I)


class PythonSemantics:
    def __init__(self, spec: PythonKnowledge, file: PyFile) -> None:
        self.spec = spec
        self._file = file
        self._sanitizers_by_callee = {s.callee: s.clears for s in spec.sanitizers if s.callee}
        self._sanitizers_by_method = {s.method: s.clears for s in spec.sanitizers if s.method}
        self._sources = {s.name: (s.description, s.remote) for s in spec.sources}
        self._source_objects = {o.name: o.server_attributes for o in spec.source_objects}
        self._method_sources = {m.method: m for m in spec.method_sources}
        # modules imported with `from m import *`: an unbound name may be defined in one of them
        self.star_imports = tuple(file.text_of(n.child_by_field_name("module_name"))
                                  for n in file.nodes_of_type("import_from_statement")
                                  if any(c.type == "wildcard_import" for c in n.children))
        self._imported_roots = frozenset(name.split(".")[0] for name in file.imports.values())
        # a URL parser by its last name, however it was imported (`six.moves.urllib.parse.urlparse`)
        self._url_parser_names = frozenset(name.rsplit(".", 1)[-1] for name in spec.url_parsers)

    # -- sources ---------------------------------------------------------------------

    def _source_named(self, name: str | None) -> tuple[str, bool] | None:
        """The description of the source `name` is, or is inside of (`flask.request.args.get`)."""
        if not name:
            return None
        prefix = ""
        for part in name.split("."):
            prefix = f"{prefix}.{part}" if prefix else part
            if prefix in self._sources:
                return self._sources[prefix]
        return None

    @staticmethod
    def _source_value(description: str, node: object, detail: str, remote: bool = True) -> Value:
        return Value((Label("source" if remote else "local", description, node,
                            trace=(Step(node, f"source: {detail}"),)),))

    def attribute_source(self, interp: Interpreter, attr: ir.Attr, env: dict) -> Value | None:
        root = _root_name(attr)
        if root is not None and root not in env:
            found = self._source_named(attr.qualified)
            if found is not None:
                description, remote = found
                return self._source_value(description, attr.node, f"{description} (`{attr.qualified}`)", remote)
        return self._parameter_source(attr.obj, attr.attr, attr.node, env)

    def _parameter_source(self, holder: ir.Expr | None, attribute: str | None, node: object,
                          env: dict) -> Value | None:
        """Request data read from a handler's request parameter: `request.GET` or `await request.json()`."""
        if not isinstance(holder, ir.Name) or attribute is None:
            return None
        value = env.get(holder.id)
        if value is None or not any(l.kind == "param" and l.name == holder.id for l in value.labels):
            return None
        for parameter_source in self.spec.parameter_sources:
            if holder.id == parameter_source.parameter and attribute in parameter_source.attributes:
                return self._source_value(parameter_source.description, node,
                                          f"{parameter_source.description} (`{holder.id}.{attribute}`)")
        return None

    def name_source(self, name: ir.Name) -> Value | None:
        """An imported request object itself (`flask.request` passed to a helper)."""
        safe = self._source_objects.get(name.qualified or "")
        if safe is None:
            return None
        description = f"the request object `{name.qualified}`"
        value = self._source_value(description, name.node, description)
        return replace(value, fields=tuple((("attr", attribute), EMPTY) for attribute in safe))

    def instance_as_called(self, cls) -> Value:
        """`self` in a method called by unknown code: a request handler's request attributes are attacker data."""
        ancestors = web.class_ancestors(self._file, cls.name, cls.bases)
        attributes = next((handler.attributes for handler in self.spec.request_handlers
                           if handler.base in ancestors), None)
        if attributes is None:
            return Value(instance_of=cls)
        fields = tuple((("attr", attribute), self._source_value(f"HTTP request {attribute}", None,
                                                                f"`self.{attribute}` of a `{cls.name}` request handler"))
                       for attribute in attributes)
        return Value(fields=fields, instance_of=cls)

    def entry_parameter(self, function: ir.Function, position: int, name: str) -> Value | None:
        """A route handler's parameter is request data (the framework fills it); others are unknown.

        Only this file's functions are judged: a function of another module reached through a call
        has no node in this file's tree.
        """
        if not self._in_this_file(function.node) or not web.fills_from_request(self._file, function.node, name):
            return None
        node = function.node
        kind = web.request_parameter_kind(self._file, node)
        return Value((Label("source", f"{kind} `{name}`", node, trace=(Step(node, f"{kind} `{name}`"),)),))

    def _in_this_file(self, node: object) -> bool:
        if not isinstance(node, ts.Node):
            return False
        root = node
        while root.parent is not None:
            root = root.parent
        return root == self._file.root

    # -- calls -----------------------------------------------------------------------

    def model_call(self, interp: Interpreter, call: ir.Call, receiver: Value | None, args: list[Value],
                   kwargs: dict[str, Value], env: dict) -> Value | None:
        found = self._source_named(call.callee)
        if found is not None and not _shadowed(call, env):
            description, remote = found
            return self._source_value(description, call.node, f"{description} (`{call.callee}`)", remote)
        read = self._parameter_source(call.receiver, call.method, call.node, env)
        if read is not None:
            return read
        method_source = self._method_sources.get(call.method or "")
        if method_source and receiver is not None and method_source.module in self._imported_roots:
            description = method_source.description
            return self._source_value(description, call.node, f"{description} (`.{call.method}()`)")
        if call.callee in self.spec.fresh_results:
            return EMPTY
        inputs = ([receiver] if receiver is not None else []) + args + list(kwargs.values())
        clears = self._sanitizer_clears(call)
        if clears is not None:
            return EMPTY if ALL in clears else with_step(cleared(derived(*inputs), clears), call.node,
                                                        f"escaped by `{call.callee or call.method}`")
        if call.callee in self.spec.container_factories and not args:
            return Value(fields=())
        if call.callee in self.spec.url_parsers and args:
            source = call.args[0]
            return Value(args[0].labels, parsed_from=source.id if isinstance(source, ir.Name) else None)
        if call.callee in self.spec.path_normalisers or (call.method in self.spec.path_normalisers and receiver):
            return with_step(cleared(derived(*inputs), {NORMALISED}), call.node, "normalised")
        if call.callee in self.spec.response_builders and args:
            body = args[0].items[0] if args[0].items else args[0]  # make_response((body, status, headers))
            return derived(body)
        if receiver is not None and call.method and not _is_module(call.receiver):
            return self._method_result(interp, call, receiver, args, env)
        return None

    def _sanitizer_clears(self, call: ir.Call) -> frozenset[str] | None:
        if call.callee in self._sanitizers_by_callee:
            return self._sanitizers_by_callee[call.callee]
        if call.receiver is not None and call.method in self._sanitizers_by_method:
            return self._sanitizers_by_method[call.method]
        name = call.callee or ""
        if name and "." not in name or name.rsplit(".", 1)[-1] == call.method:
            # a helper whose body we cannot see: trust an explicit HTML-escaping name
            if "escape" in name.lower() and _HTML_ESCAPER_NAME.search(name.rsplit(".", 1)[-1]):
                return frozenset({"xss"})
        return None

    def _method_result(self, interp: Interpreter, call: ir.Call, receiver: Value, args: list[Value],
                       env: dict) -> Value | None:
        method = call.method
        holder = call.receiver.id if isinstance(call.receiver, ir.Name) and call.receiver.id in env else None
        if method == "replace" and len(args) >= 2:
            return _after_replace(receiver, args, call.node)
        if method == "join" and args:
            items = args[0]
            const = UNKNOWN
            if isinstance(receiver.const, str) and items.items is not None and \
                    all(isinstance(i.const, str) for i in items.items):
                const = receiver.const.join(i.const for i in items.items)
            return derived(receiver, items, const=const)
        if method == "get" and receiver.fields is not None and args:
            key = args[0].const if len(args) == 1 or len(call.args) == 2 and receiver.field(args[0].const) \
                else UNKNOWN
            if len(args) == 2 and receiver.field((args[0].const, args[1].const)) is not None:
                return receiver.field((args[0].const, args[1].const))
            found = receiver.field(key) if key is not UNKNOWN else None
            if found is not None:
                return found
            if key is not UNKNOWN and len(args) == 1:
                return EMPTY
        if method == "pop" and receiver.items is not None and holder:
            return self._pop(receiver, args, env, holder)
        if holder and method == "set" and receiver.fields is not None and len(args) == 3 \
                and args[0].const is not UNKNOWN and args[1].const is not UNKNOWN:
            env[holder] = interp._with_field(receiver, (args[0].const, args[1].const), args[2])
            return EMPTY
        if holder and method in self.spec.appending_methods and args:
            items = receiver.items + (args[-1],) if receiver.items is not None and method == "append" else None
            env[holder] = Value(merge_labels(receiver.labels, args[-1].labels), items=items,
                                fields=None if receiver.fields is None else receiver.fields)
            return EMPTY
        if holder and method in self.spec.extending_methods and args:
            env[holder] = Value(merge_labels(receiver.labels, *(a.labels for a in args)))
            return EMPTY
        return None

    @staticmethod
    def _pop(receiver: Value, args: list[Value], env: dict, holder: str) -> Value:
        items = list(receiver.items)
        index = args[0].const if args else -1
        if not isinstance(index, int) or not -len(items) <= index < len(items):
            env[holder] = derived(receiver)
            return derived(receiver)
        taken = items.pop(index)
        env[holder] = Value(merge_labels(*(i.labels for i in items)), items=tuple(items))
        return taken

    # -- guards ------------------------------------------------------------------------

    def refine(self, interp: Interpreter, test: ir.Expr, outcome: bool, env: dict) -> dict:
        if isinstance(test, ir.Not):
            return self.refine(interp, test.operand, not outcome, env)
        if isinstance(test, ir.BoolOp):
            if (test.op == "and") == outcome:  # `a and b` true: both hold; `a or b` false: neither holds
                for value in test.values:
                    env = self.refine(interp, value, outcome, env)
                return env
            # `a or b` true (or `a and b` false): one of them decided it, so only what all of them prove holds
            branches = [self.refine(interp, value, outcome, dict(env)) for value in test.values]
            joined = branches[0]
            for branch in branches[1:]:
                joined = join_envs(joined, branch)
            return joined
        if isinstance(test, ir.Compare) and len(test.ops) == 1 and len(test.operands) == 2:
            return self._refine_compare(interp, test, outcome, env)
        if isinstance(test, ir.Call) and outcome:
            return self._refine_call(interp, test, env)
        return env

    def _refine_compare(self, interp: Interpreter, test: ir.Compare, outcome: bool, env: dict) -> dict:
        op = test.ops[0]
        left, right = test.operands
        left_value = interp.eval(left, env)
        if op in ("in", "not in"):
            absent = (op == "in") != outcome
            needle = left_value.const
            subject = _subject(right)
            if isinstance(needle, str) and subject and absent:
                return _clear(env, subject, _classes_for_text(needle))
            subject = _subject(left)
            present = not absent
            if subject and present and _is_collection(interp, right, env):
                return _clear_allow_listed(env, subject, left)
            host_owner = self._host_subject(left)
            if host_owner and present and _is_collection(interp, right, env):
                return _clear_host(env, host_owner)
        if op in ("==", "!=") and (op == "==") == outcome:
            right_value = interp.eval(right, env)
            subject = _subject(left)
            if subject and right_value.const is not UNKNOWN:
                env[subject] = Value(const=right_value.const)
                return env
            host_owner = self._host_subject(left)
            if host_owner and right_value.const is not UNKNOWN:
                return _clear_host(env, host_owner)
        return env

    def _host_subject(self, expr: ir.Expr) -> str | None:
        """`parsed` in `parsed.netloc`, or `url` in `urlparse(url).hostname`."""
        if not isinstance(expr, ir.Attr) or expr.attr not in self.spec.url_host_attributes:
            return None
        if isinstance(expr.obj, ir.Name):
            return expr.obj.id
        parsed = expr.obj
        if isinstance(parsed, ir.Call) and parsed.args and isinstance(parsed.args[0], ir.Name) \
                and parsed.callee and parsed.callee.rsplit(".", 1)[-1] in self._url_parser_names:
            return parsed.args[0].id
        return None

    def _refine_call(self, interp: Interpreter, test: ir.Call, env: dict) -> dict:
        if test.method in self.spec.validating_methods and test.receiver is not None:
            subject = _subject(test.receiver)
            return _clear(env, subject, {ALL}) if subject else env
        if test.callee in self.spec.regex_checks and len(test.args) >= 2:
            pattern = interp.eval(test.args[0], env).const
            anchored = test.callee == "re.fullmatch" or (
                isinstance(pattern, str) and pattern.startswith("^") and pattern.endswith(("$", r"\Z")))
            subject = _subject(test.args[1])
            return _clear(env, subject, {ALL}) if subject and anchored else env
        if test.method == "fullmatch" and test.receiver is not None and test.args:
            subject = _subject(test.args[0])
            return _clear(env, subject, {ALL}) if subject else env
        if test.method == "startswith" and test.receiver is not None:
            subject = _subject(test.receiver)
            value = env.get(subject) if subject else None
            if value is not None and value.labels and all(NORMALISED in l.cleared for l in value.labels):
                return _clear(env, subject, {"path"})
        return env


# -- small helpers --------------------------------------------------------------------

def _root_name(attr: ir.Attr) -> str | None:
    node: ir.Expr = attr
    while isinstance(node, ir.Attr):
        node = node.obj
    return node.id if isinstance(node, ir.Name) else None


def _is_module(expr: ir.Expr | None) -> bool:
    """`os.path` in `os.path.join(...)`: an imported module, not an object with methods."""
    return isinstance(expr, (ir.Name, ir.Attr)) and expr.qualified is not None


def _shadowed(call: ir.Call, env: dict) -> bool:
    root = call.callee.split(".")[0] if call.callee else None
    return root is not None and root in env and env[root].function is None and root != call.callee


def _subject(expr: ir.Expr) -> str | None:
    """The variable a check is about: `x`, `str(x)`, `x.lower()`, `x[1:-1]`."""
    if isinstance(expr, ir.Name):
        return expr.id
    if isinstance(expr, ir.Call) and expr.callee == "str" and len(expr.args) == 1:
        return _subject(expr.args[0])
    if isinstance(expr, ir.Call) and expr.method in ("lower", "upper", "strip", "casefold") and expr.receiver:
        return _subject(expr.receiver)
    if isinstance(expr, ir.Subscript) and expr.index is None:
        return _subject(expr.obj)
    return None


def _is_collection(interp: Interpreter, expr: ir.Expr, env: dict) -> bool:
    if isinstance(expr, (ir.Sequence, ir.Mapping)):
        return True
    value = interp.eval(expr, env)
    return isinstance(value.const, (tuple, frozenset)) or value.items is not None or value.fields is not None \
        or (isinstance(expr, (ir.Name, ir.Attr)) and not value.labels)


def _clear(env: dict, name: str | None, classes: set[str] | frozenset[str]) -> dict:
    if name and name in env and classes:
        env[name] = cleared(env[name], classes)
    return env


def _clear_allow_listed(env: dict, name: str, expr: ir.Expr) -> dict:
    return _clear(env, name, {ALL})


def _clear_host(env: dict, owner: str) -> dict:
    env = _clear(env, owner, {"redirect", "ssrf"})
    parsed_from = env[owner].parsed_from if owner in env else None
    return _clear(env, parsed_from, {"redirect", "ssrf"}) if parsed_from else env


def _classes_for_text(text: str) -> set[str]:
    classes: set[str] = set()
    for characters, affected in DANGEROUS_CHARACTERS:
        if characters in text:
            classes |= affected
    return classes


def _after_replace(receiver: Value, args: list[Value], node: object) -> Value:
    old, new = args[0].const, args[1].const
    result = derived(receiver, args[1])
    if isinstance(old, str) and isinstance(new, str) and len(old) == 1 and old not in new:
        removed = {cls for characters, affected in DANGEROUS_CHARACTERS if characters == old
                   for cls in affected}
        return with_step(cleared(result, removed), node, f"`{old}` replaced") if removed else result
    return result
