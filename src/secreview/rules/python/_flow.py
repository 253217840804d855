"""Shared logic of the control-flow / resource-lifetime rule family.

Races between a file-system check and the use of the same path, files created
without O_EXCL, swallowed or forgotten exceptions, and comparisons by
identity.  Everything here works on the tree-sitter tree of one `PyFile`;
nothing evaluates the analysed code.

Vocabulary used by the rules:

- a *region* is a list of statements that run under a known outcome of a
  check (the `if` body, the `else` body, or the statements after an `if`
  whose body always leaves: ``return``/``raise``/``continue``/``break``);
- an expression is the *same* as another when their source texts are equal
  once all whitespace is removed (``self.path`` == ``self .path``).
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Iterator
from dataclasses import dataclass

import tree_sitter as ts

from secreview.lang.python.syntax import normalise, unwrap
from secreview.lang.python.file import NOT_CONSTANT, Call, PyFile
from secreview.model import Confidence
from secreview.rules import shorten

NESTED_SCOPES = frozenset({"function_definition", "lambda", "class_definition", "decorated_definition"})
EXITS = frozenset({"return_statement", "raise_statement", "continue_statement", "break_statement"})


# -- small utilities ----------------------------------------------------------

def same(file: PyFile, a: ts.Node | None, b: ts.Node | None) -> bool:
    return a is not None and b is not None and normalise(file.text_of(a)) == normalise(file.text_of(b))




def lower(confidence: Confidence) -> Confidence:
    return {Confidence.HIGH: Confidence.MEDIUM}.get(confidence, Confidence.LOW)


def in_region(node: ts.Node, region: list[ts.Node]) -> ts.Node | None:
    """The statement of `region` containing `node`, if `node` runs there (not in a nested def/lambda)."""
    for statement in region:
        if statement.start_byte <= node.start_byte and node.end_byte <= statement.end_byte:
            current = node.parent
            while current is not None:
                if current.type in NESTED_SCOPES:
                    return None
                if current == statement:
                    break
                current = current.parent
            return statement
    return None


def calls_in(file: PyFile, region: list[ts.Node]) -> list[Call]:
    """The calls executed by the statements of `region`, in source order."""
    if not region:
        return []
    start, end = region[0].start_byte, region[-1].end_byte
    return [c for c in file.calls if start <= c.node.start_byte < end and in_region(c.node, region)]


def scope_calls_after(file: PyFile, node: ts.Node, names: tuple[str, ...]) -> list[Call]:
    """Calls to `names` after `node` in the same function (or module), not in nested scopes."""
    scope = file.enclosing_scope(node)
    out = []
    for call in file.calls_to(*names):
        if call.node.start_byte <= node.end_byte:
            continue
        if scope.start_byte <= call.node.start_byte < scope.end_byte and file.enclosing_scope(call.node) == scope:
            out.append(call)
    return out


def last_binding(file: PyFile, ident: ts.Node) -> ts.Node | None:
    """The value of the last plain `name = value` binding `ident` before it, in its scope."""
    if ident.type != "identifier":
        return None
    bindings = file.bindings_before(ident)
    if not bindings:
        return None
    return file.bound_value(*bindings[-1])


def last_binding_statement(file: PyFile, ident: ts.Node) -> ts.Node | None:
    """The statement (assignment, for, with...) that last binds `ident` before it."""
    if ident.type != "identifier":
        return None
    bindings = file.bindings_before(ident)
    return bindings[-1][0] if bindings else None


def rebound_between(file: PyFile, expr: ts.Node, start: int, end: int) -> bool:
    """True if the identifier `expr` is bound again between byte offsets `start` and `end`."""
    if expr.type != "identifier":
        return False
    scope = file.enclosing_scope(expr)
    return any(start <= b.start_byte < end for b, _ in file.bindings_of(file.text_of(expr), scope))


# -- locks ----------------------------------------------------------------------

_LOCKISH = re.compile(r"(?:^|[^a-zA-Z])(?:r?lock|mutex|semaphore)|Lock|Mutex|Semaphore|synchroni[sz]ed")


def lock_around(file: PyFile, node: ts.Node) -> str | None:
    """Text of a lock held around `node`: a `with <lock>:` or a `@...synchronized(...)` function."""
    for ancestor in file.ancestors(node):
        if ancestor.type == "with_statement":
            for item in ancestor.named_children[0].named_children if ancestor.named_children else ():
                value = item.child_by_field_name("value")
                if value is not None and value.type == "as_pattern":
                    value = value.named_children[0]
                if value is not None and _LOCKISH.search(file.text_of(value)):
                    return shorten(file.text_of(value), 60)
        elif ancestor.type == "function_definition" and ancestor.parent is not None \
                and ancestor.parent.type == "decorated_definition":
            for decorator in ancestor.parent.named_children:
                if decorator.type == "decorator" and _LOCKISH.search(file.text_of(decorator)):
                    return shorten(file.text_of(decorator).lstrip("@"), 60)
    return None


# -- if-statement regions -------------------------------------------------------

@dataclass(frozen=True)
class Guarded:
    """A check inside an if/elif condition and where its outcome is known."""

    condition_owner: ts.Node  # if_statement or elif_clause
    negated: bool  # the check appears under an odd number of `not`
    when_true: list[ts.Node]  # statements run when the condition holds
    when_false: list[ts.Node]  # statements run when it does not


_CONDITION_PATH = frozenset({
    "not_operator", "boolean_operator", "parenthesized_expression", "comparison_operator",
    "attribute", "argument_list", "call", "subscript",
})


def guarded(file: PyFile, check: ts.Node) -> Guarded | None:
    """If `check` sits in the condition of an `if`/`elif`, the regions governed by it."""
    negated = False
    node = check
    while node.parent is not None and node.parent.type in _CONDITION_PATH:
        if node.parent.type == "not_operator":
            negated = not negated
        node = node.parent
    owner = node.parent
    if owner is None or owner.type not in ("if_statement", "elif_clause"):
        return None
    if owner.child_by_field_name("condition") != node:
        return None
    body = owner.child_by_field_name("consequence")
    when_true = list(body.named_children) if body is not None else []
    when_false: list[ts.Node] = []
    if owner.type == "if_statement":
        alternatives = owner.children_by_field_name("alternative")
        else_clause = next((a for a in alternatives if a.type == "else_clause"), None)
        if else_clause is not None and not any(a.type == "elif_clause" for a in alternatives):
            else_body = else_clause.child_by_field_name("body")
            when_false = list(else_body.named_children) if else_body is not None else []
        elif not alternatives and when_true and _always_exits(when_true[-1]):
            when_false = _following_statements(owner)
    return Guarded(owner, negated, [s for s in when_true if s.type != "comment"],
                   [s for s in when_false if s.type != "comment"])


def _always_exits(statement: ts.Node) -> bool:
    return statement.type in EXITS


def _following_statements(statement: ts.Node) -> list[ts.Node]:
    out = []
    sibling = statement.next_named_sibling
    while sibling is not None:
        if sibling.type != "comment":
            out.append(sibling)
        sibling = sibling.next_named_sibling
    return out


# -- open flags -------------------------------------------------------------------

_LINUX_FLAG_BITS = {"O_CREAT": 0o100, "O_EXCL": 0o200, "O_TMPFILE": 0o20200000, "O_NOFOLLOW": 0o400000}


def open_flags(file: PyFile, node: ts.Node | None, depth: int = 0) -> set[str] | None:
    """The `os.O_*` names or-ed together in `node`, or None if any part is unknown."""
    node = unwrap(node)
    if node is None or depth > 6:
        return None
    if node.type == "binary_operator":
        operator = file.text_of(node.child_by_field_name("operator"))
        if operator not in ("|", "+"):
            return None
        left = open_flags(file, node.child_by_field_name("left"), depth + 1)
        right = open_flags(file, node.child_by_field_name("right"), depth + 1)
        return None if left is None or right is None else left | right
    if node.type == "attribute" or node.type == "identifier":
        name = file.qualified_name(node) or ""
        last = name.rsplit(".", 1)[-1]
        if re.fullmatch(r"O_[A-Z_]+", last) and (name.startswith("os.") or name == last):
            return {last}
        if node.type == "identifier":
            bound = last_binding(file, node)
            if bound is not None:
                return open_flags(file, bound, depth + 1)
    if node.type == "integer":
        value = file.constant_value(node)
        if isinstance(value, int):
            return {name for name, bits in _LINUX_FLAG_BITS.items() if value & bits == bits}
    return None


# -- predictable paths ----------------------------------------------------------------

_TEMP_FACTORIES = re.compile(r"\b(mkstemp|mkdtemp|NamedTemporaryFile|TemporaryDirectory|TemporaryFile|"
                             r"SpooledTemporaryFile)\b")
_SHARED_DIRS = ("/tmp", "/var/tmp", "/dev/shm")
_TEMP_WORD = re.compile(r"(?:^|[^a-z])(?:tmp|temp(?:orary)?(?:[^a-z]|$))|\.new$|\.part$|\.partial$|\.swp$|~$", re.I)


@dataclass(frozen=True)
class PathShape:
    """How a path expression is built."""

    safe: bool = False  # comes from mkstemp()/NamedTemporaryFile()/mkdtemp(): unique and private
    shared_dir: bool = False  # a fixed name under /tmp, /var/tmp or /dev/shm (or gettempdir())
    temp_suffix: str = ""  # the fixed temp-like part added to another path (".tmp", "~", ...)
    base: str = ""  # the path it is derived from, if any

    @property
    def predictable(self) -> bool:
        return not self.safe and (self.shared_dir or bool(self.temp_suffix))


def path_shape(file: PyFile, node: ts.Node | None, depth: int = 0) -> PathShape:
    node = unwrap(node)
    if node is None or depth > 4:
        return PathShape()
    text = file.text_of(node)
    if _TEMP_FACTORIES.search(text):
        return PathShape(safe=True)
    if node.type == "identifier":
        bound = last_binding(file, node)
        if bound is None:
            # bound by a tuple assignment such as ``fd, path = tempfile.mkstemp()``?
            return PathShape(safe=_bound_by_temp_factory(file, node))
        return path_shape(file, bound, depth + 1)
    value = file.constant_value(node)
    if isinstance(value, str):
        return PathShape(shared_dir=_in_shared_dir(value), temp_suffix=_temp_part(value))
    if "gettempdir" in text:
        return PathShape(shared_dir=True, temp_suffix=_literal_temp_part(file, node))
    if node.type == "binary_operator":
        return _binary_shape(file, node, depth)
    if node.type == "string":  # f-string
        literal = "".join(file.text_of(c) for c in node.named_children if c.type == "string_content")
        parts = [c for c in node.named_children if c.type == "interpolation"]
        base = file.text_of(parts[0].child_by_field_name("expression")) if parts else ""
        first = next((c for c in node.named_children if c.type in ("string_content", "interpolation")), None)
        shared = first is not None and first.type == "string_content" and _in_shared_dir(file.text_of(first))
        return PathShape(shared_dir=shared, temp_suffix=_temp_part(literal), base=shorten(base, 50))
    if node.type == "call":
        return _call_shape(file, node, depth)
    return PathShape()


def _binary_shape(file: PyFile, node: ts.Node, depth: int) -> PathShape:
    operator = file.text_of(node.child_by_field_name("operator"))
    left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
    left_value, right_value = file.constant_value(left), file.constant_value(right)
    if operator == "+":
        if isinstance(right_value, str) and left_value is NOT_CONSTANT:
            inner = path_shape(file, left, depth + 1)
            return PathShape(safe=inner.safe, shared_dir=inner.shared_dir,
                             temp_suffix=_temp_part(right_value) or inner.temp_suffix,
                             base=shorten(file.text_of(left), 50))
        if isinstance(left_value, str):
            return PathShape(shared_dir=_in_shared_dir(left_value), temp_suffix=_temp_part(left_value))
    if operator == "%" and isinstance(left_value, str):
        literal = re.sub(r"%(\([^)]*\))?[-#0 +]*\d*(\.\d+)?[a-zA-Z]", "", left_value)
        return PathShape(shared_dir=_in_shared_dir(left_value), temp_suffix=_temp_part(literal),
                         base=shorten(file.text_of(right), 50))
    return PathShape()


def _call_shape(file: PyFile, node: ts.Node, depth: int) -> PathShape:
    function = node.child_by_field_name("function")
    name = file.qualified_name(function) or ""
    arguments = node.child_by_field_name("arguments")
    args = [a for a in (arguments.named_children if arguments else ()) if a.type != "comment"]
    if name in ("os.path.join", "posixpath.join") and args:
        head = path_shape(file, args[0], depth + 1)
        tail_value = file.constant_value(args[-1])
        suffix = _temp_part(tail_value) if isinstance(tail_value, str) else ""
        return PathShape(safe=head.safe, shared_dir=head.shared_dir and len(args) > 1,
                         temp_suffix=suffix, base=shorten(file.text_of(args[0]), 50))
    if function is not None and function.type == "attribute" \
            and file.text_of(function.child_by_field_name("attribute")) == "format":
        template = file.constant_value(function.child_by_field_name("object"))
        if isinstance(template, str):
            literal = re.sub(r"\{[^}]*\}", "", template)
            return PathShape(shared_dir=_in_shared_dir(template), temp_suffix=_temp_part(literal))
    return PathShape()


def _literal_temp_part(file: PyFile, node: ts.Node) -> str:
    literals = [file.constant_value(n) for n in file.nodes("(string) @s", "s", node)]
    return next((_temp_part(v) for v in literals if isinstance(v, str) and _temp_part(v)), "")


def _bound_by_temp_factory(file: PyFile, ident: ts.Node) -> bool:
    """``fd, path = tempfile.mkstemp()`` or ``with NamedTemporaryFile() as path``."""
    statement = last_binding_statement(file, ident)
    if statement is None or statement.type not in ("assignment", "as_pattern"):
        return False
    value = statement.child_by_field_name("right") if statement.type == "assignment" else statement.named_children[0]
    return value is not None and bool(_TEMP_FACTORIES.search(file.text_of(value)))


def _in_shared_dir(text: str) -> bool:
    return any(text == d or text.startswith(d + "/") for d in _SHARED_DIRS)


def _temp_part(text: str) -> str:
    """The temp-looking fixed part of a name ('.tmp', '~', '.new', ...), or ''."""
    tail = text.rsplit("/", 1)[-1]
    return tail if tail and _TEMP_WORD.search(tail) else ""


# -- exceptions ----------------------------------------------------------------------

BUILTIN_EXCEPTIONS = frozenset(
    name for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, BaseException)
)
BROAD_EXCEPTIONS = frozenset({"Exception", "BaseException", "builtins.Exception", "builtins.BaseException"})
_EXCEPTION_CLASS = re.compile(
    r"^(?:[A-Z]\w*(?:Error|Exception|Failed|Failure|NotFound|Denied|Forbidden|Unauthorized|Invalid|Conflict)"
    r"|Invalid[A-Z]\w*)$")


def looks_like_exception_class(name: str) -> bool:
    """True for a CamelCase name that names an exception class (builtin or by convention)."""
    last = name.rsplit(".", 1)[-1]
    return last in BUILTIN_EXCEPTIONS and last[0].isupper() or bool(_EXCEPTION_CLASS.match(last))


def except_types(file: PyFile, clause: ts.Node) -> list[ts.Node] | None:
    """The exception type expressions of an except clause; [] for a bare ``except:``."""
    value = clause.child_by_field_name("value")
    if value is None:
        named = [c for c in clause.named_children if c.type != "block" and c.type != "comment"]
        if not named:
            return []
        value = named[0]
    if value.type == "as_pattern":
        value = value.named_children[0]
    value = unwrap(value)
    if value is None:
        return None
    if value.type == "tuple":
        return [c for c in value.named_children if c.type != "comment"]
    return [value]


def body_statements(block: ts.Node | None) -> list[ts.Node]:
    if block is None:
        return []
    return [c for c in block.named_children if c.type != "comment"]


def is_do_nothing(statement: ts.Node) -> bool:
    if statement.type == "pass_statement":
        return True
    if statement.type == "expression_statement" and statement.named_child_count == 1:
        child = statement.named_children[0]
        return child.type == "ellipsis" or (child.type == "string" and not any(
            c.type == "interpolation" for c in child.named_children))
    return False


def walk(node: ts.Node) -> Iterator[ts.Node]:
    """`node` and its descendants, depth first, in source order."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.children))
