"""The resource layer (lang/python/resources.py) and the flow and exception helpers it stands on."""

from __future__ import annotations

import textwrap
from pathlib import Path

from secreview import engine
from secreview.lang.python.exceptions import try_statements_around
from secreview.lang.python.file import PyFile
from secreview.lang.python.flow import statements_after
from secreview.lang.python.resources import error_path_leaks
from secreview.lang.python.syntax import line_of
from secreview.rules import rule_by_id
from secreview.sources import SourceFile


def _file(code: str) -> PyFile:
    return PyFile("x.py", textwrap.dedent(code))


def _statement_on(file: PyFile, line: int):
    return next(s for s in file.nodes_of_type("expression_statement") if line_of(s) == line)


def test_statements_after_climbs_out_of_blocks_and_stops_where_control_leaves() -> None:
    file = _file("""\
        def f(x):
            if x:
                a()
                b()
            c()
            if x:
                return 1
            d()
            raise E()
            e()
        """)
    after = [line_of(s) for s in statements_after(file, _statement_on(file, 3))]
    assert after == [4, 5, 6, 8, 9]
    returning = _file("def f(x):\n    if x:\n        a()\n        return 2\n    b()\n")
    assert [line_of(s) for s in statements_after(returning, _statement_on(returning, 3))] == [4]


def test_try_statements_around_names_the_part() -> None:
    file = _file("""\
        def f():
            try:
                a()
            except E:
                b()
            finally:
                c()
        """)
    parts = [[part for _, part in try_statements_around(file, _statement_on(file, line))] for line in (3, 5, 7)]
    assert parts == [["body"], ["except"], ["finally"]]


def _leaks(code: str) -> list[tuple[int, list[int]]]:
    file = _file(code)
    return [(line_of(leak.acquisition.call.node), [line_of(s) for s in leak.steps]) for leak in error_path_leaks(file)]


def test_a_managers_release_in_another_class_does_not_make_it_a_manager() -> None:
    code = """\
        class A:
            def make(self, n):
                self.vid = self.driver.create_volume(n)
                self.driver.map_volume(self.vid)

        class B:
            def drop(self, n):
                self.driver.delete_volume(n)
        """
    assert _leaks(code) == []
    same_class = code.replace("\n\n        class B:\n", "\n")
    assert _leaks(same_class) == [(3, [4])]


def test_a_resource_recorded_on_the_object_or_released_by_it_is_handed_on() -> None:
    assert _leaks("""\
        class Net:
            def handle_create(self, props):
                net = self.client.create_network(props)["network"]
                self.resource_id_set(net["id"])
                self.client.add_router(net["id"])

            def handle_delete(self):
                self.client.delete_network(self.resource_id)
        """) == []
    assert _leaks("""\
        class Conn:
            def connect(self, address):
                self.sock = open(address)
                self.sock.write(b"hello")

            def close(self):
                self.sock.close()
        """) == []


def test_setup_steps_of_a_project_resource_exclude_reads_and_its_own_record() -> None:
    assert _leaks("""\
        class Ports:
            def create(self, values):
                port = self.dbapi.create_port(values)
                port = self.dbapi.get_port_by_id(port["id"])
                notify(port)
                return port

            def destroy(self, port_id):
                self.dbapi.destroy_port(port_id)
        """) == []


def test_a_release_offered_by_another_reviewed_module_is_consulted() -> None:
    storage = SourceFile("storage/lvm.py", "def create_volume(vg, lv):\n    pass\n\n\n"
                                           "def remove_volumes(paths):\n    pass\n", "python")
    image = SourceFile("image.py", "from storage import lvm\n\n\ndef build(vg, lv, size):\n"
                                   "    lvm.create_volume(vg, lv)\n    lvm.resize_volume(vg, lv, size)\n", "python")
    rule = rule_by_id("resource-leak-on-error-path")
    found = engine.analyze([storage, image], (rule,), engine.Settings(profile="audit"))
    assert [(f.location.path, f.location.start_line) for f in found.findings] == [("image.py", 5)]
    alone = engine.analyze([image], (rule,), engine.Settings(profile="audit"))
    assert alone.findings == ()


def test_a_raise_when_nothing_was_acquired_leaks_nothing() -> None:
    code = """\
        class Providers:
            def ensure(self, name):
                created = self.client.create_provider(name)
                if created is None:
                    raise LookupError(name)
                if not created:
                    raise LookupError(name)
                return created

            def drop(self, name):
                self.client.delete_provider(name)
        """
    assert _leaks(code) == []
    assert _leaks(code.replace("if not created:", "if created:")) == [(3, [7])]


def test_a_project_resource_left_when_its_own_manager_fails_is_shown_by_default() -> None:
    """The volume whose `map_volume` on the same driver fails stays in that system (default profile); one
    left when the function raises by itself, and a file or socket the interpreter closes, are audit."""
    fixture = (Path(__file__).parent / "fixtures" / "python" / "resource-leak-on-error-path.py").read_text()
    rules = [rule_by_id("resource-leak-on-error-path")]

    def lines(profile: str) -> set[int]:
        report = engine.analyze([SourceFile("disk.py", fixture, "python")], rules, engine.Settings(profile=profile))
        return {f.location.start_line for f in report.findings}

    assert lines("default") == {18}
    assert {18, 32, 54, 72, 94, 186} <= lines("audit")
