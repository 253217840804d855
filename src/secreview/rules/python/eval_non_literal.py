"""Python code evaluated from a non-constant string (eval/exec).

## What it does
Flags the builtins `eval`, `exec` and `execfile`, and the Python 2 `exec code`
statement, when the code they run is not a constant; when they run a code
object made by `compile(source, ...)` (in the call or through a local
variable), the `source` given to `compile` is what is judged.
`ast.literal_eval` is not flagged: it only accepts literals.

## Why is this bad?
`eval` and `exec` run their argument as Python with the full power of the
process: `__import__('os').system(...)` is a valid expression. If any part of
the string comes from outside (a request, a file, a message queue), the sender
runs arbitrary code on the server (CWE-95, eval injection). Restricting
`globals`/`__builtins__` does not make it safe: attribute walks such as
`().__class__.__base__.__subclasses__()` escape every such sandbox.

## Example
```python
def calculate(request):
    return eval(request.args["expression"])
```

## Use instead
```python
import ast

def calculate(request):
    return ast.literal_eval(request.args["expression"])
```

## References
- https://cwe.mitre.org/data/definitions/95.html
- https://docs.python.org/3/library/functions.html#eval
- https://docs.python.org/3/library/ast.html#ast.literal_eval
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts

from secreview.lang.python.file import Call, PyFile
from secreview.lang.python.origins import call_of, origin_call
from secreview.lang.python.strings import argument_text
from secreview.model import Confidence, Severity
from secreview.rules import Hit
from secreview.rules.python import CallRule
from secreview.rules.python._taint import TaintAware

_BUILTINS = ("eval", "exec", "execfile", "compile")
_MODULES = ("builtins", "__builtin__", "six.moves.builtins")


class EvalNonLiteral(TaintAware, CallRule):
    vulnerability = "code"
    defers_sourced = True  # code-injection reports the calls attacker data reaches
    id = "eval-non-literal"
    family = "code-execution"
    cwe = 95
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    callees = _BUILTINS + tuple(f"{module}.{name}" for module in _MODULES for name in _BUILTINS)
    message = "`{callee}` evaluates non-constant Python code: {argument}"
    description = (
        "`{callee}` runs `{argument}` as Python code with the full privileges of this process. The code "
        "is not a constant, so whoever can influence it can submit an expression such as "
        "`__import__('os').system('...')` and execute arbitrary commands, read secrets or change data; "
        "restricted globals do not prevent escapes through `().__class__.__base__.__subclasses__()`."
    )
    solution = (
        "Do not evaluate data as code. To parse a Python literal use `ast.literal_eval({argument})`; for "
        "structured input use `json.loads(...)`; to choose an operation map allowed names to functions in a "
        "dict (`HANDLERS[name](...)`) instead of building code."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        yield from super().check(file)
        if b"exec " not in file.data:
            return  # no Python 2 exec statement: skip the tree query
        for statement in file.nodes("(exec_statement) @exec", "exec"):
            code = statement.child_by_field_name("code")
            if code is not None and not file.is_constant(code) and not _is_constant_file_read(file, code):
                yield Hit(statement, {"callee": "exec", "argument": argument_text(file, code)}, data=code)

    def matches(self, file: PyFile, call: Call) -> dict[str, str] | None:
        builtin = call.name.rsplit(".", 1)[-1]
        if call.name == builtin and (builtin in file.imports or _defines_name(file, builtin)):
            return None  # shadowed by an import or a local definition
        if builtin == "compile":
            return None  # compiling runs nothing; the exec/eval that runs the result is reported
        source = call.arg(0, "source") or call.arg(None, "expression") or call.arg(None, "filename")
        compiled = origin_call(file, source)
        if compiled is not None and compiled.name in self.callees and compiled.name.endswith("compile"):
            source = compiled.arg(0, "source")  # exec(compile(src, ...)) / code = compile(src, ...); exec(code)
        if source is None or file.is_constant(source) or _is_constant_file_read(file, source):
            return None
        if _is_ast_node(file, source):
            return None
        return {"callee": builtin, "argument": argument_text(file, source)}


def _is_ast_node(file: PyFile, node) -> bool:
    """compile(ast.parse(...)) / compile(tree, ...) built by the ast module: code we generated."""
    return node.type == "call" and (file.qualified_name(node.child_by_field_name("function")) or "").startswith("ast.")


def _is_constant_file_read(file: PyFile, node: ts.Node | None) -> bool:
    """``open("version.py").read()`` (or via ``with open("x") as f: f.read()``): a file of our own."""
    call = call_of(file, node)
    if call is None or call.method != "read" or call.receiver is None:
        return False
    opener = origin_call(file, call.receiver)
    return (opener is not None and opener.name in ("open", "io.open", "codecs.open")
            and file.is_constant(opener.arg(0, "file") or opener.arg(0, "filename")))


def _defines_name(file: PyFile, name: str) -> bool:
    """The file itself defines a function or class called `name` (shadowing a builtin)."""
    query = "[(function_definition name: (identifier) @name) (class_definition name: (identifier) @name)]"
    return any(file.text_of(n) == name for n in file.nodes(query, "name"))
