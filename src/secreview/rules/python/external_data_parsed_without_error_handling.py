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

from collections.abc import Iterator

import tree_sitter as ts

from secreview import taint
from secreview.lang.python.file import PyFile
from secreview.model import Confidence, Severity
from secreview.rules import Hit, Rule
from secreview.rules.python._exceptional import PARSERS, caught_by, carries_text, is_remote_source, \
    may_hold_remote_input, parser_name, request_rooted, split_index, tested_earlier, validated_before
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
                      if request_rooted(file, c[1]) and not (caught_by(file, c[0], c[3]) or not carries_text(file, c[1])
                              or _separator_tested(file, c[0], c[1]) or validated_before(file, c[0], c[1]))]
        if not candidates:
            return
        analysis = taint.analysis_for(file)
        for node, argument, error, catches, what in candidates:
            verdict = taint.provenance(analysis, argument, "trust")
            if not verdict.from_source or not is_remote_source(verdict.label) or not _read_here(file, node, verdict):
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
            name = parser_name(file, call)
            if name is not None:
                argument = call.arg(0)
                if argument is None or file.is_constant(argument) or call.has_star_args:
                    continue
                error, catches = PARSERS[name]
                yield call.node, argument, error, catches, f"converts with `{name}`"
                continue
            failing = split_index(file, call)
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
