"""Python front end: a parsed file with the lookups rules need.

`PyFile` answers, once per file and cheaply, the questions every Python rule
asks: what a dotted name refers to after imports (`sp.call` is
`subprocess.call`), where the calls are, what the arguments of a call are,
and whether an expression is a constant.  Candidates are found with
tree-sitter queries (C speed); the predicates that need Python run only on
them.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import tree_sitter as ts

from secreview import lang
from secreview.lang.base import FileContext, ParsedFile

LANGUAGE = "python"

NOT_CONSTANT = object()
"""Sentinel: the expression's value is not known statically."""

_INDEXED_TYPES = frozenset({
    "call", "assert_statement", "except_clause", "comparison_operator", "assignment", "augmented_assignment",
    "expression_statement", "exec_statement", "function_definition", "class_definition", "import_statement",
    "import_from_statement", "future_import_statement", "if_statement", "with_statement", "try_statement",
    "return_statement", "raise_statement", "for_statement", "while_statement", "named_expression",
    "global_statement", "decorated_definition", "keyword_argument", "string", "lambda", "print_statement",
    "binary_operator", "subscript", "comment", "pair", "default_parameter", "typed_default_parameter",
    "concatenated_string",
})
_BINDINGS = """
(assignment left: (identifier) @name)
(augmented_assignment left: (identifier) @name)
(assignment left: (pattern_list (identifier) @name))
(assignment left: (tuple_pattern (identifier) @name))
(for_statement left: (identifier) @name)
(for_statement left: (pattern_list (identifier) @name))
(named_expression name: (identifier) @name)
(as_pattern alias: (as_pattern_target (identifier) @name))
(global_statement (identifier) @name)
(nonlocal_statement (identifier) @name)
"""
_BINDING_TYPES = frozenset({"assignment", "augmented_assignment", "for_statement", "named_expression",
                            "as_pattern", "global_statement", "nonlocal_statement"})

SCOPE_TYPES = frozenset({"function_definition", "lambda", "class_definition", "module"})
_STRING_PREFIX_CHARS = "rRbBuUfF"


@dataclass(frozen=True)
class Call:
    """A call site with its callee resolved through the file's imports."""

    node: ts.Node
    name: str | None  # dotted, import-resolved ("subprocess.run"); None if not a plain name
    method: str | None  # last attribute ("run"), also for calls on expressions
    receiver: ts.Node | None  # the object of an attribute call
    args: tuple[ts.Node, ...]
    kwargs: dict[str, ts.Node] = field(hash=False)
    has_star_args: bool = False

    def arg(self, index: int | None = None, keyword: str | None = None) -> ts.Node | None:
        """The argument given by keyword, else by position, else None."""
        if keyword is not None and keyword in self.kwargs:
            return self.kwargs[keyword]
        if index is not None and index < len(self.args):
            return self.args[index]
        return None

    @property
    def line(self) -> int:
        return self.node.start_point[0] + 1


class PyFile(ParsedFile):
    """A parsed Python file and the shared lookups over it."""

    indexed_types = _INDEXED_TYPES

    def __init__(self, path: str, text: str, tree: ts.Tree | None = None,
                 context: FileContext | None = None) -> None:
        super().__init__(path, text, tree, LANGUAGE, context)
        self._names: dict[int, str | None] = {}

    def binary_operators(self, *operators: str) -> list[ts.Node]:
        """`a <op> b` expressions with one of `operators`, in source order."""
        wanted = frozenset(operators)
        return [node for node in self.nodes_of_type("binary_operator")
                if self.text_of(node.child_by_field_name("operator")) in wanted]

    def assignments(self, *, left: str | None = None, right: str | None = None) -> list[ts.Node]:
        """`a = b` statements, optionally only those whose target/value has the given node type (memoised)."""
        key = ("assignments", left, right)
        if key not in self._query_cache:
            self._query_cache[key] = self._assignments_of(left, right)
        return self._query_cache[key]

    def _assignments_of(self, left: str | None, right: str | None) -> list[ts.Node]:
        found = []
        for assign in self.nodes_of_type("assignment"):
            target, value = assign.child_by_field_name("left"), assign.child_by_field_name("right")
            if (left is None or (target is not None and target.type == left)) and \
                    (right is None or (value is not None and value.type == right)):
                found.append(assign)
        return found

    # -- imports and names --------------------------------------------------

    @functools.cached_property
    def imports(self) -> dict[str, str]:
        """Local name -> fully qualified name, for every import in the file."""
        aliases: dict[str, str] = {}
        for node in self.nodes_of_type("import_statement", "import_from_statement"):
            if node.type == "import_statement":
                self._add_plain_imports(node, aliases)
            elif node.type == "import_from_statement":
                self._add_from_imports(node, aliases)
        return aliases

    def _add_plain_imports(self, node: ts.Node, aliases: dict[str, str]) -> None:
        for child in node.named_children:
            if child.type == "dotted_name":
                full = self.text_of(child)
                aliases.setdefault(full.split(".")[0], full.split(".")[0])
                aliases.setdefault(full, full)
            elif child.type == "aliased_import":
                full = self.text_of(child.child_by_field_name("name"))
                aliases[self.text_of(child.child_by_field_name("alias"))] = full

    def _add_from_imports(self, node: ts.Node, aliases: dict[str, str]) -> None:
        module_node = node.child_by_field_name("module_name")
        module = self.text_of(module_node).lstrip(".") if module_node else ""
        for child in node.children_by_field_name("name"):
            if child.type == "dotted_name":
                name = self.text_of(child)
                aliases[name] = f"{module}.{name}" if module else name
            elif child.type == "aliased_import":
                name = self.text_of(child.child_by_field_name("name"))
                alias = self.text_of(child.child_by_field_name("alias"))
                aliases[alias] = f"{module}.{name}" if module else name

    def imports_module(self, module: str) -> bool:
        """True if the file imports `module` or anything from inside it."""
        return any(full == module or full.startswith(module + ".") for full in self.imports.values())

    def qualified_name(self, node: ts.Node | None) -> str | None:
        """Dotted name of an identifier/attribute chain, resolved via imports (memoised per node)."""
        if node is None:
            return None
        key = node.id
        if key not in self._names:
            self._names[key] = self._qualified_name(node)
        return self._names[key]

    def _qualified_name(self, node: ts.Node | None) -> str | None:
        parts: list[str] = []
        while node is not None and node.type == "attribute":
            parts.append(self.text_of(node.child_by_field_name("attribute")))
            node = node.child_by_field_name("object")
        if node is None or node.type != "identifier":
            return None
        root = self.text_of(node)
        parts.append(self.imports.get(root, root))
        return ".".join(reversed(parts))

    # -- calls ----------------------------------------------------------------

    @functools.cached_property
    def _calls_by_method(self) -> dict[str, list[Call]]:
        return lang.group_by(self.calls, lambda call: call.method)

    @functools.cached_property
    def _calls_by_node(self) -> dict[int, Call]:
        return {call.node.id: call for call in self.calls}

    def call_at(self, node: ts.Node) -> Call:
        """The Call for a `call` node (built on its own until some asker needs every Call of the file)."""
        if "calls" not in self.__dict__:
            return self.memo(("call-at", node.id), lambda: self._make_call(node))
        found = self._calls_by_node.get(node.id)
        return found if found is not None else self._make_call(node)

    @functools.cached_property
    def _call_nodes_by_own_name(self) -> dict[str, list[ts.Node]]:
        """Call nodes by their own name as written (`Call.method`: the method, or the plain name called),
        in source order: one pass over the syntax, no Call built."""
        index: dict[str, list[ts.Node]] = defaultdict(list)
        for node in self.nodes_of_type("call"):
            function = node.child_by_field_name("function")
            if function is not None and function.type == "attribute":
                function = function.child_by_field_name("attribute")
            if function is not None and function.type == "identifier":
                index[self.text_of(function)].append(node)
        return index

    def calls_named(self, accepts: Callable[[str], bool]) -> list[Call]:
        """Calls whose own name (`Call.method`: the method, or the plain name called) `accepts`, in source
        order. The name is read from the syntax first, so a file pays only for the calls that match."""
        nodes = [node for name, named in self._call_nodes_by_own_name.items() if accepts(name) for node in named]
        return [self.call_at(node) for node in sorted(nodes, key=lambda n: n.start_byte)]

    def calls_with_keywords(self, *keywords: str) -> list[Call]:
        """Calls passing one of these keyword arguments, in source order (read from the keyword syntax)."""
        wanted = frozenset(keywords)
        nodes = {}
        for argument in self.nodes_of_type("keyword_argument"):
            call = argument.parent.parent if argument.parent is not None else None
            if call is not None and call.type == "call" and \
                    self.text_of(argument.child_by_field_name("name")) in wanted:
                nodes[call.id] = call
        return [self.call_at(node) for node in sorted(nodes.values(), key=lambda n: n.start_byte)]

    def calls_to(self, *names: str) -> list[Call]:
        """Calls whose resolved dotted name is one of `names`, in source order."""
        if "calls" in self.__dict__:
            return lang.in_source_order(self._calls_by_name, names)
        # The resolved name ends with the name as written, unless that is an imported alias of it.
        written = {name.rpartition(".")[2] for name in names}
        if not any(name in self.text for name in written):
            return []  # an imported alias still spells the original in its import
        written |= {alias for alias, full in self.imports.items() if full in names}
        wanted = frozenset(names)
        return [call for call in self.calls_named(written.__contains__) if call.name in wanted]

    def method_calls(self, *methods: str) -> list[Call]:
        """Calls `obj.method(...)` of the given methods on any receiver, in source order."""
        if "calls" not in self.__dict__:  # the method is the name as written: no need to build every Call
            wanted = frozenset(methods)
            return self.calls_named(wanted.__contains__) if self._may_call(wanted) else []
        return lang.in_source_order(self._calls_by_method, methods)

    def _may_call(self, last_names: Iterable[str]) -> bool:
        """False when no call can have one of these last names: the file's text never spells one (an imported
        alias still spells the original in its import). Saves building every Call of a file no asker needs."""
        return "calls" in self.__dict__ or any(name in self.text for name in last_names)

    def _make_call(self, node: ts.Node) -> Call:
        function = node.child_by_field_name("function")
        method = receiver = None
        if function is not None and function.type == "attribute":
            method = self.text_of(function.child_by_field_name("attribute"))
            receiver = function.child_by_field_name("object")
        elif function is not None and function.type == "identifier":
            method = self.text_of(function)
        args: list[ts.Node] = []
        kwargs: dict[str, ts.Node] = {}
        star = False
        arguments = node.child_by_field_name("arguments")
        if arguments is not None and arguments.type == "generator_expression":
            # f(x for x in y): the generator itself is the single argument
            return Call(node, self.qualified_name(function), method, receiver, (arguments,), {}, False)
        for child in arguments.named_children if arguments is not None else ():
            if child.type == "keyword_argument":
                key = child.child_by_field_name("name")
                value = child.child_by_field_name("value")
                if key is not None and value is not None:
                    kwargs[self.text_of(key)] = value
            elif child.type in ("list_splat", "dictionary_splat"):
                star = True
            elif child.type != "comment":
                args.append(child)
        return Call(node, self.qualified_name(function), method, receiver, tuple(args), kwargs, star)

    # -- scopes and constants -------------------------------------------------

    @staticmethod
    def enclosing_scope(node: ts.Node) -> ts.Node:
        current = node.parent
        while current is not None and current.type not in SCOPE_TYPES:
            current = current.parent
        return current if current is not None else node

    @functools.cached_property
    def _bindings(self) -> dict[tuple[int, str], list[tuple[ts.Node, ts.Node]]]:
        """(scope start byte, name) -> (binding statement, bound identifier), in source order."""
        index: dict[tuple[int, str], list[tuple[ts.Node, ts.Node]]] = defaultdict(list)
        for name in self.nodes(_BINDINGS, "name"):
            binding = next((a for a in self.ancestors(name) if a.type in _BINDING_TYPES), name)
            scope = self.enclosing_scope(binding)
            index[(scope.start_byte, self.text_of(name))].append((binding, name))
        return index

    def bindings_of(self, name: str, scope: ts.Node) -> list[tuple[ts.Node, ts.Node]]:
        """Every (statement, identifier) binding `name` directly in `scope`."""
        return self._bindings.get((scope.start_byte, name), [])

    def is_local_object(self, node: ts.Node | None) -> bool:
        """The root of a dotted chain is a variable of its function (a parameter, or bound there), so the
        chain is an object's attribute, not a module's name: after `yaml = ruamel.yaml.YAML(typ="safe")`,
        `yaml.load(text)` is that object's method whatever is imported as `yaml` at module level."""
        while node is not None and node.type == "attribute":
            node = node.child_by_field_name("object")
        if node is None or node.type != "identifier":
            return False
        scope = self.enclosing_scope(node)
        if scope.type not in ("function_definition", "lambda"):
            return False
        name = self.text_of(node)
        return self.is_parameter(name, scope) or bool(self.bindings_of(name, scope))

    def bound_value(self, binding: ts.Node, identifier: ts.Node) -> ts.Node | None:
        """The expression a plain `name = value` binds, or None for other bindings."""
        if binding.type == "assignment" and binding.child_by_field_name("left") == identifier:
            right = binding.child_by_field_name("right")
            return right if right is not None and right.type != "assignment" else self._chained_value(right)
        return None

    def _chained_value(self, node: ts.Node | None) -> ts.Node | None:
        while node is not None and node.type == "assignment":  # a = b = value
            node = node.child_by_field_name("right")
        return node

    def is_parameter(self, name: str, scope: ts.Node) -> bool:
        if scope.type not in ("function_definition", "lambda"):
            return False
        parameters = scope.child_by_field_name("parameters")
        if parameters is None:
            return False
        for param in parameters.named_children:
            ident = param if param.type == "identifier" else param.child_by_field_name("name")
            if ident is None and param.named_children:
                ident = param.named_children[0]
            if ident is not None and self.text_of(ident) == name:
                return True
        return False

    def constant_value(self, node: ts.Node | None, _depth: int = 0) -> object:
        """The value of `node` if it is known statically, else NOT_CONSTANT.

        Literals, concatenations and %-formatting of constants, tuples/lists of
        constants, and local names whose every binding in their scope is a
        constant (the last binding's value is returned).
        """
        if node is None or _depth > 8:
            return NOT_CONSTANT
        kind = node.type
        if kind == "parenthesized_expression" and node.named_child_count == 1:
            return self.constant_value(node.named_children[0], _depth + 1)
        if kind in ("string", "concatenated_string"):
            return self._string_value(node)
        if kind == "integer":
            return _parse_int(self.text_of(node))
        if kind == "float":
            try:
                return float(self.text_of(node).replace("_", ""))
            except ValueError:
                return NOT_CONSTANT
        if kind in ("true", "false", "none"):
            return {"true": True, "false": False, "none": None}[kind]
        if kind == "unary_operator":
            value = self.constant_value(node.child_by_field_name("argument"), _depth + 1)
            operator = self.text_of(node.child_by_field_name("operator"))
            if isinstance(value, (int, float)) and operator in "-+":
                return -value if operator == "-" else value
            return NOT_CONSTANT
        if kind in ("tuple", "list"):
            values = [self.constant_value(c, _depth + 1) for c in node.named_children]
            return NOT_CONSTANT if any(v is NOT_CONSTANT for v in values) else tuple(values)
        if kind == "binary_operator":
            return self._binary_value(node, _depth)
        if kind == "identifier":
            return self._name_value(node, _depth)
        return NOT_CONSTANT

    def is_constant(self, node: ts.Node | None) -> bool:
        return self.constant_value(node) is not NOT_CONSTANT

    def _string_value(self, node: ts.Node) -> object:
        parts = node.named_children if node.type == "concatenated_string" else [node]
        pieces: list[str] = []
        for part in parts:
            if any(child.type == "interpolation" for child in part.named_children):
                return NOT_CONSTANT
            content = "".join(self.text_of(c) for c in part.named_children if c.type == "string_content")
            start = part.named_children[0] if part.named_children else None
            raw = start is not None and start.type == "string_start" and "r" in self.text_of(start).lower()
            pieces.append(content if raw else unescape(content))
        return "".join(pieces)

    def _binary_value(self, node: ts.Node, depth: int) -> object:
        left = self.constant_value(node.child_by_field_name("left"), depth + 1)
        right = self.constant_value(node.child_by_field_name("right"), depth + 1)
        if left is NOT_CONSTANT or right is NOT_CONSTANT:
            return NOT_CONSTANT
        operator = self.text_of(node.child_by_field_name("operator"))
        try:
            if operator == "+":
                return left + right  # type: ignore[operator]
            if operator == "%" and isinstance(left, str):
                return left % right
            if operator == "*" and isinstance(left, (int, float)) and isinstance(right, (int, float)):
                return left * right
            if operator == "|" and isinstance(left, int) and isinstance(right, int):
                return left | right
        except (TypeError, ValueError, OverflowError):
            return NOT_CONSTANT
        return NOT_CONSTANT

    def _name_value(self, node: ts.Node, depth: int) -> object:
        """A name is constant when every binding that can reach it binds a constant.

        In the name's own scope only the bindings before it count; a name not
        bound there at all is looked up in the enclosing function or module,
        where any binding may have run first, so all of them must agree.
        """
        bindings = self.reaching_bindings(node)
        if not bindings:
            return NOT_CONSTANT
        value: object = NOT_CONSTANT
        for binding, identifier in bindings:
            value = self.constant_value(self.bound_value(binding, identifier), depth + 1)
            if value is NOT_CONSTANT:
                return NOT_CONSTANT
        return value

    def bindings_before(self, ident: ts.Node) -> list[tuple[ts.Node, ts.Node]]:
        """Bindings of the name `ident` earlier in its own scope, in source order."""
        scope = self.enclosing_scope(ident)
        return [b for b in self.bindings_of(self.text_of(ident), scope) if b[0].start_byte < ident.start_byte]

    def reaching_bindings(self, ident: ts.Node) -> list[tuple[ts.Node, ts.Node]]:
        """Bindings that may give the name `ident` its value here; [] for parameters and unknowns.

        In the name's own scope only the bindings before it count; a name not
        bound there at all is looked up in the enclosing function or module.
        """
        name = self.text_of(ident)
        scope = self.enclosing_scope(ident)
        if self.is_parameter(name, scope):
            return []
        if self.bindings_of(name, scope):
            return self.bindings_before(ident)
        return self._outer_bindings(name, scope)

    @functools.cached_property
    def _global_names(self) -> frozenset[str]:
        """Names some function rebinds through a `global` statement."""
        return frozenset(self.text_of(identifier) for bindings in self._bindings.values()
                         for binding, identifier in bindings if binding.type == "global_statement")

    def _outer_bindings(self, name: str, scope: ts.Node) -> list[tuple[ts.Node, ts.Node]]:
        if name in self._global_names:
            return []
        current = scope
        while current.type != "module":
            outer = self.enclosing_scope(current)
            if outer == current:
                return []  # no enclosing module: the parser's recovery made the tree's root an ERROR node
            current = outer
            if current.type == "class_definition":
                continue  # class bodies are not visible from their methods
            if self.is_parameter(name, current):
                return []
            found = self.bindings_of(name, current)
            if found:
                return found
        return []

    # -- misc -----------------------------------------------------------------

    def string_literal_text(self, node: ts.Node | None) -> str | None:
        """The value of a plain string literal (not an f-string), else None."""
        if node is None or node.type not in ("string", "concatenated_string"):
            return None
        value = self._string_value(node)
        return value if isinstance(value, str) else None


_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3}|N\{[^}]*\}|\n|.)", re.S)
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "\\": "\\", "'": "'", '"': '"', "a": "\a",
                   "b": "\b", "f": "\f", "v": "\v", "\n": ""}


def unescape(text: str) -> str:
    """The value of a (non-raw) string literal's text: escape sequences decoded, nothing evaluated."""
    def replace(match: re.Match) -> str:
        body = match.group(1)
        if body in _SIMPLE_ESCAPES:
            return _SIMPLE_ESCAPES[body]
        if body[0] in "xuU":
            return chr(int(body[1:], 16))
        if body[0] in "01234567":
            return chr(int(body, 8))
        return match.group(0)  # \N{...} and unknown escapes stay as written
    return _ESCAPE.sub(replace, text) if "\\" in text else text


def _parse_int(text: str) -> object:
    cleaned = text.replace("_", "").rstrip("lL")
    try:
        if cleaned[:2].lower() in ("0x", "0o", "0b"):
            return int(cleaned, 0)
        if len(cleaned) > 1 and cleaned.startswith("0") and cleaned.isdigit():
            return int(cleaned, 8)  # Python 2 octal literal, e.g. 0777
        return int(cleaned)
    except ValueError:
        return NOT_CONSTANT
