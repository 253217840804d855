"""Rules decided by dataflow: where the data at a sink comes from.

Two building blocks:

- `TaintAware`: a mixin for pattern rules whose pattern is a dangerous call
  with non-constant data (shell commands, SQL built by formatting, ...).  The
  dataflow verdict on the data argument decides the hit: attacker data from a
  known source makes it high confidence with a trace; data from parameters
  (unknown callers) keeps the rule's own confidence; data that provably comes
  from neither (constants, values that passed a sanitiser or a guard) drops it.
- `TaintSinkRule`: a rule made only of the sinks of one vulnerability class in
  the framework knowledge (`secreview.knowledge`); it reports attacker data
  reaching them, where the sink's condition (`taint.conditions`) holds.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator
from typing import ClassVar

import tree_sitter as ts

from secreview import taint
from secreview.knowledge import registry
from secreview.lang.python.file import Call, PyFile
from secreview.model import Confidence, Evidence
from secreview.rules import AnalysisLimitExceeded, Hit, Rule
from secreview.rules._dataflow import STRENGTH as _STRENGTH, source_note, trace_of
from secreview.rules import shorten
from secreview.taint.conditions import CONDITIONS


def _finish(analysis) -> None:
    if analysis.incomplete:
        raise AnalysisLimitExceeded(analysis.incomplete)


class TaintAware:
    """Mixin (list it before the pattern base class) that lets dataflow judge each hit."""
    hit_evidence = frozenset({Evidence.DATAFLOW})

    vulnerability: ClassVar[str]
    # True when another rule of the family reports the hits attacker data reaches (code-injection
    # for eval-non-literal): this rule keeps only the hits whose data comes from callers.
    defers_sourced: ClassVar[bool] = False
    # Without a hit's own data node, judge all the call's arguments (False: keep the hit unjudged).
    judge_all_arguments: ClassVar[bool] = True

    def sourced_hit(self, file: PyFile, call: Call, node: ts.Node | None, values: dict[str, str]) -> Hit | None:
        """A hit for a query that is not built in sight but arrives from an attacker source as a whole
        (built elsewhere: `io.StringIO` writes, a helper's return value, a container)."""
        if node is None or file.is_constant(node):
            return None
        verdict = taint.provenance(taint.analysis_for(file), node, self.vulnerability)
        if not verdict.from_source:
            return None
        how = f"code that inserts {verdict.label.name}"
        return Hit(call.node, {"how": how, "values": "the request values", "argument": shorten(file.text_of(node)),
                               **values}, data=node, evidence=Evidence.DATAFLOW)

    def data_nodes(self, file: PyFile, hit: Hit) -> list[ts.Node]:
        """The nodes whose data decides this hit: the hit's own, else every argument of the call."""
        if hit.data is not None:
            return [hit.data]
        if not self.judge_all_arguments:
            return []
        if hit.node.type != "call":
            return hit.node.named_children[:1]
        call = file.call_at(hit.node)
        return list(call.args) + list(call.kwargs.values())

    def review(self, file: PyFile) -> Iterator[Hit]:
        hits = list(self.check(file))  # type: ignore[attr-defined]
        if not hits:
            return
        analysis = taint.analysis_for(file)
        for hit in hits:
            judged = self.judge(file, analysis, hit)
            if judged is not None:
                yield judged
        _finish(analysis)

    def judge(self, file: PyFile, analysis, hit: Hit) -> Hit | None:
        nodes = self.data_nodes(file, hit)
        if not nodes:
            return hit
        verdict = max((taint.provenance(analysis, node, self.vulnerability) for node in nodes),
                      key=lambda p: _STRENGTH[p.kind])
        if verdict.kind == "none":
            return None
        if verdict.from_source and self.defers_sourced:
            return None
        if verdict.from_source:
            return dataclasses.replace(hit, confidence=Confidence.HIGH,
                                       trace=trace_of(verdict) + ((hit.node, "reaches the sink"),),
                                       note=source_note(file, verdict, f"`{shorten(file.text_of(hit.node), 60)}`"),
                                       evidence=Evidence.DATAFLOW)
        return hit


class TaintSinkRule(Rule):
    """Reports attacker data reaching the spec's sinks of one vulnerability class."""
    hit_evidence = frozenset({Evidence.DATAFLOW})

    vulnerability: ClassVar[str]
    sourced_confidence: ClassVar[Confidence] = Confidence.HIGH

    def sink_calls(self, file: PyFile) -> Iterator[tuple[Call, object, ts.Node]]:
        for sink in registry.python().sinks:
            if sink.cls != self.vulnerability:
                continue
            if sink.requires_import and not file.imports_module(sink.requires_import):
                continue
            calls = file.calls_to(sink.callee) if sink.callee else file.method_calls(sink.method)
            for call in calls:
                if sink.method and call.receiver is None:
                    continue
                if sink.when and not CONDITIONS[sink.when](file, call):
                    continue
                node = call.receiver if sink.arg is None and sink.keyword is None else call.arg(sink.arg, sink.keyword)
                if node is not None:
                    yield call, sink, _payload(node)

    def check(self, file: PyFile) -> Iterator[Hit]:
        candidates = list(self.sink_calls(file)) + list(self.extra_sinks(file))
        if not candidates:
            return
        analysis = taint.analysis_for(file)
        for call_node, description, data in self._normalise(candidates):
            parts = self.deciding_parts(file, data)
            if not parts:
                continue
            verdict = max((taint.provenance(analysis, part, self.vulnerability) for part in parts),
                          key=lambda p: _STRENGTH[p.kind])
            if verdict.kind in ("source", "local"):
                # the local user's own input matters only for privileged programs: shown on request
                confidence = self.sourced_confidence if verdict.from_source else Confidence.LOW
                yield Hit(call_node, {"sink": description, "argument": shorten(file.text_of(data)),
                                      "source": verdict.label.name},
                          confidence=confidence,
                          trace=trace_of(verdict) + ((call_node, f"reaches {description}"),),
                          note=source_note(file, verdict, description),
                          evidence=Evidence.DATAFLOW if verdict.from_source else None)
        _finish(analysis)

    @staticmethod
    def _normalise(candidates: Iterable[tuple]) -> Iterator[tuple[ts.Node, str, ts.Node]]:
        for candidate in candidates:
            if isinstance(candidate[0], Call):
                call, sink, data = candidate
                yield call.node, f"`{call.name or call.method}` ({sink.description})", data
            else:
                yield candidate

    def deciding_parts(self, file: PyFile, data: ts.Node) -> list[ts.Node]:
        """The parts of the sink's data whose origin decides the finding (default: all of it)."""
        return [data]

    def extra_sinks(self, file: PyFile) -> Iterable[tuple[ts.Node, str, ts.Node]]:
        """Sinks that are not calls (stores, returns): (node to report, description, data node)."""
        return ()


def _payload(node: ts.Node) -> ts.Node:
    """For `make_response((body, headers))` the body is what is rendered."""
    if node.type in ("tuple", "parenthesized_expression") and node.named_children:
        return _payload(node.named_children[0])
    return node


_FIXED_HOST = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#]+[/?#]")


def url_host_parts(file: PyFile, data: ts.Node, *, relative_is_fixed: bool) -> list[ts.Node]:
    """The parts of a URL expression that choose where it points (scheme and host).

    `"https://api.example.com/" + path` and `urlunsplit((scheme, host, path, query, ""))` with a
    fixed host point where the code says, whatever the path; a plain value decides everything.
    With `relative_is_fixed`, a path starting with a single `/` stays on this site (redirects).
    """
    expression = _defining_expression(file, data)
    if expression.type == "call":
        call = file.call_at(expression)
        if call.name in registry.python().url_builders and call.args and call.args[0].type in ("tuple", "list"):
            return call.args[0].named_children[:2]
    prefix = _constant_prefix(file, expression)
    if prefix is not None and (_FIXED_HOST.match(prefix) or
                               relative_is_fixed and prefix.startswith("/") and not prefix.startswith("//")):
        return []
    return [data]


def _defining_expression(file: PyFile, node: ts.Node) -> ts.Node:
    """A name's value expression when one plain assignment in the same scope defines it."""
    if node.type != "identifier":
        return node
    bindings = file.bindings_before(node)
    if len(bindings) != 1:
        return node
    value = file.bound_value(*bindings[0])
    return value if value is not None else node


def _constant_prefix(file: PyFile, node: ts.Node) -> str | None:
    """The constant text a string-building expression starts with, if any."""
    if node.type == "binary_operator" and file.text_of(node.child_by_field_name("operator")) in ("+", "%"):
        return _constant_prefix(file, node.child_by_field_name("left"))
    if node.type == "string":
        first = next((c for c in node.named_children if c.type in ("string_content", "interpolation")), None)
        if first is not None and first.type == "string_content":
            return file.text_of(first)
        return None
    if node.type == "concatenated_string" and node.named_children:
        return _constant_prefix(file, node.named_children[0])
    if node.type == "call" and file.call_at(node).method == "format" and file.call_at(node).receiver is not None:
        return _constant_prefix(file, file.call_at(node).receiver)
    value = file.constant_value(node)
    return value if isinstance(value, str) else None
