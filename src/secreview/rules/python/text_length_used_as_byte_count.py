"""Character count of a text used as its byte length.

## What it does
Flags `len(text)` used where a number of *bytes* is required, when `text`
is a `str` that the same function encodes before sending or writing it:
a `Content-Length` header (`("Content-Length", str(len(body)))`,
`send_header("Content-Length", len(body))`, `response["Content-Length"] =
len(body)`, `"Content-Length: %d" % len(body)`) or a binary length prefix
(`struct.pack("!I", len(message))`, `len(message).to_bytes(4, "big")`),
while the data actually sent is `text.encode(...)`. Texts that are ASCII
by construction (`json.dumps()` without `ensure_ascii=False`,
`hexdigest()`, base64 output, `str()` of a number) are not reported.

## Why is this bad?
`len()` of a `str` counts characters; UTF-8 uses up to four bytes per
character. As soon as the text holds a non-ASCII character (a name, a
comment, anything a user typed) the declared length is shorter than the
bytes sent: the receiver stops reading early and takes the rest of the body
as the start of the next message. On a keep-alive HTTP connection or a
framed protocol this desynchronises the two ends, so user-controlled text
can inject a forged response or message (response splitting / smuggling),
or the reader simply truncates and corrupts the data.

## Example
```python
def app(environ, start_response):
    body = "<p>Hello, %s</p>" % environ.get("QUERY_STRING", "")
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                              ("Content-Length", str(len(body)))])
    return [body.encode("utf-8")]
```

## Use instead
```python
def app(environ, start_response):
    body = ("<p>Hello, %s</p>" % environ.get("QUERY_STRING", "")).encode("utf-8")
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                              ("Content-Length", str(len(body)))])
    return [body]
```

## References
- https://cwe.mitre.org/data/definitions/135.html
- https://www.rfc-editor.org/rfc/rfc9110#name-content-length
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts

from secreview.lang.python.file import PyFile
from secreview.lang.python.scopes import function_of, rebound_between, statement_of
from secreview.lang.python.syntax import normalise, unwrap
from secreview.model import Confidence, Severity
from secreview.rules import Hit, Rule
from secreview.rules import shorten

_CONTENT_LENGTH = re.compile(r"content[-_]length", re.I)
_ASCII_METHODS = frozenset({"hexdigest", "b64encode", "urlsafe_b64encode", "b32encode", "b16encode", "hex",
                            "isoformat", "quote", "quote_plus", "urlencode"})
_ASCII_CALLS = frozenset({"str", "repr", "hex", "oct", "bin", "int", "uuid.uuid4", "base64.b64encode",
                          "base64.urlsafe_b64encode", "binascii.hexlify"})
_PACKERS = frozenset({"struct.pack", "struct.pack_into"})


class TextLengthUsedAsByteCount(Rule):
    id = "text-length-used-as-byte-count"
    cwe = 135
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    message = "Character count of `{text}` used as a byte length: {code}"
    description = (
        "`{code}` uses `len({text})` as {what}, but `{text}` is a `str` that this function sends as "
        "`{encoded}`: `len()` counts characters, and every non-ASCII character takes two to four bytes in "
        "UTF-8. With such text the declared length is shorter than the bytes sent, so the receiver cuts the "
        "data short and reads the rest as the next message; text a user controls can then forge that next "
        "response or message (response splitting, protocol desynchronisation)."
    )
    solution = (
        "Encode first and measure the bytes: `data = {text}.encode(\"utf-8\")`, then use `len(data)` and send "
        "`data`."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        if ".encode(" not in file.text:
            return
        for call in file.calls_to("len"):
            if len(call.args) != 1:
                continue
            text = unwrap(call.args[0])
            if text is None or text.type != "identifier" or _maybe_bytes(file, text):
                continue
            what = _byte_count_use(file, call.node)
            if what is None:
                continue
            encoded = _encoded_in_function(file, call.node, text)
            if encoded is None or _ascii_only(file, text):
                continue
            yield Hit(call.node, {"text": shorten(file.text_of(text), 40), "what": what,
                                  "encoded": shorten(file.text_of(encoded), 40),
                                  "code": shorten(file.text_of(statement_of(call.node)), 80)})


def _byte_count_use(file: PyFile, length: ts.Node) -> str | None:
    """How `len(x)` is used as a byte count here, or None."""
    current = length
    for _ in range(6):
        parent = current.parent
        if parent is None or parent.type in ("block", "module", "expression_statement"):
            break
        if parent.type == "call":
            call = file.call_at(parent)
            if call.name in _PACKERS:
                return "a binary length prefix"
            if call.method == "to_bytes" and call.receiver == current:
                return "a binary length prefix"
            if call.method in ("send_header", "set_header", "add_header", "putheader", "add") and call.args \
                    and _CONTENT_LENGTH.search(file.text_of(call.args[0])):
                return "the `Content-Length` header"
        if parent.type in ("tuple", "list") and parent.named_children and \
                _CONTENT_LENGTH.search(file.text_of(parent.named_children[0]).strip("'\"")):
            return "the `Content-Length` header"
        if parent.type == "pair" and _CONTENT_LENGTH.search(file.text_of(parent.child_by_field_name("key"))):
            return "the `Content-Length` header"
        if parent.type == "assignment" and parent.child_by_field_name("right") == current:
            target = parent.child_by_field_name("left")
            if target is not None and target.type == "subscript" and \
                    _CONTENT_LENGTH.search(file.text_of(target.child_by_field_name("subscript"))):
                return "the `Content-Length` header"
            if target is not None and target.type == "attribute" and \
                    file.text_of(target.child_by_field_name("attribute")) == "content_length":
                return "the response's `content_length`"
            break
        if parent.type == "binary_operator" and file.text_of(parent.child_by_field_name("operator")) == "%":
            left = parent.child_by_field_name("left")
            if left is not None and _CONTENT_LENGTH.search(file.text_of(left)):
                return "the `Content-Length` header"
        if parent.type == "interpolation":
            string = parent.parent
            if string is not None and _CONTENT_LENGTH.search(file.text_of(string)):
                return "the `Content-Length` header"
        current = parent
    return None


def _encoded_in_function(file: PyFile, node: ts.Node, text: ts.Node) -> ts.Node | None:
    """A `text.encode(...)` call in the same function (the bytes actually sent)."""
    scope = function_of(file, node) or file.root
    wanted = normalise(file.text_of(text))
    for call in file.method_calls("encode"):
        if call.receiver is not None and normalise(file.text_of(call.receiver)) == wanted \
                and scope.start_byte <= call.node.start_byte < scope.end_byte:
            start, end = sorted((node.start_byte, call.node.start_byte))
            if rebound_between(file, text, start, end, reading=call.node):
                continue
            return call.node
    return None


def _maybe_bytes(file: PyFile, text: ts.Node) -> bool:
    """Some binding reaching here makes it bytes (`body = body.encode()`, `data = b"..."`)."""
    for binding, identifier in file.reaching_bindings(text) + file.bindings_before(text):
        value = unwrap(file.bound_value(binding, identifier))
        if value is None:
            continue
        if value.type == "call":
            call = file.call_at(value)
            if call.method in ("encode", "tobytes", "read", "getvalue", "digest") or call.name in ("bytes", "bytearray"):
                return True
        if value.type == "string" and file.text_of(value)[:2].lower() in ("b'", 'b"', "rb", "br"):
            return True
        if value.type == "conditional_expression" and ".encode(" in file.text_of(value):
            return True
    return False


def _ascii_only(file: PyFile, text: ts.Node, _depth: int = 0) -> bool:
    """Text that cannot hold non-ASCII characters: JSON with ensure_ascii, digests, base64, numbers."""
    text = unwrap(text)
    if text is None or _depth > 2:
        return False
    value = file.constant_value(text)
    if isinstance(value, str):
        return value.isascii()
    if text.type == "call":
        call = file.call_at(text)
        if call.name in ("json.dumps", "simplejson.dumps"):
            ensure = call.kwargs.get("ensure_ascii")
            return ensure is None or file.constant_value(ensure) is not False
        if (call.method or "") in _ASCII_METHODS or (call.name or "") in _ASCII_CALLS:
            return True
        if call.method == "decode" and call.receiver is not None:
            return _ascii_only(file, call.receiver, _depth + 1)
        return False
    if text.type == "identifier":
        bindings = file.reaching_bindings(text)
        values = [file.bound_value(b, i) for b, i in bindings]
        return bool(values) and all(v is not None and _ascii_only(file, v, _depth + 1) for v in values)
    return False
