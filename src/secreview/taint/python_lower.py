"""Lower a tree-sitter Python tree into the dataflow IR (`taint.ir`).

Unknown syntax is never dropped: it becomes `Opaque` (an expression whose
value depends on its parts) or is skipped only when it cannot carry data
(imports, pass, global declarations).
"""

from __future__ import annotations

import tree_sitter as ts

from secreview.knowledge import registry
from secreview.lang.python.file import NOT_CONSTANT, PyFile
from secreview.taint import ir

_IGNORED_STATEMENTS = frozenset({
    "import_statement", "import_from_statement", "future_import_statement", "pass_statement",
    "global_statement", "nonlocal_statement", "comment", "line_continuation", "type_alias_statement",
})


class PythonLowering:
    def __init__(self, file: PyFile) -> None:
        self.file = file

    # -- statements ---------------------------------------------------------------

    def module(self) -> ir.Module:
        return ir.Module(self.block(self.file.root), self.file.root)

    def block(self, node: ts.Node | None) -> tuple[ir.Stmt, ...]:
        if node is None:
            return ()
        statements: list[ir.Stmt] = []
        for child in node.named_children:
            statements.extend(self.statement(child))
        return tuple(statements)

    def statement(self, node: ts.Node) -> list[ir.Stmt]:
        kind = node.type
        if kind in _IGNORED_STATEMENTS:
            return []
        handler = _handler(self, "_stmt_", kind)
        if handler is not None:
            return handler(node)
        if kind in ("break_statement", "continue_statement"):
            return [ir.Exit(kind.split("_")[0], None, node)]
        return [ir.ExprStmt(self.expr(child), node) for child in node.named_children
                if child.type not in _NOISE] or []

    def _stmt_expression_statement(self, node: ts.Node) -> list[ir.Stmt]:
        out: list[ir.Stmt] = []
        for child in node.named_children:
            if child.type == "assignment":
                out.append(self._assignment(child))
            elif child.type == "augmented_assignment":
                operator = self.file.text_of(child.child_by_field_name("operator")).rstrip("=")
                out.append(ir.AugAssign(self.target(child.child_by_field_name("left")), operator,
                                        self.expr(child.child_by_field_name("right")), child))
            elif child.type == "call" and self.file.qualified_name(child.child_by_field_name("function")) \
                    in registry.python().exit_calls:
                out.append(ir.ExprStmt(self.expr(child), child))
                out.append(ir.Exit("abort", None, child))
            elif child.type not in _NOISE:
                out.append(ir.ExprStmt(self.expr(child), child))
        return out

    def _assignment(self, node: ts.Node) -> ir.Stmt:
        targets = [self.target(node.child_by_field_name("left"))]
        value = node.child_by_field_name("right")
        while value is not None and value.type == "assignment":  # a = b = value
            targets.append(self.target(value.child_by_field_name("left")))
            value = value.child_by_field_name("right")
        if value is None:  # annotation only: `x: int`
            return ir.ExprStmt(ir.Const(None, node), node)
        return ir.Assign(tuple(targets), self.expr(value), node)

    def _stmt_return_statement(self, node: ts.Node) -> list[ir.Stmt]:
        value = node.named_children[0] if node.named_children else None
        return [ir.Return(self.expr(value) if value is not None else None, node)]

    def _stmt_raise_statement(self, node: ts.Node) -> list[ir.Stmt]:
        value = node.named_children[0] if node.named_children else None
        return [ir.Exit("raise", self.expr(value) if value is not None else None, node)]

    def _stmt_if_statement(self, node: ts.Node) -> list[ir.Stmt]:
        orelse: tuple[ir.Stmt, ...] = ()
        alternatives = node.children_by_field_name("alternative")
        for clause in reversed(alternatives):
            if clause.type == "else_clause":
                orelse = self.block(clause.child_by_field_name("body"))
            else:  # elif_clause
                orelse = (ir.If(self.expr(clause.child_by_field_name("condition")),
                                self.block(clause.child_by_field_name("consequence")), orelse, clause),)
        return [ir.If(self.expr(node.child_by_field_name("condition")),
                      self.block(node.child_by_field_name("consequence")), orelse, node)]

    def _stmt_for_statement(self, node: ts.Node) -> list[ir.Stmt]:
        alternative = node.child_by_field_name("alternative")
        return [ir.Loop(self.target(node.child_by_field_name("left")), self.expr(node.child_by_field_name("right")),
                        None, self.block(node.child_by_field_name("body")),
                        self.block(alternative.child_by_field_name("body")) if alternative else (), node)]

    def _stmt_while_statement(self, node: ts.Node) -> list[ir.Stmt]:
        alternative = node.child_by_field_name("alternative")
        return [ir.Loop(None, None, self.expr(node.child_by_field_name("condition")),
                        self.block(node.child_by_field_name("body")),
                        self.block(alternative.child_by_field_name("body")) if alternative else (), node)]

    def _stmt_try_statement(self, node: ts.Node) -> list[ir.Stmt]:
        handlers, orelse, final = [], (), ()
        for child in node.named_children:
            if child.type in ("except_clause", "except_group_clause"):
                handlers.append((self._exception_alias(child), self.block(_last_block(child))))
            elif child.type == "else_clause":
                orelse = self.block(child.child_by_field_name("body"))
            elif child.type == "finally_clause":
                final = self.block(_last_block(child))
        return [ir.Try(self.block(node.child_by_field_name("body")), tuple(handlers), orelse, final, node)]

    def _exception_alias(self, clause: ts.Node) -> str | None:
        for child in clause.named_children:
            if child.type == "as_pattern":
                alias = child.child_by_field_name("alias")
                if alias is not None:
                    return self.file.text_of(alias).strip()
        identifiers = [c for c in clause.named_children if c.type == "identifier"]
        return self.file.text_of(identifiers[1]) if len(identifiers) == 2 else None  # except E, e

    def _stmt_with_statement(self, node: ts.Node) -> list[ir.Stmt]:
        items: list[tuple[ir.Expr, ir.Target | None]] = []
        for clause in node.named_children:
            if clause.type != "with_clause":
                continue
            for item in clause.named_children:
                value = item.child_by_field_name("value") or item
                if value.type == "as_pattern":
                    alias = value.child_by_field_name("alias")
                    target = alias.named_children[0] if alias is not None and alias.named_children else alias
                    items.append((self.expr(value.named_children[0]), self.target(target) if target else None))
                else:
                    items.append((self.expr(value), None))
        return [ir.With(tuple(items), self.block(node.child_by_field_name("body")), node)]

    def _stmt_match_statement(self, node: ts.Node) -> list[ir.Stmt]:
        subject = node.child_by_field_name("subject")
        cases = []
        body = node.child_by_field_name("body")
        for case in body.named_children if body is not None else ():
            if case.type != "case_clause":
                continue
            patterns = [c for c in case.named_children if c.type == "case_pattern"]
            values = tuple(self._pattern_value(p) for p in patterns)
            wildcard = any(v is None for v in values)
            has_guard = case.child_by_field_name("guard") is not None
            cases.append((None if wildcard or has_guard else values, self.block(case.child_by_field_name("consequence"))))
        return [ir.Match(self.expr(subject) if subject else ir.Const(None), tuple(cases), node)]

    def _pattern_value(self, pattern: ts.Node) -> ir.Expr | None:
        inner = pattern.named_children[0] if pattern.named_children else None
        if inner is None or inner.type in ("identifier", "dotted_name") and self.file.text_of(inner) == "_":
            return None
        if inner.type in ("string", "integer", "float", "true", "false", "none", "concatenated_string"):
            return self.expr(inner)
        return None

    def _stmt_function_definition(self, node: ts.Node, decorators: tuple[ir.Expr, ...] = ()) -> list[ir.Stmt]:
        return [ir.FunctionDef(self.function(node, decorators), node)]

    def _stmt_decorated_definition(self, node: ts.Node) -> list[ir.Stmt]:
        decorators = tuple(self.expr(d.named_children[0]) for d in node.named_children
                           if d.type == "decorator" and d.named_children)
        definition = node.child_by_field_name("definition")
        if definition is not None and definition.type == "function_definition":
            return self._stmt_function_definition(definition, decorators)
        return self.statement(definition) if definition is not None else []

    def _stmt_class_definition(self, node: ts.Node) -> list[ir.Stmt]:
        name = self.file.text_of(node.child_by_field_name("name"))
        superclasses = node.child_by_field_name("superclasses")
        bases = tuple(filter(None, (self.file.qualified_name(base) for base in
                                    (superclasses.named_children if superclasses is not None else ()))))
        return [ir.ClassDef(name, self.block(node.child_by_field_name("body")), node, bases)]

    def function(self, node: ts.Node, decorators: tuple[ir.Expr, ...] = ()) -> ir.Function:
        name_node = node.child_by_field_name("name")
        params, defaults = self._parameters(node.child_by_field_name("parameters"))
        in_class = node.parent is not None and node.parent.type == "block" and node.parent.parent is not None \
            and node.parent.parent.type == "class_definition"
        if node.parent is not None and node.parent.type == "decorated_definition":
            grand = node.parent.parent
            in_class = grand is not None and grand.parent is not None and grand.parent.type == "class_definition"
        body = node.child_by_field_name("body")
        statements = self.block(body) if body is not None and body.type == "block" else \
            ((ir.Return(self.expr(body), body),) if body is not None else ())
        return ir.Function(self.file.text_of(name_node) if name_node else "<lambda>", params, statements,
                           decorators, node, in_class, defaults)

    def _parameters(self, node: ts.Node | None) -> tuple[tuple[str, ...], tuple[tuple[str, ir.Expr], ...]]:
        names: list[str] = []
        defaults: list[tuple[str, ir.Expr]] = []
        for param in node.named_children if node is not None else ():
            if param.type == "identifier":
                names.append(self.file.text_of(param))
                continue
            ident = param.child_by_field_name("name")
            if ident is None:
                ident = next((c for c in param.named_children if c.type == "identifier"), None)
            if ident is None:
                continue
            name = self.file.text_of(ident)
            names.append(name)
            value = param.child_by_field_name("value")
            if value is not None:
                defaults.append((name, self.expr(value)))
        return tuple(names), tuple(defaults)

    # -- targets ---------------------------------------------------------------------

    def target(self, node: ts.Node | None) -> ir.Target:
        if node is None:
            return ir.Opaque((), None)
        kind = node.type
        if kind == "identifier":
            return ir.Name(self.file.text_of(node), node)
        if kind == "attribute":
            return ir.Attr(self.expr(node.child_by_field_name("object")),
                           self.file.text_of(node.child_by_field_name("attribute")), node)
        if kind == "subscript":
            return ir.Subscript(self.expr(node.child_by_field_name("value")), self._index(node), node)
        if kind in ("pattern_list", "tuple_pattern", "list_pattern", "tuple", "list", "expression_list"):
            return ir.Sequence("tuple", tuple(self.target(c) for c in node.named_children), node)
        if kind in ("parenthesized_expression", "list_splat_pattern", "list_splat") and node.named_children:
            return self.target(node.named_children[0])
        return ir.Opaque((), node)

    # -- expressions -------------------------------------------------------------------

    def expr(self, node: ts.Node | None) -> ir.Expr:
        if node is None:
            return ir.Const(None, None)
        handler = _handler(self, "_expr_", node.type)
        if handler is not None:
            return handler(node)
        value = self.file.constant_value(node) if node.type in _LITERALS else NOT_CONSTANT
        if value is not NOT_CONSTANT:
            return ir.Const(value, node)
        return ir.Opaque(tuple(self.expr(c) for c in node.named_children if c.type not in _NOISE), node)

    def _expr_identifier(self, node: ts.Node) -> ir.Expr:
        name = self.file.text_of(node)
        return ir.Name(name, node, self.file.imports.get(name))

    def _expr_attribute(self, node: ts.Node) -> ir.Expr:
        return ir.Attr(self.expr(node.child_by_field_name("object")),
                       self.file.text_of(node.child_by_field_name("attribute")), node,
                       self.file.qualified_name(node))

    def _expr_subscript(self, node: ts.Node) -> ir.Expr:
        return ir.Subscript(self.expr(node.child_by_field_name("value")), self._index(node), node)

    def _index(self, node: ts.Node) -> ir.Expr | None:
        indexes = node.children_by_field_name("subscript")
        if len(indexes) != 1 or indexes[0].type == "slice":
            return None
        return self.expr(indexes[0])

    def _expr_call(self, node: ts.Node) -> ir.Expr:
        function = node.child_by_field_name("function")
        call = self.file.call_at(node)
        receiver = self.expr(call.receiver) if call.receiver is not None else None
        args = tuple(self.expr(a) for a in call.args)
        kwargs = tuple((key, self.expr(value)) for key, value in call.kwargs.items())
        function_expr = self.expr(function) if function is not None and function.type in ("identifier", "lambda",
                                                                                           "call", "subscript") else None
        return ir.Call(call.name, call.method, receiver, args, kwargs, node, function_expr)

    def _expr_string(self, node: ts.Node) -> ir.Expr:
        interpolations = [c for c in node.named_children if c.type == "interpolation"]
        if not interpolations:
            return ir.Const(self.file.constant_value(node), node)
        parts: list[ir.Expr] = []
        for child in node.named_children:
            if child.type == "string_content":
                parts.append(ir.Const(self.file.text_of(child), child))
            elif child.type == "interpolation" and child.named_children:
                parts.append(self.expr(child.named_children[0]))
        return ir.Format(tuple(parts), node)

    def _expr_concatenated_string(self, node: ts.Node) -> ir.Expr:
        return ir.Format(tuple(self.expr(c) for c in node.named_children), node)

    def _expr_binary_operator(self, node: ts.Node) -> ir.Expr:
        return ir.Binary(self.file.text_of(node.child_by_field_name("operator")),
                         self.expr(node.child_by_field_name("left")), self.expr(node.child_by_field_name("right")), node)

    def _expr_unary_operator(self, node: ts.Node) -> ir.Expr:
        value = self.file.constant_value(node)
        if value is not NOT_CONSTANT:
            return ir.Const(value, node)
        return ir.Opaque((self.expr(node.child_by_field_name("argument")),), node)

    def _expr_parenthesized_expression(self, node: ts.Node) -> ir.Expr:
        inner = [c for c in node.named_children if c.type not in _NOISE]
        return self.expr(inner[0]) if len(inner) == 1 else ir.Opaque(tuple(self.expr(c) for c in inner), node)

    def _expr_list(self, node: ts.Node) -> ir.Expr:
        return ir.Sequence("list", tuple(self.expr(c) for c in node.named_children if c.type not in _NOISE), node)

    def _expr_tuple(self, node: ts.Node) -> ir.Expr:
        return ir.Sequence("tuple", tuple(self.expr(c) for c in node.named_children if c.type not in _NOISE), node)

    _expr_expression_list = _expr_tuple

    def _expr_set(self, node: ts.Node) -> ir.Expr:
        return ir.Sequence("set", tuple(self.expr(c) for c in node.named_children if c.type not in _NOISE), node)

    def _expr_dictionary(self, node: ts.Node) -> ir.Expr:
        keys, values = [], []
        for child in node.named_children:
            if child.type == "pair":
                keys.append(self.expr(child.child_by_field_name("key")))
                values.append(self.expr(child.child_by_field_name("value")))
            elif child.type == "dictionary_splat" and child.named_children:
                keys.append(None)
                values.append(self.expr(child.named_children[0]))
        return ir.Mapping(tuple(keys), tuple(values), node)

    def _comprehension(self, node: ts.Node) -> ir.Expr:
        body = node.child_by_field_name("body")
        element = self.expr(body)
        if body is not None and body.type == "pair":
            element = ir.Opaque((self.expr(body.child_by_field_name("key")),
                                 self.expr(body.child_by_field_name("value"))), body)
        loops = tuple((self.target(c.child_by_field_name("left")), self.expr(c.child_by_field_name("right")))
                      for c in node.named_children if c.type == "for_in_clause")
        return ir.Comprehension(element, loops, node)

    _expr_list_comprehension = _expr_set_comprehension = _comprehension
    _expr_generator_expression = _expr_dictionary_comprehension = _comprehension

    def _expr_conditional_expression(self, node: ts.Node) -> ir.Expr:
        parts = [c for c in node.named_children if c.type not in _NOISE]
        if len(parts) != 3:
            return ir.Opaque(tuple(self.expr(c) for c in parts), node)
        body, test, orelse = parts
        return ir.Conditional(self.expr(test), self.expr(body), self.expr(orelse), node)

    def _expr_comparison_operator(self, node: ts.Node) -> ir.Expr:
        operands = tuple(self.expr(c) for c in node.named_children if c.type not in _NOISE)
        ops = tuple(" ".join(self.file.text_of(op).split()) for op in node.children_by_field_name("operators"))
        return ir.Compare(ops, operands, node)

    def _expr_boolean_operator(self, node: ts.Node) -> ir.Expr:
        op = self.file.text_of(node.child_by_field_name("operator"))
        return ir.BoolOp(op, (self.expr(node.child_by_field_name("left")),
                              self.expr(node.child_by_field_name("right"))), node)

    def _expr_not_operator(self, node: ts.Node) -> ir.Expr:
        return ir.Not(self.expr(node.child_by_field_name("argument")), node)

    def _expr_lambda(self, node: ts.Node) -> ir.Expr:
        return ir.Lambda(self.function(node), node)

    def _expr_named_expression(self, node: ts.Node) -> ir.Expr:
        # (x := value) evaluates to value; the binding is modelled by the caller's Opaque walk
        return self.expr(node.child_by_field_name("value"))

    def _expr_await(self, node: ts.Node) -> ir.Expr:
        return self.expr(node.named_children[0]) if node.named_children else ir.Const(None, node)


_NOISE = frozenset({"comment", "line_continuation"})
_LITERALS = frozenset({"string", "concatenated_string", "integer", "float", "true", "false", "none"})


_HANDLERS: dict[str, object] = {}


def _handler(lowering: "PythonLowering", prefix: str, kind: str):
    """The bound lowering method for a node type, looked up once per type."""
    key = prefix + kind
    if key not in _HANDLERS:
        _HANDLERS[key] = getattr(PythonLowering, key, None)
    method = _HANDLERS[key]
    return method.__get__(lowering) if method is not None else None


def _last_block(clause: ts.Node) -> ts.Node | None:
    blocks = [c for c in clause.named_children if c.type == "block"]
    return blocks[-1] if blocks else None


def lower(file: PyFile) -> ir.Module:
    return PythonLowering(file).module()
