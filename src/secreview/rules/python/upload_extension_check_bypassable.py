"""Upload file-name check that reads a different extension than the server uses.

## What it does
Flags checks of a client-supplied upload file name (`upload.filename`,
`request.files[...].filename`, Django's `upload.name`, names derived from
them through `secure_filename()`/`basename()`, and the `filename` parameter
of a validation helper such as `allowed_file(filename)`) that look at
something other than the file's final, lower-cased extension:

- a substring test for an extension: `".png" in filename`,
  `filename.find(".jpg") != -1`, `re.search(r"\\.(png|jpe?g)", filename)`
  without an end anchor;
- the *first* dotted part taken as the extension:
  `filename.split(".")[1]`, `filename.partition(".")[2]`,
  `filename[filename.index(".") + 1:]`, when it is then compared;
- a deny-list of dangerous extensions tested case-sensitively
  (`if filename.endswith((".php", ".exe")): reject` with no `.lower()`).

## Why is this bad?
The web server, the storage and the browser decide what a file is from its
*last* extension, case-insensitively (`shell.png.php` is PHP, `x.PHP` is
PHP), while these checks read a different part of the name. An attacker
uploads `shell.png.php` (or `shell.PhP`, or `evil.php` past a check for
".png" anywhere in the name); the check passes, and the file is stored with
an extension the server executes or serves as HTML: remote code execution
or stored cross-site scripting.

## Example
```python
from flask import Flask, request

app = Flask(__name__)
ALLOWED = {"png", "jpg"}

@app.route("/upload", methods=["POST"])
def upload():
    f = request.files["file"]
    if f.filename.split(".")[1] not in ALLOWED:
        return "bad type", 400
    f.save("/srv/www/uploads/" + f.filename)
    return "ok"
```

## Use instead
```python
import os
import uuid
from flask import Flask, request

app = Flask(__name__)
ALLOWED = {".png", ".jpg"}

@app.route("/upload", methods=["POST"])
def upload():
    f = request.files["file"]
    extension = os.path.splitext(f.filename)[1].lower()
    if extension not in ALLOWED:
        return "bad type", 400
    f.save("/srv/www/uploads/" + uuid.uuid4().hex + extension)
    return "ok"
```

## References
- https://cwe.mitre.org/data/definitions/436.html
- https://cheatsheetseries.owasp.org/cheatsheets/File_Upload_Cheat_Sheet.html#extension-validation
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts

from secreview.lang.python.expressions import mentions
from secreview.lang.python.file import NOT_CONSTANT, PyFile
from secreview.lang.python.flow import block_leaves, branch_conditions
from secreview.lang.python.requests import is_upload, provenance_kind, web_module
from secreview.lang.python.scopes import descendants, function_of
from secreview.lang.python.syntax import normalise, unwrap
from secreview.model import Confidence, Severity
from secreview.rules import Hit, Rule
from secreview.rules import shorten
from secreview.knowledge.vocabulary import words

_EXTENSION = re.compile(r"^\.[A-Za-z0-9]{1,5}$")
_DANGEROUS = frozenset({"php", "php3", "php4", "php5", "phtml", "phar", "exe", "sh", "bat", "cmd", "js", "jsp",
                        "jspx", "asp", "aspx", "html", "htm", "svg", "py", "pl", "cgi", "dll", "so", "com", "vbs",
                        "ps1", "jar", "war", "shtml", "xhtml", "swf", "hta", "scr", "msi"})
_FIRST_PART = ("split", "partition")
_MAY_TEST_EXTENSION = re.compile(r"""['"]\.|endswith|find\(|index\(|count\(|re\.|\bin\b""")


class UploadExtensionCheckBypassable(Rule):
    id = "upload-extension-check-bypassable"
    cwe = 436
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    message = "Upload file-name check can be bypassed: {code}"
    description = (
        "`{code}` checks the client-supplied file name `{name}` by {how}, but the web server, the storage "
        "and the browser go by the name's last extension, case-insensitively. {bypass} passes this check and "
        "is stored with an extension the server executes or serves as a page (remote code execution or stored "
        "cross-site scripting)."
    )
    solution = (
        "Compare only the final extension, lower-cased: `os.path.splitext({name})[1].lower() in ALLOWED` (an "
        "allow-list, never a deny-list); better, store the upload under a server-generated name with the "
        "extension you chose, and verify the content itself."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        text = file.text
        if "filename" not in text and "FILES" not in text and "files" not in text and "UploadFile" not in text:
            return
        seen: set[int] = set()
        for owner, condition in _conditions(file):
            if not _MAY_TEST_EXTENSION.search(file.text_of(condition)):
                continue
            for node in [condition, *descendants(condition, frozenset({"comparison_operator", "call"}))]:
                found = self._substring_test(file, node) or self._case_sensitive_denial(file, owner, node)
                if found is not None and node.id not in seen:
                    seen.add(node.id)
                    name, how, bypass = found
                    yield Hit(node, {"name": name, "how": how, "bypass": bypass})
        for call in file.method_calls(*_FIRST_PART, "index", "find"):
            found = self._first_part(file, call)
            if found is not None and call.node.id not in seen:
                seen.add(call.node.id)
                report, name = found
                yield Hit(report, {"name": name, "how": "taking the part after the *first* dot as its extension",
                                   "bypass": "A name such as `shell.png.php`"})

    # -- patterns -----------------------------------------------------------------------

    @staticmethod
    def _substring_test(file: PyFile, node: ts.Node) -> tuple[str, str, str] | None:
        if node.type == "comparison_operator":
            children = node.named_children
            operators = [file.text_of(c) for c in node.children if not c.is_named]
            if len(children) == 2 and operators and operators[0] in ("in", "not in"):
                needle, haystack = children
                extensions = _extensions(file, needle)
                if extensions and _client_filename(file, haystack):
                    return (shorten(file.text_of(haystack), 40), f"looking for `{extensions[0]}` anywhere in it",
                            f"A name such as `evil{extensions[0]}.php`")
            return None
        call = file.call_at(node)
        if call.method in ("find", "index", "count", "__contains__") and call.receiver is not None and call.args:
            extensions = _extensions(file, call.args[0])
            if extensions and _client_filename(file, call.receiver):
                return (shorten(file.text_of(call.receiver), 40), f"looking for `{extensions[0]}` anywhere in it",
                        f"A name such as `evil{extensions[0]}.php`")
        if call.name in ("re.search", "re.match") and len(call.args) >= 2:
            pattern = file.string_literal_text(call.args[0])
            if pattern and re.search(r"\\\.", pattern) and not re.search(r"(\$|\\Z)\)*$", pattern) \
                    and _client_filename(file, call.args[1]):
                return (shorten(file.text_of(call.args[1]), 40), "a regular expression with no end anchor",
                        "A name such as `evil.png.php`")
        return None

    @staticmethod
    def _case_sensitive_denial(file: PyFile, owner: ts.Node, node: ts.Node) -> tuple[str, str, str] | None:
        if owner.type not in ("if_statement", "elif_clause") \
                or not block_leaves(file, owner.child_by_field_name("consequence")):
            return None
        subject = tested = None
        if node.type == "call":
            call = file.call_at(node)
            if call.method == "endswith" and call.receiver is not None and call.args:
                subject, tested = call.receiver, call.args[0]
        elif node.type == "comparison_operator":
            children = node.named_children
            operators = [file.text_of(c) for c in node.children if not c.is_named]
            if len(children) == 2 and operators == ["in"]:
                subject, tested = children
        if subject is None or _negated(file, node, owner.child_by_field_name("condition")):
            return None
        extensions = _extensions(file, tested)
        if not extensions or not any(e.lstrip(".").lower() in _DANGEROUS for e in extensions):
            return None
        if _lowercased(file, subject) or not _client_extension(file, subject):
            return None
        return (shorten(file.text_of(subject), 40),
                f"refusing a case-sensitive deny-list of extensions ({', '.join(extensions[:3])})",
                f"A name such as `shell{extensions[0].upper()}` (or any dangerous extension missing from the list)")

    @staticmethod
    def _first_part(file: PyFile, call) -> tuple[ts.Node, str] | None:
        """`name.split(".")[1]`, `name.partition(".")[2]`, `name[name.index(".") + 1:]`, compared later."""
        if call.receiver is None or not call.args or file.constant_value(call.args[0]) != ".":
            return None
        parent = call.node.parent
        if call.method in _FIRST_PART:
            if parent is None or parent.type != "subscript" or parent.child_by_field_name("value") != call.node:
                return None
            index = file.constant_value(parent.child_by_field_name("subscript"))
            if not ((call.method == "split" and index == 1) or (call.method == "partition" and index == 2)):
                return None
            expression, name_node = parent, call.receiver
        else:  # name[name.index(".") + 1:]
            slice_node = unwrap(parent.parent) if parent is not None and parent.type == "binary_operator" else None
            subscript = slice_node.parent if slice_node is not None and slice_node.type == "slice" else None
            if subscript is None or subscript.type != "subscript":
                return None
            expression, name_node = subscript, subscript.child_by_field_name("value")
            if normalise(file.text_of(name_node)) != normalise(file.text_of(call.receiver)):
                return None
        if not _client_filename(file, name_node) or not _compared_later(file, expression):
            return None
        return expression, shorten(file.text_of(name_node), 40)


def _conditions(file: PyFile) -> Iterator[tuple[ts.Node, ts.Node]]:
    """Branch conditions, and every returned value (a validator's verdict)."""
    yield from branch_conditions(file)
    for statement in file.nodes_of_type("return_statement"):
        if statement.named_children:
            yield statement, statement.named_children[0]


def _extensions(file: PyFile, node: ts.Node | None) -> list[str]:
    """Extension literals (`".png"`, `(".php", ".exe")`, or a name bound to them)."""
    value = file.constant_value(node) if node is not None else NOT_CONSTANT
    values = value if isinstance(value, tuple) else (value,)
    found = [v for v in values if isinstance(v, str) and _EXTENSION.match(v)]
    if node is not None and node.type == "identifier" and not found:
        for binding, identifier in file.reaching_bindings(node):
            bound = file.bound_value(binding, identifier)
            if bound is not None and bound.type in ("set", "list", "tuple"):
                items = [file.constant_value(c) for c in bound.named_children]
                found = [v for v in items if isinstance(v, str) and _EXTENSION.match(v)]
    return found


def _negated(file: PyFile, node: ts.Node, condition: ts.Node | None) -> bool:
    negations = 0
    for ancestor in file.ancestors(node):
        if ancestor.type == "not_operator":
            negations += 1
        if ancestor == condition:
            break
    return negations % 2 == 1


def _lowercased(file: PyFile, node: ts.Node, _depth: int = 0) -> bool:
    node = unwrap(node)
    if node is None or _depth > 3:
        return False
    if re.search(r"\.(lower|casefold|upper)\(\)", file.text_of(node)):
        return True
    if node.type == "identifier":
        for binding, identifier in file.reaching_bindings(node):
            bound = file.bound_value(binding, identifier)
            if bound is not None and _lowercased(file, bound, _depth + 1):
                return True
    if node.type == "subscript":  # os.path.splitext(name.lower())[1]
        return _lowercased(file, node.child_by_field_name("value"), _depth + 1)
    return False


def _client_extension(file: PyFile, node: ts.Node, _depth: int = 0) -> bool:
    """The file name itself, or its extension taken with splitext/rsplit/split."""
    node = unwrap(node)
    if node is None or _depth > 3:
        return False
    if _client_filename(file, node):
        return True
    if node.type == "subscript":
        return _client_extension(file, node.child_by_field_name("value"), _depth + 1)
    if node.type == "call":
        call = file.call_at(node)
        if call.name in ("os.path.splitext", "posixpath.splitext") and call.args:
            return _client_filename(file, call.args[0])
        if call.method in ("rsplit", "split", "rpartition") and call.receiver is not None:
            return _client_filename(file, call.receiver)
    if node.type == "identifier":
        for binding, identifier in file.reaching_bindings(node):
            bound = file.bound_value(binding, identifier)
            if bound is not None and _client_extension(file, bound, _depth + 1):
                return True
    return False


def _compared_later(file: PyFile, expression: ts.Node) -> bool:
    """The extension is compared where it is computed, or bound to a name compared afterwards."""
    for ancestor in file.ancestors(expression):
        if ancestor.type in ("comparison_operator",):
            return True
        if ancestor.type == "call" and file.call_at(ancestor).method in ("endswith", "startswith", "__contains__"):
            return True
        if ancestor.type in ("block", "module", "assignment") or ancestor.type.endswith("_statement"):
            break
    parent = expression.parent
    if parent is not None and parent.type == "call" and file.call_at(parent).method in ("lower", "casefold", "strip"):
        parent = parent.parent
    assignment = expression.parent if expression.parent is not None and expression.parent.type == "assignment" else \
        (parent if parent is not None and parent.type == "assignment" else None)
    if assignment is None:
        return False
    target = assignment.child_by_field_name("left")
    if target is None or target.type != "identifier":
        return False
    name = file.text_of(target)
    scope = function_of(file, assignment) or file.root
    for comparison in file.nodes_of_type("comparison_operator", within=scope):
        if comparison.start_byte > assignment.end_byte and mentions(file, comparison, name):
            return True
    return False


_VALIDATOR_WORDS = frozenset({"allowed", "allow", "valid", "validate", "check", "is", "verify", "safe", "permitted",
                              "accept", "acceptable", "extension", "ext"})
_NAME_WRAPPERS = frozenset({"secure_filename", "os.path.basename", "basename", "str", "werkzeug.utils.secure_filename",
                            "get_valid_filename", "django.utils.text.get_valid_filename", "unquote",
                            "urllib.parse.unquote", "strip", "lower", "casefold"})


def _client_filename(file: PyFile, node: ts.Node | None, _depth: int = 0) -> bool:
    """True if `node` holds the file name a client sent with an upload.

    `upload.filename`, `upload.name` of an uploaded file, names bound to those (also through
    `secure_filename()`/`basename()`, which keep the extension), request data whose dataflow comes from a
    source, and the `filename` parameter of a validation helper (`def allowed_file(filename)`) in a web module.
    """
    node = unwrap(node)
    if node is None or _depth > 3:
        return False
    if node.type == "attribute":
        attribute = file.text_of(node.child_by_field_name("attribute"))
        receiver = node.child_by_field_name("object")
        if attribute in ("filename", "raw_filename") and (is_upload(file, receiver) or
                                                          provenance_kind(file, receiver) == "source"):
            return True
        return attribute == "name" and is_upload(file, receiver)
    if node.type == "call":
        call = file.call_at(node)
        wrapper = call.name or call.method
        target = call.receiver if call.method in ("strip", "lower", "casefold") else call.arg(0)
        return wrapper in _NAME_WRAPPERS and _client_filename(file, target, _depth + 1)
    if node.type != "identifier":
        return False
    name = file.text_of(node)
    scope = file.enclosing_scope(node)
    if scope.type == "function_definition" and file.is_parameter(name, scope):
        function_words = set(words(file.text_of(scope.child_by_field_name("name"))))
        return bool(re.search(r"file_?name|fname", name, re.I)) and bool(function_words & _VALIDATOR_WORDS) \
            and web_module(file)
    for binding, identifier in file.reaching_bindings(node):
        value = file.bound_value(binding, identifier)
        if value is not None and _client_filename(file, value, _depth + 1):
            return True
    return False
