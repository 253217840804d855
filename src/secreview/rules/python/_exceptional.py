"""Shared logic of the comparison / exceptional-condition / control-flow rule family.

Rules for incorrect comparisons (regular expressions without anchors or with
unescaped dots, prefix and suffix checks without a boundary, versions compared
as strings), unhandled exceptional conditions (values that can be None,
external data parsed outside a `try`, failures reported as success, ignored
status codes) and insufficient control flow (lazy initialisation without a
lock, error responses not followed by `return`).

Everything here reads the tree-sitter tree of one `PyFile`; regular
expressions found as string constants are *parsed* with the standard
library's regex parser (never compiled or run against anything), and nothing
of the analysed code is evaluated.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

import tree_sitter as ts

from secreview.lang.python.file import Call, PyFile
from secreview.rules.python._flow import EXITS, NESTED_SCOPES, except_types
from secreview.lang.python.syntax import unwrap

try:  # Python 3.11+
    from re import _constants as _sre
    from re import _parser as _sre_parse
except ImportError:  # pragma: no cover - older interpreters
    import sre_constants as _sre  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]


# -- regular expressions -----------------------------------------------------------

REGEX_FUNCTIONS = ("match", "search", "fullmatch", "compile", "findall", "finditer", "sub", "subn", "split")
REGEX_MODULES = ("re", "regex")
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
    return function if module in REGEX_MODULES and function in REGEX_FUNCTIONS else None


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
        value = class_attribute_value(file, cls, file.text_of(attribute))
        return compiled_regex(file, value, depth + 1) if value is not None else None
    return None


def class_attribute_value(file: PyFile, cls: ts.Node, name: str) -> ts.Node | None:
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


def _items(subpattern: object) -> list:
    try:
        return list(subpattern)  # SubPattern supports iteration over (op, av)
    except TypeError:
        return []


def ends_with_end_anchor(subpattern: object) -> bool:
    """True when every way through the pattern ends at `$`, `\\Z` (or a lookahead holding one)."""
    items = _items(subpattern)
    if not items:
        return False
    op, av = items[-1]
    if op is _sre.AT:
        return av in (_sre.AT_END, _sre.AT_END_STRING)
    if op is _sre.BRANCH:
        return all(ends_with_end_anchor(branch) for branch in av[1])
    if op is _sre.SUBPATTERN:
        return ends_with_end_anchor(av[-1])
    if op is _sre.ASSERT:  # (?=...$)
        return ends_with_end_anchor(av[1])
    return False


def starts_with_start_anchor(subpattern: object) -> bool:
    items = _items(subpattern)
    if not items:
        return False
    op, av = items[0]
    if op is _sre.AT:
        return av in (_sre.AT_BEGINNING, _sre.AT_BEGINNING_STRING)
    if op is _sre.BRANCH:
        return all(starts_with_start_anchor(branch) for branch in av[1])
    if op is _sre.SUBPATTERN:
        return starts_with_start_anchor(av[-1])
    return False


_REPEATS = tuple(getattr(_sre, name) for name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")
                 if hasattr(_sre, name))


def open_tail(subpattern: object) -> str | None:
    """How the pattern ends when it ends with a repetition of allowed characters (`[a-z0-9]+`,
    `\\d{1,5}`, `(-[a-z]+)*`): "run"; "any" when it ends with an explicit `.*`/`.+` (trailing
    text allowed on purpose); None for anything else (a fixed literal, a repeated single character
    such as `-*`, a group of alternatives)."""
    items = _items(subpattern)
    if not items:
        return None
    op, av = items[-1]
    if op in _REPEATS:
        low, high, body = av
        if _only_any(body):
            return "any"
        if not (high == _sre.MAXREPEAT or high > low) or _only_literals(body):
            return None
        return "run"
    if op is _sre.SUBPATTERN:
        return open_tail(av[-1])
    if op is _sre.BRANCH:
        tails = {open_tail(branch) for branch in av[1]}
        return "any" if "any" in tails else ("run" if tails == {"run"} else None)
    return None


def _only_any(subpattern: object) -> bool:
    items = _items(subpattern)
    if len(items) != 1:
        return False
    op, av = items[0]
    if op is _sre.ANY:
        return True
    if op is _sre.SUBPATTERN:
        return _only_any(av[-1])
    if op is _sre.IN:  # [\s\S], [\w\W]
        categories = {a for o, a in av if o is _sre.CATEGORY}
        return any({f"CATEGORY_{x}", f"CATEGORY_NOT_{x}"} <= {str(c) for c in categories}
                   for x in ("SPACE", "WORD", "DIGIT"))
    return False


def _only_literals(subpattern: object) -> bool:
    items = _items(subpattern)
    return bool(items) and all(op is _sre.LITERAL for op, _ in items)


def matches_empty_always(subpattern: object, search: bool = False) -> bool:
    """True when the pattern matches the empty string without any condition (`[a-z]*`, `^(\\d+)?`), so
    `re.match` with it succeeds on every string; with `search`, a branch that is only `$` counts too."""
    items = _items(subpattern)
    if not items:
        return True
    for index, (op, av) in enumerate(items):
        if op in _REPEATS and av[0] == 0:
            continue
        if op is _sre.AT and index == 0 and av in (_sre.AT_BEGINNING, _sre.AT_BEGINNING_STRING):
            continue
        if op is _sre.AT and search and index == len(items) - 1 and av in (_sre.AT_END, _sre.AT_END_STRING):
            continue
        if op is _sre.SUBPATTERN and matches_empty_always(av[-1], search):
            continue
        if op is _sre.BRANCH and any(matches_empty_always(b, search) for b in av[1]):
            continue
        return False
    return True


_TLDS = frozenset({
    "com", "org", "net", "io", "gov", "edu", "mil", "biz", "cloud", "internal", "local", "localdomain", "corp",
    "uk", "de", "fr", "jp", "cn", "ru", "eu", "nl", "ch", "au", "ca", "br", "se", "pl", "es", "kr", "tw", "nz",
})
_LABEL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_")


@dataclass(frozen=True)
class UnescapedDot:
    domain: str  # the host name as the pattern spells it, dots shown as written ("api.example\\.com")
    intended: str  # what it was meant to match ("api.example.com")


def unescaped_domain_dots(parsed: object) -> list[UnescapedDot]:
    """Host names in a pattern whose label separator is an unescaped `.` (any character)."""
    found: list[UnescapedDot] = []
    for sequence in _sequences(parsed):
        tokens: list[tuple[str, str]] = []
        for op, av in sequence:
            if op is _sre.LITERAL and chr(av).lower() in _LABEL_CHARS:
                if tokens and tokens[-1][0] == "L":
                    tokens[-1] = ("L", tokens[-1][1] + chr(av))
                else:
                    tokens.append(("L", chr(av)))
            elif op is _sre.ANY:
                tokens.append(("A", "."))
            elif op is _sre.LITERAL and chr(av) == ".":
                tokens.append(("D", "\\."))
            elif op is _sre.LITERAL and chr(av) == "(":
                tokens.append(("P", ""))
            else:
                tokens.append(("X", ""))
        found.extend(_domains_in(tokens))
    return found


def _domains_in(tokens: list[tuple[str, str]]) -> Iterator[UnescapedDot]:
    index = 0
    while index < len(tokens):
        if tokens[index][0] not in "LAD":
            index += 1
            continue
        end = index
        while end < len(tokens) and tokens[end][0] in "LAD":
            end += 1
        run = tokens[index:end]
        follower = tokens[end][0] if end < len(tokens) else ""
        start, index = index, end
        if follower == "P" or run[-1][0] != "L" or run[-1][1].lower() not in _TLDS:
            continue
        labels = [t for t in run if t[0] == "L"]
        preceded = start > 0 and tokens[start - 1][0] == "X"  # `\\w+.example\\.com`: a label pattern before
        if len(labels) < 2 or not any(run[i][0] == "A" and i < len(run) - 1 and run[i + 1][0] == "L"
                                      and ((i > 0 and run[i - 1][0] == "L") or (i == 0 and preceded))
                                      for i in range(len(run))):
            continue
        if any(len(t[1]) < 2 for t in labels[:-1]) or labels[-2][1].isdigit():
            continue  # `a.com`-like fragments and version or address numbers are not host names
        written = "".join(t[1] for t in run).lstrip(".\\")
        intended = "".join("." if t[0] != "L" else t[1] for t in run).lstrip(".")
        yield UnescapedDot(written, intended)


def _sequences(parsed: object) -> Iterator[list]:
    """Every flat item sequence of a pattern: the top level, each branch and each group body."""
    items = _items(parsed)
    if not items:
        return
    yield items
    for op, av in items:
        if op is _sre.BRANCH:
            for branch in av[1]:
                yield from _sequences(branch)
        elif op is _sre.SUBPATTERN:
            yield from _sequences(av[-1])
        elif op in _REPEATS:
            yield from _sequences(av[2])
        elif op in (_sre.ASSERT, _sre.ASSERT_NOT):
            yield from _sequences(av[1])


# -- URL, host and path strings ------------------------------------------------------------

_URL_PREFIX = re.compile(r"^[a-z][a-z0-9+.-]*://(?:[^/?#@\s]+@)?(?P<host>\[[0-9a-f:.]+\]|[a-z0-9_.-]+)(?::\d*)?$", re.I)
_DOMAIN = re.compile(r"^(?:[a-z0-9_](?:[a-z0-9_-]*[a-z0-9])?\.)+[a-z]{2,24}$", re.I)
_HOST_WORDS = re.compile(r"(?:^|_|\b)(?:host|hostname|hostnames|netloc|domain|domains|fqdn|origin|server|site|referer|"
                         r"referrer|url|uri|email|mail|e_mail|cn|san|sni|dns|endpoint|redirect|callback|location|"
                         r"issuer|audience|aud|iss)(?:$|_|\b)", re.I)


def constant_strings(file: PyFile, node: ts.Node | None) -> list[str]:
    """The constant string(s) of a string or a tuple/list of strings, [] when not constant."""
    value = file.constant_value(node)
    if isinstance(value, str):
        return [value]
    if isinstance(value, tuple):
        return [v for v in value if isinstance(v, str)]
    return []


def boundaryless_url_prefix(literal: str) -> str | None:
    """The host of a URL prefix that stops right after the host (or port): `https://example.com`."""
    match = _URL_PREFIX.match(literal)
    if match is None:
        return None
    host = match.group("host")
    return host if "." in host or host.lower() == "localhost" or host.startswith("[") else None


def boundaryless_domain(literal: str) -> bool:
    """A domain name used as a suffix without a leading dot (`example.com`, not `.example.com`)."""
    return bool(_DOMAIN.match(literal))


def names_a_host(file: PyFile, node: ts.Node) -> bool:
    """True when the expression's name says it holds a host name, domain, origin, URL or e-mail address."""
    node = unwrap(node) or node
    if node.type == "call":  # str(x).endswith, x.lower().endswith
        function = node.child_by_field_name("function")
        if function is not None and function.type == "attribute":
            return names_a_host(file, function.child_by_field_name("object"))
        arguments = node.child_by_field_name("arguments")
        inner = arguments.named_children[0] if arguments is not None and arguments.named_children else None
        return inner is not None and names_a_host(file, inner)
    if node.type == "attribute":
        attribute = node.child_by_field_name("attribute")
        return attribute is not None and bool(_HOST_WORDS.search(file.text_of(attribute)))
    if node.type == "subscript":
        index = node.child_by_field_name("subscript")
        key = file.constant_value(index) if index is not None else None
        return isinstance(key, str) and bool(_HOST_WORDS.search(key.replace("-", "_")))
    return node.type == "identifier" and bool(_HOST_WORDS.search(file.text_of(node)))


_PATH_WORDS = re.compile(r"(?:^|_)(?:path|paths|dir|dirs|dirname|directory|root|base|basedir|basepath|folder|"
                         r"mount|mountpoint|home|cwd|tmpdir|workdir|jail|chroot|upload|uploads|export|exports|"
                         r"storage|media|static|allowed)(?:$|_)|(?:Path|Dir|Root|Directory|Folder)$", re.I)
_FILE_WORDS = re.compile(r"(?:^|_)(?:file|filename|fname|fpath|target|dest|destination|location|member|entry|"
                         r"full|real|abs|resolved|candidate|requested|src|source)(?:$|_)", re.I)
PATH_NORMALISERS = frozenset({"realpath", "abspath", "normpath", "resolve", "canonicalize", "canonicalise"})
_PATH_BUILDERS = frozenset({"realpath", "abspath", "normpath", "resolve", "join", "dirname", "expanduser",
                            "getcwd", "gettempdir", "Path", "PurePath", "PosixPath", "absolute", "mkdtemp"})
_SEPARATORS = ("/", "\\")
_PATH_WRAPPERS = frozenset({"str", "fspath", "Path", "PurePath", "PosixPath", "absolute", "expanduser"})


def _callee_last(file: PyFile, call: ts.Node) -> str:
    function = call.child_by_field_name("function")
    if function is None:
        return ""
    if function.type == "attribute":
        return file.text_of(function.child_by_field_name("attribute"))
    return file.text_of(function)


def names_a_path(file: PyFile, node: ts.Node | None, strong: bool = False, depth: int = 0) -> bool:
    """True when the expression holds a file-system path: its name says so, or it is built by
    `os.path`/`pathlib`. `strong` asks for a directory-like name (base, root, dir, ...)."""
    node = unwrap(node)
    if node is None or depth > 3:
        return False
    if node.type == "call":
        last = _callee_last(file, node)
        if last == "str" or last in ("rstrip", "lower", "as_posix", "__str__", "fspath"):
            function = node.child_by_field_name("function")
            inner = function.child_by_field_name("object") if function is not None and function.type == "attribute" \
                else next(iter(file.call_at(node).args), None)
            return names_a_path(file, inner, strong, depth + 1)
        return last in _PATH_BUILDERS
    if node.type == "binary_operator":
        right = file.constant_value(node.child_by_field_name("right"))
        if isinstance(right, str) and not right.startswith(_SEPARATORS):
            return False  # `NAME_BASE + "-"`: a name prefix, not a directory
        return names_a_path(file, node.child_by_field_name("left"), strong, depth + 1)
    if node.type in ("string", "concatenated_string"):
        value = file.constant_value(node)
        return isinstance(value, str) and value.startswith(("/", "~/")) and len(value) > 1
    if node.type == "attribute":
        name = file.text_of(node.child_by_field_name("attribute"))
    elif node.type == "identifier":
        name = file.text_of(node)
        bindings = file.reaching_bindings(node)
        if len(bindings) == 1:
            value = file.bound_value(*bindings[0])
            if value is not None and value.type in ("call", "string") \
                    and names_a_path(file, value, strong, depth + 1):
                return True
    else:
        return False
    return bool(_PATH_WORDS.search(name) or (not strong and _FILE_WORDS.search(name)))


def is_normalised_path(file: PyFile, node: ts.Node | None, depth: int = 0) -> bool:
    """True when the path went through `realpath`/`abspath`/`normpath`/`resolve()` on every binding."""
    node = unwrap(node)
    if node is None or depth > 4:
        return False
    if node.type == "call":
        last = _callee_last(file, node)
        if last in PATH_NORMALISERS:
            return True
        if last in ("str", "fspath", "as_posix", "rstrip", "lower", "__str__"):
            function = node.child_by_field_name("function")
            inner = function.child_by_field_name("object") if function is not None and function.type == "attribute" \
                else next(iter(file.call_at(node).args), None)
            return is_normalised_path(file, inner, depth + 1)
        return False
    if node.type == "identifier":
        bindings = file.reaching_bindings(node)
        values = [file.bound_value(*binding) for binding in bindings]
        return bool(values) and all(v is not None and is_normalised_path(file, v, depth + 1) for v in values)
    return False


def built_from(file: PyFile, path: ts.Node | None, base: ts.Node, depth: int = 0) -> bool:
    """True when `path` is built by joining something onto `base`: `os.path.join(base, name)`,
    `base + "/" + name`, `f"{base}/{name}"`, `base / name`, possibly inside `realpath(...)`/`str(...)`,
    or a name bound to such a value."""
    path = unwrap(path)
    base_text = path_core(file, base)
    if path is None or depth > 4:
        return False
    if path.type == "call":
        last = _callee_last(file, path)
        function = path.child_by_field_name("function")
        receiver = function.child_by_field_name("object") if function.type == "attribute" else None
        args = file.call_at(path).args
        if last == "join" and args and (receiver is None or not file.is_constant(receiver)):
            first = args[0]
        elif last == "joinpath" and receiver is not None:
            first = receiver
        elif last in PATH_NORMALISERS or last in _PATH_WRAPPERS:
            inner = args[0] if args else receiver
            return inner is not None and built_from(file, inner, base, depth + 1)
        else:
            return False
        return _same_base(file, first, base_text) or built_from(file, first, base, depth + 1)
    if path.type == "binary_operator":
        left = path.child_by_field_name("left")
        return _same_base(file, left, base_text) or built_from(file, left, base, depth + 1)
    if path.type == "string":
        interpolations = [c for c in path.named_children if c.type == "interpolation"]
        return bool(interpolations) and _same_base(file, interpolations[0].named_children[0], base_text)
    if path.type == "identifier":
        return any(built_from(file, file.bound_value(b, i), base, depth + 1)
                   for b, i in file.reaching_bindings(path))
    return False


def _same_base(file: PyFile, node: ts.Node | None, base_text: str) -> bool:
    return node is not None and path_core(file, node) == base_text


def path_core(file: PyFile, node: ts.Node) -> str:
    """The text of a directory expression without its wrappers: `str(Path(base)) + os.sep` -> `base`."""
    current = unwrap(node) or node
    for _ in range(6):
        if current.type == "binary_operator" and _is_separator(file, current.child_by_field_name("right")):
            current = unwrap(current.child_by_field_name("left")) or current
            continue
        if current.type == "call" and (_callee_last(file, current) in PATH_NORMALISERS
                                       or _callee_last(file, current) in _PATH_WRAPPERS):
            args = file.call_at(current).args
            function = current.child_by_field_name("function")
            inner = args[0] if args else (function.child_by_field_name("object")
                                          if function.type == "attribute" else None)
            if inner is None:
                break
            current = unwrap(inner) or inner
            continue
        break
    return "".join(file.text_of(current).split())


def has_trailing_separator(file: PyFile, node: ts.Node | None, depth: int = 0) -> bool:
    """True when the directory text ends with a separator: `base + os.sep`, `"/srv/data/"`,
    `os.path.join(base, "")`, `f"{base}/"`, or a name bound (or `+=`-extended) to such a value."""
    node = unwrap(node)
    if node is None or depth > 4:
        return False
    value = file.constant_value(node)
    if isinstance(value, str):
        return value.endswith(_SEPARATORS)
    if node.type == "binary_operator":
        right = node.child_by_field_name("right")
        return _is_separator(file, right) or has_trailing_separator(file, right, depth + 1)
    if node.type == "call":
        last = _callee_last(file, node)
        args = file.call_at(node).args
        if last == "join" and args:
            return file.constant_value(args[-1]) == "" or _is_separator(file, args[-1])
        if last == "str" and args:
            return has_trailing_separator(file, args[0], depth + 1)
        return False
    if node.type == "string":  # f-string
        parts = [c for c in node.named_children if c.type in ("string_content", "interpolation")]
        return bool(parts) and parts[-1].type == "string_content" and file.text_of(parts[-1]).endswith(_SEPARATORS)
    if node.type == "identifier":
        for binding, identifier in file.reaching_bindings(node):
            if binding.type == "augmented_assignment":
                if _is_separator(file, binding.child_by_field_name("right")) or \
                        has_trailing_separator(file, binding.child_by_field_name("right"), depth + 1):
                    return True
            elif has_trailing_separator(file, file.bound_value(binding, identifier), depth + 1):
                return True
    return False


def _is_separator(file: PyFile, node: ts.Node | None) -> bool:
    node = unwrap(node)
    if node is None:
        return False
    if file.constant_value(node) in _SEPARATORS:
        return True
    return (file.qualified_name(node) or "") in ("os.sep", "os.path.sep", "posixpath.sep", "os.altsep")


# -- values that can be None ------------------------------------------------------------------

_MATCH_METHODS = frozenset({"match", "search", "fullmatch"})
_REGEX_NAME = re.compile(r"(?:^|_)(?:re|regex|regexp|rx|pattern|pat|matcher)$|(?:Regex|Pattern|RE)$", re.I)
_DICT_ATTRIBUTES = frozenset({"environ", "args", "form", "values", "headers", "cookies", "GET", "POST", "META",
                              "COOKIES", "query_params", "path_params", "json", "params", "kwargs"})
_DICT_FACTORIES = frozenset({"json.loads", "json.load", "yaml.safe_load", "toml.load", "toml.loads",
                             "tomllib.load", "tomllib.loads", "simplejson.loads", "ujson.loads", "orjson.loads"})
_TREE_MODULES = ("xml.etree", "lxml", "defusedxml", "bs4", "xml.dom")
MATCH_DEREFERENCES = frozenset({"group", "groups", "groupdict", "start", "end", "span", "expand"})
TREE_DEREFERENCES = frozenset({"text", "attrib", "tail", "get", "find", "findall", "findtext", "iter", "get_text",
                               "string", "items", "keys", "tag", "xpath"})


@dataclass(frozen=True)
class Nullable:
    """A call whose result is None in a situation the caller must expect."""

    call: Call
    when: str  # "when the pattern does not match `value`"
    subject: ts.Node | None  # the data that decides it (the matched string, the looked-up mapping)
    kind: str  # "match", "get", "find"


def nullable(file: PyFile, call: Call) -> Nullable | None:
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
        return Nullable(call, f"when the pattern{pattern} does not match", subject, "match")
    if call.method == "get" and call.receiver is not None and len(call.args) == 1 and not call.kwargs \
            and not call.has_star_args and is_mapping(file, call.receiver):
        key = call.args[0]
        return Nullable(call, f"when the key `{file.text_of(key)}` is missing", call.receiver, "get")
    if call.method == "find" and call.receiver is not None and len(call.args) >= 1 \
            and any(file.imports_module(m) for m in _TREE_MODULES) and not file.is_constant(call.receiver):
        return Nullable(call, "when no element matches", call.receiver, "find")
    return None


def is_mapping(file: PyFile, node: ts.Node, depth: int = 0) -> bool:
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
        return bool(values) and all(v is not None and is_mapping(file, v, depth + 1) for v in values)
    return False


def _is_kwargs_parameter(file: PyFile, name: str, scope: ts.Node) -> bool:
    if scope.type not in ("function_definition", "lambda"):
        return False
    parameters = scope.child_by_field_name("parameters")
    for parameter in parameters.named_children if parameters is not None else ():
        if parameter.type == "dictionary_splat_pattern" and parameter.named_children \
                and file.text_of(parameter.named_children[0]) == name:
            return True
    return False


def dereference_of(file: PyFile, node: ts.Node, kind: str) -> tuple[ts.Node, str] | None:
    """The attribute access, method call or subscript applied directly to `node`'s value, if any:
    (the dereferencing expression, its text after the value, e.g. ".group(1)")."""
    parent = node.parent
    while parent is not None and parent.type == "parenthesized_expression":
        node, parent = parent, parent.parent
    if parent is None:
        return None
    if parent.type == "attribute" and parent.child_by_field_name("object") == node:
        name = file.text_of(parent.child_by_field_name("attribute"))
        if kind == "match" and name not in MATCH_DEREFERENCES:
            return None
        if kind == "find" and name not in TREE_DEREFERENCES:
            return None
        outer = parent.parent if parent.parent is not None and parent.parent.type == "call" \
            and parent.parent.child_by_field_name("function") == parent else parent
        return outer, file.text_of(outer)[node.end_byte - outer.start_byte:]
    if parent.type == "subscript" and parent.child_by_field_name("value") == node:
        return parent, file.text_of(parent)[node.end_byte - parent.start_byte:]
    return None


def names_after(file: PyFile, binding: ts.Node, name: str, scope: ts.Node) -> Iterator[ts.Node]:
    """Identifiers `name` read after `binding` in `scope` (not inside nested functions), in order."""
    stack = [scope]
    found = []
    while stack:
        current = stack.pop()
        if current.end_byte <= binding.end_byte:
            continue
        if current is not scope and current.type in ("function_definition", "lambda", "class_definition"):
            continue
        if current.type == "identifier" and current.start_byte >= binding.end_byte \
                and file.text_of(current) == name:
            found.append(current)
            continue
        stack.extend(current.children)
    yield from sorted(found, key=lambda n: n.start_byte)


def in_test_function(file: PyFile, node: ts.Node) -> bool:
    """True inside a `test*` function or a `Test*` class (test files as a whole are the engine's business)."""
    for ancestor in file.ancestors(node):
        if ancestor.type in ("function_definition", "class_definition"):
            name = ancestor.child_by_field_name("name")
            text = file.text_of(name) if name is not None else ""
            if text.startswith("test") or text.startswith("Test"):
                return True
    return False


def guarded_in_expression(file: PyFile, node: ts.Node, wanted: list[str]) -> bool:
    """`node` runs only after a test of one of `wanted` in the same expression: the body of
    `x.y if x else None`, the right side of `x and x.y`, an `if` body whose condition tests it."""
    current = node
    for ancestor in file.ancestors(node):
        if ancestor.type in NESTED_SCOPES or ancestor.type in ("block", "module"):
            return False
        if ancestor.type == "conditional_expression":
            named = ancestor.named_children
            if len(named) == 3 and named[0] == current and _mentions(file, named[1], wanted):
                return True
        if ancestor.type == "boolean_operator":
            left = ancestor.child_by_field_name("left")
            if left is not None and left != current and _mentions(file, left, wanted):
                return True
        current = ancestor
    return False


def _mentions(file: PyFile, node: ts.Node, wanted: list[str]) -> bool:
    return _contains_any("".join(file.text_of(node).split()), wanted)


def _contains_any(text: str, wanted: list[str]) -> bool:
    """Substring test; a plain name must appear as a whole name (`m` is not in `items`)."""
    for w in wanted:
        if w.isidentifier():
            if re.search(rf"(?<![\w.]){re.escape(w)}(?!\w)", text):
                return True
        elif w in text:
            return True
    return False


def tested_earlier(file: PyFile, node: ts.Node, texts: list[str]) -> bool:
    """One of `texts` (normalised source text) appears in the condition of an if/elif/while/assert of the
    same function that starts before `node`: `if P.match(x): ... P.match(x).group()`, `if not m: return`,
    `if "key" in params:`."""
    wanted = ["".join(t.split()) for t in texts if t]
    if guarded_in_expression(file, node, wanted):
        return True
    scope = file.enclosing_scope(node)
    for candidate in file.nodes_of_type("if_statement", "while_statement", "assert_statement", within=scope):
        if candidate.start_byte >= node.start_byte:
            break
        conditions = [candidate.child_by_field_name("condition")] if candidate.type != "assert_statement" \
            else candidate.named_children[:1]
        conditions += [c.child_by_field_name("condition") for c in candidate.named_children if c.type == "elif_clause"]
        for condition in conditions:
            if condition is None or condition.start_byte <= node.start_byte < condition.end_byte:
                continue
            if _contains_any("".join(file.text_of(condition).split()), wanted):
                return True
    return False


# -- parsing external data ------------------------------------------------------------------------

# conversions that raise on malformed text -> (what they raise, the exceptions that catch it)
_VALUE = frozenset({"ValueError"})
PARSERS: dict[str, tuple[str, frozenset[str]]] = {
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


def parser_name(file: PyFile, call: Call) -> str | None:
    """The PARSERS key of a call (`datetime.strptime(...)` with `from datetime import datetime` too)."""
    name = call.name or ""
    if name in PARSERS:
        return name
    if name in ("datetime.strptime", "datetime.fromisoformat", "date.fromisoformat"):
        full = "datetime." + name
        return full if full in PARSERS else None
    return None


_TEXT_METHODS = frozenset({"get", "getlist", "getone", "getall", "pop", "decode", "encode", "strip", "lstrip",
                           "rstrip", "lower", "upper", "casefold", "group", "get_param", "getheader", "get_header",
                           "get_all", "unquote", "unquote_plus", "read", "get_data", "get_json", "removeprefix",
                           "removesuffix", "replace", "title", "join"})


def carries_text(file: PyFile, node: ts.Node | None, depth: int = 0) -> bool:
    """True when the expression hands on request text as it was read (a parameter, header or body
    lookup, string clean-up such as `.strip()`/`.decode()`, `x or default`), not something computed
    from it (arithmetic, an object looked up with it, a library call's result)."""
    node = unwrap(node)
    if node is None or depth > 4:
        return False
    if node.type in ("subscript", "attribute"):
        return True
    if node.type == "boolean_operator":
        return any(carries_text(file, c, depth + 1) for c in node.named_children)
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
            if not carries_text(file, value, depth + 1):
                return False
        return True
    return False


_VALIDATOR_CALL = re.compile(r"(?:^|_)(?:check|checks|validate|validates|validated|verify|clean|saniti[sz]e|"
                             r"normali[sz]e|ensure|require)(?:_|$)|^(?:check|validate|verify|clean)[A-Z]", re.I)


def validated_before(file: PyFile, node: ts.Node, data: ts.Node) -> str | None:
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


_REMOTE_INPUT = re.compile(r"\b(?:request|req|recv\w*|rfile)\b|RequestHandler|@\w+\.(?:route|get|post|put|patch|"
                           r"delete)\(")


def may_hold_remote_input(file: PyFile) -> bool:
    """A cheap pre-check before asking the dataflow about attacker data: the file mentions a request
    object, a request-handler class, a route decorator or a socket read."""
    return file.memo(("may-hold-remote-input",), lambda: bool(_REMOTE_INPUT.search(file.text)))


_REQUEST_NAMES = frozenset({"request", "req", "flask_request", "self.request", "self.req"})
_SOURCE_MODULES = ("flask.request", "bottle.request", "quart.request", "werkzeug.request", "socket")


def request_rooted(file: PyFile, node: ts.Node | None, depth: int = 0) -> bool:
    """A cheap syntactic test before asking the dataflow: the value is read from a request object
    (`request.args[...]`, `req.headers.get(...)`), from `self` in a request-handler class, from a socket
    (`.recv()`), or from a parameter of a route handler, possibly through local names."""
    node = unwrap(node)
    if node is None or depth > 6:
        return False
    text = file.text_of(node)
    if text in _REQUEST_NAMES or (file.qualified_name(node) or "").startswith(_SOURCE_MODULES):
        return True
    if node.type == "attribute":
        return request_rooted(file, node.child_by_field_name("object"), depth + 1)
    if node.type == "subscript":
        return request_rooted(file, node.child_by_field_name("value"), depth + 1)
    if node.type == "boolean_operator":
        return any(request_rooted(file, c, depth + 1) for c in node.named_children)
    if node.type == "call":
        function = node.child_by_field_name("function")
        if function is not None and function.type == "attribute":
            if file.text_of(function.child_by_field_name("attribute")).startswith("recv"):
                return True
            return request_rooted(file, function.child_by_field_name("object"), depth + 1)
        call = file.call_at(node)
        return bool(call.args) and request_rooted(file, call.args[0], depth + 1)
    if node.type == "identifier":
        if text == "self":
            return "RequestHandler" in file.text
        scope = file.enclosing_scope(node)
        if file.is_parameter(text, scope):
            return _is_route_handler(file, scope)
        bindings = file.reaching_bindings(node)
        for binding, identifier in bindings:
            value = file.bound_value(binding, identifier)
            if value is None and binding.type == "for_statement":
                value = binding.child_by_field_name("right")
            if value is not None and request_rooted(file, value, depth + 1):
                return True
    return False


def _is_route_handler(file: PyFile, function: ts.Node) -> bool:
    parent = function.parent
    if parent is None or parent.type != "decorated_definition":
        return False
    return any(d.type == "decorator" and re.search(r"\.(?:route|get|post|put|patch|delete)\(", file.text_of(d))
               for d in parent.named_children)


def is_remote_source(label: object) -> bool:
    return getattr(label, "name", "") not in _LOCAL_SOURCES


def split_index(file: PyFile, call: Call) -> ts.Node | None:
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


# -- status values ----------------------------------------------------------------------------

_SUCCESS_WORDS = frozenset({"ok", "success", "succeeded", "successful", "done", "passed", "valid", "allowed",
                            "accepted", "healthy", "up", "active", "created", "deleted", "updated", "true"})
_FAILURE_WORDS = frozenset({"error", "fail", "failed", "failure", "invalid", "denied", "forbidden", "unhealthy",
                            "down", "rejected", "ko", "false", "unauthorized", "exception"})
_STATUS_KEYS = frozenset({"status", "result", "success", "ok", "state", "outcome", "succeeded", "error", "failed"})
_STATUS_KEYWORDS = ("status", "status_code", "code")


def status_of(file: PyFile, node: ts.Node | None, depth: int = 0) -> str | None:
    """"success" or "failure" when an expression is a recognisable status (True/False, an HTTP status,
    `HTTPStatus.OK`, `{"status": "ok"}`, `Response(..., status=500)`, `(body, 404)`), else None."""
    node = unwrap(node)
    if node is None or depth > 3:
        return None
    if node.type in ("true", "false"):
        return "success" if node.type == "true" else "failure"
    if node.type == "integer":
        value = file.constant_value(node)
        if isinstance(value, int) and 200 <= value < 300:
            return "success"
        if isinstance(value, int) and 400 <= value < 600:
            return "failure"
        return None
    if node.type == "attribute":
        name = file.text_of(node.child_by_field_name("attribute"))
        match = re.match(r"HTTP_(\d{3})_", name)  # rest_framework.status.HTTP_200_OK
        if match:
            code = int(match.group(1))
        elif name in _HTTP_STATUS_NAMES and "status" in file.text_of(node).lower():  # HTTPStatus.OK
            code = _HTTP_STATUS_NAMES[name]
        else:
            return None
        return "success" if 200 <= code < 300 else "failure" if code >= 400 else None
    if node.type in ("tuple", "expression_list") and len(node.named_children) >= 2:  # (body, 404), body, 200
        return status_of(file, node.named_children[1], depth + 1)
    if node.type == "dictionary":
        for pair in node.named_children:
            if pair.type != "pair":
                continue
            key = file.constant_value(pair.child_by_field_name("key"))
            if isinstance(key, str) and key.lower() in _STATUS_KEYS:
                value = pair.child_by_field_name("value")
                verdict = _status_word(file, value)
                if verdict is not None:
                    return verdict if key.lower() not in ("error", "failed") else \
                        {"success": "failure", "failure": "success"}[verdict]
        return None
    if node.type == "call":
        call = file.call_at(node)
        for keyword in _STATUS_KEYWORDS:
            if keyword in call.kwargs:
                return status_of(file, call.kwargs[keyword], depth + 1)
        if call.method in ("jsonify", "JsonResponse", "dict") and call.kwargs:
            for key in _STATUS_KEYS:
                if key in call.kwargs:
                    return _status_word(file, call.kwargs[key])
        if call.args and call.method in ("jsonify", "JsonResponse"):
            return status_of(file, call.args[0], depth + 1)
        if call.method and re.match(r"^HttpResponse(?:BadRequest|Forbidden|NotFound|ServerError|NotAllowed|Gone)$",
                                    call.method):
            return "failure"
        if call.method and re.match(r"^HTTP(?:BadRequest|Forbidden|NotFound|InternalServerError|Unauthorized|"
                                    r"Conflict|ServiceUnavailable)$", call.method):
            return "failure"
        return None
    return None


def _status_word(file: PyFile, node: ts.Node | None) -> str | None:
    node = unwrap(node)
    if node is None:
        return None
    if node.type in ("true", "false"):
        return "success" if node.type == "true" else "failure"
    value = file.constant_value(node)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _SUCCESS_WORDS:
            return "success"
        if word in _FAILURE_WORDS:
            return "failure"
    return None


_HTTP_STATUS_NAMES = {
    "OK": 200, "CREATED": 201, "ACCEPTED": 202, "NO_CONTENT": 204, "BAD_REQUEST": 400, "UNAUTHORIZED": 401,
    "FORBIDDEN": 403, "NOT_FOUND": 404, "CONFLICT": 409, "INTERNAL_SERVER_ERROR": 500, "SERVICE_UNAVAILABLE": 503,
    "BAD_GATEWAY": 502, "UNPROCESSABLE_ENTITY": 422,
}


def own_returns(file: PyFile, function: ts.Node, within: ts.Node | None = None) -> Iterator[ts.Node]:
    """The return statements of `function` itself (not of nested functions), optionally inside `within`."""
    for statement in file.nodes_of_type("return_statement", within=within or function):
        owner = file.inside(statement, ("function_definition", "lambda"))
        if owner is not None and owner.id == function.id:
            yield statement


# -- commands and their exit status -------------------------------------------------------------

SECURITY_COMMANDS = {
    "chmod": "file permissions", "chown": "file ownership", "chgrp": "file group ownership",
    "setfacl": "file access-control lists", "chattr": "file attributes", "chcon": "SELinux labels",
    "restorecon": "SELinux labels", "setenforce": "SELinux enforcement", "semanage": "SELinux policy",
    "setcap": "file capabilities", "iptables": "firewall rules", "ip6tables": "firewall rules",
    "iptables-restore": "firewall rules", "ip6tables-restore": "firewall rules", "ebtables": "firewall rules",
    "arptables": "firewall rules", "nft": "firewall rules", "ufw": "firewall rules", "firewall-cmd": "firewall rules",
    "ipset": "firewall address sets", "mount": "a mount", "umount": "an unmount", "cryptsetup": "disk encryption",
    "useradd": "a user account", "usermod": "a user account", "userdel": "a user account",
    "groupadd": "a group", "gpasswd": "group membership", "passwd": "a password", "chpasswd": "passwords",
    "apparmor_parser": "an AppArmor profile", "aa-enforce": "an AppArmor profile", "shred": "secure deletion",
    "update-ca-certificates": "trusted certificates", "ssh-keygen": "SSH keys", "install": "file permissions",
    "sysctl": "kernel security settings", "tc": "traffic control", "ovs-ofctl": "OpenFlow rules",
    "ovs-vsctl": "the virtual switch",
}
_COMMAND_PREFIXES = frozenset({"sudo", "env", "nice", "ionice", "nohup", "doas", "timeout", "stdbuf", "exec",
                               "/usr/bin/sudo", "/bin/sudo"})


def command_name(file: PyFile, node: ts.Node | None) -> str | None:
    """The program a command runs: the first word of a (leading constant part of a) command string,
    or the first constant element of an argument list; `sudo`/`env`/... prefixes are skipped."""
    node = unwrap(node)
    if node is None:
        return None
    words: list[str] = []
    if node.type in ("list", "tuple"):
        for element in node.named_children:
            value = file.constant_value(element)
            if not isinstance(value, str):
                break
            words.append(value)
            if value not in _COMMAND_PREFIXES and not value.startswith("-"):
                break
    else:
        words = leading_text(file, node).split()
    while words and (words[0] in _COMMAND_PREFIXES or "=" in words[0] or words[0].startswith("-")):
        words = words[1:]
    return words[0].rsplit("/", 1)[-1] if words else None


def leading_text(file: PyFile, node: ts.Node, depth: int = 0) -> str:
    """The constant text a string expression starts with (`"chmod 600 " + path` -> "chmod 600 ")."""
    node = unwrap(node) or node
    if depth > 4:
        return ""
    value = file.constant_value(node)
    if isinstance(value, str):
        return value
    if node.type == "binary_operator":
        left = node.child_by_field_name("left")
        operator = file.text_of(node.child_by_field_name("operator"))
        text = leading_text(file, left, depth + 1)
        return text.split("%", 1)[0] if operator == "%" else text
    if node.type == "string":  # f-string
        text = ""
        for child in node.named_children:
            if child.type == "string_content":
                text += file.text_of(child)
            elif child.type == "interpolation":
                break
        return text
    if node.type == "call":
        function = node.child_by_field_name("function")
        if function is not None and function.type == "attribute" and \
                file.text_of(function.child_by_field_name("attribute")) == "format":
            template = file.constant_value(function.child_by_field_name("object"))
            return template.split("{", 1)[0] if isinstance(template, str) else ""
    if node.type == "identifier":
        bindings = file.reaching_bindings(node)
        if len(bindings) == 1:
            value = file.bound_value(*bindings[0])
            return leading_text(file, value, depth + 1) if value is not None else ""
    return ""


# -- concurrency ------------------------------------------------------------------------------

CONCURRENCY_MODULES = ("threading", "_thread", "thread", "concurrent.futures", "eventlet", "gevent", "greenlet",
                       "multiprocessing.dummy", "multiprocessing.pool", "socketserver", "oslo_service",
                       "futurist", "cotyledon")


def concurrency_import(file: PyFile) -> str | None:
    """The module that makes this file's code run concurrently (threads or green threads), if any."""
    return next((m for m in CONCURRENCY_MODULES if file.imports_module(m)), None)


_SPAWNERS = {
    "threading.Thread": ("target", 1), "threading.Timer": ("function", 1), "thread.start_new_thread": (None, 0),
    "_thread.start_new_thread": (None, 0), "eventlet.spawn": (None, 0), "eventlet.spawn_n": (None, 0),
    "eventlet.spawn_after": (None, 1), "eventlet.greenthread.spawn": (None, 0),
    "eventlet.greenthread.spawn_n": (None, 0),
    "greenthread.spawn": (None, 0), "greenthread.spawn_n": (None, 0), "gevent.spawn": (None, 0),
    "utils.spawn": (None, 0), "utils.spawn_n": (None, 0),
}
_SPAWN_METHODS = {"submit": 0, "map": 0, "imap": 0, "imap_unordered": 0, "starmap": 0, "apply_async": 0,
                  "spawn": 0, "spawn_n": 0, "run_in_executor": 1}
_POOLISH = re.compile(r"executor|pool|workers|threads|tpe|green|gt|futures", re.I)


@dataclass(frozen=True)
class Spawn:
    call: Call
    target: ts.Node  # the function passed to the thread / pool
    repeated: bool  # started more than once: in a loop, a comprehension, or a pool's map
    green: bool  # a green thread (eventlet/gevent): it only switches where it blocks (I/O, sleep)


def thread_spawns(file: PyFile) -> Iterator[Spawn]:
    """Calls that run a function in another thread or green thread, with the function they run."""
    for call in file.calls:
        target = None
        repeated = False
        if call.name in _SPAWNERS:
            keyword, position = _SPAWNERS[call.name]
            target = call.arg(position if keyword is None else None, keyword)
            if target is None and keyword is not None:
                target = call.kwargs.get(keyword)
        elif call.method in _SPAWN_METHODS and call.receiver is not None and \
                _POOLISH.search(file.text_of(call.receiver)):
            target = call.arg(_SPAWN_METHODS[call.method])
            repeated = call.method in ("map", "imap", "imap_unordered", "starmap")
        if target is None:
            continue
        repeated = repeated or file.inside(call.node, ("for_statement", "while_statement", "list_comprehension",
                                                       "generator_expression", "set_comprehension")) is not None
        green = (call.name or "").startswith(("eventlet", "gevent", "greenthread", "utils.spawn")) or \
            call.method in ("spawn", "spawn_n", "spawn_after") or _imports_green(file)
        yield Spawn(call, target, repeated, green)


def _imports_green(file: PyFile) -> bool:
    """The module uses green threads: eventlet/gevent, or a GreenPool/greenthread helper of the project."""
    return any(full.split(".")[0] in ("eventlet", "gevent") or "green" in full.lower()
               for full in file.imports.values())


def function_named(file: PyFile, target: ts.Node, near: ts.Node) -> ts.Node | None:
    """The definition a thread target names: `worker` (a module function) or `self.worker` (a method of
    the class around `near`)."""
    target = unwrap(target) or target
    if target.type == "identifier":
        name = file.text_of(target)
        for function in file.nodes_of_type("function_definition"):
            if file.text_of(function.child_by_field_name("name")) == name and \
                    file.inside(function, ("function_definition", "class_definition")) is None:
                return function
        return None
    if target.type == "attribute" and file.text_of(target.child_by_field_name("object")) in ("self", "cls"):
        cls = file.inside(near, ("class_definition",))
        name = file.text_of(target.child_by_field_name("attribute"))
        body = cls.child_by_field_name("body") if cls is not None else None
        for child in body.named_children if body is not None else ():
            function = child.child_by_field_name("definition") if child.type == "decorated_definition" else child
            if function is not None and function.type == "function_definition" and \
                    file.text_of(function.child_by_field_name("name")) == name:
                return function
    return None


def declared_global(file: PyFile, function: ts.Node, name: str) -> bool:
    return any(name in [file.text_of(c) for c in statement.named_children]
               for statement in file.nodes_of_type("global_statement", within=function)
               if file.inside(statement, ("function_definition",)) == function)


# -- HTTP statuses -------------------------------------------------------------------------------

_STATUS_TEXT = re.compile(r"^\s*([45]\d\d)\b")


def error_status(file: PyFile, node: ts.Node | None) -> str | None:
    """The 4xx/5xx status an expression stands for (`403`, `"403 Forbidden"`, `HTTPStatus.FORBIDDEN`,
    `falcon.HTTP_403`, `status.HTTP_403_FORBIDDEN`), as text, or None."""
    node = unwrap(node)
    if node is None:
        return None
    value = file.constant_value(node)
    if isinstance(value, int) and not isinstance(value, bool) and 400 <= value < 600:
        return str(value)
    if isinstance(value, str):
        match = _STATUS_TEXT.match(value)
        return match.group(1) if match else None
    if node.type == "attribute":
        name = file.text_of(node.child_by_field_name("attribute"))
        match = re.match(r"HTTP_([45]\d\d)(?:_|$)", name)
        if match:
            return match.group(1)
        code = _HTTP_STATUS_NAMES.get(name)
        if code is not None and code >= 400 and "status" in file.text_of(node).lower():
            return f"{code} {name}"
    return None


# -- comparisons and versions ------------------------------------------------------------------

def comparison_pairs(file: PyFile, comparison: ts.Node) -> Iterator[tuple[ts.Node, str, ts.Node]]:
    """(left, operator, right) for each link of a possibly chained comparison."""
    operands = [c for c in comparison.named_children if c.type != "comment"]
    operators = [c for c in comparison.children if not c.is_named]
    for index, operator in enumerate(operators):
        if index + 1 < len(operands):
            yield operands[index], " ".join(file.text_of(operator).split()), operands[index + 1]


# "1.10", "v3.9.2", "2.0rc1"; not a date-like "2024.01" (calendar versions compare fine as strings)
_VERSION_LITERAL = re.compile(r"^v?(?!\d{4}\.)\d+(?:\.\d+)+(?:[-.+]?(?:a|b|c|rc|alpha|beta|dev|post|pre)\.?\d*)?$",
                              re.I)
_VERSION_STRINGS = frozenset({
    "sys.version", "platform.python_version", "platform.release", "platform.version", "ssl.OPENSSL_VERSION",
    "sqlite3.sqlite_version", "sqlite3.version", "importlib.metadata.version", "importlib_metadata.version",
    "django.get_version", "platform.python_version_tuple", "zlib.ZLIB_VERSION", "zlib.ZLIB_RUNTIME_VERSION",
    "tkinter.TkVersion", "pyexpat.EXPAT_VERSION", "readline._READLINE_LIBRARY_VERSION",
})
_VERSION_OBJECTS = re.compile(r"(?:^|\.)(?:\w*Version|parse_version|parse|Requirement|SpecifierSet|version_info|"
                              r"VersionInfo|semver\.\w+)$")
_STRING_METHODS = frozenset({"split", "rsplit", "strip", "lstrip", "rstrip", "lower", "replace", "partition",
                             "rpartition", "removeprefix", "removesuffix"})
_VERSION_NAME = re.compile(r"(?:^|_)(?:version|ver|vers|release)$|Version$", re.I)


def version_kind(file: PyFile, node: ts.Node, depth: int = 0) -> str | None:
    """What an operand of a comparison is, as a version: "literal" (`"1.10"`), "string" (a value known to
    be a version string: `sys.version`, `__version__`, `platform.python_version()`...), "object" (a parsed
    version or a tuple: compares correctly), "named" (a name that says it holds a version, type unknown)
    or None (not a version)."""
    node = unwrap(node) or node
    if depth > 4:
        return None
    if node.type in ("integer", "float", "tuple", "true", "false", "none"):
        return "object"
    value = file.constant_value(node)
    if isinstance(value, str):
        return "literal" if _VERSION_LITERAL.match(value) else None
    if isinstance(value, (int, float, tuple)):
        return "object"
    if node.type == "subscript":  # platform.mac_ver()[0], sys.version[:3], sys.version_info[:2]
        inner = node.child_by_field_name("value")
        kind = version_kind(file, inner, depth + 1) if inner is not None else None
        if kind == "object":
            return "object"
        text = file.text_of(inner) if inner is not None else ""
        if kind == "string" or "mac_ver" in text or "win32_ver" in text:
            return "string"
        return None
    if node.type == "call":
        function = node.child_by_field_name("function")
        name = file.qualified_name(function) or (file.text_of(function) if function is not None else "")
        if function is not None and function.type == "attribute" and file.text_of(
                function.child_by_field_name("attribute")) in _STRING_METHODS:
            inner = version_kind(file, function.child_by_field_name("object"), depth + 1)
            return "string" if inner == "string" else None
        if _VERSION_OBJECTS.search(name):
            return "object"
        if name in _VERSION_STRINGS:
            return "string"
        if name.endswith("get_distribution") or name in ("str", "int", "float", "len", "tuple"):
            return "object" if name in ("int", "float", "len", "tuple") else None
        return None
    if node.type == "attribute":
        attribute = file.text_of(node.child_by_field_name("attribute"))
        name = file.qualified_name(node) or ""
        if name in _VERSION_STRINGS or attribute == "__version__":
            return "string"
        owner = node.child_by_field_name("object")
        if attribute == "version" and owner is not None and owner.type == "call" \
                and file.text_of(owner.child_by_field_name("function")).endswith("get_distribution"):
            return "string"
        if _VERSION_OBJECTS.search(attribute) or attribute.endswith(("_info", "_tuple", "_INFO", "_NUMBER")):
            return "object"
        return "named" if _VERSION_NAME.search(attribute) else None
    if node.type == "identifier":
        text = file.text_of(node)
        if text == "__version__":
            return "string"
        qualified = file.qualified_name(node) or ""
        if qualified in _VERSION_STRINGS or qualified.endswith(".__version__"):
            return "string"
        bindings = file.reaching_bindings(node)
        bound = [file.bound_value(*b) for b in bindings]
        kinds = {version_kind(file, v, depth + 1) for v in bound if v is not None}
        if "object" in kinds:
            return "object"
        if kinds and kinds <= {"string", "literal"}:
            return "string"
        if text.endswith(("_info", "_tuple", "_INFO")):
            return "object"
        return "named" if _VERSION_NAME.search(text) else None
    return None


# -- conditions and gates --------------------------------------------------------------

_CONDITION_WRAPPERS = frozenset({"not_operator", "parenthesized_expression", "boolean_operator"})
ABORT_CALLS = re.compile(r"(?:^|\.)(?:abort|exit|_exit|fail|error|deny|forbid|reject|send_error|"
                         r"HttpResponseForbidden|HttpResponseBadRequest|HTTPForbidden|HTTPBadRequest)$")


@dataclass(frozen=True)
class Gate:
    """A boolean check whose outcome decides what the code does."""

    kind: str  # "if" (an if/elif/while condition), "return" (a validator's result), "assert"
    statement: ts.Node  # the if/elif/while/return/assert node
    negated: bool  # the check appears under an odd number of `not` (or `is None`)


def _is_none_test(file: PyFile, node: ts.Node) -> bool | None:
    """For `x is None` / `x is not None` / `x == None`: True if it tests "is None", False for "is not"."""
    if node.type != "comparison_operator" or node.named_child_count != 2:
        return None
    if not any(c.type == "none" for c in node.named_children):
        return None
    operator = " ".join(file.text_of(c) for c in node.children if not c.is_named)
    if operator in ("is", "=="):
        return True
    if operator in ("is not", "!="):
        return False
    return None


def gate_of(file: PyFile, node: ts.Node) -> Gate | None:
    """The if/elif/while/return/assert whose decision the truth of `node` takes part in."""
    negated = False
    current = node
    while True:
        parent = current.parent
        if parent is None:
            return None
        if parent.type in _CONDITION_WRAPPERS:
            if parent.type == "not_operator":
                negated = not negated
            current = parent
            continue
        if parent.type == "comparison_operator":
            none_test = _is_none_test(file, parent)
            if none_test is None:
                return None
            negated ^= none_test
            current = parent
            continue
        if parent.type == "argument_list" and parent.parent is not None and parent.parent.type == "call" \
                and file.text_of(parent.parent.child_by_field_name("function")) == "bool" \
                and parent.named_child_count == 1:
            current = parent.parent
            continue
        break
    if parent.type in ("if_statement", "elif_clause", "while_statement", "conditional_expression") \
            and parent.child_by_field_name("condition") == current:
        return Gate("if", parent, negated)
    if parent.type == "conditional_expression":
        # `a if cond else b`: the condition is the middle child
        named = parent.named_children
        if len(named) == 3 and named[1] == current:
            return Gate("if", parent, negated)
        return None
    if parent.type == "return_statement":
        return Gate("return", parent, negated)
    if parent.type == "assert_statement" and parent.named_children and parent.named_children[0] == current:
        return Gate("assert", parent, negated)
    return None


def branch_bodies(statement: ts.Node) -> tuple[list[ts.Node], list[ts.Node]]:
    """(statements when the condition holds, statements when it does not) of an if/elif."""
    body = statement.child_by_field_name("consequence") or statement.child_by_field_name("body")
    when_true = [c for c in body.named_children if c.type != "comment"] if body is not None else []
    when_false: list[ts.Node] = []
    for alternative in statement.children_by_field_name("alternative"):
        if alternative.type == "else_clause":
            else_body = alternative.child_by_field_name("body")
            when_false = [c for c in else_body.named_children if c.type != "comment"] if else_body else []
        elif alternative.type == "elif_clause":
            when_false = [alternative]
            break
    return when_true, when_false


def leaves(file: PyFile, statements: list[ts.Node]) -> bool:
    """True when the block ends by leaving: return/raise/continue/break or an abort-like call."""
    if not statements:
        return False
    last = statements[-1]
    if last.type in EXITS:
        return True
    if last.type == "expression_statement" and last.named_children and last.named_children[0].type == "call":
        function = last.named_children[0].child_by_field_name("function")
        return function is not None and bool(ABORT_CALLS.search(file.text_of(function)))
    if last.type == "if_statement":
        when_true, when_false = branch_bodies(last)
        return leaves(file, when_true) and leaves(file, when_false)
    return False


_VALIDATOR_NAME = re.compile(r"(?:^|_)(?:is|has|valid|validate|validates|check|checks|verify|allowed|permitted|safe|"
                             r"matches|acceptable|legal|ok|trusted)(?:_|$)|^(?:is|valid)[A-Z]|^_?valid", re.I)


def rejects(file: PyFile, gate: Gate) -> bool:
    """True when the check decides whether to go on: a failing value leaves (raise/return/continue/
    abort) or the check is the verdict a validator function returns (`def is_valid(x): return ...`)."""
    if gate.kind == "return":
        function = own_function(file, gate.statement)
        name = function.child_by_field_name("name") if function is not None else None
        return name is not None and bool(_VALIDATOR_NAME.search(file.text_of(name)))
    if gate.kind != "if" or gate.statement.type not in ("if_statement", "elif_clause"):
        return False
    when_true, when_false = branch_bodies(gate.statement)
    if gate.negated:
        return leaves(file, when_true)
    if leaves(file, when_false):
        return True
    return len(when_true) == 1 and when_true[0].type == "return_statement" \
        and file.text_of(when_true[0]).split() == ["return", "True"]


# -- exceptions and try blocks ---------------------------------------------------------

def own_function(file: PyFile, node: ts.Node) -> ts.Node | None:
    """The function (def or lambda) whose body runs `node`, or None at module/class level."""
    return file.inside(node, ("function_definition", "lambda"))


def handlers_around(file: PyFile, node: ts.Node) -> Iterator[tuple[ts.Node, list[str]]]:
    """Each except clause whose `try` body encloses `node` (same function), with its caught type names
    (qualified; "*" for a bare `except:`)."""
    current = node
    for ancestor in file.ancestors(node):
        if ancestor.type in NESTED_SCOPES:
            return
        if ancestor.type == "try_statement":
            body = ancestor.child_by_field_name("body")
            if body is not None and body.start_byte <= current.start_byte and current.end_byte <= body.end_byte:
                for clause in ancestor.named_children:
                    if clause.type != "except_clause":
                        continue
                    types = except_types(file, clause)
                    if types is None:
                        continue
                    names = [file.qualified_name(t) or file.text_of(t) for t in types] if types else ["*"]
                    yield clause, names
        current = ancestor


def caught_by(file: PyFile, node: ts.Node, exceptions: frozenset[str]) -> bool:
    """True if an enclosing `try` of the same function catches one of `exceptions` (last name part)
    or something broader (bare `except:`, Exception, BaseException), or an enclosing
    `with contextlib.suppress(...)` suppresses one."""
    wanted = exceptions | {"*", "Exception", "BaseException", "StandardError"}
    for _, names in handlers_around(file, node):
        if any(name.rsplit(".", 1)[-1] in wanted for name in names):
            return True
    for ancestor in file.ancestors(node):
        if ancestor.type in NESTED_SCOPES:
            break
        if ancestor.type == "with_statement":
            for call in file.nodes_of_type("call", within=ancestor.named_children[0]) if ancestor.named_children \
                    else ():
                resolved = file.call_at(call)
                if resolved.name in ("contextlib.suppress", "suppress") and any(
                        file.text_of(arg).rsplit(".", 1)[-1] in wanted for arg in resolved.args):
                    return True
    return False


def statement_of(node: ts.Node) -> ts.Node | None:
    """The statement containing `node` (its nearest ancestor that sits directly in a block or module)."""
    current = node
    while current.parent is not None and current.parent.type not in ("block", "module"):
        current = current.parent
    return current if current.parent is not None else None


def is_discarded(call_node: ts.Node) -> bool:
    """True for a call that is a statement of its own (alone or in a tuple, `jsonify(...), 403`): its value
    is thrown away."""
    parent = call_node.parent
    while parent is not None and parent.type in ("parenthesized_expression", "expression_list", "tuple"):
        parent = parent.parent
    if parent is None or parent.type != "expression_statement":
        return False
    # `f(x)` alone; `f(x), 403` is an expression statement with several children (a tuple)
    return parent.named_child_count == 1 or all(c.type not in ("assignment", "augmented_assignment", "yield", "await")
                                                for c in parent.named_children)
