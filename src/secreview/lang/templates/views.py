"""The Python views that render a template, and what each template variable holds there.

A rendering is a call the knowledge declares (`TemplateRender`): `render_template("x.html",
name=value)`, `render(request, "x.html", {"name": value})`, `get_template("x.html").render(...)`,
`@aiohttp_jinja2.template("x.html")` handlers returning a dict.  The index is built once per run
from the Python sources (only files whose text mentions a template name are parsed); a template
is linked to the renderings naming it whose Python file lies closest to it in the tree.

What a variable holds is judged with the dataflow engine on the view's file (attacker input:
`request`), and with the knowledge's stored-record calls (an ORM object, a query row).  The
index reads only the sources it was given; the engine records those as consulted by every
template's analysis (see engine.py), so a changed view invalidates the template's cached result.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import tree_sitter as ts

from secreview import taint
from secreview.knowledge import registry
from secreview.knowledge.schema import TemplateRender
from secreview.lang import shorten
from secreview.lang.base import FileContext
from secreview.lang.python.file import Call, PyFile
from secreview.lang.python.origins import origin_call
from secreview.lang.python.syntax import unwrap
from secreview.lang.templates.expressions import DJANGO, JINJA2, MAKO, TORNADO

_TEMPLATE_NAME = re.compile(r"""['"][^'"\n]+\.(?:html?|xml|txt|jinja2?|j2|djhtml|mako|tmpl|tpl)['"]""")
_ATTACKER, _STORED, _CONSTANT = "request data", "a stored record", "a constant"


@dataclass(frozen=True)
class Rendering:
    """One call rendering a template by name, with its context values (None: not a single expression)."""

    file: PyFile
    call: Call
    template: str
    dialect: str
    context: dict[str, ts.Node | None]

    @property
    def where(self) -> str:
        return f"{self.file.path}:{self.call.line}"


@dataclass(frozen=True)
class Origin:
    """Where a view's value for a template variable comes from."""

    kind: str  # "request data" | "a stored record" | "" (nothing known to be outside data)
    rendering: Rendering
    value: ts.Node | None
    detail: str = ""  # the source, e.g. "Flask request query-string parameters (line 12)"

    def note(self, variable: str) -> str:
        value = shorten(self.rendering.file.text_of(self.value), 60) if self.value is not None else "?"
        where = f"`{variable}` is `{value}` in the view at {self.rendering.where}"
        return f"{where}: {self.kind}" + (f" ({self.detail})" if self.detail else "") if self.kind else where


class ViewIndex:
    """Renderings by template name over the Python sources of one run."""

    def __init__(self, sources: Sequence, project=None, budget: int = taint.DEFAULT_STEP_BUDGET) -> None:
        self._sources = [s for s in sources if s.language == "python" and _TEMPLATE_NAME.search(s.text)]
        self._project = project
        self._budget = budget
        self._renderings: list[Rendering] | None = None
        self.frameworks = _frameworks(s.text for s in sources if s.language == "python")

    def renderings(self) -> list[Rendering]:
        if self._renderings is None:
            self._renderings = [r for source in self._sources for r in self._of_source(source)]
        return self._renderings

    def _of_source(self, source) -> list[Rendering]:
        try:
            file = PyFile(source.path, source.text, context=FileContext(self._project, self._budget))
            return list(_renderings(file))
        except (RecursionError, ValueError):  # a view we cannot read only costs the link
            return []

    def of_template(self, path: str) -> list[Rendering]:
        """The renderings naming the template at `path`, from the Python files nearest to it."""
        normalised = path.replace(os.sep, "/")
        matching = [r for r in self.renderings() if normalised == r.template or
                    normalised.endswith("/" + r.template.lstrip("/"))]
        if not matching:
            return []
        nearness = {id(r): _common_depth(r.file.path, path) for r in matching}
        best = max(nearness.values())
        return [r for r in matching if nearness[id(r)] == best]


def _common_depth(first: str, second: str) -> int:
    a, b = os.path.abspath(first).split(os.sep), os.path.abspath(second).split(os.sep)
    depth = 0
    for left, right in zip(a[:-1], b[:-1]):
        if left != right:
            break
        depth += 1
    return depth


def _frameworks(texts: Iterable[str]) -> frozenset[str]:
    """The template dialects the project's Python imports (jinja2 for Flask, Quart and aiohttp_jinja2)."""
    found: set[str] = set()
    for text in texts:
        if re.search(r"^\s*(?:from|import)\s+django\b", text, re.M):
            found.add(DJANGO)
        if re.search(r"^\s*(?:from|import)\s+(?:flask|quart|jinja2|aiohttp_jinja2|fastapi\.templating)\b", text, re.M):
            found.add(JINJA2)
        if re.search(r"^\s*(?:from|import)\s+mako\b", text, re.M):
            found.add(MAKO)
        if re.search(r"^\s*(?:from|import)\s+tornado\.(?:web|template)\b", text, re.M):
            found.add(TORNADO)
    return frozenset(found)


def string_renderings(file: PyFile) -> list[Rendering]:
    """Templates compiled from a constant string (`render_template_string("<p>{{ x }}</p>", x=v)`): the
    rendering's `template` is the source text."""
    return list(_renderings(file, from_string=True))


def _renderings(file: PyFile, *, from_string: bool = False) -> Iterator[Rendering]:
    for spec in registry.python().template_renders:
        if spec.from_string != from_string:
            continue
        calls = file.calls_to(spec.callee) if spec.callee else file.method_calls(spec.method)
        for call in calls:
            name = file.constant_value(call.arg(*spec.name))
            if not isinstance(name, str) or not name:
                continue
            dialect = _dialect(file, spec)
            for context in _contexts(file, call, spec):
                yield Rendering(file, call, name, dialect, context)


def _dialect(file: PyFile, spec: TemplateRender) -> str:
    if spec.callee:
        return spec.dialect
    # a `get_template` method: the loader's library decides
    for module, dialect in (("mako", MAKO), ("django", DJANGO)):
        if file.imports_module(module):
            return dialect
    return spec.dialect


def _contexts(file: PyFile, call: Call, spec: TemplateRender) -> Iterator[dict[str, ts.Node | None]]:
    if spec.decorator:
        function = _decorated_function(call.node)
        for value in _returned_values(file, function) if function is not None else ():
            yield _mapping(file, value)
        return
    for render in (_later_renders(file, call) if spec.loads else [call]):
        context = _mapping(file, render.arg(*spec.context)) if spec.context != (None, None) else {}
        if spec.context_keywords:
            context.update({k: v for k, v in render.kwargs.items() if k not in (spec.context[1], spec.name[1])})
        yield context


def _later_renders(file: PyFile, call: Call) -> list[Call]:
    """The `.render(...)` calls on the template object `call` returns (directly or through a local name)."""
    found = []
    for render in file.method_calls("render", "render_unicode", "generate", "stream"):
        receiver = unwrap(render.receiver)
        if receiver is None:
            continue
        if receiver.id == call.node.id or origin_call(file, receiver) == call:
            found.append(render)
    return found


def _decorated_function(node: ts.Node) -> ts.Node | None:
    decorator = node.parent
    if decorator is None or decorator.type != "decorator" or decorator.parent is None:
        return None
    return decorator.parent.child_by_field_name("definition")


def _returned_values(file: PyFile, function: ts.Node) -> list[ts.Node]:
    return [statement.named_children[0] for statement in file.nodes("(return_statement) @r", "r", function)
            if statement.named_children]


def _mapping(file: PyFile, node: ts.Node | None) -> dict[str, ts.Node | None]:
    """Keys and value expressions of a context mapping: a dict display, `dict(k=v)`, `Context({...})`, or a
    name bound to one (with its later `context["key"] = value` items)."""
    node = unwrap(node)
    if node is None:
        return {}
    if node.type == "identifier":
        values = [file.bound_value(b, i) for b, i in file.reaching_bindings(node)]
        if len(values) == 1 and values[0] is not None and values[0].type in ("dictionary", "call"):
            return {**_mapping(file, values[0]), **_item_assignments(file, node)}
        return {}
    if node.type == "call":
        call = file.call_at(node)
        if call.name == "dict" and not call.args:
            return dict(call.kwargs)
        if len(call.args) == 1 and unwrap(call.args[0]).type == "dictionary":  # Django's `Context({...})`
            return _mapping(file, call.args[0])
        return {}
    if node.type != "dictionary":
        return {}
    context: dict[str, ts.Node | None] = {}
    for pair in node.named_children:
        key = file.constant_value(pair.child_by_field_name("key")) if pair.type == "pair" else None
        if isinstance(key, str):
            context[key] = pair.child_by_field_name("value")
    return context


def _item_assignments(file: PyFile, name: ts.Node) -> dict[str, ts.Node | None]:
    """`context["key"] = value` statements on the context's name in the same scope."""
    scope = file.enclosing_scope(name)
    found: dict[str, ts.Node | None] = {}
    for assignment in file.assignments():
        left = assignment.child_by_field_name("left")
        if left is None or left.type != "subscript" or file.enclosing_scope(assignment) != scope:
            continue
        if file.text_of(left.child_by_field_name("value")) != file.text_of(name):
            continue
        key = file.constant_value(left.child_by_field_name("subscript"))
        if isinstance(key, str):
            found[key] = assignment.child_by_field_name("right")
    return found


def origin_of(rendering: Rendering, variable: str) -> Origin | None:
    """Where the view's value for `variable` comes from; None when the view does not pass it."""
    if variable not in rendering.context:
        return None
    value = rendering.context[variable]
    if value is None:
        return Origin("", rendering, None)
    if rendering.file.is_constant(value):
        return Origin(_CONSTANT, rendering, value)
    # a record read by a request-supplied key holds what was stored, not the request: stored decides first
    stored = stored_record(rendering.file, value)
    if stored:
        return Origin(_STORED, rendering, value, stored)
    verdict = taint.provenance(taint.analysis_for(rendering.file), value, "xss")
    if verdict.from_source:
        label = verdict.label
        origin = getattr(label.origin, "start_point", None)
        return Origin(_ATTACKER, rendering, value, label.name + (f", line {origin[0] + 1}" if origin else ""))
    parameter = _url_parameter(rendering, verdict)
    if parameter:
        return Origin(_ATTACKER, rendering, value, parameter)
    return Origin("", rendering, value)


def _url_parameter(rendering: Rendering, verdict) -> str:
    """A Django view's URL capture: a parameter after `request` of the function rendering the template."""
    if verdict.kind != "param" or verdict.label is None:
        return ""
    function = rendering.file.enclosing_scope(rendering.call.node)
    parameters = function.child_by_field_name("parameters") if function.type == "function_definition" else None
    names = [_parameter_name(rendering.file, p) for p in parameters.named_children] if parameters else []
    request_names = {source.parameter for source in registry.python().parameter_sources}
    if len(names) > 1 and names[0] in request_names and verdict.label.name in names[1:]:
        return f"URL path parameter `{verdict.label.name}` of the view"
    return ""


def _parameter_name(file: PyFile, node: ts.Node) -> str:
    name = node if node.type == "identifier" else node.child_by_field_name("name")
    return file.text_of(name) if name is not None else ""


def is_attacker(origin: Origin) -> bool:
    return origin.kind == _ATTACKER


def is_constant(origin: Origin) -> bool:
    return origin.kind == _CONSTANT


def is_stored(origin: Origin) -> bool:
    return origin.kind == _STORED


def stored_record(file: PyFile, node: ts.Node) -> str:
    """`Model.objects.get(...)` (or a name or attribute of one): the call reading a stored record, else ""."""
    node = unwrap(node)
    while node is not None and node.type in ("attribute", "subscript"):
        node = unwrap(node.named_children[0]) if node.named_children else None
    call = origin_call(file, node)
    for _ in range(4):  # `Model.objects.filter(...).order_by(...).first()`: walk down the chain
        if call is None:
            return ""
        if _reads_records(file, call):
            return f"`{shorten(file.text_of(call.node), 60)}`, line {call.line}"
        call = origin_call(file, call.receiver) if call.receiver is not None else None
        if call is None:
            return ""
    return ""


def _reads_records(file: PyFile, call: Call) -> bool:
    for records in registry.python().stored_records:
        if call.name in records.callees or call.method in records.methods:
            return True
        receiver = unwrap(call.receiver)
        if receiver is not None and receiver.type == "attribute":
            attribute = receiver.child_by_field_name("attribute")
            if attribute is not None and file.text_of(attribute) in records.managers:
                return True
    return False
