r"""Result that can be None used without a check (`re.match(...).group()`, `d.get(k).x`).

## What it does
Flags an attribute access, method call or subscript applied to a value that
is None in an ordinary situation, when nothing checks it first:

- the result of `re.match`/`re.search`/`re.fullmatch` (or the same methods of
  a compiled pattern): `.group()`, `.groups()`, `.groupdict()`,
  `.start()`/`.end()`/`.span()` or `[1]` on it, directly or through a name
  (`m = PATTERN.match(line)` followed by `m.group(1)` with no `if m`);
- `mapping.get(key)` without a default on request parameters and headers,
  `os.environ`, `**kwargs` or a dict built in sight, followed by `.lower()`,
  `.split(...)`, `[...]` and the like;
- ElementTree/lxml/BeautifulSoup `find(...)` followed by `.text`, `.attrib`,
  `.get(...)` or another `find`;
- `next(iterator, None)`;
- a call of a function in sight that returns None on some path while it
  returns a value on others (lang/python/returns.py): a function of this
  file, `self.method(...)` of its class family, or a module-level function
  of another reviewed module imported by name (lang/python/callers.py).
  A None path chosen by an optional parameter (`if check_only: return`)
  counts only where the call passes that parameter, and one taken only when
  a parameter is None (`if value is None: return None`) not at all. These
  findings are low confidence: near real fixes they land no better than
  chance (docs/benchmarks.md, "Crash analyses with callers").

Not flagged: a constant subject, patterns that always match (`\s*`), uses
inside a `try` that catches `AttributeError`/`TypeError` (or `Exception`), a
value tested first (`if m:`, `m and m.group(1)`, `if not m: return`), and a
call that the enclosing condition already tested (`if P.match(x): P.match(x).group()`).
Confidence is high when the subject is attacker data (a request parameter or
header, by dataflow); medium for `.get(key)` on a request, environment,
`**kwargs` or parsed-JSON mapping; low (hidden by default) for regex matches
and XML look-ups on data of unknown origin, which are often known to match.
For `kwargs.get("key")` on the function's own `**kwargs` the calls in sight
(this file's and the run's other production files', lang/python/callers.py)
decide: one that omits the key is named and
keeps medium confidence, every call passing it means no finding, and with no
call in sight the finding is low confidence.

## Why is this bad?
The None case is not an error the code expects: a line in an unexpected
format, a missing header or query parameter, a missing XML element. The
dereference then raises `AttributeError: 'NoneType' object has no attribute
'group'` (or `TypeError` for a subscript) in the middle of the operation. With
request data, any client can trigger it at will: the handler fails with a
500 error, a worker or a periodic task dies, or a multi-step operation stops
half done and leaves resources in an inconsistent state (CWE-690, a denial of
service through an unchecked return value).

## Example
```python
import re

VERSION_RE = re.compile(r"v(\d+)\.(\d+)")

def api_version(header):
    return int(VERSION_RE.match(header).group(1))
```

## Use instead
```python
import re

VERSION_RE = re.compile(r"v(\d+)\.(\d+)")

def api_version(header):
    match = VERSION_RE.match(header)
    if match is None:
        raise ValueError(f"bad version header: {header!r}")
    return int(match.group(1))
```

## References
- https://cwe.mitre.org/data/definitions/690.html
- https://cwe.mitre.org/data/definitions/476.html
- https://docs.python.org/3/library/re.html#re.match
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import tree_sitter as ts

from secreview import taint
from secreview.lang.python.callers import Supply, callee_none_return, supply
from secreview.lang.python.exceptions import caught_by
from secreview.lang.python.file import Call, PyFile
from secreview.lang.python.flow import tested_earlier
from secreview.lang.python.regexes import compiled_regex, matches_empty_always, regex_of_call
from secreview.lang.python.requests import may_hold_remote_input, request_rooted
from secreview.lang.python.scopes import NESTED_SCOPES, names_after
from secreview.lang.python.syntax import unwrap
from secreview.model import Confidence, Severity
from secreview.rules import Hit, Rule
from secreview.rules import shorten
from secreview.rules.python._taint import source_note, trace_of

_ERRORS = frozenset({"AttributeError", "TypeError", "KeyError"})
_EXCEPTION = {"match": "AttributeError", "get": "AttributeError (or TypeError)", "find": "AttributeError",
              "callee": "AttributeError (or TypeError)", "next": "AttributeError (or TypeError)"}
_LOOKUPS = frozenset({"match", "search", "fullmatch", "get", "find"})


class OptionalResultDereferenced(Rule):
    id = "optional-result-dereferenced"
    cwe = 690
    severity = Severity.LOW
    confidence = Confidence.MEDIUM
    message = "`{call}` can return None {when}, and `{use}` dereferences it unchecked"
    description = (
        "`{call}` returns None {when}, and `{use}` uses the result{through} without checking it. When that "
        "happens (a value in an unexpected format, a missing key or element) the code raises {exception} "
        "instead of handling the case: the request fails with a 500 error, the worker or task stops, or a "
        "multi-step operation is left half done. Anyone who controls `{subject}` can trigger it at will."
    )
    solution = (
        "Check the result before using it: `{name} = {call}` then `if {name} is None:` handle the case "
        "(reject the input with a clear error, use a default, skip the item), and only then `{fixed_use}`."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        analysis = None
        for call in file.calls:
            found = _nullable(file, call) if call.method in _LOOKUPS else _absent_result(file, call)
            if found is None:
                continue
            hit = self._direct(file, found) or self._through_name(file, found)
            if hit is None:
                continue
            use_node, values = hit
            values.update({"call": shorten(file.text_of(call.node), 60), "when": found.when,
                           "exception": _EXCEPTION[found.kind],
                           "subject": shorten(file.text_of(found.subject), 40) if found.subject else "the input"})
            verdict = None
            if found.subject is not None and may_hold_remote_input(file) and request_rooted(file, found.subject):
                analysis = analysis or taint.analysis_for(file)
                verdict = taint.provenance(analysis, found.subject, "trust")
            if verdict is not None and verdict.from_source:
                yield Hit(use_node, values, confidence=Confidence.HIGH, severity=Severity.MEDIUM,
                          data=found.subject,
                          trace=trace_of(verdict) + ((use_node, "dereferenced without a None check"),),
                          note=source_note(file, verdict, f"`{shorten(file.text_of(call.node), 60)}`"))
            else:
                callers = _kwargs_callers(file, found)
                if callers is not None and callers.every_call_passes:
                    continue  # `kwargs.get("key")` where every call in sight passes the key
                # a regex or XML lookup on data of unknown origin is often known to match, and a `**kwargs`
                # key no call in sight omits is a guess: both hidden by default
                # a callee's None path: lift 1.2 near real fixes (docs/benchmarks.md), so shown on request
                low = found.kind in ("match", "find", "callee") or callers is not None and not callers.omitting
                yield Hit(use_node, values, data=found.subject, confidence=Confidence.LOW if low else None,
                          note=callers.note(file.string_literal_text(found.call.args[0]) or "") if callers else "")

    @staticmethod
    def _direct(file: PyFile, found: _Nullable) -> tuple[ts.Node, dict[str, str]] | None:
        dereference = _dereference_of(file, found.call.node, found.kind)
        if dereference is None:
            return None
        use, rest = dereference
        if caught_by(file, use, _ERRORS) or _tested(file, found, use):
            return None
        name = {"match": "match", "get": "value", "find": "element", "callee": "result", "next": "item"}[found.kind]
        return use, {"use": shorten(file.text_of(use), 60), "through": "", "name": name,
                     "fixed_use": f"{name}{shorten(rest, 40)}"}

    @staticmethod
    def _through_name(file: PyFile, found: _Nullable) -> tuple[ts.Node, dict[str, str]] | None:
        assign = found.call.node.parent
        if assign is None or assign.type != "assignment" or assign.child_by_field_name("right") != found.call.node:
            return None
        target = assign.child_by_field_name("left")
        if target is None or target.type != "identifier":
            return None
        name = file.text_of(target)
        scope = file.enclosing_scope(assign)
        for read in names_after(file, assign, name, scope):
            dereference = _dereference_of(file, read, found.kind)
            if dereference is None:
                return None  # tested, passed on, returned or rebound first: not ours to judge
            use, rest = dereference
            if caught_by(file, use, _ERRORS) or _in_other_branch(assign, use) or _tested(file, found, use, name):
                return None
            return use, {"use": shorten(file.text_of(use), 60), "name": name,
                         "through": f" (through `{name}`, assigned on line {assign.start_point[0] + 1})",
                         "fixed_use": f"{name}{shorten(rest, 40)}"}
        return None


def _tested(file: PyFile, found: _Nullable, use: ts.Node, name: str = "") -> bool:
    """The same call, or for `mapping.get(key)` the key, was already tested by an enclosing or earlier
    condition (`if P.match(x):`, `if "key" in params:`, `if params.get("key"):`)."""
    texts = [file.text_of(found.call.node)]
    if found.kind == "get":
        texts.append(file.text_of(found.call.args[0]))
    if name:
        texts.append(name)
    return tested_earlier(file, use, texts)


def _in_other_branch(assign: ts.Node, use: ts.Node) -> bool:
    """The use sits in a different branch of an if/try than the binding (an else after `m = ...`)."""
    current = use.parent
    while current is not None and current.type not in NESTED_SCOPES:
        if current.type in ("else_clause", "elif_clause", "except_clause") and \
                not (current.start_byte <= assign.start_byte < current.end_byte):
            parent = current.parent
            if parent is not None and parent.start_byte <= assign.start_byte < parent.end_byte:
                return True
        current = current.parent
    return False


_MATCH_METHODS = frozenset({"match", "search", "fullmatch"})
_REGEX_NAME = re.compile(r"(?:^|_)(?:re|regex|regexp|rx|pattern|pat|matcher)$|(?:Regex|Pattern|RE)$", re.I)
_DICT_ATTRIBUTES = frozenset({"environ", "args", "form", "values", "headers", "cookies", "GET", "POST", "META",
                              "COOKIES", "query_params", "path_params", "json", "params", "kwargs"})
_DICT_FACTORIES = frozenset({"json.loads", "json.load", "yaml.safe_load", "toml.load", "toml.loads",
                             "tomllib.load", "tomllib.loads", "simplejson.loads", "ujson.loads", "orjson.loads"})
_TREE_MODULES = ("xml.etree", "lxml", "defusedxml", "bs4", "xml.dom")
_MATCH_DEREFERENCES = frozenset({"group", "groups", "groupdict", "start", "end", "span", "expand"})
_TREE_DEREFERENCES = frozenset({"text", "attrib", "tail", "get", "find", "findall", "findtext", "iter", "get_text",
                                "string", "items", "keys", "tag", "xpath"})


@dataclass(frozen=True)
class _Nullable:
    """A call whose result is None in a situation the caller must expect."""

    call: Call
    when: str  # "when the pattern does not match `value`"
    subject: ts.Node | None  # the data that decides it (the matched string, the looked-up mapping)
    kind: str  # "match", "get", "find", "next", "callee"


def _nullable(file: PyFile, call: Call) -> _Nullable | None:
    """If the call can return None (regex match, one-argument dict.get, ElementTree find), why."""
    if call.method in _MATCH_METHODS:
        module_call = call.name in ("re.match", "re.search", "re.fullmatch", "regex.match", "regex.search",
                                    "regex.fullmatch")
        if module_call:
            regex = regex_of_call(file, call)
            subject = call.arg(1, "string")
        elif call.receiver is not None:
            regex = compiled_regex(file, call.receiver)
            subject = call.arg(0, "string")
            receiver_name = file.text_of(call.receiver).rsplit(".", 1)[-1]
            if regex is None and not _REGEX_NAME.search(receiver_name):
                return None
        else:
            return None
        if subject is None or file.is_constant(subject):
            return None
        if regex is not None and regex.parsed is not None and call.method != "fullmatch" \
                and matches_empty_always(regex.parsed, search=call.method == "search"):
            return None  # `re.match(r"\s*", x)` always matches
        pattern = f" `{regex.text}`" if regex is not None else ""
        return _Nullable(call, f"when the pattern{pattern} does not match", subject, "match")
    if call.method == "get" and call.receiver is not None and len(call.args) == 1 and not call.kwargs \
            and not call.has_star_args and _is_mapping(file, call.receiver):
        key = call.args[0]
        return _Nullable(call, f"when the key `{file.text_of(key)}` is missing", call.receiver, "get")
    if call.method == "find" and call.receiver is not None and len(call.args) >= 1 \
            and any(file.imports_module(m) for m in _TREE_MODULES) and not file.is_constant(call.receiver):
        return _Nullable(call, "when no element matches", call.receiver, "find")
    return None


def _absent_result(file: PyFile, call: Call) -> _Nullable | None:
    """`next(iterator, None)`, or a call of a function in sight that returns None on some path, when its
    result is dereferenced or bound to a name (the cheap tests first: most calls are neither)."""
    parent = call.node.parent
    if parent is None or call.method is None or parent.type not in ("attribute", "subscript", "assignment") \
            or parent.type == "assignment" and getattr(parent.child_by_field_name("left"), "type", "") != "identifier":
        return None
    if call.name == "next" and len(call.args) == 2 and call.args[1].type == "none":
        return _Nullable(call, "when the iterator is exhausted", None, "next")
    absent = callee_none_return(file, call)
    if absent is None:
        return None
    return _Nullable(call, f"({absent.callee} {absent.how})", None, "callee")


def _is_mapping(file: PyFile, node: ts.Node, depth: int = 0) -> bool:
    """True when the expression is a dict-like mapping whose `.get(key)` returns None for a missing key:
    request parameters and headers, `os.environ`, `**kwargs`, or a name bound to a dict literal / `dict()`
    / `json.loads(...)`."""
    node = unwrap(node) or node
    if depth > 3:
        return False
    qualified = file.qualified_name(node) or ""
    if qualified in ("os.environ", "os.environb"):
        return True
    if node.type == "attribute":
        return file.text_of(node.child_by_field_name("attribute")) in _DICT_ATTRIBUTES
    if node.type == "dictionary":
        return True
    if node.type == "call":
        function = node.child_by_field_name("function")
        name = file.qualified_name(function) or ""
        if name in _DICT_FACTORIES:
            return True
        return function is not None and function.type == "attribute" and \
            file.text_of(function.child_by_field_name("attribute")) in ("json", "get_json")
    if node.type == "identifier":
        name = file.text_of(node)
        scope = file.enclosing_scope(node)
        if _is_kwargs_parameter(file, name, scope):
            return True
        bindings = file.reaching_bindings(node)
        values = [file.bound_value(*b) for b in bindings]
        return bool(values) and all(v is not None and _is_mapping(file, v, depth + 1) for v in values)
    return False


def _kwargs_callers(file: PyFile, found: _Nullable) -> Supply | None:
    """For `kwargs.get("key")` on the function's own `**kwargs`: what the calls in sight pass for the key."""
    subject = found.subject
    if found.kind != "get" or subject is None or subject.type != "identifier":
        return None
    scope = file.enclosing_scope(subject)
    key = file.string_literal_text(found.call.args[0])
    if key is None or not _is_kwargs_parameter(file, file.text_of(subject), scope):
        return None
    return supply(file, scope, key)


def _is_kwargs_parameter(file: PyFile, name: str, scope: ts.Node) -> bool:
    if scope.type not in ("function_definition", "lambda"):
        return False
    parameters = scope.child_by_field_name("parameters")
    for parameter in parameters.named_children if parameters is not None else ():
        if parameter.type == "dictionary_splat_pattern" and parameter.named_children \
                and file.text_of(parameter.named_children[0]) == name:
            return True
    return False


def _dereference_of(file: PyFile, node: ts.Node, kind: str) -> tuple[ts.Node, str] | None:
    """The attribute access, method call or subscript applied directly to `node`'s value, if any:
    (the dereferencing expression, its text after the value, e.g. ".group(1)")."""
    parent = node.parent
    while parent is not None and parent.type == "parenthesized_expression":
        node, parent = parent, parent.parent
    if parent is None:
        return None
    if parent.type == "attribute" and parent.child_by_field_name("object") == node:
        name = file.text_of(parent.child_by_field_name("attribute"))
        if kind == "match" and name not in _MATCH_DEREFERENCES:
            return None
        if kind == "find" and name not in _TREE_DEREFERENCES:
            return None
        outer = parent.parent if parent.parent is not None and parent.parent.type == "call" \
            and parent.parent.child_by_field_name("function") == parent else parent
        return outer, file.text_of(outer)[node.end_byte - outer.start_byte:]
    if parent.type == "subscript" and parent.child_by_field_name("value") == node:
        return parent, file.text_of(parent)[node.end_byte - parent.start_byte:]
    return None
