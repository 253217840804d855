"""Security decision based on the content type the client declared.

## What it does
Flags code that trusts the `Content-Type` a client sent:

- a check of an uploaded file's declared type (`file.content_type`,
  `file.mimetype`, `file.mime_type` of `request.files[...]`,
  `request.FILES[...]`, `form.cleaned_data[...]`, a FastAPI `UploadFile`
  parameter...) compared with a type, an allow-list or a prefix in an
  `if`/`assert`/ternary or in the result of a validation function
  (`def allowed_file(f): return f.mimetype in ALLOWED`);
- an uploaded file stored or served with the client's declared type
  (`upload_fileobj(f, ..., ExtraArgs={"ContentType": f.content_type})`,
  `send_file(f, mimetype=f.mimetype)`);
- a check of the request's own `Content-Type` (`request.content_type`,
  `request.headers["Content-Type"]`, `request.META["CONTENT_TYPE"]`) that
  decides whether the raw request body is saved.

Functions that also inspect the bytes themselves (`magic.from_buffer`,
`filetype.guess`, `imghdr.what`, `PIL.Image.open(...).verify()`) are not
reported. Confidence is high when the checked file is then saved in the
same function.

## Why is this bad?
The declared type is a header the client writes: it says nothing about the
bytes. An attacker uploads an HTML page, an SVG with script, or a
polyglot, labelled `image/png`; the check passes, the file is stored, and
when it is served back (especially with the declared type, or from the
application's origin) the browser runs it as a page: stored cross-site
scripting, or a web shell if the storage directory is executable. The
server and the browser interpret the same bytes differently, which is the
interpretation conflict this rule is about.

## Example
```python
from flask import Flask, request

app = Flask(__name__)

@app.route("/avatar", methods=["POST"])
def upload_avatar():
    avatar = request.files["avatar"]
    if avatar.mimetype not in ("image/png", "image/jpeg"):
        return "images only", 400
    avatar.save("/srv/static/avatars/" + str(request.args["uid"]) + ".png")
    return "ok"
```

## Use instead
```python
from flask import Flask, request
from PIL import Image

app = Flask(__name__)

@app.route("/avatar", methods=["POST"])
def upload_avatar():
    image = Image.open(request.files["avatar"].stream)
    if image.format not in ("PNG", "JPEG"):
        return "images only", 400
    image.save("/srv/static/avatars/" + str(int(request.args["uid"])) + ".png", format="PNG")
    return "ok"
```

## References
- https://cwe.mitre.org/data/definitions/436.html
- https://cheatsheetseries.owasp.org/cheatsheets/File_Upload_Cheat_Sheet.html#content-type-validation
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts

from secreview.lang.python.expressions import leaf_name
from secreview.lang.python.file import PyFile
from secreview.lang.python.flow import branch_conditions
from secreview.lang.python.requests import is_request_object, is_upload, provenance_kind, web_module
from secreview.lang.python.scopes import descendants, function_of
from secreview.lang.python.syntax import unwrap
from secreview.model import Confidence, Severity
from secreview.rules import Hit, Rule
from secreview.rules import shorten
from secreview.knowledge.vocabulary import words

_TYPE_ATTRIBUTES = frozenset({"content_type", "mimetype", "mime_type"})
_TYPE_KEYS = frozenset({"content-type", "content_type", "http_content_type"})
_STORE_METHODS = frozenset({"save", "write", "writelines", "copyfileobj", "upload_fileobj", "upload_file",
                            "put_object", "upload_from_file", "upload_from_string", "create_blob_from_stream",
                            "upload_blob", "store", "put"})
_TYPE_SINK_KEYWORDS = frozenset({"content_type", "mimetype", "mime_type", "ContentType", "contentType"})
_CONTENT_INSPECTION = re.compile(r"\b(magic\.|from_buffer|from_file|filetype\.|imghdr\.|puremagic|Image\.open|"
                                 r"\.verify\(\)|detect_content_type|guess_mime_from_content|libmagic)")
_COMPARING = frozenset({"startswith", "endswith", "match", "fullmatch", "search", "__contains__", "count", "index",
                        "find"})
_VALIDATOR_WORDS = frozenset({"allowed", "allow", "valid", "validate", "check", "verify", "accept", "acceptable",
                              "permitted", "supported", "safe", "is"})


class ClientContentTypeTrusted(Rule):
    id = "client-content-type-trusted"
    cwe = 436
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    message = "Client-declared content type trusted: {code}"
    description = (
        "`{code}` {how} `{expr}`, the type the client declared in its request, which says nothing about the "
        "bytes actually sent. An attacker labels an HTML page, an SVG with script or a polyglot as an allowed "
        "type{consequence}, and the browser later interprets the stored bytes as active content (stored "
        "cross-site scripting, or a web shell where the storage is executable)."
    )
    solution = (
        "Decide the type from the content, not from `{expr}`: inspect the bytes (`magic.from_buffer(data, "
        "mime=True)`, `filetype.guess()`, or decode and re-encode images with Pillow), store the file under a "
        "server-chosen name and extension, and serve it with a server-chosen `Content-Type`, "
        "`X-Content-Type-Options: nosniff` and `Content-Disposition: attachment` (or from a separate domain)."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        text = file.text
        if "content_type" not in text and "mimetype" not in text and "mime_type" not in text \
                and "ontent-Type" not in text and "CONTENT_TYPE" not in text and "content-type" not in text:
            return
        seen: set[int] = set()
        for owner, condition in self._conditions(file):
            for expr, kind in self._type_expressions(file, condition):
                if expr.id in seen or not _compared(file, expr, condition):
                    continue
                hit = self._judge_check(file, owner, condition, expr, kind)
                if hit is not None:
                    seen.add(expr.id)
                    yield hit
        yield from self._type_reused(file, seen)

    # -- where the type is looked at --------------------------------------------------

    @staticmethod
    def _conditions(file: PyFile) -> Iterator[tuple[ts.Node, ts.Node]]:
        """Branch conditions, and what validator-named functions return."""
        yield from branch_conditions(file)
        for statement in file.nodes_of_type("return_statement"):
            function = function_of(file, statement)
            if function is None or not statement.named_children:
                continue
            name = file.text_of(function.child_by_field_name("name"))
            if set(words(name)) & _VALIDATOR_WORDS:
                yield statement, statement.named_children[0]

    @staticmethod
    def _type_expressions(file: PyFile, condition: ts.Node | None) -> Iterator[tuple[ts.Node, str]]:
        if condition is None:
            return
        for node in [condition, *descendants(condition, frozenset({"attribute", "subscript", "call"}))]:
            kind = _declared_type(file, node)
            if kind is not None:
                yield node, kind

    # -- verdicts -------------------------------------------------------------------------

    def _judge_check(self, file: PyFile, owner: ts.Node, condition: ts.Node, expr: ts.Node, kind: str) -> Hit | None:
        function = function_of(file, owner)
        scope = function or file.root
        if _CONTENT_INSPECTION.search(file.text_of(scope)):
            return None
        region = _gated_region(owner)
        stores = any(_stores(file, node) for node in region)
        if kind == "request":
            if not (stores and any(_reads_body(file, node) for node in region)):
                return None
            consequence = " and sends a body of any content"
            how = "decides whether the raw request body is saved from"
        else:
            consequence = ", passes this check" + (" and gets the file saved" if stores else "")
            how = "accepts or rejects the upload by"
        code = shorten(file.text_of(condition if owner.type != "return_statement" else owner), 80)
        return Hit(owner if owner.type != "elif_clause" else condition,
                   {"code": code, "expr": shorten(file.text_of(expr), 60), "how": how, "consequence": consequence},
                   confidence=Confidence.HIGH if stores and kind == "upload" else None)

    def _type_reused(self, file: PyFile, seen: set[int]) -> Iterator[Hit]:
        """An upload stored or served with the client's declared type as its Content-Type."""
        for argument in file.nodes_of_type("keyword_argument"):
            name = file.text_of(argument.child_by_field_name("name"))
            value = argument.child_by_field_name("value")
            if name in _TYPE_SINK_KEYWORDS and value is not None and value.id not in seen \
                    and _declared_type(file, value) == "upload":
                call = file.inside(argument, ("call",))
                if call is None:
                    continue
                seen.add(value.id)
                yield self._reuse_hit(file, call, value)
        for pair in file.nodes("(pair key: (string) @key value: (_) @value) @pair", "pair"):
            key = file.string_literal_text(pair.child_by_field_name("key"))
            value = pair.child_by_field_name("value")
            if key in ("ContentType", "Content-Type", "content_type") and value is not None \
                    and value.id not in seen and _declared_type(file, value) == "upload":
                call = file.inside(pair, ("call",))
                if call is not None:
                    seen.add(value.id)
                    yield self._reuse_hit(file, call, value)

    @staticmethod
    def _reuse_hit(file: PyFile, call: ts.Node, value: ts.Node) -> Hit:
        return Hit(call, {"code": shorten(file.text_of(call), 80), "expr": shorten(file.text_of(value), 60),
                          "how": "stores or serves the file with the `Content-Type` taken from",
                          "consequence": ", the file is served back with that type"})


def _declared_type(file: PyFile, node: ts.Node) -> str | None:
    """"upload" for an uploaded file's declared type, "request" for the request's own, else None."""
    node = unwrap(node)
    if node is None:
        return None
    if node.type == "attribute":
        attribute = file.text_of(node.child_by_field_name("attribute"))
        receiver = node.child_by_field_name("object")
        if attribute not in _TYPE_ATTRIBUTES:
            return None
        if is_request_object(file, receiver):
            return "request"
        if is_upload(file, receiver):
            return "upload"
        name = leaf_name(file, receiver)
        if name and _uploadish_name(name) and web_module(file) and receiver.type == "identifier" \
                and provenance_kind(file, receiver) in ("source", "param", "unknown"):
            return "upload"
        return None
    key_node = None
    mapping = None
    if node.type == "subscript":
        key_node, mapping = node.child_by_field_name("subscript"), node.child_by_field_name("value")
    elif node.type == "call":
        call = file.call_at(node)
        if call.method == "get" and call.args:
            key_node, mapping = call.args[0], call.receiver
    if key_node is None or mapping is None or mapping.type != "attribute":
        return None
    key = file.string_literal_text(key_node)
    if key is None or key.lower() not in _TYPE_KEYS:
        return None
    holder = file.text_of(mapping.child_by_field_name("attribute"))
    owner = mapping.child_by_field_name("object")
    if holder in ("headers", "META", "environ") and is_request_object(file, owner):
        return "request"
    if holder == "headers" and is_upload(file, owner):
        return "upload"
    return None


def _compared(file: PyFile, expr: ts.Node, condition: ts.Node) -> bool:
    """The type is compared (==, in, startswith, a regex...), not just tested for presence."""
    for ancestor in [expr, *file.ancestors(expr)]:
        if ancestor.type == "comparison_operator" and ancestor != expr:
            operators = [file.text_of(c) for c in ancestor.children if not c.is_named]
            if not all(op in ("is", "is not") for op in operators):
                return True
        if ancestor.type == "call" and ancestor != expr:
            call = file.call_at(ancestor)
            if call.method in _COMPARING or call.name in ("re.match", "re.fullmatch", "re.search"):
                return True
        if ancestor == condition:
            return False
    return False


def _gated_region(owner: ts.Node) -> list[ts.Node]:
    """What runs because of the check: the branch it guards, or the rest of the block after a refusal."""
    if owner.type in ("if_statement", "elif_clause", "while_statement"):
        region = [c for c in (owner.child_by_field_name("consequence"), owner.child_by_field_name("body")) if c]
        for alternative in owner.children_by_field_name("alternative") if owner.type == "if_statement" else ():
            region.append(alternative)
        statement = owner if owner.type != "elif_clause" else owner.parent
        if statement is not None and statement.parent is not None:
            region.extend(s for s in statement.parent.named_children if s.start_byte > statement.end_byte)
        return region
    if owner.parent is not None:
        return [s for s in owner.parent.named_children if s.start_byte > owner.end_byte]
    return []


def _stores(file: PyFile, node: ts.Node) -> bool:
    for call_node in [node] * (node.type == "call") + list(descendants(node, frozenset({"call"}))):
        call = file.call_at(call_node)
        if call.method in _STORE_METHODS or (call.name in ("open", "io.open") and
                                             re.search(r"[wax]", str(file.constant_value(call.arg(1, "mode"))))):
            return True
    return False


_BODY_ATTRIBUTES = frozenset({"data", "body", "stream", "get_data", "files", "FILES", "read", "content", "input_stream"})


def _reads_body(file: PyFile, node: ts.Node) -> bool:
    for attribute in [node] * (node.type == "attribute") + list(descendants(node, frozenset({"attribute"}))):
        if file.text_of(attribute.child_by_field_name("attribute")) in _BODY_ATTRIBUTES \
                and is_request_object(file, attribute.child_by_field_name("object")):
            return True
    return False


_UPLOAD_WORDS = frozenset({"file", "files", "upload", "uploaded", "uploads", "attachment", "attachments", "image",
                           "img", "photo", "picture", "avatar", "document", "doc", "media", "video", "audio",
                           "logo", "icon", "thumbnail", "cv", "resume", "f"})


def _uploadish_name(name: str) -> bool:
    return any(word in _UPLOAD_WORDS for word in words(name))
