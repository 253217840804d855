"""What a receiver is: the kind of value a name or `self.x` is bound to in its scope.

Before a rule takes `session.get(url)` for an HTTP call or `yaml.load(s)` for the
module's function, it asks what the receiver holds here:

- a literal or comprehension gives a builtin kind (`{}`/`{k: v for ...}` -> "dict",
  `[]` -> "list", `set()` -> "set", `"..."` -> "str");
- a call gives the constructor's import-resolved name (`requests.Session()` ->
  "requests.Session", `dict(a=1)` -> "dict");
- a parameter gives its annotation's resolved name (`session: requests.Session`);
- `self.x` gives what every `self.x = ...` of the class binds (in `__init__` or any method);
- a name bound by nothing in its scope or the enclosing ones, but imported, is "module".

A name whose reaching bindings disagree, or that nothing here explains, has no kind
(None): the rules keep their own judgement then.
"""

from __future__ import annotations

import tree_sitter as ts

from secreview.lang.python.file import PyFile
from secreview.lang.python.scopes import enclosing_class, function_of
from secreview.lang.python.syntax import unwrap

MODULE = "module"

_LITERAL_KINDS = {
    "dictionary": "dict", "dictionary_comprehension": "dict", "list": "list", "list_comprehension": "list",
    "set": "set", "set_comprehension": "set", "tuple": "tuple", "string": "str", "concatenated_string": "str",
    "integer": "int", "float": "float", "true": "bool", "false": "bool", "none": "None",
}


def receiver_kind(file: PyFile, node: ts.Node | None, _depth: int = 0) -> str | None:
    """The kind of value `node` holds here (see the module docstring), or None when unknown."""
    node = unwrap(node)
    if node is None or _depth > 4:
        return None
    if node.type in _LITERAL_KINDS:
        return _LITERAL_KINDS[node.type]
    if node.type == "call":
        return file.qualified_name(node.child_by_field_name("function"))
    if node.type == "identifier":
        return _name_kind(file, node, _depth)
    if node.type == "attribute":
        return _self_attribute_kind(file, node, _depth)
    return None


def _name_kind(file: PyFile, ident: ts.Node, depth: int) -> str | None:
    name = file.text_of(ident)
    scope = file.enclosing_scope(ident)
    if file.is_parameter(name, scope):
        return _annotation_kind(file, scope, name)
    bindings = file.reaching_bindings(ident)
    if not bindings:
        return MODULE if name in file.imports and not file.bindings_of(name, scope) else None
    kinds = {receiver_kind(file, file.bound_value(statement, identifier), depth + 1)
             for statement, identifier in bindings}
    return kinds.pop() if len(kinds) == 1 else None


def _annotation_kind(file: PyFile, function: ts.Node, name: str) -> str | None:
    parameters = function.child_by_field_name("parameters")
    for parameter in parameters.named_children if parameters is not None else ():
        if parameter.type not in ("typed_parameter", "typed_default_parameter"):
            continue
        ident = parameter.child_by_field_name("name") or (parameter.named_children[0]
                                                          if parameter.named_children else None)
        annotation = parameter.child_by_field_name("type")
        if ident is not None and file.text_of(ident) == name and annotation is not None:
            inner = annotation.named_children[0] if annotation.named_children else annotation
            resolved = file.qualified_name(inner)
            return {"Dict": "dict", "typing.Dict": "dict", "List": "list", "typing.List": "list"}.get(
                resolved or "", resolved)
    return None


def _self_attribute_kind(file: PyFile, node: ts.Node, depth: int) -> str | None:
    """`self.x`: what every `self.x = value` in the methods of the enclosing class binds."""
    owner, attribute = node.child_by_field_name("object"), node.child_by_field_name("attribute")
    if owner is None or attribute is None or owner.type != "identifier" or file.text_of(owner) != "self":
        return None
    function = function_of(file, node)
    cls = enclosing_class(file, function) if function is not None else None
    if cls is None:
        return None
    target = f"self.{file.text_of(attribute)}"
    kinds = set()
    for assignment in file.nodes_of_type("assignment"):
        left = assignment.child_by_field_name("left")
        if left is None or file.text_of(left) != target or not cls.start_byte <= assignment.start_byte < cls.end_byte:
            continue
        kinds.add(receiver_kind(file, assignment.child_by_field_name("right"), depth + 1))
    return kinds.pop() if len(kinds) == 1 else None


def is_module_reference(file: PyFile, node: ts.Node | None) -> bool:
    """False when the root of a dotted chain is known to hold something other than the module it is named
    after (a container, an object built by a call, an annotated parameter): `yaml = YAML(); yaml.load(s)`."""
    while node is not None and node.type == "attribute":
        node = node.child_by_field_name("object")
    if node is None or node.type != "identifier":
        return True
    kind = receiver_kind(file, node)
    return kind is None or kind == MODULE
