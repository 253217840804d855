"""Attacker data passed by a route in one file into a helper defined in another reaches the helper's sinks.

The finding lands at the sink in the helper module, with the route's path in its trace, and is DATAFLOW.
The helper's result depends on the files that call it, so a change in a caller invalidates it in the cache.
"""

from __future__ import annotations

import textwrap

from helpers import MemoryStore

from secreview import engine
from secreview.model import Evidence
from secreview.rules import all_rules
from secreview.sources import SourceFile

MODEL = textwrap.dedent("""
    from config.sqlite import database_con


    class Pages:
        def getPage(self, page_id):
            db = database_con()
            return db.execute("SELECT title FROM pages WHERE id=" + page_id).fetchall()

        @staticmethod
        def find(name):
            return database_con().execute(f"SELECT * FROM users WHERE name = '{name}'")

        def setPassword(self, user, password):
            database_con().execute("update users set Password=? where username=?", [password, user])
""")

ROUTE = textwrap.dedent("""
    from flask import Flask, request
    {import_line}

    app = Flask(__name__)


    @app.route("/page/<page_id>")
    def page(page_id):
        pages = Pages()
        pages.setPassword(request.form["user"], request.form["password"])
        Pages.find(request.args["name"])
        return str(pages.getPage({argument}))
""")


def _sources(import_line: str = "from models.pagemodel import Pages", argument: str = "page_id",
             app: str = "lab") -> list[SourceFile]:
    return [SourceFile(f"{app}/models/pagemodel.py", MODEL, "python"),
            SourceFile(f"{app}/config/sqlite.py", "def database_con():\n    return None\n", "python"),
            SourceFile(f"{app}/views.py", ROUTE.format(import_line=import_line, argument=argument), "python")]


def _findings(sources, **options):
    report = engine.analyze(sources, all_rules(), engine.Settings(), **options)
    return [(f.rule_id, f.location.path, f.location.start_line, f.evidence) for f in report.findings
            if f.location.path.endswith("pagemodel.py")]


def test_route_data_reaches_the_sinks_of_a_helper_class_in_another_module() -> None:
    found = _findings(_sources())
    assert ("sql-built-by-string-formatting", "lab/models/pagemodel.py", 8, Evidence.DATAFLOW) in found, found
    assert ("sql-built-by-string-formatting", "lab/models/pagemodel.py", 12, Evidence.DATAFLOW) in found, \
        "a staticmethod's first parameter is its argument, not `self`"
    assert ("password-stored-in-plaintext", "lab/models/pagemodel.py", 15, Evidence.DATAFLOW) in found, found


def test_star_import_and_trace_through_the_route() -> None:
    report = engine.analyze(_sources("from models.pagemodel import *"), all_rules(), engine.Settings())
    sql = [f for f in report.findings if f.rule_id == "sql-built-by-string-formatting" and f.location.start_line == 8]
    assert len(sql) == 1
    notes = " ".join(step.note for step in sql[0].trace)
    assert "`getPage` called from ../views.py" in notes and "URL path parameter" in notes


def test_constant_arguments_leave_the_helper_quiet() -> None:
    found = _findings(_sources(argument='"1"'))
    assert not any(line == 8 for _, _, line, _ in found), found


def test_same_module_name_in_two_apps_resolves_to_the_importers_own() -> None:
    sources = _sources(app="one") + _sources(app="two", argument='"1"')
    found = [(path, line) for _, path, line, _ in _findings(sources)]
    assert ("one/models/pagemodel.py", 8) in found and ("two/models/pagemodel.py", 8) not in found, found




def test_a_change_in_the_calling_module_invalidates_the_helpers_cached_result() -> None:
    store = MemoryStore()
    assert any(line == 8 for _, _, line, _ in _findings(_sources(), cache=store))
    after = _findings(_sources(argument='"1"'), cache=store)
    assert not any(line == 8 for _, _, line, _ in after), "the helper's stale finding must not survive"
    assert after == _findings(_sources(argument='"1"'))


def test_helpers_of_many_apps_in_one_tree_each_see_their_own_routes() -> None:
    sources = [source for app in range(6) for source in _sources(app=f"app{app}")]
    found = {path for rule, path, line, _ in _findings(sources) if line == 8}
    assert found == {f"app{app}/models/pagemodel.py" for app in range(6)}, found


def test_a_test_module_is_not_a_caller_that_brings_attacker_data() -> None:
    """A test that drives the helper with a fake request is not a way in: only the route is followed."""
    in_tests = [SourceFile("lab/models/pagemodel.py", MODEL, "python"),
                SourceFile("lab/config/sqlite.py", "def database_con():\n    return None\n", "python"),
                SourceFile("lab/tests/test_views.py", ROUTE.format(import_line="from models.pagemodel import Pages",
                                                                  argument="page_id"), "python")]
    assert not any(line == 8 for _, _, line, _ in _findings(in_tests))
    assert any(line == 8 for _, _, line, _ in _findings(_sources()))
