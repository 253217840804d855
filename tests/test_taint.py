"""The dataflow engine: what reaches a sink, and what provably does not."""

from __future__ import annotations

import textwrap

import pytest

from helpers import run_rules
from secreview import engine, taint
from secreview.lang.python.file import PyFile
from secreview.model import ProblemKind
from secreview.rules import rule_by_id
from secreview.sources import SourceFile

HEADER = "import os\nfrom flask import request\n"


def verdict_at_sink(body: str, cls: str = "cmdi") -> str:
    """Provenance of the argument of the last `os.system(...)` call in `body`."""
    file = PyFile("t.py", HEADER + textwrap.dedent(body))
    call = file.calls_to("os.system")[-1]
    return taint.provenance(taint.analysis_for(file), call.args[0], cls).kind


def test_request_data_reaches_the_sink() -> None:
    assert verdict_at_sink("""
        def view():
            os.system("ls " + request.args.get("d"))
    """) == "source"


def test_parameters_are_of_unknown_origin_and_constants_of_none() -> None:
    assert verdict_at_sink("def f(cmd):\n    os.system(cmd)\n") == "param"
    assert verdict_at_sink("def f():\n    cmd = 'ls'\n    os.system(cmd + ' -l')\n") == "none"


@pytest.mark.parametrize("body, expected", [
    ("bar = request.args['x']\n    bar = 'safe'", "none"),  # overwritten by a constant
    ("num = 106\n    bar = 'safe' if (7 * 42) - num > 200 else request.args['x']", "source"),
    ("num = 86\n    bar = 'safe' if (7 * 42) - num > 200 else request.args['x']", "none"),  # dead branch
    ("bar = 'x'\n    if 'y' in bar:\n        bar = request.args['x']", "none"),
])
def test_constant_folding_and_overwrites(body: str, expected: str) -> None:
    assert verdict_at_sink(f"def view():\n    {body}\n    os.system(bar)\n") == expected


def test_dict_keys_and_list_items_are_kept_apart() -> None:
    assert verdict_at_sink("""
        def view():
            m = {"a": "safe"}
            m["b"] = request.args["x"]
            os.system(m["a"])
    """) == "none"
    assert verdict_at_sink("""
        def view():
            items = ["safe", request.args["x"], "also safe"]
            items.pop(0)
            os.system(items[0])
    """) == "source"
    assert verdict_at_sink("""
        def view():
            items = ["safe", request.args["x"], "also safe"]
            items.pop(0)
            os.system(items[1])
    """) == "none"


def test_configparser_entries_are_kept_apart() -> None:
    assert verdict_at_sink("""
        import configparser
        def view():
            conf = configparser.ConfigParser()
            conf.set("s", "a", "safe")
            conf.set("s", "b", request.args["x"])
            os.system(conf.get("s", "a"))
    """) == "none"


def test_guards_neutralise_only_their_class() -> None:
    body = """
        def view():
            name = request.args["x"]
            if ".." in name or "/" in name:
                return None
            os.system(name)
            open(name)
    """
    assert verdict_at_sink(body, "cmdi") == "source"
    assert verdict_at_sink(body, "path") == "none"


def test_allow_list_and_validators_neutralise_everything() -> None:
    assert verdict_at_sink("""
        def view():
            mode = request.args["mode"]
            if mode not in ("fast", "slow"):
                return None
            os.system("run --" + mode)
    """) == "none"
    assert verdict_at_sink("""
        def view():
            count = request.args["n"]
            if count.isdigit():
                os.system("head -n " + count)
    """) == "none"


def test_sanitisers_from_the_spec() -> None:
    assert verdict_at_sink("""
        import shlex
        def view():
            os.system("ls " + shlex.quote(request.args["d"]))
    """) == "none"
    assert verdict_at_sink("def view():\n    os.system('kill ' + str(int(request.args['pid'])))\n") == "none"


def test_break_carries_the_value_out_of_the_loop() -> None:
    assert verdict_at_sink("""
        def view():
            found = ""
            for name in request.form.keys():
                found = name
                break
            os.system(found)
    """) == "source"


def test_calls_into_local_functions_and_methods() -> None:
    assert verdict_at_sink("""
        def identity(x):
            return x
        def constant(x):
            return "safe"
        def view():
            os.system(constant(request.args["x"]))
    """) == "none"
    assert verdict_at_sink("""
        class Store:
            def __init__(self, value):
                self.value = value
            def get(self):
                return self.value
        def view():
            os.system(Store(request.args["x"]).get())
    """) == "source"


def test_sink_inside_a_helper_sees_the_caller_data() -> None:
    assert verdict_at_sink("""
        def run(cmd):
            os.system(cmd)
        def view():
            run(request.form["cmd"])
    """) == "source"


def test_route_parameters_and_django_requests_are_sources() -> None:
    assert verdict_at_sink("""
        from flask import Flask
        app = Flask(__name__)
        @app.route("/files/<name>")
        def show(name):
            os.system("cat " + name)
    """) == "source"
    assert verdict_at_sink("def view(request):\n    os.system(request.GET['q'])\n") == "source"


def test_parameters_the_framework_injects_are_not_request_data() -> None:
    route = """
        from fastapi import APIRouter, Depends
        router = APIRouter()
        @router.get("/run/{name}")
        def run(name, db=Depends(get_db), session=None):
            os.system(%s)
    """
    assert verdict_at_sink(route % "name") == "source"
    assert verdict_at_sink(route % "db.command") == "param"
    assert verdict_at_sink(route % "session.command") == "param"


def test_the_request_object_passed_whole_is_a_source_but_not_its_path() -> None:
    assert verdict_at_sink("def view():\n    os.system(request.path)\n") == "none"
    assert verdict_at_sink("""
        def read(req):
            return req.form.get("x")
        def view():
            os.system(read(request))
    """) == "source"


def test_cross_file_helpers_are_analysed_with_their_bodies() -> None:
    helper = SourceFile("app/helpers/wrap.py", textwrap.dedent("""
        class Wrapper:
            def __init__(self, request):
                self.request = request
            def value(self, name):
                return self.request.form.get(name)
            def safe_value(self, name):
                return "constant"
    """), "python")
    view = SourceFile("app/views.py", HEADER + textwrap.dedent("""
        import helpers.wrap
        def unsafe():
            os.system(helpers.wrap.Wrapper(request).value("x"))
        def safe():
            os.system(helpers.wrap.Wrapper(request).safe_value("x"))
    """), "python")
    report = engine.analyze([helper, view], [rule_by_id("os-system-non-literal")], engine.Settings())
    flagged = [line.text.strip() for f in report.findings for line in f.excerpt if line.flagged]
    assert flagged == ['os.system(helpers.wrap.Wrapper(request).value("x"))'], \
        "only the call fed by the request value is reported"
    assert report.findings[0].trace, "the finding carries its dataflow trace"


def test_taint_findings_carry_a_trace_from_source_to_sink() -> None:
    code = HEADER + "def view():\n    name = request.args['n']\n    cmd = 'ls ' + name\n    os.system(cmd)\n"
    finding = run_rules(code, [rule_by_id("os-system-non-literal")])[0]
    notes = [step.note for step in finding.trace]
    assert notes[0].startswith("source:") and notes[-1] == "reaches the sink"
    source_line = code.splitlines().index("    name = request.args['n']") + 1
    assert finding.trace[0].location.start_line == source_line
    assert finding.confidence.value == "high"
    assert "Flask request query-string parameters" in finding.description


def test_step_budget_makes_the_file_incomplete() -> None:
    code = HEADER + "def view():\n" + "".join(f"    x{i} = request.args['a'] + 'b'\n" for i in range(200)) \
        + "    os.system(x199)\n"
    file = PyFile("t.py", code)
    analysis = taint.analysis_for(file, budget=100)
    assert analysis.incomplete and "100 steps" in analysis.incomplete
    report = engine.analyze([SourceFile("t.py", code, "python")], [rule_by_id("os-system-non-literal")],
                            engine.Settings(dataflow_budget=100))
    assert [p.kind for p in report.problems] == [ProblemKind.LIMIT_EXCEEDED]


def test_sockets_and_http_server_handlers_are_sources() -> None:
    assert verdict_at_sink("""
        import socket
        def serve(conn):
            os.system(conn.recv(1024).decode())
    """) == "source"
    assert verdict_at_sink("""
        from http.server import BaseHTTPRequestHandler
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                os.system("ls " + self.path)
    """) == "source"
    assert verdict_at_sink("""
        class Plain:
            def run(self):
                os.system("ls " + self.path)
    """) == "param"


def test_environment_and_console_input_are_sources() -> None:
    assert verdict_at_sink("def f():\n    os.system(os.environ['CMD'])\n") == "local"
    assert verdict_at_sink("def f():\n    os.system(input('command: '))\n") == "local"
