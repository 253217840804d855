"""C and C++ front end: a parsed file with the lookups rules need.

`CFile` plays for C and C++ the part `PyFile` plays for Python: it answers,
once per file and cheaply, the questions every rule asks.  Where are the
calls to `strcpy` (also written `std::strcpy` or `::strcpy`, or reached
through `#define COPY strcpy`)?  What are a call's arguments?  Is this
expression a compile-time constant (a literal, a macro, an enumerator, a
`const` variable, `sizeof`)?  Which function encloses a node, and how was a
local variable declared (array of how many elements, pointer, initialised)?

Candidates are found with tree-sitter queries (C speed): one combined query
per file fills a node-type index that all rules share; Python only runs the
predicates on the candidates.  The tree comes from the light preprocessor step
(preprocess.py); macros are read from the file's own `#define`s and from the
headers it includes that the include path finds.
"""

from __future__ import annotations

import functools
import os
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import tree_sitter as ts

from secreview import lang
from secreview.lang.base import FileContext, ParsedFile
from secreview.lang.c_family.include_dirs import find_header, header_macros, own_header, read_header

LANGUAGES = ("c", "cpp")

NOT_CONSTANT = object()
"""Sentinel: the expression's value is not known statically."""

INDEXED_TYPES = frozenset({
    "call_expression", "function_definition", "declaration", "init_declarator", "assignment_expression",
    "binary_expression", "unary_expression", "pointer_expression", "update_expression", "field_expression",
    "subscript_expression", "sizeof_expression", "string_literal", "concatenated_string", "if_statement",
    "for_statement", "while_statement", "do_statement", "return_statement", "preproc_def", "enumerator",
    "new_expression", "delete_expression", "class_specifier", "struct_specifier", "field_declaration",
    "lambda_expression", "goto_statement", "switch_statement", "conditional_expression", "cast_expression",
    "compound_statement", "parameter_declaration", "preproc_function_def", "function_declarator",
})
_INT_LITERAL = re.compile(r"^(0[xX][0-9a-fA-F']+|0[bB][01']+|[0-9][0-9']*)([uUlLzZ]*)$")
_STRING_LITERAL_TYPES = frozenset({"string_literal", "concatenated_string", "raw_string_literal"})
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "\\": "\\", "'": "'", '"': '"', "a": "\a",
            "b": "\b", "f": "\f", "v": "\v", "?": "?"}
_NULL_NAMES = frozenset({"NULL", "nullptr", "Q_NULLPTR", "nil"})
PRIMITIVE_SIZES = {
    "char": 1, "signed char": 1, "unsigned char": 1, "bool": 1, "_Bool": 1, "int8_t": 1, "uint8_t": 1,
    "short": 2, "unsigned short": 2, "int16_t": 2, "uint16_t": 2, "wchar_t": 4, "char16_t": 2, "char32_t": 4,
    "int": 4, "unsigned": 4, "unsigned int": 4, "int32_t": 4, "uint32_t": 4, "float": 4,
    "long": 8, "unsigned long": 8, "long long": 8, "unsigned long long": 8, "int64_t": 8, "uint64_t": 8,
    "double": 8, "size_t": 8, "ssize_t": 8,
}
"""Sizes on the common LP64 targets; used only to compare sizes, never to decide what is safe alone."""

LIMIT_MACROS: dict[str, int] = {
    "CHAR_BIT": 8, "SCHAR_MIN": -128, "SCHAR_MAX": 127, "UCHAR_MAX": 255, "CHAR_MIN": -128, "CHAR_MAX": 127,
    "SHRT_MIN": -2**15, "SHRT_MAX": 2**15 - 1, "USHRT_MAX": 2**16 - 1,
    "INT_MIN": -2**31, "INT_MAX": 2**31 - 1, "UINT_MAX": 2**32 - 1,
    "LONG_MIN": -2**63, "LONG_MAX": 2**63 - 1, "ULONG_MAX": 2**64 - 1,
    "LLONG_MIN": -2**63, "LLONG_MAX": 2**63 - 1, "ULLONG_MAX": 2**64 - 1,
    "INT8_MIN": -2**7, "INT8_MAX": 2**7 - 1, "UINT8_MAX": 2**8 - 1, "INT16_MIN": -2**15, "INT16_MAX": 2**15 - 1,
    "UINT16_MAX": 2**16 - 1, "INT32_MIN": -2**31, "INT32_MAX": 2**31 - 1, "UINT32_MAX": 2**32 - 1,
    "INT64_MIN": -2**63, "INT64_MAX": 2**63 - 1, "UINT64_MAX": 2**64 - 1,
    "SIZE_MAX": 2**64 - 1, "SSIZE_MAX": 2**63 - 1, "PTRDIFF_MAX": 2**63 - 1, "INTPTR_MAX": 2**63 - 1,
    "UINTPTR_MAX": 2**64 - 1, "INTMAX_MAX": 2**63 - 1, "UINTMAX_MAX": 2**64 - 1, "RAND_MAX": 2**31 - 1,
}
"""The standard limit macros of <limits.h>/<stdint.h> (LP64 values), known without their headers."""

FUNCTION_TYPES = frozenset({"function_definition", "lambda_expression"})
STATEMENT_PARENTS = frozenset({"compound_statement", "translation_unit", "case_statement", "labeled_statement"})


@dataclass(frozen=True)
class Call:
    """A call site.  `name` is the callee as written, `::`-qualified names kept (`std::strcpy`),
    a leading `::` dropped and an object-like macro alias (`#define CPY strcpy`) resolved;
    `method` is the last name (`exec` for `query.exec(...)`, `strcpy` for `std::strcpy(...)`)."""

    node: ts.Node
    name: str | None
    method: str | None
    receiver: ts.Node | None  # the object of `obj.m()` / `obj->m()`
    args: tuple[ts.Node, ...]

    def arg(self, index: int) -> ts.Node | None:
        return self.args[index] if 0 <= index < len(self.args) else None

    @property
    def line(self) -> int:
        return self.node.start_point[0] + 1


@dataclass(frozen=True)
class Variable:
    """What a declaration says about one name."""

    name: str
    type_text: str  # the base type as written ("char", "unsigned int", "struct foo", "QString")
    declarator: ts.Node  # the declarator node naming the variable (array_declarator, pointer_declarator, ...)
    declaration: ts.Node  # the declaration / parameter_declaration / field_declaration
    identifier: ts.Node
    pointer_depth: int
    array_sizes: tuple[ts.Node | None, ...]  # one per `[...]`, None for `[]`
    initializer: ts.Node | None
    is_parameter: bool
    is_static: bool
    is_const: bool

    @property
    def is_array(self) -> bool:
        return bool(self.array_sizes) and not self.is_parameter

    @property
    def is_pointer(self) -> bool:
        return self.pointer_depth > 0 or (bool(self.array_sizes) and self.is_parameter)


class CFile(ParsedFile):
    """A parsed C or C++ file and the shared lookups over it."""

    indexed_types = INDEXED_TYPES

    def __init__(self, path: str, text: str, tree: ts.Tree | None = None, language: str = "c",
                 context: FileContext | None = None) -> None:
        if language not in LANGUAGES:
            raise ValueError(f"CFile reads C or C++, not {language!r}")
        super().__init__(path, text, tree, language, context)

    def identifiers(self, within: ts.Node) -> dict[str, list[ts.Node]]:
        """Name -> identifier nodes (uses and declarations) inside `within`, in source order (memoised)."""
        return self.memo(("identifiers", within.id), lambda: self._identifier_index(within))

    def _identifier_index(self, within: ts.Node) -> dict[str, list[ts.Node]]:
        index: dict[str, list[ts.Node]] = defaultdict(list)
        for node in self.nodes("(identifier) @id", "id", within):
            index[self.text_of(node)].append(node)
        return index

    # -- macros and calls ----------------------------------------------------

    @functools.cached_property
    def macros(self) -> dict[str, str]:
        """Object-like `#define NAME value`: name -> value text, this file's (last one wins) over those its
        headers define for certain when they are found (next to the file or on the include path)."""
        found = self._header_macros()
        for node in self.nodes_of_type("preproc_def"):
            name, value = node.child_by_field_name("name"), node.child_by_field_name("value")
            found[self.text_of(name)] = self.text_of(value).strip() if value is not None else ""
        return found

    @functools.cached_property
    def function_macros(self) -> dict[str, str]:
        """This file's function-like `#define NAME(args) body`: name -> body text."""
        found = {}
        for node in self.nodes_of_type("preproc_function_def"):
            name, value = node.child_by_field_name("name"), node.child_by_field_name("value")
            found[self.text_of(name)] = self.text_of(value) if value is not None else ""
        return found

    def _header_macros(self) -> dict[str, str]:
        search = self.context.search_path
        found: dict[str, str] = {}
        if search is None:
            return found
        for spec in self.includes:
            header = find_header(spec, os.path.dirname(self.path), search)
            if header is not None:
                found.update((name, body) for name, body in header_macros(header, search).defined.items()
                             if body is not None)
        return found

    @functools.cached_property
    def includes(self) -> tuple[str, ...]:
        """The headers this file includes, as written: `<QFile>`, `"util.h"`."""
        return tuple(self.text_of(node) for node in self.nodes("(preproc_include path: (_) @path)", "path"))

    def resolve_alias(self, name: str) -> str:
        """Follow `#define A B` chains where B is a plain (qualified) name."""
        seen = set()
        while name in self.macros and name not in seen:
            seen.add(name)
            target = self.macros[name]
            if not re.fullmatch(r"(?:::)?[A-Za-z_]\w*(?:::[A-Za-z_]\w*)*", target):
                break
            name = target.lstrip(":")
        return name

    @functools.cached_property
    def _calls_by_method(self) -> dict[str, list[Call]]:
        return lang.group_by(self.calls, lambda call: call.method if call.receiver is not None else None)

    def calls_to(self, *names: str) -> list[Call]:
        """Calls of the named functions, in source order.  `strcpy` also finds `std::strcpy`
        (the C library is reachable through namespace std); `ns::f` finds only `ns::f`."""
        return list(self.memo(("calls_to", names), lambda: lang.in_source_order(
            self._calls_by_name, set(names) | {f"std::{n}" for n in names if "::" not in n})))

    def _make_call(self, node: ts.Node) -> Call:
        function = node.child_by_field_name("function")
        arguments = node.child_by_field_name("arguments")
        args = tuple(c for c in arguments.named_children if c.type != "comment") if arguments is not None else ()
        receiver = None
        if function is not None and function.type == "template_function":
            function = function.child_by_field_name("name")
        if function is not None and function.type == "field_expression":
            receiver = function.child_by_field_name("argument")
            field = function.child_by_field_name("field")
            method = self.text_of(field) if field is not None else None
            return Call(node, None, method, receiver, args)
        if function is not None and function.type in ("identifier", "qualified_identifier"):
            name = self.resolve_alias(_squash(self.text_of(function)).lstrip(":"))
            return Call(node, name, name.rsplit("::", 1)[-1], None, args)
        return Call(node, None, None, None, args)

    def call_of(self, node: ts.Node | None) -> Call | None:
        """The `Call` for a call_expression node (after unwrapping parentheses and casts)."""
        node = unwrap(node)
        if node is None or node.type != "call_expression":
            return None
        return self._calls_by_start.get((node.start_byte, node.end_byte))

    @functools.cached_property
    def _calls_by_start(self) -> dict[tuple[int, int], Call]:
        return {(call.node.start_byte, call.node.end_byte): call for call in self.calls}

    # -- functions and declarations --------------------------------------------

    @staticmethod
    def enclosing_function(node: ts.Node) -> ts.Node | None:
        current = node.parent
        while current is not None and current.type not in FUNCTION_TYPES:
            current = current.parent
        return current

    def function_name(self, function: ts.Node) -> str:
        """`f`, `Class::method`, `operator=` ... of a function_definition ('' for a lambda)."""
        declarator = function.child_by_field_name("declarator")
        while declarator is not None and declarator.type != "function_declarator":
            # a reference declarator (`S& A::h()`) has no `declarator` field: its one named child is it
            inner = declarator.child_by_field_name("declarator")
            declarator = inner if inner is not None or declarator.type != "reference_declarator" \
                else next(iter(declarator.named_children), None)
        if declarator is None:
            return self._macro_defined_name(function)
        return _squash(self.text_of(declarator.child_by_field_name("declarator")))

    def _macro_defined_name(self, function: ts.Node) -> str:
        """`DEFINE_TEST(test_basic) { ... }`, `PHP_FUNCTION(strlen) { ... }`: a macro that expands to a function's
        head, which the parser reads as type `DEFINE_TEST` and declarator `(test_basic)`. Named by the whole
        head, which no call spells, so it never stands for the function the argument may name."""
        kind, declarator = function.child_by_field_name("type"), function.child_by_field_name("declarator")
        if kind is None or declarator is None or declarator.type != "parenthesized_declarator" \
                or not _MACRO_NAME.fullmatch(self.text_of(kind)) \
                or [child.type for child in declarator.named_children] != ["identifier"]:
            return ""
        return f"{self.text_of(kind)}({self.text_of(declarator.named_children[0])})"

    def function_body(self, function: ts.Node) -> ts.Node | None:
        return function.child_by_field_name("body")

    def variables_in(self, function: ts.Node) -> dict[str, Variable]:
        """Parameters and local variables of a function by name (the first declaration wins; memoised)."""
        return self.memo(("variables", function.id), lambda: {
            name: declared[0] for name, declared in self.declarations_in(function).items()})

    def declarations_in(self, function: ts.Node) -> dict[str, list[Variable]]:
        """Every declaration of each name in a function (parameters first, then in source order)."""
        return self.memo(("declarations", function.id), lambda: self._declarations_by_name(function))

    def _declarations_by_name(self, function: ts.Node) -> dict[str, list[Variable]]:
        found: dict[str, list[Variable]] = defaultdict(list)
        for variable in self._all_declared(function):
            found[variable.name].append(variable)
        return found

    def _all_declared(self, function: ts.Node) -> Iterator[Variable]:
        declarator = function.child_by_field_name("declarator")
        while declarator is not None and declarator.type not in ("function_declarator", "abstract_function_declarator"):
            declarator = declarator.child_by_field_name("declarator")
        parameters = declarator.child_by_field_name("parameters") if declarator is not None else None
        for param in parameters.named_children if parameters is not None else ():
            if param.type in ("parameter_declaration", "optional_parameter_declaration"):
                yield from self.declared_variables(param, is_parameter=True)
        body = function.child_by_field_name("body")
        for declaration in self.nodes_of_type("declaration", within=body) if body is not None else ():
            if self.enclosing_function(declaration) == function:
                yield from self.declared_variables(declaration, is_parameter=False)

    @functools.cached_property
    def globals(self) -> dict[str, Variable]:
        """File-scope (and namespace-scope) variables by name."""
        found: dict[str, Variable] = {}
        for declaration in self.nodes_of_type("declaration"):
            if self.enclosing_function(declaration) is None:
                for variable in self.declared_variables(declaration, is_parameter=False):
                    found.setdefault(variable.name, variable)
        return found

    @functools.cached_property
    def fields(self) -> dict[str, Variable]:
        """Struct/class data members by name (all classes of the file together)."""
        found: dict[str, Variable] = {}
        for declaration in self.nodes_of_type("field_declaration"):
            for variable in self.declared_variables(declaration, is_parameter=False):
                found.setdefault(variable.name, variable)
        return found

    @functools.cached_property
    def own_header_members(self) -> dict[str, frozenset[str]]:
        """Class name -> data members, as the file's own headers declare them (`player.cpp` includes
        "player.h", "player_p.h" or `<module/player_p.h>`): a C++ method defined here names its class's
        members bare."""
        search = self.context.search_path if self.context is not None else None
        if self.language != "cpp" or search is None:
            return {}
        found: dict[str, set[str]] = defaultdict(set)
        for spec in self.includes:
            header = own_header(spec.strip(), self.path, search)
            for owner, members in (header_class_members(header, search) if header is not None else {}).items():
                found[owner] |= members
        return {owner: frozenset(members) for owner, members in found.items()}

    def variable(self, identifier: ts.Node) -> Variable | None:
        """The declaration an identifier refers to: a local or parameter of its function, else a global
        (remembered per node: the value-flow engine asks again on every path through it)."""
        known = self._variables
        if identifier.id not in known:
            known[identifier.id] = self.lookup(self.text_of(identifier), identifier)
        return known[identifier.id]

    @functools.cached_property
    def _variables(self) -> dict[int, Variable | None]:
        return {}

    def lookup(self, name: str, at: ts.Node) -> Variable | None:
        """The variable `name` means at node `at` (its function's locals and parameters, else globals)."""
        function = self.enclosing_function(at)
        while function is not None:
            if function.type == "function_definition":
                local = self._visible(self.declarations_in(function).get(name, ()), at)
                if local is not None:
                    return local
            function = self.enclosing_function(function)
        return self.globals.get(name)

    @staticmethod
    def _visible(candidates: Iterable[Variable], at: ts.Node) -> Variable | None:
        """The innermost declaration whose block encloses `at` and that is declared before it (C scoping)."""
        best: Variable | None = None
        for variable in candidates:
            if variable.is_parameter:
                best = best or variable
                continue
            block = variable.declaration.parent
            while block is not None and block.type not in ("compound_statement", "for_statement",
                                                           "condition_clause", "for_range_loop", "case_statement"):
                block = block.parent
            if block is None or not (block.start_byte <= at.start_byte < block.end_byte):
                continue
            if variable.identifier.start_byte > at.start_byte:
                continue
            if best is None or best.is_parameter or variable.declaration.start_byte >= best.declaration.start_byte:
                best = variable
        return best

    def declared_variables(self, declaration: ts.Node, *, is_parameter: bool = False) -> Iterator[Variable]:
        """The variables one declaration (or parameter or member declaration) introduces."""
        type_node = declaration.child_by_field_name("type")
        type_text = _squash(self.text_of(type_node))
        prefix = self.text_of(declaration)[: (type_node.start_byte - declaration.start_byte) if type_node else 0]
        is_static = "static" in prefix.split()
        is_const = "const" in prefix.split() or "constexpr" in prefix.split()
        for declarator in declaration.children_by_field_name("declarator"):
            yield from self._variable(declaration, declarator, type_text, is_parameter, is_static, is_const)

    def _variable(self, declaration: ts.Node, declarator: ts.Node, type_text: str, is_parameter: bool,
                  is_static: bool, is_const: bool) -> Iterator[Variable]:
        initializer = None
        pointer_depth = 0
        sizes: list[ts.Node | None] = []
        node: ts.Node | None = declarator
        if node.type == "init_declarator":
            initializer = node.child_by_field_name("value")
            node = node.child_by_field_name("declarator")
        top = node
        const_pointer = False
        while node is not None and node.type not in ("identifier", "field_identifier"):
            if node.type == "pointer_declarator":
                pointer_depth += 1
                const_pointer = any(c.type == "type_qualifier" and self.text_of(c) == "const" for c in node.children)
            elif node.type == "array_declarator":
                sizes.append(node.child_by_field_name("size"))
            elif node.type == "function_declarator" and node is top and not is_parameter and self.language == "cpp" \
                    and constructed_with_parentheses(node) and self.enclosing_function(declaration) is not None:
                initializer = node.child_by_field_name("parameters")  # `std::lock_guard<std::mutex> g(m);`
                node = node.child_by_field_name("declarator")
                continue
            elif node.type == "function_declarator" and _points_to_function(node):
                node = node.child_by_field_name("declarator")  # `void (*handler)(int)`: a pointer variable
                continue
            elif node.type in ("function_declarator", "abstract_function_declarator"):
                return
            elif node.type == "reference_declarator":
                node = next((c for c in node.named_children), None)
                continue
            node = node.child_by_field_name("declarator") if node.type != "parenthesized_declarator" else \
                next(iter(node.named_children), None)
        if node is None or top is None:
            return
        # `const char *p` is a pointer to const: p itself may be reassigned; `char *const p` may not.
        is_const = const_pointer if pointer_depth else is_const
        yield Variable(self.text_of(node), type_text, top, declaration, node, pointer_depth, tuple(sizes),
                       initializer, is_parameter, is_static, is_const)

    # -- constants --------------------------------------------------------------

    def constant_value(self, node: ts.Node | None, _depth: int = 0) -> object:
        """The value of `node` if known statically (int, float, str, None for a null pointer), else NOT_CONSTANT.

        Literals, macros, enumerators, `const` variables with constant
        initialisers, `sizeof` of primitive types, casts and arithmetic of these.
        """
        node = unwrap(node)
        if node is None or _depth > 12:
            return NOT_CONSTANT
        kind = node.type
        if kind == "number_literal":
            return parse_number(self.text_of(node))
        if kind == "char_literal":
            text = self.string_value(node)
            return ord(text[0]) if isinstance(text, str) and len(text) == 1 else NOT_CONSTANT
        if kind in _STRING_LITERAL_TYPES:
            return self.string_value(node)
        if kind in ("true", "false"):
            return kind == "true"
        if kind in ("null", "nullptr"):
            return None
        if kind == "identifier":
            return self._name_value(node, _depth)
        if kind == "cast_expression":
            return self.constant_value(node.child_by_field_name("value"), _depth + 1)
        if kind == "sizeof_expression":
            return self._sizeof_value(node)
        if kind == "unary_expression":
            return _unary(self.text_of(node.child_by_field_name("operator")),
                          self.constant_value(node.child_by_field_name("argument"), _depth + 1))
        if kind == "binary_expression":
            return _binary(self.text_of(node.child_by_field_name("operator")),
                           self.constant_value(node.child_by_field_name("left"), _depth + 1),
                           self.constant_value(node.child_by_field_name("right"), _depth + 1))
        return NOT_CONSTANT

    def is_constant(self, node: ts.Node | None) -> bool:
        """True when the value is fixed at compile time, even if not known here (e.g. `sizeof(struct s)`)."""
        if self.constant_value(node) is not NOT_CONSTANT:
            return True
        node = unwrap(node)
        if node is None:
            return False
        if node.type == "sizeof_expression" or node.type == "alignof_expression":
            return True
        if node.type == "identifier":
            name = self.text_of(node)
            return (name in self.macros and self.variable(node) is None) or name in self.enumerators
        if node.type in ("binary_expression", "unary_expression", "cast_expression", "conditional_expression"):
            parts = [c for c in node.named_children if c.type not in ("type_descriptor",)]
            if node.type == "binary_expression" or node.type == "unary_expression":
                parts = [node.child_by_field_name(f) for f in ("left", "right", "argument")]
                parts = [p for p in parts if p is not None]
            return all(self.is_constant(p) for p in parts)
        return False

    def string_value(self, node: ts.Node | None) -> object:
        """The text of a string or character literal (escapes decoded), or of concatenated literals."""
        node = unwrap(node)
        if node is None:
            return NOT_CONSTANT
        if node.type == "identifier":
            value = self._name_value(node, 0)
            return value if isinstance(value, str) else NOT_CONSTANT
        if node.type == "concatenated_string":
            parts = [self.string_value(c) for c in node.named_children]
            return NOT_CONSTANT if any(not isinstance(p, str) for p in parts) else "".join(parts)  # type: ignore[arg-type]
        if node.type == "raw_string_literal":
            content = next((c for c in node.named_children if c.type == "raw_string_content"), None)
            return self.text_of(content) if content is not None else ""
        if node.type not in ("string_literal", "char_literal"):
            return NOT_CONSTANT
        pieces = []
        for child in node.named_children:
            if child.type in ("string_content", "character"):
                pieces.append(self.text_of(child))
            elif child.type == "escape_sequence":
                pieces.append(_decode_escape(self.text_of(child)))
        return "".join(pieces)

    @functools.cached_property
    def enumerators(self) -> dict[str, ts.Node | None]:
        return {self.text_of(e.child_by_field_name("name")): e.child_by_field_name("value")
                for e in self.nodes_of_type("enumerator")}

    @functools.cached_property
    def _implicit_enumerators(self) -> dict[str, tuple[str | None, int]]:
        """Enumerators written without a value (`enum { OK, FAILED };`): the nearest one before them in their
        list that has a value (None: none does, counting starts at 0) and how many places after it they are."""
        implicit: dict[str, tuple[str | None, int]] = {}
        lists = {e.parent.start_byte: e.parent for e in self.nodes_of_type("enumerator") if e.parent is not None}
        for enumerators in lists.values():
            base: str | None = None
            steps = -1
            for enumerator in enumerators.named_children:
                if enumerator.type != "enumerator":
                    continue
                name = self.text_of(enumerator.child_by_field_name("name"))
                if enumerator.child_by_field_name("value") is not None:
                    base, steps = name, 0
                    continue
                steps += 1
                implicit[name] = (base, steps)
        return implicit

    def _name_value(self, node: ts.Node, depth: int) -> object:
        name = self.text_of(node)
        if name in _NULL_NAMES:
            return None
        variable = self.variable(node)
        if variable is not None:
            if variable.is_const and not variable.is_parameter and variable.initializer is not None:
                return self.constant_value(variable.initializer, depth + 1)
            # An array's contents change through calls (strcat, recv...): only `const` arrays are constant.
            if not variable.is_parameter and not variable.is_array and variable.initializer is not None \
                    and (self.never_reassigned(variable) or self._static_never_written(variable)):
                return self.constant_value(variable.initializer, depth + 1)
            return NOT_CONSTANT
        if name in self.macros:
            return self._macro_value(name, depth)
        if name in self.enumerators:
            value = self.enumerators[name]
            if value is not None:
                return self.constant_value(value, depth + 1)
            base, steps = self._implicit_enumerators.get(name, (name, 0))
            if base is None:
                return steps
            if base == name:
                return NOT_CONSTANT
            start = self.constant_value(self.enumerators.get(base), depth + 1)
            return start + steps if type(start) is int else NOT_CONSTANT
        return LIMIT_MACROS.get(name, NOT_CONSTANT)

    def _macro_value(self, name: str, depth: int) -> object:
        text = self.macros[name]
        if not text or depth > 12:
            return NOT_CONSTANT
        expression = _parse_expression(self.language, text)
        if expression is None:
            return NOT_CONSTANT
        # The macro body lives in its own small tree: evaluate it with this file's names.
        return _MacroView(self, expression.source, expression.tree).constant_value(expression.node, depth + 1)

    def never_reassigned(self, variable: Variable) -> bool:
        """A local whose only binding is its initialiser: no `=`, `++`, `--` or `&` on it later."""
        function = self.enclosing_function(variable.declaration)
        scope = self.function_body(function) if function is not None and function.type == "function_definition" \
            else None
        if scope is None:
            return False
        for use in self.identifiers(scope).get(variable.name, ()):
            if use == variable.identifier:
                continue
            if is_written(use) or is_address_taken(use):
                return False
        return True

    def keeps_initial_value(self, variable: Variable) -> bool:
        """A file-scope variable that holds its initialiser for the whole run: `const`, or `static` and
        never written in this file."""
        return variable.is_const or self._static_never_written(variable)

    def _static_never_written(self, variable: Variable) -> bool:
        """A file-scope `static` (internal linkage: no other file can change it) that nothing in this file
        assigns, increments or takes the address of keeps its initial value."""
        if not variable.is_static or self.enclosing_function(variable.declaration) is not None:
            return False
        for use in self.identifiers(self.root).get(variable.name, ()):
            if use != variable.identifier and (is_written(use) or is_address_taken(use)):
                return False
        return True

    def _sizeof_value(self, node: ts.Node) -> object:
        type_node = node.child_by_field_name("type")
        if type_node is not None:
            text = _squash(self.text_of(type_node))
            if text.endswith("*"):
                return 8
            return PRIMITIVE_SIZES.get(text, NOT_CONSTANT)
        operand = unwrap(node.child_by_field_name("value"))
        if operand is not None and operand.type == "identifier":
            variable = self.variable(operand)
            if variable is not None:
                return self.byte_size(variable)
            # `sizeof(wchar_t)`: a typedef'd type name the C grammar reads as an expression
            return PRIMITIVE_SIZES.get(self.text_of(operand), NOT_CONSTANT)
        if operand is not None and operand.type in _STRING_LITERAL_TYPES:
            value = self.string_value(operand)
            return literal_bytes(value) + 1 if isinstance(value, str) else NOT_CONSTANT
        return NOT_CONSTANT

    def sizeof_operand(self, node: ts.Node | None) -> ts.Node | None:
        """`x` for `sizeof(x)` / `sizeof x` (an expression operand), else None."""
        node = unwrap(node)
        if node is None or node.type != "sizeof_expression":
            return None
        return unwrap(node.child_by_field_name("value"))

    def array_length(self, variable: Variable) -> object:
        """Number of elements of a fixed-size array variable, or NOT_CONSTANT."""
        if not variable.is_array:
            return NOT_CONSTANT
        size = variable.array_sizes[-1] if len(variable.array_sizes) == 1 else variable.array_sizes[0]
        if size is None:
            if variable.initializer is not None:
                value = self.string_value(variable.initializer)
                if isinstance(value, str):
                    return len(value) + 1
                if variable.initializer.type == "initializer_list":
                    return variable.initializer.named_child_count
            return NOT_CONSTANT
        value = self.constant_value(size)
        return value if isinstance(value, int) else NOT_CONSTANT

    def element_size(self, variable: Variable) -> object:
        if variable.pointer_depth > (0 if variable.is_array else 1):
            return 8
        return PRIMITIVE_SIZES.get(variable.type_text, NOT_CONSTANT)

    def byte_size(self, variable: Variable) -> object:
        """sizeof(variable): pointers are 8, arrays elements x element size, when known."""
        if variable.is_pointer:
            return 8
        if variable.is_array:
            length, element = self.array_length(variable), self.element_size(variable)
            if isinstance(length, int) and isinstance(element, int) and len(variable.array_sizes) == 1:
                return length * element
            return NOT_CONSTANT
        return PRIMITIVE_SIZES.get(variable.type_text, NOT_CONSTANT)

    # -- tree helpers -------------------------------------------------------------

    @staticmethod
    def statement_of(node: ts.Node) -> ts.Node:
        """The innermost statement containing `node` (a direct child of a block)."""
        current = node
        while current.parent is not None and current.parent.type not in STATEMENT_PARENTS:
            current = current.parent
        return current

    def is_null(self, node: ts.Node | None) -> bool:
        node = unwrap(node)
        if node is None:
            return False
        if node.type in ("null", "nullptr"):
            return True
        if node.type == "number_literal":
            return parse_number(self.text_of(node)) == 0
        return node.type == "identifier" and self.text_of(node) in _NULL_NAMES


class _MacroView(CFile):
    """A macro body parsed on its own, looking names up in the file that defined the macro."""

    def __init__(self, owner: CFile, text: str, tree: ts.Tree) -> None:  # noqa: D107 - a thin view
        super().__init__(owner.path, text, tree, owner.language)
        self._owner = owner

    @property
    def macros(self) -> dict[str, str]:  # type: ignore[override]
        return self._owner.macros

    @property
    def enumerators(self) -> dict[str, ts.Node | None]:  # type: ignore[override]
        return {}

    def variable(self, identifier: ts.Node) -> Variable | None:
        return None


@dataclass(frozen=True)
class _Expression:
    source: str
    tree: ts.Tree
    node: ts.Node


@functools.lru_cache(maxsize=4096)
def _parse_expression(language: str, text: str) -> _Expression | None:
    """Parse a macro body as an expression (wrapped in a statement so the grammar accepts it)."""
    source = f"int __v = {text};\n"
    tree = lang.parse(language, source)
    if tree.root_node.has_error:
        return None
    declaration = tree.root_node.named_children[0] if tree.root_node.named_children else None
    declarator = declaration.child_by_field_name("declarator") if declaration is not None else None
    value = declarator.child_by_field_name("value") if declarator is not None else None
    if value is None:
        return None
    return _Expression(source, tree, value)


# -- module-level helpers ----------------------------------------------------------


def unwrap(node: ts.Node | None) -> ts.Node | None:
    """Strip enclosing parentheses."""
    while node is not None and node.type == "parenthesized_expression" and node.named_child_count == 1:
        node = node.named_children[0]
    return node


CPP_CASTS = frozenset({"static_cast", "reinterpret_cast", "const_cast", "dynamic_cast"})


def cpp_cast_operand(node: ts.Node | None) -> ts.Node | None:
    """`x` for `static_cast<T>(x)` (parsed as a call of a template function), else None."""
    if node is None or node.type != "call_expression":
        return None
    function = node.child_by_field_name("function")
    name = function.child_by_field_name("name") if function is not None and function.type == "template_function" \
        else None
    arguments = node.child_by_field_name("arguments")
    if name is None or name.text is None or name.text.decode() not in CPP_CASTS or arguments is None \
            or arguments.named_child_count != 1:
        return None
    return arguments.named_children[0]


def strip_casts(node: ts.Node | None) -> ts.Node | None:
    """Strip parentheses and casts: `(char *)malloc(n)`, `static_cast<char *>(malloc(n))` -> `malloc(n)`."""
    node = unwrap(node)
    while node is not None:
        if node.type == "cast_expression":
            node = unwrap(node.child_by_field_name("value"))
        elif cpp_cast_operand(node) is not None:
            node = unwrap(cpp_cast_operand(node))
        else:
            break
    return node


def is_written(identifier: ts.Node) -> bool:
    """True when this occurrence of a name is assigned (`x = ...`, `x += ...`, `x++`)."""
    parent = identifier.parent
    if parent is None:
        return False
    if parent.type == "assignment_expression" and parent.child_by_field_name("left") == identifier:
        return True
    return parent.type == "update_expression"


def constructed_with_parentheses(declarator: ts.Node) -> bool:
    """Whether a C++ declarator inside a function body that the grammar reads as a function declaration is
    an object built with parentheses (the "most vexing parse": `std::lock_guard<std::mutex> g(m);`,
    `std::shared_ptr<int> p(std::move(q));`): it names a plain identifier, has arguments, and each of them
    is a bare name (`m`, `std::defer_lock`) or a qualified call of bare names (`std::move(q)`); none is a
    built-in type or names a parameter of its own. A real local prototype of that shape (`T f(Bar);`) is far
    rarer in function bodies."""
    name = declarator.child_by_field_name("declarator")
    parameters = declarator.child_by_field_name("parameters")
    if name is None or name.type != "identifier" or parameters is None:
        return False
    arguments = [p for p in parameters.named_children if p.type != "comment"]
    return bool(arguments) and all(_bare_argument(argument, calls=True) for argument in arguments)


def _bare_argument(parameter: ts.Node, calls: bool) -> bool:
    kind, inner = parameter.child_by_field_name("type"), parameter.child_by_field_name("declarator")
    if parameter.type != "parameter_declaration" or kind is None or len(parameter.named_children) > 2:
        return False
    if inner is None:
        return kind.type in ("type_identifier", "qualified_identifier")
    if not calls or inner.type != "abstract_function_declarator" or kind.type != "qualified_identifier":
        return False
    inner_parameters = inner.child_by_field_name("parameters")
    arguments = [p for p in inner_parameters.named_children if p.type != "comment"] if inner_parameters else []
    return all(_bare_argument(argument, calls=False) for argument in arguments)


def is_address_taken(identifier: ts.Node) -> bool:
    """True when this occurrence of a name has its address taken (`&x`): it may be written through it."""
    parent = identifier.parent
    return parent is not None and parent.type == "pointer_expression" and \
        parent.child_by_field_name("operator") is not None and parent.child_by_field_name("operator").type == "&"


def parse_number(text: str) -> object:
    text = text.strip()
    match = _INT_LITERAL.match(text)
    if match:
        digits = match.group(1).replace("'", "")
        try:
            if digits[:2].lower() in ("0x", "0b"):
                return int(digits, 0)
            if len(digits) > 1 and digits.startswith("0"):
                return int(digits, 8)
            return int(digits)
        except ValueError:
            return NOT_CONSTANT
    try:
        return float(text.rstrip("fFlL"))
    except ValueError:
        return NOT_CONSTANT


def _decode_escape(text: str) -> str:
    body = text[1:]
    if body[:1] in _ESCAPES and len(body) == 1:
        return _ESCAPES[body]
    if body[:1] == "x":
        try:
            return chr(int(body[1:], 16))
        except ValueError:
            return "?"
    if body[:1].isdigit():
        try:
            return chr(int(body, 8))
        except ValueError:
            return "?"
    return body[:1]


def _unary(operator: str, value: object) -> object:
    if not isinstance(value, (int, float)) or isinstance(value, bool) and operator != "!":
        return NOT_CONSTANT
    if operator == "-":
        return -value
    if operator == "+":
        return value
    if operator == "~" and isinstance(value, int):
        return ~value
    if operator == "!":
        return int(not value)
    return NOT_CONSTANT


def _binary(operator: str, left: object, right: object) -> object:
    if not isinstance(left, (int, float)) or not isinstance(right, (int, float)):
        if operator == "+" and isinstance(left, str) and isinstance(right, str):
            return NOT_CONSTANT  # C does not add strings
        return NOT_CONSTANT
    try:
        if operator == "+":
            return left + right
        if operator == "-":
            return left - right
        if operator == "*":
            return left * right
        if operator == "/":
            return left // right if isinstance(left, int) and isinstance(right, int) else left / right
        if operator == "%" and isinstance(left, int) and isinstance(right, int):
            return left % right
        comparisons = {"==": left == right, "!=": left != right, "<": left < right, ">": left > right,
                       "<=": left <= right, ">=": left >= right, "&&": bool(left and right), "||": bool(left or right)}
        if operator in comparisons:
            return int(comparisons[operator])
        if isinstance(left, int) and isinstance(right, int):
            return {"<<": lambda: left << right, ">>": lambda: left >> right, "|": lambda: left | right,
                    "&": lambda: left & right, "^": lambda: left ^ right}.get(operator, lambda: NOT_CONSTANT)()
    except (ZeroDivisionError, ValueError, OverflowError):
        return NOT_CONSTANT
    return NOT_CONSTANT


def literal_bytes(text: str) -> int:
    """The bytes a string literal's text takes (without its NUL). Escapes may decode to lone surrogates
    (`"\\uD800"`), which strict UTF-8 refuses: they count as the three bytes they would take."""
    return len(text.encode("utf-8", "surrogatepass"))


_MACRO_NAME = re.compile(r"[A-Z][A-Z0-9]*_[A-Z0-9_]*")  # `DEFINE_TEST`, `PHP_FUNCTION`: a macro's name


def _points_to_function(declarator: ts.Node) -> bool:
    """`(*handler)(int)`: a function declarator around a parenthesised pointer declares a function pointer."""
    inner = declarator.child_by_field_name("declarator")
    return inner is not None and inner.type == "parenthesized_declarator" \
        and any(child.type == "pointer_declarator" for child in inner.named_children)


def _squash(text: str) -> str:
    """Collapse whitespace (`unsigned   int` -> `unsigned int`, `std :: f` -> `std::f`)."""
    return re.sub(r"\s*::\s*", "::", " ".join(text.split()))


_CPP_MARKERS = re.compile(
    rb"^\s*(?:class\s+\w+[^;]*$|namespace\b|template\s*<|(?:public|private|protected)\s*:|using\s+namespace\b)"
    rb"|\b(?:std|Qt)::|\bQ_OBJECT\b|\bnullptr\b|\w::~?\w", re.M)


# Objective-C declarations at the start of a line: `@interface`, `@implementation`, `@protocol`, `@class`, `@end`
_OBJC_MARKERS = re.compile(rb"^\s*@(?:interface|implementation|protocol|class|end)\b", re.M)


def looks_like_objc(content: bytes | str) -> bool:
    """For a `.h` header: is it Objective-C (or Objective-C++), which neither C nor C++ grammar reads?"""
    data = content.encode("utf-8", "replace") if isinstance(content, str) else content
    return _OBJC_MARKERS.search(data) is not None


def looks_like_cpp(content: bytes | str) -> bool:
    """For a `.h` header: does its text use C++-only constructs (classes, namespaces, templates, `::`)?"""
    data = content.encode("utf-8", "replace") if isinstance(content, str) else content
    return _CPP_MARKERS.search(data) is not None


@functools.lru_cache(maxsize=64)
def header_class_members(path: str, search) -> dict[str, frozenset[str]]:
    """Class name -> the data members its definition in the C++ header at `path` declares (not methods)."""
    text = read_header(path)
    header = CFile(path, text, lang.parse("cpp", text, search, path), "cpp", FileContext(search_path=search))
    found: dict[str, frozenset[str]] = {}
    for specifier in header.nodes_of_type("class_specifier", "struct_specifier"):
        name, body = specifier.child_by_field_name("name"), specifier.child_by_field_name("body")
        if name is None or body is None:
            continue
        members = {variable.name for declaration in header.nodes_of_type("field_declaration", within=body)
                   if _declaring_class(declaration) == specifier  # (also under `#if`; not a nested class's)
                   for variable in header.declared_variables(declaration)}
        found[header.text_of(name).split("<")[0].rsplit("::", 1)[-1]] = frozenset(members)
    return found


def _declaring_class(node: ts.Node) -> ts.Node | None:
    parent = node.parent
    while parent is not None and parent.type not in ("class_specifier", "struct_specifier"):
        parent = parent.parent
    return parent
