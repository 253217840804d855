"""C++ data members that a constructor leaves without a value.

A class of the file whose constructors are all defined in the file is checked: a data member of scalar or
pointer type (`int`, `bool`, `qint64`, `Foo *`) with no default member initialiser (`int n = 0;`) that a
constructor neither names in its initialiser list nor mentions in its body (an assignment, `&member`
passed to be filled, a call of a method of the class defined in the file that mentions it) holds
whatever the memory held. Class-type members are built by their own constructors and left alone, and so
are `= default`/`= delete`, copy and move constructors, constructors that delegate to another, and
constructors that call a method of the class defined elsewhere (it may set the members).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import tree_sitter as ts

from secreview.lang.c_family.file import CFile

__all__ = ["UnsetMember", "unset_members"]

# typedefs of numbers and handles that default-initialisation leaves unset, like the built-in types
_SCALAR_NAMES = re.compile(
    r"(?:u?int(?:8|16|32|64|ptr|max)?_t|size_t|ssize_t|ptrdiff_t|off_t|time_t|q(?:u)?int(?:8|16|32|64|ptr)?|qreal|"
    r"qsizetype|qintptr|quintptr|uchar|ushort|uint|ulong|BOOL|DWORD|WORD|BYTE|UINT|ULONG|LONG|HANDLE|GLuint|GLint|"
    r"GLenum|GLfloat)")


@dataclass(frozen=True)
class UnsetMember:
    member: ts.Node  # the member's name in its declaration
    name: str
    constructor: ts.Node  # the first constructor that leaves it unset (its declarator)


def unset_members(file: CFile) -> list[UnsetMember]:
    if file.language != "cpp":
        return []
    return file.memo(("unset-members",), lambda: list(_find(file)))


def _find(file: CFile) -> Iterator[UnsetMember]:
    out_of_line = _out_of_line_methods(file)
    for specifier in file.nodes_of_type("class_specifier", "struct_specifier"):
        name_node, body = specifier.child_by_field_name("name"), specifier.child_by_field_name("body")
        if name_node is None or body is None or specifier.has_error:
            continue
        name = file.text_of(name_node)
        members = dict(_scalar_members(file, body))
        if not members:
            continue
        methods = {**_inline_methods(file, body), **out_of_line.get(name, {})}
        constructors = methods.get(name, [])
        if not constructors or _declared_elsewhere(file, body, name, methods):
            continue
        reported: set[str] = set()
        for constructor in constructors:
            mentioned = _set_by(file, constructor, name, methods, body)
            if mentioned is None:
                continue
            for member, node in members.items():
                if member not in mentioned and member not in reported:
                    reported.add(member)
                    yield UnsetMember(node, member, constructor.child_by_field_name("declarator") or constructor)


def _scalar_members(file: CFile, body: ts.Node) -> Iterator[tuple[str, ts.Node]]:
    for declaration in body.named_children:
        if declaration.type != "field_declaration" or declaration.child_by_field_name("default_value") is not None:
            continue
        if any(c.type in ("storage_class_specifier", "bitfield_clause", "initializer_list") for c in declaration.children):
            continue  # static members, bit-fields, `int n{};`
        kind = declaration.child_by_field_name("type")
        scalar_type = kind is not None and (kind.type in ("primitive_type", "sized_type_specifier")
                                            or (kind.type == "type_identifier" and _SCALAR_NAMES.fullmatch(file.text_of(kind))))
        for declarator in declaration.children_by_field_name("declarator"):
            pointer = declarator.type == "pointer_declarator"
            while declarator.type == "pointer_declarator":
                declarator = declarator.child_by_field_name("declarator")
            if declarator is not None and declarator.type == "field_identifier" and (scalar_type or pointer):
                yield file.text_of(declarator), declarator


def _inline_methods(file: CFile, body: ts.Node) -> dict[str, list[ts.Node]]:
    methods: dict[str, list[ts.Node]] = {}
    for child in body.named_children:
        if child.type == "function_definition":
            name = file.function_name(child)
            if name:
                methods.setdefault(name.rsplit("::", 1)[-1], []).append(child)
    return methods


def _out_of_line_methods(file: CFile) -> dict[str, dict[str, list[ts.Node]]]:
    """`Class::method` definitions of the file: class -> method -> definitions."""
    found: dict[str, dict[str, list[ts.Node]]] = {}
    for definition in file.nodes_of_type("function_definition"):
        name = file.function_name(definition)
        if "::" in name:
            owner, method = name.rsplit("::", 1)
            found.setdefault(owner.rsplit("::", 1)[-1].split("<")[0], {}).setdefault(method, []).append(definition)
    return found


def _declared_elsewhere(file: CFile, body: ts.Node, name: str, methods: dict[str, list[ts.Node]]) -> bool:
    """A constructor declared in the class whose definition is not in this file."""
    for child in body.named_children:
        if child.type not in ("field_declaration", "declaration"):
            continue
        declarator = child.child_by_field_name("declarator")
        if declarator is not None and declarator.type == "function_declarator":
            named = declarator.child_by_field_name("declarator")
            if named is not None and file.text_of(named) == name and not _default_or_deleted(child) \
                    and not _has_definition_like(file, declarator, methods.get(name, [])):
                return True
    return False


def _has_definition_like(file: CFile, declarator: ts.Node, definitions: list[ts.Node]) -> bool:
    """A definition of the file with as many parameters as this declaration."""
    wanted = _parameter_count(declarator)
    for definition in definitions:
        inner = definition.child_by_field_name("declarator")
        while inner is not None and inner.type != "function_declarator":
            inner = inner.child_by_field_name("declarator")
        if inner is not None and _parameter_count(inner) == wanted:
            return True
    return False


def _parameter_count(declarator: ts.Node) -> int:
    parameters = declarator.child_by_field_name("parameters")
    return len([p for p in parameters.named_children if p.type != "comment"]) if parameters is not None else 0


def _default_or_deleted(node: ts.Node) -> bool:
    return any(c.type in ("default_method_clause", "delete_method_clause") for c in node.children)


def _set_by(file: CFile, constructor: ts.Node, name: str, methods: dict[str, list[ts.Node]],
            class_body: ts.Node) -> set[str] | None:
    """The names a constructor may set (None: it is not checked)."""
    if _default_or_deleted(constructor):
        return None
    declarator = constructor.child_by_field_name("declarator")
    while declarator is not None and declarator.type != "function_declarator":
        declarator = declarator.child_by_field_name("declarator")
    parameters = declarator.child_by_field_name("parameters") if declarator is not None else None
    for parameter in parameters.named_children if parameters is not None else ():
        if re.search(rf"\b{re.escape(name)}\b", file.text_of(parameter)) and "&" in file.text_of(parameter):
            return None  # a copy or move constructor
    mentioned: set[str] = set()
    for child in constructor.named_children:
        if child.type == "field_initializer_list":
            for initializer in child.named_children:
                field = initializer.named_children[0] if initializer.named_children else None
                text = file.text_of(field) if field is not None else ""
                if text.split("<")[0].rsplit("::", 1)[-1] == name:
                    return None  # delegates to another constructor
                mentioned.add(text)
    body = constructor.child_by_field_name("body")
    if body is None:
        return None
    if re.search(r"\bmemset\s*\(\s*this\b|\*\s*this\s*=", file.text_of(body)):
        return None
    seen: set[int] = set()
    pending = [body]
    while pending:
        block = pending.pop()
        if block.id in seen:
            continue
        seen.add(block.id)
        mentioned.update(file.identifiers(block))
        mentioned.update(file.text_of(n.child_by_field_name("field")) for n in file.nodes_of_type("field_expression", within=block))
        for call in file.nodes_of_type("call_expression", within=block):
            function = call.child_by_field_name("function")
            if function is None:
                continue
            called = file.text_of(function)
            if function.type == "field_expression":
                argument = function.child_by_field_name("argument")
                if argument is None or argument.type != "this":
                    continue
                called = file.text_of(function.child_by_field_name("field"))
            elif function.type != "identifier":
                continue
            if called in methods:
                pending.extend(d.child_by_field_name("body") for d in methods[called] if d.child_by_field_name("body"))
            # a method of the class declared in its body but defined in another file may set anything
            elif re.search(rf"\b{re.escape(called)}\s*\(", file.text_of(class_body)):
                return None  # a method of the class defined elsewhere may set anything
    return mentioned
