"""Lower a tree-sitter C or C++ tree into the dataflow IR (`taint.ir`).

What matters for taint is kept: declarations and assignments (also those
nested in conditions, `if ((n = recv(...)) > 0)`, which are hoisted in front
of their statement), calls, returns, pointer and array access, struct and
class members, branches, loops, `switch` and `try`.  Casts and parentheses
are transparent, `&x` stands for `x` (the pointer carries the data) and `*p`
for an element of `p`.  `sizeof` and literals become constants, and so do
names the file defines as constant macros, enumerators or `const`
variables.  Function-like macros are calls like any other.

Every function definition, wherever it sits (namespaces, `extern "C"`,
`#ifdef` blocks, class bodies), becomes a function of the module under its
last name (`Widget::paint` -> `paint`), so a call in the same file reaches
its body.  Preprocessor branches are all lowered, one after another: the
analysis sees every configuration.  Unknown syntax becomes `Opaque`: a value
that depends on its parts, never a dropped one.
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts

from secreview.lang.c_family.file import NOT_CONSTANT, CFile, constructed_with_parentheses, unwrap
from secreview.taint import ir

EXIT_CALLS = frozenset({"exit", "_exit", "_Exit", "abort", "quick_exit", "std::exit", "std::abort", "qFatal"})
_MAIN_NAMES = frozenset({"main", "wmain", "_tmain"})
_PARAMETERS = frozenset({"parameter_declaration", "optional_parameter_declaration"})
_CONTAINERS = frozenset({
    "translation_unit", "preproc_if", "preproc_ifdef", "preproc_else", "preproc_elif", "preproc_elifdef",
    "declaration_list", "linkage_specification", "namespace_definition", "template_declaration",
    "field_declaration_list", "class_specifier", "struct_specifier", "union_specifier",
})
_SKIPPED_FIELDS = frozenset({"name", "condition", "type", "parameters"})
_IGNORED = frozenset({
    "comment", "preproc_include", "preproc_def", "preproc_function_def", "preproc_call", "type_definition",
    "enum_specifier", "using_declaration", "alias_declaration", "namespace_alias_definition",
    "static_assert_declaration", "access_specifier", "friend_declaration", "empty_statement",
    "type_identifier", "primitive_type", "field_identifier", "identifier", "string_literal",
    "namespace_identifier", "template_parameter_list", "attribute_specifier", "ms_declspec_modifier",
    "storage_class_specifier", "type_qualifier", "base_class_clause", "virtual_specifier",
})
_COMPARISONS = frozenset({"==", "!=", "<", "<=", ">", ">="})
_LOGICAL = {"&&": "and", "||": "or"}
_LITERALS = frozenset({"number_literal", "char_literal", "string_literal", "concatenated_string",
                       "raw_string_literal", "true", "false", "null", "nullptr"})


class CLowering:
    def __init__(self, file: CFile) -> None:
        self.file = file
        self._hoisted: list[ir.Stmt] = []
        self._aliases: dict[str, set[str]] = {}  # pointer <-> what it points into, in the current function

    # -- module level -----------------------------------------------------------

    def module(self) -> ir.Module:
        return ir.Module(tuple(self._top_level(self.file.root)), self.file.root)

    def _top_level(self, node: ts.Node) -> list[ir.Stmt]:
        out: list[ir.Stmt] = []
        for child in _top_level_children(node):
            if child.type == "function_definition":
                function = self.function(child)
                if function is not None:
                    out.append(ir.FunctionDef(function, child))
            elif child.type in _CONTAINERS:
                out.extend(self._top_level(child))
            elif child.type in ("declaration", "field_declaration"):
                out.extend(self._with_hoisted(self._declaration(child, file_scope=True)))
            elif child.type not in _IGNORED:
                out.extend(self.statement(child))
        return out

    def function(self, node: ts.Node) -> ir.Function | None:
        name = self.file.function_name(node).rsplit("::", 1)[-1]
        body = node.child_by_field_name("body")
        if not name or body is None:
            return None
        params = tuple(self._parameter_names(node))
        outer, self._aliases = self._aliases, self._pointer_aliases(body)
        try:
            statements = self.block(body)
        finally:
            self._aliases = outer
        internal = self._only_called_here(node, name)
        if name in _MAIN_NAMES:
            name = "main"
        return ir.Function(name, params, statements, node=node, internal=internal)

    def _only_called_here(self, function: ts.Node, name: str) -> bool:
        """A `static` function that this file only calls (never takes the address of): all its callers
        are in sight."""
        if not any(c.type == "storage_class_specifier" and self.file.text_of(c) == "static" for c in function.children):
            return False
        for use in self.file.identifiers(self.file.root).get(name, ()):
            parent = use.parent
            if parent is None:
                return False
            if parent.type == "call_expression" and parent.child_by_field_name("function") == use:
                continue
            if parent.type == "function_declarator" and parent.child_by_field_name("declarator") == use:
                continue
            return False
        return True

    def _parameter_names(self, function: ts.Node) -> list[str]:
        declarator = function.child_by_field_name("declarator")
        while declarator is not None and declarator.type != "function_declarator":
            declarator = declarator.child_by_field_name("declarator")
        parameters = declarator.child_by_field_name("parameters") if declarator is not None else None
        names = []
        for parameter in parameters.named_children if parameters is not None else ():
            if parameter.type not in _PARAMETERS or (parameter.child_by_field_name("declarator") is None
                                                              and self.file.text_of(parameter) == "void"):
                continue  # `(void)`, `...`, comments
            identifier = _declared_identifier(parameter.child_by_field_name("declarator"))
            names.append(self.file.text_of(identifier) if identifier is not None else f"<unnamed {len(names)}>")
        return names

    # -- statements ---------------------------------------------------------------

    def block(self, node: ts.Node | None) -> tuple[ir.Stmt, ...]:
        if node is None:
            return ()
        if node.type != "compound_statement":
            return tuple(self.statement(node))
        out: list[ir.Stmt] = []
        for child in node.named_children:
            out.extend(self.statement(child))
        return tuple(out)

    def statement(self, node: ts.Node) -> list[ir.Stmt]:
        kind = node.type
        if kind in _IGNORED:
            return []
        handler = getattr(self, "_stmt_" + kind, None)
        if handler is not None:
            return handler(node)
        if kind in _CONTAINERS or kind.startswith("preproc_"):
            out: list[ir.Stmt] = []
            for position, child in enumerate(node.children):
                if child.is_named and node.field_name_for_child(position) not in _SKIPPED_FIELDS:
                    out.extend(self.statement(child))
            return out
        if kind == "function_definition":
            function = self.function(node)
            return [ir.FunctionDef(function, node)] if function is not None else []
        if kind in ("break_statement", "continue_statement"):
            return [ir.Exit(kind.split("_")[0], None, node)]
        return self._with_hoisted([ir.ExprStmt(self.expr(node), node)])

    def _with_hoisted(self, statements: list[ir.Stmt]) -> list[ir.Stmt]:
        hoisted, self._hoisted = self._hoisted, []
        return hoisted + statements

    def _stmt_compound_statement(self, node: ts.Node) -> list[ir.Stmt]:
        return list(self.block(node))

    def _stmt_declaration(self, node: ts.Node) -> list[ir.Stmt]:
        return self._with_hoisted(self._declaration(node))

    def _declaration(self, node: ts.Node, file_scope: bool = False) -> list[ir.Stmt]:
        """`T a = x, b;` binds each name; at file scope a value is known only if nothing can change it."""
        out: list[ir.Stmt] = []
        condition_value = node.child_by_field_name("value")  # `if (T *x = find())`: the declaration's own value
        for declarator in node.children_by_field_name("declarator"):
            value_node = declarator.child_by_field_name("value") if declarator.type == "init_declarator" \
                else condition_value
            identifier = _declared_identifier(declarator)
            constructed = self._constructor_arguments(declarator) if not file_scope else None
            if identifier is None or (value_node is None and constructed is None and _is_function_declarator(declarator)):
                continue
            target = ir.Name(self.file.text_of(identifier), identifier)
            if constructed is not None:  # `std::lock_guard<std::mutex> g(mutex_);`, read as a prototype
                value: ir.Expr = ir.Opaque(constructed, declarator.child_by_field_name("parameters"))
            elif value_node is None:
                value = ir.Opaque((), declarator)  # uninitialised: no data yet
            elif value_node.type == "argument_list":  # `std::string s(text);`
                value = ir.Opaque(tuple(self.expr(a) for a in value_node.named_children), value_node)
            else:
                value = self.expr(value_node)
            if file_scope and not self._fixed_global(identifier):
                value = ir.Opaque((value,), declarator)  # other functions (or files) may change it
            out.append(ir.Assign((target,), value, declarator))
        return out

    def _constructor_arguments(self, declarator: ts.Node) -> tuple[ir.Expr, ...] | None:
        """The arguments of a C++ local object built with parentheses that the grammar reads as a function
        declaration (`constructed_with_parentheses`); None for anything else."""
        if self.file.language != "cpp" or declarator.type != "function_declarator" \
                or not constructed_with_parentheses(declarator):
            return None
        arguments: list[ir.Expr] = []
        for parameter in declarator.child_by_field_name("parameters").named_children:
            if parameter.type == "comment":
                continue
            kind, inner = parameter.child_by_field_name("type"), parameter.child_by_field_name("declarator")
            text = self.file.text_of(kind)
            if inner is None:
                arguments.append(ir.Name(text, kind))
                continue
            inner_arguments = tuple(ir.Name(self.file.text_of(p.child_by_field_name("type")), p.child_by_field_name("type"))
                                    for p in inner.child_by_field_name("parameters").named_children
                                    if p.type != "comment")
            arguments.append(ir.Call(text, text.rsplit("::", 1)[-1], None, inner_arguments, (), parameter))
        return tuple(arguments)

    def _fixed_global(self, identifier: ts.Node) -> bool:
        variable = self.file.variable(identifier)
        return variable is not None and self.file.keeps_initial_value(variable)

    def _stmt_expression_statement(self, node: ts.Node) -> list[ir.Stmt]:
        out: list[ir.Stmt] = []
        for child in node.named_children:
            if child.type == "comment":
                continue
            out.extend(self._effect(child))
        return self._with_hoisted(out) + self._shared_through_aliases(node)

    def _pointer_aliases(self, body: ts.Node) -> dict[str, set[str]]:
        """`p = buf`, `p = buf + n`, `p = &x` (also in declarations): p and buf name the same memory."""
        aliases: dict[str, set[str]] = {}
        pairs = [(n.child_by_field_name("left"), n.child_by_field_name("right"))
                 for n in self.file.nodes_of_type("assignment_expression", within=body)
                 if self.file.text_of(n.child_by_field_name("operator")) == "="]
        pairs += [(_declared_identifier(n), n.child_by_field_name("value"))
                  for n in self.file.nodes_of_type("init_declarator", within=body)]
        for left, right in pairs:
            pointer, memory = _strip(left), _pointed_variable(right)
            if pointer is None or memory is None or pointer.type != "identifier":
                continue
            a, b = self.file.text_of(pointer), self.file.text_of(memory)
            if a != b:
                aliases.setdefault(a, set()).add(b)
                aliases.setdefault(b, set()).add(a)
        return aliases

    def _shared_through_aliases(self, statement: ts.Node) -> list[ir.Stmt]:
        """After a call that may write through `p`, the memory `p` points into holds the same data."""
        if not self._aliases:
            return []
        out: list[ir.Stmt] = []
        for call in self.file.nodes_of_type("call_expression", within=statement):
            arguments = call.child_by_field_name("arguments")
            for argument in arguments.named_children if arguments is not None else ():
                root = _pointed_variable(argument)
                name = self.file.text_of(root) if root is not None else None
                for other in sorted(self._aliases.get(name, ())):
                    out.append(ir.Assign((ir.Name(other, root),), ir.Opaque((ir.Name(other), ir.Name(name))),
                                         statement))
        return out

    def _effect(self, node: ts.Node) -> list[ir.Stmt]:
        """An expression evaluated for its effect: assignments become statements."""
        node = unwrap(node)
        if node.type == "assignment_expression":
            return [self._assignment(node)]
        if node.type == "update_expression":
            argument = node.child_by_field_name("argument")
            return [ir.AugAssign(self.target(argument), "+", ir.Const(1, node), node)]
        if node.type == "comma_expression":
            return self._effect(node.child_by_field_name("left")) + self._effect(node.child_by_field_name("right"))
        expression = self.expr(node)
        statements: list[ir.Stmt] = [ir.ExprStmt(expression, node)]
        if isinstance(expression, ir.Call) and expression.callee in EXIT_CALLS:
            statements.append(ir.Exit("abort", None, node))
        return statements

    def _assignment(self, node: ts.Node) -> ir.Stmt:
        operator = self.file.text_of(node.child_by_field_name("operator"))
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        value = self.expr(right)
        if operator == "=":
            return ir.Assign((self.target(left),), value, node)
        return ir.AugAssign(self.target(left), operator.rstrip("="), value, node)

    def _stmt_return_statement(self, node: ts.Node) -> list[ir.Stmt]:
        values = [c for c in node.named_children if c.type != "comment"]
        return self._with_hoisted([ir.Return(self.expr(values[0]) if values else None, node)])

    def _stmt_throw_statement(self, node: ts.Node) -> list[ir.Stmt]:
        values = [c for c in node.named_children if c.type != "comment"]
        return self._with_hoisted([ir.Exit("raise", self.expr(values[0]) if values else None, node)])

    def _stmt_if_statement(self, node: ts.Node) -> list[ir.Stmt]:
        test = self.condition(node.child_by_field_name("condition"))
        before, self._hoisted = self._hoisted, []
        alternative = node.child_by_field_name("alternative")
        if alternative is not None and alternative.type == "else_clause":
            alternative = next((c for c in alternative.named_children if c.type != "comment"), None)
        body = self.block(node.child_by_field_name("consequence"))
        orelse = self.block(alternative)
        return before + [ir.If(test, body, orelse, node)]

    def _stmt_while_statement(self, node: ts.Node) -> list[ir.Stmt]:
        test = self.condition(node.child_by_field_name("condition"))
        before, self._hoisted = self._hoisted, []
        body = self.block(node.child_by_field_name("body")) + tuple(before)  # re-evaluated each round
        return before + [ir.Loop(None, None, test, body, (), node)]

    def _stmt_do_statement(self, node: ts.Node) -> list[ir.Stmt]:
        body = self.block(node.child_by_field_name("body"))
        test = self.condition(node.child_by_field_name("condition"))
        again, self._hoisted = self._hoisted, []
        # the body runs once before the test decides on a second round
        return list(body) + again + [ir.Loop(None, None, test, body + tuple(again), (), node)]

    def _stmt_for_statement(self, node: ts.Node) -> list[ir.Stmt]:
        setup: list[ir.Stmt] = []
        for initializer in node.children_by_field_name("initializer"):
            setup.extend(self._declaration(initializer) if initializer.type == "declaration"
                         else self._effect(initializer))
        setup = self._with_hoisted(setup)
        condition = node.child_by_field_name("condition")
        test = self.condition(condition) if condition is not None else None
        check = self._with_hoisted([])
        step: list[ir.Stmt] = []
        for update in node.children_by_field_name("update"):
            step.extend(self._effect(update))
        step = self._with_hoisted(step)
        body = self.block(node.child_by_field_name("body")) + tuple(step) + tuple(check)
        return setup + check + [ir.Loop(None, None, test, body, (), node)]

    def _stmt_for_range_loop(self, node: ts.Node) -> list[ir.Stmt]:
        identifier = _declared_identifier(node.child_by_field_name("declarator"))
        iterable = self.expr(node.child_by_field_name("right"))
        before = self._with_hoisted([])
        target = ir.Name(self.file.text_of(identifier), identifier) if identifier is not None else None
        return before + [ir.Loop(target, iterable, None, self.block(node.child_by_field_name("body")), (), node)]

    def _stmt_switch_statement(self, node: ts.Node) -> list[ir.Stmt]:
        subject = self.condition(node.child_by_field_name("condition"))
        before = self._with_hoisted([])
        cases: list[tuple[tuple[ir.Expr, ...] | None, tuple[ir.Stmt, ...]]] = []
        body = node.child_by_field_name("body")
        for case in body.named_children if body is not None else ():
            if case.type != "case_statement":
                continue
            value = case.child_by_field_name("value")
            statements: list[ir.Stmt] = []
            for child in case.named_children:
                if child == value or child.type == "comment":
                    continue
                if child.type == "break_statement":
                    break  # leaves the switch, not an enclosing loop
                statements.extend(self.statement(child))
            cases.append(((self.expr(value),) if value is not None else None, tuple(statements)))
        return before + [ir.Match(subject, tuple(cases), node)]

    def _stmt_labeled_statement(self, node: ts.Node) -> list[ir.Stmt]:
        out: list[ir.Stmt] = [jump_marker(node)]
        for child in node.named_children:
            if child.type != "statement_identifier":
                out.extend(self.statement(child))
        return out

    def _stmt_goto_statement(self, node: ts.Node) -> list[ir.Stmt]:
        # Taint reaches the code after the label in order anyway; the marker (which evaluates nothing)
        # lets the value-flow engine carry a path's values to its label.
        return [jump_marker(node)]

    def _stmt_try_statement(self, node: ts.Node) -> list[ir.Stmt]:
        body = self.block(node.child_by_field_name("body"))
        handlers = tuple((None, self.block(c.child_by_field_name("body")))
                         for c in node.named_children if c.type == "catch_clause")
        return [ir.Try(body, handlers, (), (), node)]

    # -- expressions ---------------------------------------------------------------

    def condition(self, node: ts.Node | None) -> ir.Expr:
        node = unwrap(node)
        if node is not None and node.type == "condition_clause":
            parts = [c for c in node.named_children if c.type != "comment"]
            for part in parts[:-1]:
                self._hoisted.extend(self._declaration(part) if part.type == "declaration" else self._effect(part))
            node = parts[-1] if parts else None
            if node is not None and node.type == "declaration":  # `if (auto *p = get())`
                self._hoisted.extend(self._declaration(node))
                identifier = _declared_identifier(node.child_by_field_name("declarator"))
                return ir.Name(self.file.text_of(identifier), identifier) if identifier is not None \
                    else ir.Opaque((), node)
        return self.expr(node)

    def target(self, node: ts.Node | None) -> ir.Target:
        node = _strip(node)
        if node is None:
            return ir.Opaque(())
        if node.type in ("identifier", "qualified_identifier", "this"):
            return ir.Name(self.file.text_of(node), node)
        if node.type == "field_expression":
            return ir.Attr(self.expr(node.child_by_field_name("argument")), self._field(node), node)
        if node.type == "subscript_expression":
            return ir.Subscript(self.expr(node.child_by_field_name("argument")), self._index(node), node)
        if node.type == "pointer_expression":
            return ir.Subscript(self.expr(node.child_by_field_name("argument")), None, node)
        return ir.Opaque((self.expr(node),), node)

    def expr(self, node: ts.Node | None) -> ir.Expr:
        if node is None:
            return ir.Opaque(())
        kind = node.type
        if kind in ("parenthesized_expression", "cast_expression"):
            inner = _strip(node)
            return self.expr(inner) if inner is not None and inner is not node else ir.Opaque((), node)
        if kind in _LITERALS or kind == "sizeof_expression":
            value = self.file.constant_value(node)
            if value is not NOT_CONSTANT:
                return ir.Const(value, node)
            return ir.Opaque((), node)  # a literal or size not known here: still no data
        handler = getattr(self, "_expr_" + kind, None)
        if handler is not None:
            return handler(node)
        return ir.Opaque(tuple(self.expr(c) for c in node.named_children if c.type != "comment"), node)

    def _expr_identifier(self, node: ts.Node) -> ir.Expr:
        name = self.file.text_of(node)
        if self.file.variable(node) is None:  # a macro or enumerator of this file
            value = self.file.constant_value(node)
            if value is not NOT_CONSTANT:
                return ir.Const(value, node)
            name = self.file.resolve_alias(name)  # `#define ARG data`: the variable it names
        return ir.Name(name, node)

    def _expr_qualified_identifier(self, node: ts.Node) -> ir.Expr:
        return ir.Name(self.file.text_of(node), node)

    _expr_this = _expr_qualified_identifier

    def _expr_field_expression(self, node: ts.Node) -> ir.Expr:
        return ir.Attr(self.expr(node.child_by_field_name("argument")), self._field(node), node)

    def _expr_subscript_expression(self, node: ts.Node) -> ir.Expr:
        return ir.Subscript(self.expr(node.child_by_field_name("argument")), self._index(node), node)

    def _expr_pointer_expression(self, node: ts.Node) -> ir.Expr:
        argument = self.expr(node.child_by_field_name("argument"))
        if self.file.text_of(node.child_by_field_name("operator")) == "&":
            return argument
        return ir.Subscript(argument, None, node)

    def _expr_unary_expression(self, node: ts.Node) -> ir.Expr:
        operator = self.file.text_of(node.child_by_field_name("operator"))
        argument = self.expr(node.child_by_field_name("argument"))
        if operator == "!":
            return ir.Not(argument, node)
        if operator == "-":
            return ir.Binary("-", ir.Const(0), argument, node)
        return ir.Opaque((argument,), node)

    def _expr_binary_expression(self, node: ts.Node) -> ir.Expr:
        operator = self.file.text_of(node.child_by_field_name("operator"))
        left = self.expr(node.child_by_field_name("left"))
        right = self.expr(node.child_by_field_name("right"))
        if operator in _COMPARISONS:
            return ir.Compare((operator,), (left, right), node)
        if operator in _LOGICAL:
            return ir.BoolOp(_LOGICAL[operator], (left, right), node)
        if operator == "/":
            operator = "//"  # integer division where both sides are integers; the fold checks types
        return ir.Binary(operator, left, right, node)

    def _expr_conditional_expression(self, node: ts.Node) -> ir.Expr:
        return ir.Conditional(self.expr(node.child_by_field_name("condition")),
                              self.expr(node.child_by_field_name("consequence")),
                              self.expr(node.child_by_field_name("alternative")), node)

    def _expr_assignment_expression(self, node: ts.Node) -> ir.Expr:
        self._hoisted.append(self._assignment(node))
        return self.expr(node.child_by_field_name("left"))

    def _expr_update_expression(self, node: ts.Node) -> ir.Expr:
        argument = node.child_by_field_name("argument")
        target = self.target(argument)
        self._hoisted.append(ir.AugAssign(target, "+", ir.Const(1, node), node))
        # The value is the lowered target where that is what lowering the argument again would build:
        # lowering it twice repeats its side effects and doubles the work at each level of `----x`.
        place = _strip(argument)
        if place is None or isinstance(target, ir.Name):
            return self.expr(argument)  # an identifier may lower to a constant (a macro)
        if isinstance(target, ir.Opaque):
            return target.parts[0]
        if isinstance(target, ir.Subscript) and place.type == "pointer_expression" \
                and self.file.text_of(place.child_by_field_name("operator")) == "&":
            return target.obj  # `&p` is p's value
        return target

    def _expr_comma_expression(self, node: ts.Node) -> ir.Expr:
        self._hoisted.extend(self._effect(node.child_by_field_name("left")))
        return self.expr(node.child_by_field_name("right"))

    def _expr_initializer_list(self, node: ts.Node) -> ir.Expr:
        return ir.Sequence("list", tuple(self.expr(c) for c in node.named_children if c.type != "comment"), node)

    def _expr_call_expression(self, node: ts.Node) -> ir.Expr:
        call = self.file.call_of(node)
        args = tuple(self.expr(a) for a in call.args) if call is not None else ()
        if call is None:
            return ir.Opaque(args, node)
        if call.receiver is not None:
            return ir.Call(None, call.method, self.expr(call.receiver), args, (), node)
        if call.name is None:
            function = self.expr(node.child_by_field_name("function"))
            return ir.Call(None, None, None, args, (), node, function)
        function = ir.Name(call.name.rsplit("::", 1)[-1], node.child_by_field_name("function"))
        return ir.Call(call.name, call.method, None, args, (), node, function)

    def _expr_lambda_expression(self, node: ts.Node) -> ir.Expr:
        body = node.child_by_field_name("body")
        return ir.Lambda(ir.Function("<lambda>", (), self.block(body), node=node), node)

    # -- helpers ---------------------------------------------------------------------

    def _field(self, node: ts.Node) -> str:
        return self.file.text_of(node.child_by_field_name("field"))

    def _index(self, node: ts.Node) -> ir.Expr:
        index = node.child_by_field_name("index") or node.child_by_field_name("indices")
        if index is not None and index.type == "subscript_argument_list":
            parts = [c for c in index.named_children if c.type != "comment"]
            index = parts[0] if len(parts) == 1 else None
        return self.expr(index) if index is not None else ir.Opaque((), node)


def jump_marker(node: ts.Node) -> ir.Stmt:
    """A statement that does nothing, standing for a `goto` or a label (`node` is the goto or labeled
    statement): where a path jumps and where jumps land."""
    return ir.ExprStmt(ir.Opaque((), node), node)


def _top_level_children(node: ts.Node) -> Iterator[ts.Node]:
    for position, child in enumerate(node.children):
        if child.is_named and node.field_name_for_child(position) not in _SKIPPED_FIELDS:
            yield child


def function_definitions(file: CFile) -> list[ts.Node]:
    """The function definitions `lower` lowers, in file order, without lowering anything."""
    found: list[ts.Node] = []
    waiting = [file.root]
    while waiting:
        node = waiting.pop()
        for child in reversed(list(_top_level_children(node))):
            if child.type == "function_definition":
                found.append(child)
            elif child.type in _CONTAINERS:
                waiting.append(child)
    return sorted(found, key=lambda node: node.start_byte)


def lower_function(file: CFile, node: ts.Node) -> ir.Function | None:
    """One function definition lowered as `lower` lowers it (None when it has no name or body)."""
    return file.memo(("c-lowered-function", node.id), lambda: CLowering(file).function(node))


def lower(file: CFile) -> ir.Module:
    """The file's IR, built once per file: the taint analysis, the value-flow engine and the recursion layer
    read the same (immutable) module."""
    return file.memo(("c-lowered",), lambda: CLowering(file).module())


def _strip(node: ts.Node | None) -> ts.Node | None:
    """Parentheses and C casts removed (C++ casts are calls, modelled as such)."""
    node = unwrap(node)
    while node is not None and node.type == "cast_expression":
        node = unwrap(node.child_by_field_name("value"))
    return node


def _declared_identifier(declarator: ts.Node | None) -> ts.Node | None:
    """The name a (possibly nested) declarator declares: `*p`, `buf[10]`, `&r`, `x = 1`."""
    node = declarator
    while node is not None and node.type not in ("identifier", "field_identifier"):
        if node.type in ("qualified_identifier", "destructor_name", "operator_name"):
            return None
        child = node.child_by_field_name("declarator")
        if child is None:
            child = next((c for c in node.named_children if c.type not in ("type_qualifier", "comment")), None)
        node = child
    return node


def _pointed_variable(node: ts.Node | None) -> ts.Node | None:
    """The variable whose memory an expression points into: `buf`, `&x`, `buf + n`, `&buf[i]`."""
    node = _strip(node)
    while node is not None:
        if node.type == "identifier":
            return node
        if node.type == "pointer_expression" and node.child_by_field_name("operator").type == "&":
            node = _strip(node.child_by_field_name("argument"))
        elif node.type == "binary_expression" and node.child_by_field_name("operator").type in ("+", "-"):
            node = _strip(node.child_by_field_name("left"))
        elif node.type == "subscript_expression":
            node = _strip(node.child_by_field_name("argument"))
        else:
            return None
    return None


def _is_function_declarator(declarator: ts.Node) -> bool:
    node = declarator
    while node is not None:
        if node.type == "function_declarator":
            return True
        if node.type in ("identifier", "field_identifier"):
            return False
        node = node.child_by_field_name("declarator")
    return False
