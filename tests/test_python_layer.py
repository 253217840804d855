"""The Python semantic layer's answers on small programs: where a block leaves, what catches an exception,
and which reads follow a binding."""

from __future__ import annotations

import time

from secreview.lang.python.exceptions import caught_by
from secreview.lang.python.file import PyFile
from secreview.lang.python.flow import block_leaves
from secreview.lang.python.scopes import names_after


def _leaves(body: str) -> bool:
    """Whether the body of `def f(x):` (given unindented) leaves."""
    code = "def f(x):\n" + "".join(f"    {line}\n" for line in body.splitlines())
    file = PyFile("x.py", code)
    function = file.nodes_of_type("function_definition")[0]
    return block_leaves(file, function.child_by_field_name("body"))


def test_exits_and_abort_calls_leave() -> None:
    assert _leaves("return 1")
    assert _leaves("raise ValueError()")
    assert _leaves("flask.abort(403)")
    assert _leaves("sys.exit(2)")
    assert _leaves("parser.error('bad arguments')")
    assert not _leaves("LOG.error('x')")
    assert not _leaves("self.logger.error('x')")
    assert not _leaves("log.info('x')")
    assert not _leaves("pass")


def test_branches_leave_only_when_every_way_through_leaves() -> None:
    assert _leaves("if x:\n    return 1\nelif x > 2:\n    abort(400)\nelse:\n    raise ValueError()")
    assert not _leaves("if x:\n    return 1\nelif x > 2:\n    pass\nelse:\n    raise ValueError()")
    assert not _leaves("if x:\n    return 1\nelif x > 2:\n    return 2")
    assert _leaves("try:\n    return g()\nexcept KeyError:\n    raise")
    assert not _leaves("try:\n    return g()\nexcept KeyError:\n    pass")
    assert _leaves("with lock:\n    return 1")


def _caught(code: str, exceptions: set[str], broad: bool = True) -> bool:
    file = PyFile("x.py", code)
    call = next(c for c in file.calls if c.name == "risky")
    return caught_by(file, call.node, exceptions, broad=broad)


def test_caught_by_handlers_and_suppress() -> None:
    assert _caught("try:\n    risky()\nexcept (KeyError, ValueError) as e:\n    pass\n", {"ValueError"})
    assert _caught("import json\ntry:\n    risky()\nexcept json.JSONDecodeError:\n    pass\n", {"JSONDecodeError"})
    assert _caught("import contextlib\nwith contextlib.suppress(ValueError):\n    risky()\n", {"ValueError"})
    assert not _caught("try:\n    risky()\nexcept KeyError:\n    pass\n", {"ValueError"})
    assert not _caught("try:\n    pass\nexcept ValueError:\n    risky()\n", {"ValueError"})


def test_caught_by_broad_handlers_only_when_asked() -> None:
    for handler in ("except:", "except Exception:", "except BaseException:"):
        code = f"try:\n    risky()\n{handler}\n    pass\n"
        assert _caught(code, {"ZeroDivisionError"})
        assert not _caught(code, {"ZeroDivisionError"}, broad=False)


def test_caught_by_stops_at_the_function_boundary() -> None:
    code = "try:\n    def g():\n        risky()\nexcept ValueError:\n    pass\n"
    assert not _caught(code, {"ValueError"})


def test_names_after_reads_in_order_and_skips_nested_scopes() -> None:
    code = "def f(x):\n    m = g(x)\n    h(m)\n    lambda: m\n    k(m)\n"
    file = PyFile("x.py", code)
    function = file.nodes_of_type("function_definition")[0]
    binding = file.nodes_of_type("assignment")[0]
    reads = [file.call_at(r.parent.parent).name for r in names_after(file, binding, "m", function)]
    assert reads == ["h", "k"]


def test_names_after_stays_fast_when_one_line_repeats() -> None:
    repeated = "    m = g(x)\n    h(m)\n" * 2000
    file = PyFile("x.py", "def f(x):\n" + repeated)
    function = file.nodes_of_type("function_definition")[0]
    started = time.perf_counter()
    for binding in file.nodes_of_type("assignment"):
        next(names_after(file, binding, "m", function))
    assert time.perf_counter() - started < 2.0  # quadratic took ~40 s on half as many lines
