"""Regular expressions found as constants in the analysed code: where they are, and how they are anchored.

Patterns are *parsed* with the standard library's regex parser (never compiled or run against
anything); `pattern_items` and the `sre` opcodes let a rule walk the parsed form.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

import tree_sitter as ts

from secreview.lang.python.file import Call, PyFile
from secreview.lang.python.syntax import unwrap

try:  # Python 3.11+
    from re import _constants as sre
    from re import _parser as _sre_parse
except ImportError:  # pragma: no cover - older interpreters
    import sre_constants as sre  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]


_REGEX_FUNCTIONS = ("match", "search", "fullmatch", "compile", "findall", "finditer", "sub", "subn", "split")
_REGEX_MODULES = ("re", "regex")
_FLAG_BITS = {"I": re.I, "IGNORECASE": re.I, "M": re.M, "MULTILINE": re.M, "S": re.S, "DOTALL": re.S,
              "X": re.X, "VERBOSE": re.X, "A": re.A, "ASCII": re.A, "U": re.U, "UNICODE": re.U, "L": 0, "LOCALE": 0}
_FLAG_POSITION = {"match": 2, "search": 2, "fullmatch": 2, "compile": 1, "findall": 2, "finditer": 2,
                  "split": 3, "sub": 4, "subn": 4}


@dataclass(frozen=True)
class Regex:
    """A regular expression found as a constant in the analysed code."""

    text: str  # the pattern as written (value of the literal)
    flags: int
    node: ts.Node  # the expression holding the pattern (literal or name)
    parsed: object  # re._parser SubPattern, or None when the pattern does not parse

    @property
    def verbose(self) -> bool:
        return bool(self.flags & re.X)


def regex_call(file: PyFile, call: Call) -> str | None:
    """`"match"` for `re.match(...)`/`regex.match(...)`, the function name of a module-level regex call."""
    if call.name is None or "." not in call.name:
        return None
    module, _, function = call.name.rpartition(".")
    return function if module in _REGEX_MODULES and function in _REGEX_FUNCTIONS else None


def _flags(file: PyFile, node: ts.Node | None) -> int:
    """The flag bits of `re.I | re.X` style expressions (unknown parts count as 0)."""
    node = unwrap(node)
    if node is None:
        return 0
    if node.type == "binary_operator":
        return _flags(file, node.child_by_field_name("left")) | _flags(file, node.child_by_field_name("right"))
    name = file.qualified_name(node) or ""
    if name.startswith(("re.", "regex.")):
        return _FLAG_BITS.get(name.rsplit(".", 1)[-1], 0)
    value = file.constant_value(node)
    return value if isinstance(value, int) else 0


def parse_regex(text: str, flags: int = 0) -> object:
    """The parsed form of a pattern (standard library parser), or None if it does not parse."""
    if isinstance(text, bytes):
        text = text.decode("latin-1")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # FutureWarning "possible nested set" and the like
            return _sre_parse.parse(text, flags)
    except Exception:  # re.error, RecursionError, OverflowError...: not a pattern we can judge
        return None


def _constant_text(file: PyFile, node: ts.Node | None) -> str | None:
    value = file.constant_value(node)
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return value if isinstance(value, str) else None


def regex_of_call(file: PyFile, call: Call) -> Regex | None:
    """The constant pattern given to `re.<function>(pattern, ...)`."""
    function = regex_call(file, call)
    if function is None:
        return None
    node = call.arg(0, "pattern")
    text = _constant_text(file, node)
    if text is None or node is None:
        return None
    flags = _flags(file, call.arg(_FLAG_POSITION.get(function), "flags"))
    return Regex(text, flags, node, parse_regex(text, flags))


def compiled_regex(file: PyFile, receiver: ts.Node | None, depth: int = 0) -> Regex | None:
    """The constant pattern of a compiled regex object: `re.compile(...)` itself, a name bound to it,
    or a class attribute (`self._NAME_RE`, `cls.PATTERN`, `Klass.PATTERN`) assigned it in the class body."""
    receiver = unwrap(receiver)
    if receiver is None or depth > 3:
        return None
    if receiver.type == "call":
        call = file.call_at(receiver)
        return regex_of_call(file, call) if regex_call(file, call) == "compile" else None
    if receiver.type == "identifier":
        bindings = file.reaching_bindings(receiver)
        if len(bindings) != 1:
            return None
        return compiled_regex(file, file.bound_value(*bindings[0]), depth + 1)
    if receiver.type == "attribute":
        owner = receiver.child_by_field_name("object")
        attribute = receiver.child_by_field_name("attribute")
        if owner is None or attribute is None or owner.type != "identifier":
            return None
        cls = file.inside(receiver, ("class_definition",))
        if cls is None:
            return None
        owner_name = file.text_of(owner)
        class_name = cls.child_by_field_name("name")
        if owner_name not in ("self", "cls") and (class_name is None or file.text_of(class_name) != owner_name):
            return None
        value = _class_attribute_value(file, cls, file.text_of(attribute))
        return compiled_regex(file, value, depth + 1) if value is not None else None
    return None


def _class_attribute_value(file: PyFile, cls: ts.Node, name: str) -> ts.Node | None:
    """The value of the single `name = value` statement in a class body, if there is exactly one."""
    body = cls.child_by_field_name("body")
    found = []
    for statement in body.named_children if body is not None else ():
        if statement.type == "expression_statement" and statement.named_children \
                and statement.named_children[0].type == "assignment":
            assign = statement.named_children[0]
            left = assign.child_by_field_name("left")
            if left is not None and left.type == "identifier" and file.text_of(left) == name:
                found.append(assign.child_by_field_name("right"))
    return found[0] if len(found) == 1 else None


def pattern_items(subpattern: object) -> list:
    """The (opcode, argument) items of a parsed pattern or sub-pattern; [] for anything else."""
    try:
        return list(subpattern)  # SubPattern supports iteration over (op, av)
    except TypeError:
        return []


def ends_with_end_anchor(subpattern: object) -> bool:
    """True when every way through the pattern ends at `$`, `\\Z` (or a lookahead holding one)."""
    return _anchored(subpattern, -1, (sre.AT_END, sre.AT_END_STRING))


def starts_with_start_anchor(subpattern: object) -> bool:
    """True when every way through the pattern starts at `^` or `\\A`."""
    return _anchored(subpattern, 0, (sre.AT_BEGINNING, sre.AT_BEGINNING_STRING))


def _anchored(subpattern: object, position: int, anchors: tuple[object, ...]) -> bool:
    """Every way through the pattern has one of `anchors` as its item at `position` (0: first, -1: last),
    looking into groups, alternatives and, at the end, lookaheads (`(?=...$)`)."""
    items = pattern_items(subpattern)
    if not items:
        return False
    op, av = items[position]
    if op is sre.AT:
        return av in anchors
    if op is sre.BRANCH:
        return all(_anchored(branch, position, anchors) for branch in av[1])
    if op is sre.SUBPATTERN:
        return _anchored(av[-1], position, anchors)
    if op is sre.ASSERT and position == -1:
        return _anchored(av[1], position, anchors)
    return False


REPEATS = tuple(getattr(sre, name) for name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")
                 if hasattr(sre, name))


def open_tail(subpattern: object) -> str | None:
    """How the pattern ends when it ends with a repetition of allowed characters (`[a-z0-9]+`,
    `\\d{1,5}`, `(-[a-z]+)*`): "run"; "any" when it ends with an explicit `.*`/`.+` (trailing
    text allowed on purpose); None for anything else (a fixed literal, a repeated single character
    such as `-*`, a group of alternatives)."""
    items = pattern_items(subpattern)
    if not items:
        return None
    op, av = items[-1]
    if op in REPEATS:
        low, high, body = av
        if _only_any(body):
            return "any"
        if not (high == sre.MAXREPEAT or high > low) or _only_literals(body):
            return None
        return "run"
    if op is sre.SUBPATTERN:
        return open_tail(av[-1])
    if op is sre.BRANCH:
        tails = {open_tail(branch) for branch in av[1]}
        return "any" if "any" in tails else ("run" if tails == {"run"} else None)
    return None


def _only_any(subpattern: object) -> bool:
    items = pattern_items(subpattern)
    if len(items) != 1:
        return False
    op, av = items[0]
    if op is sre.ANY:
        return True
    if op is sre.SUBPATTERN:
        return _only_any(av[-1])
    if op is sre.IN:  # [\s\S], [\w\W]
        categories = {a for o, a in av if o is sre.CATEGORY}
        return any({f"CATEGORY_{x}", f"CATEGORY_NOT_{x}"} <= {str(c) for c in categories}
                   for x in ("SPACE", "WORD", "DIGIT"))
    return False


def _only_literals(subpattern: object) -> bool:
    items = pattern_items(subpattern)
    return bool(items) and all(op is sre.LITERAL for op, _ in items)


def matches_empty_always(subpattern: object, search: bool = False) -> bool:
    """True when the pattern matches the empty string without any condition (`[a-z]*`, `^(\\d+)?`), so
    `re.match` with it succeeds on every string; with `search`, a branch that is only `$` counts too."""
    items = pattern_items(subpattern)
    if not items:
        return True
    for index, (op, av) in enumerate(items):
        if op in REPEATS and av[0] == 0:
            continue
        if op is sre.AT and index == 0 and av in (sre.AT_BEGINNING, sre.AT_BEGINNING_STRING):
            continue
        if op is sre.AT and search and index == len(items) - 1 and av in (sre.AT_END, sre.AT_END_STRING):
            continue
        if op is sre.SUBPATTERN and matches_empty_always(av[-1], search):
            continue
        if op is sre.BRANCH and any(matches_empty_always(b, search) for b in av[1]):
            continue
        return False
    return True

