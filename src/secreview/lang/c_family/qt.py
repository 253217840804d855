"""Qt: the declared type of the object a method is called on."""

from __future__ import annotations

import tree_sitter as ts

from secreview.lang.c_family.file import CFile, strip_casts


def receiver_type(file: CFile, receiver: ts.Node | None) -> str:
    """Declared type of `obj` in `obj.m()` / `obj->m()` / `this->obj->m()` when the file declares it, else ''."""
    receiver = strip_casts(receiver)
    if receiver is None:
        return ""
    if receiver.type == "identifier":
        variable = file.variable(receiver)
        if variable is None:
            variable = file.fields.get(file.text_of(receiver))
        return variable.type_text if variable is not None else ""
    if receiver.type == "field_expression":
        field = receiver.child_by_field_name("field")
        variable = file.fields.get(file.text_of(field)) if field is not None else None
        return variable.type_text if variable is not None else ""
    return ""
