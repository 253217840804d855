"""Request data converted or split without handling malformed input.

## What it does
Flags conversions that raise on malformed text — `int()`, `float()`,
`json.loads()`, `uuid.UUID()`, `base64.b64decode()`, `bytes.fromhex()`,
`datetime.strptime()`/`fromisoformat()`, `ipaddress.ip_address()`,
`decimal.Decimal()` — and `x.split(sep)[n]` (n >= 1) or `a, b =
x.split(sep)`, when the dataflow shows that the value comes from a client
(request parameters, form fields, headers, cookies, the body) and no
enclosing `try` (or `contextlib.suppress`) catches the error they raise
(`ValueError`, `IndexError`, `Exception`...). Values checked first
(`x.isdigit()`, a full-match regex, membership in an allow-list) are not
flagged, nor are command-line arguments and environment variables.

## Why is this bad?
Any client can send `?page=abc`, a truncated JSON body, a header without the
expected separator or a non-UUID id. The conversion then raises inside the
handler: the request fails with a 500 error instead of a 400, the traceback
lands in the logs (or, with debug pages on, in the response), and in a
worker that processes a batch or a message queue, one bad message stops the
whole job. The input was never checked for the exceptional case (CWE-754).

## Example
```python
from flask import request

def list_items():
    page = int(request.args.get("page", "1"))
    return {"page": page}
```

## Use instead
```python
from flask import abort, request

def list_items():
    try:
        page = int(request.args.get("page", "1"))
    except ValueError:
        abort(400, "page must be an integer")
    return {"page": page}
```

## References
- https://cwe.mitre.org/data/definitions/754.html
- https://cwe.mitre.org/data/definitions/248.html
- https://flask.palletsprojects.com/en/stable/api/#flask.Request.args
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts

from secreview import taint
from secreview.lang.python.exceptions import caught_by
from secreview.lang.python.file import Call, PyFile
from secreview.lang.python.flow import tested_earlier
from secreview.lang.python.requests import may_hold_remote_input, request_rooted
from secreview.lang.python.syntax import unwrap
from secreview.model import Confidence, Severity
from secreview.rules import Hit, Rule
from secreview.rules import shorten
from secreview.rules.python._taint import source_note, trace_of

_SPLIT_ERRORS = frozenset({"IndexError", "LookupError", "ValueError"})



class ExternalDataParsedWithoutErrorHandling(Rule):
    id = "external-data-parsed-without-error-handling"
    cwe = 754
    severity = Severity.LOW
    confidence = Confidence.MEDIUM
    message = "`{code_short}` raises {error} on malformed {source}, and nothing catches it"
    description = (
        "`{code_short}` {what} `{argument}`, which holds {source}. A client who sends a malformed value (not a "
        "number, truncated JSON, a missing separator) makes it raise {error}, and no enclosing `try` handles "
        "it: the request ends in a 500 error instead of a clear 400, the traceback reaches the logs (or the "
        "client, with debug pages on), and a worker processing a batch or a queue stops at the bad item."
    )
    solution = (
        "Handle the malformed case where the value is read: wrap `{code_short}` in `try: ... except {catch}:` "
        "and answer with a 400 error (or skip the item), or {check}."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        if not may_hold_remote_input(file):
            return  # no request object, handler class, route or socket in sight: no client data to parse
        candidates = [c for c in self._candidates(file)
                      if request_rooted(file, c[1])
                      and not (caught_by(file, c[0], c[3]) or not _carries_text(file, c[1])
                               or _separator_tested(file, c[0], c[1]) or _validated_before(file, c[0], c[1]))]
        if not candidates:
            return
        analysis = taint.analysis_for(file)
        for node, argument, error, catches, what in candidates:
            verdict = taint.provenance(analysis, argument, "trust")
            if not verdict.from_source or not _is_remote_source(verdict.label) or not _read_here(file, node, verdict):
                continue
            values = {"code_short": shorten(file.text_of(node), 60), "argument": shorten(file.text_of(argument), 50),
                      "error": error, "source": verdict.label.name, "what": what,
                      "catch": "ValueError" if "ValueError" in catches else sorted(catches)[0],
                      "check": _check_advice(file, node, argument)}
            yield Hit(node, values, data=argument,
                      trace=trace_of(verdict) + ((node, f"raises {error} on malformed input"),),
                      note=source_note(file, verdict, f"`{shorten(file.text_of(node), 60)}`"))

    @staticmethod
    def _candidates(file: PyFile) -> Iterator[tuple[ts.Node, ts.Node, str, frozenset[str], str]]:
        for call in file.calls:
            name = _parser_name(file, call)
            if name is not None:
                argument = call.arg(0)
                if argument is None or file.is_constant(argument) or call.has_star_args:
                    continue
                error, catches = _PARSERS[name]
                yield call.node, argument, error, catches, f"converts with `{name}`"
                continue
            failing = _split_index(file, call)
            if failing is not None and call.receiver is not None:
                unpack = failing.type == "assignment"
                error = "ValueError (too few values to unpack)" if unpack else "IndexError"
                yield failing, call.receiver, error, _SPLIT_ERRORS, \
                    f"assumes the separator of `.{call.method}(...)` occurs in"


def _separator_tested(file: PyFile, node: ts.Node, argument: ts.Node) -> bool:
    """For a split: the separator's presence was tested first (`if "?" in path: a, b = path.split("?", 1)`)."""
    call = node.child_by_field_name("right") if node.type == "assignment" else node.child_by_field_name("value")
    if call is None or call.type != "call":
        return False
    separator = file.call_at(call).arg(0, "sep")
    value = file.constant_value(separator) if separator is not None else None
    if not isinstance(value, str):
        return False
    return tested_earlier(file, node, [repr(value), '"' + value + '"', file.text_of(separator)])


def _read_here(file: PyFile, node: ts.Node, verdict) -> bool:
    """The request value is read in the function that parses it (every dataflow step lies inside it):
    data that went through other functions first has often been validated there."""
    function = file.inside(node, ("function_definition",))
    if function is None:
        return False
    for step_node, _ in trace_of(verdict):
        if not (function.start_byte <= step_node.start_byte < function.end_byte):
            return False
    return True


def _check_advice(file: PyFile, node: ts.Node, argument: ts.Node) -> str:
    text = shorten(file.text_of(argument), 50)
    if node.type == "assignment" or node.type == "subscript":
        return f"check that the separator occurs in `{text}` first (or use `str.partition`, which never fails)"
    return f"validate `{text}` first (for example with `.isdigit()`, a full-match regex or a form/schema " \
           f"library that reports errors)"


_VALUE = frozenset({"ValueError"})
_PARSERS: dict[str, tuple[str, frozenset[str]]] = {
    "int": ("ValueError", _VALUE | {"TypeError"}),
    "float": ("ValueError", _VALUE | {"TypeError"}),
    "complex": ("ValueError", _VALUE),
    "json.loads": ("json.JSONDecodeError (a ValueError)", _VALUE | {"JSONDecodeError"}),
    "simplejson.loads": ("JSONDecodeError (a ValueError)", _VALUE | {"JSONDecodeError"}),
    "uuid.UUID": ("ValueError", _VALUE),
    "base64.b64decode": ("binascii.Error (a ValueError)", _VALUE | {"Error", "binascii.Error"}),
    "base64.urlsafe_b64decode": ("binascii.Error (a ValueError)", _VALUE | {"Error", "binascii.Error"}),
    "base64.b32decode": ("binascii.Error (a ValueError)", _VALUE | {"Error", "binascii.Error"}),
    "base64.b16decode": ("binascii.Error (a ValueError)", _VALUE | {"Error", "binascii.Error"}),
    "binascii.unhexlify": ("binascii.Error (a ValueError)", _VALUE | {"Error", "binascii.Error"}),
    "bytes.fromhex": ("ValueError", _VALUE),
    "datetime.datetime.strptime": ("ValueError", _VALUE),
    "datetime.datetime.fromisoformat": ("ValueError", _VALUE),
    "datetime.date.fromisoformat": ("ValueError", _VALUE),
    "time.strptime": ("ValueError", _VALUE),
    "ipaddress.ip_address": ("ValueError", _VALUE),
    "ipaddress.ip_network": ("ValueError", _VALUE),
    "ipaddress.ip_interface": ("ValueError", _VALUE),
    "decimal.Decimal": ("decimal.InvalidOperation", frozenset({"InvalidOperation", "DecimalException",
                                                               "ArithmeticError"})),
}
# sources that are not attacker input for a crash: a bad argv or environment is the operator's mistake
_LOCAL_SOURCES = frozenset({"command-line arguments", "environment variables", "console input", "standard input",
                            "input files"})


def _parser_name(file: PyFile, call: Call) -> str | None:
    """The _PARSERS key of a call (`datetime.strptime(...)` with `from datetime import datetime` too)."""
    name = call.name or ""
    if name in _PARSERS:
        return name
    if name in ("datetime.strptime", "datetime.fromisoformat", "date.fromisoformat"):
        full = "datetime." + name
        return full if full in _PARSERS else None
    return None


_TEXT_METHODS = frozenset({"get", "getlist", "getone", "getall", "pop", "decode", "encode", "strip", "lstrip",
                           "rstrip", "lower", "upper", "casefold", "group", "get_param", "getheader", "get_header",
                           "get_all", "unquote", "unquote_plus", "read", "get_data", "get_json", "removeprefix",
                           "removesuffix", "replace", "title", "join"})


def _carries_text(file: PyFile, node: ts.Node | None, depth: int = 0) -> bool:
    """True when the expression hands on request text as it was read (a parameter, header or body
    lookup, string clean-up such as `.strip()`/`.decode()`, `x or default`), not something computed
    from it (arithmetic, an object looked up with it, a library call's result)."""
    node = unwrap(node)
    if node is None or depth > 4:
        return False
    if node.type in ("subscript", "attribute"):
        return True
    if node.type == "boolean_operator":
        return any(_carries_text(file, c, depth + 1) for c in node.named_children)
    if node.type == "call":
        function = node.child_by_field_name("function")
        if function is not None and function.type == "attribute":
            return file.text_of(function.child_by_field_name("attribute")) in _TEXT_METHODS
        name = file.qualified_name(function) or ""
        return name.rsplit(".", 1)[-1] in ("unquote", "unquote_plus", "str", "wsgi_unquote", "wsgi_to_str")
    if node.type == "identifier":
        bindings = file.reaching_bindings(node)
        if not bindings:
            return file.is_parameter(file.text_of(node), file.enclosing_scope(node))
        for binding, identifier in bindings:
            value = file.bound_value(binding, identifier)
            if value is None:
                if binding.type == "for_statement":  # for part in header.split(","): a piece of the text
                    continue
                return False
            if not _carries_text(file, value, depth + 1):
                return False
        return True
    return False


_VALIDATOR_CALL = re.compile(r"(?:^|_)(?:check|checks|validate|validates|validated|verify|clean|saniti[sz]e|"
                             r"normali[sz]e|ensure|require)(?:_|$)|^(?:check|validate|verify|clean)[A-Z]", re.I)


def _validated_before(file: PyFile, node: ts.Node, data: ts.Node) -> str | None:
    """The text of an earlier call in the same function that hands the object `data` is read from
    (`req` in `req.headers["x"]`) to a validator (`check_delete_headers(req)`, `validate(body)`)."""
    root = unwrap(data) or data
    while root.type in ("attribute", "subscript", "call"):
        if root.type == "call":
            function = root.child_by_field_name("function")
            root = function.child_by_field_name("object") if function is not None and function.type == "attribute" \
                else None
        else:
            root = root.child_by_field_name("object" if root.type == "attribute" else "value")
        if root is None:
            return None
    if root.type != "identifier":
        return None
    name = file.text_of(root)
    scope = file.enclosing_scope(node)
    for call in file.calls:
        if call.node.start_byte >= node.start_byte:
            break
        if not (scope.start_byte <= call.node.start_byte < scope.end_byte) or call.method is None:
            continue
        if _VALIDATOR_CALL.search(call.method) and any(
                file.text_of(arg) == name for arg in list(call.args) + list(call.kwargs.values())):
            return file.text_of(call.node)
    return None


def _is_remote_source(label: object) -> bool:
    return getattr(label, "name", "") not in _LOCAL_SOURCES


def _split_index(file: PyFile, call: Call) -> ts.Node | None:
    """For `x.split(sep)[n]` with a constant n >= 1 (or `a, b = x.split(sep)`): the subscript or
    assignment that fails when the separator is missing."""
    if call.method not in ("split", "rsplit") or call.receiver is None or not call.args \
            or file.is_constant(call.receiver):
        return None
    parent = call.node.parent
    if parent is None:
        return None
    if parent.type == "subscript" and parent.child_by_field_name("value") == call.node:
        index = parent.child_by_field_name("subscript")
        value = file.constant_value(index)
        return parent if isinstance(value, int) and not isinstance(value, bool) and value >= 1 else None
    if parent.type == "assignment" and parent.child_by_field_name("right") == call.node:
        left = parent.child_by_field_name("left")
        if left is not None and left.type in ("pattern_list", "tuple_pattern", "list_pattern") and \
                not any(c.type == "list_splat_pattern" for c in left.named_children):
            return parent
    return None
