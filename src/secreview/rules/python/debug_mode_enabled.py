"""Web framework debug mode switched on.

## What it does
Flags debug switches that expose the framework's debugger or debug pages:
Flask/Quart/Socket.IO `app.run(debug=True)`, `app.debug = True`,
`app.config["DEBUG"] = True` / `app.config.update(DEBUG=True)`, Werkzeug
`run_simple(..., use_debugger=True)` and `DebuggedApplication(app)`
(its console is on unless `evalex=False`), Tornado/aiohttp
`Application(..., debug=True)` (or `serve_traceback=True`), and Django's
`DEBUG = True` in a settings module (a file named `settings*.py` or in a
`settings/` package, or one that defines
`INSTALLED_APPS`/`ROOT_URLCONF`/`MIDDLEWARE`). Only constant `True` values
are reported (`debug=os.environ.get(...)` is a deliberate switch). Settings
files or config classes named for development (`dev`, `local`, `test`...)
get low confidence.

A switch is shown by default (definite evidence) when it is unconditionally
on in code that runs the application: `app.run(debug=True)` (also under
`if __name__ == "__main__":`), `app.debug = True`, `app.config["DEBUG"] = True`,
the Django settings module's `DEBUG = True`, `DEBUG = True` in a config class
the file loads with `from_object` or names for production. It stays an
audit finding in development-named files, classes or functions, behind any
other `if`/`else` (an opt-in such as `if os.environ.get(...)`), when the
server is bound to a loopback host (`"127.0.0.1"`, `"localhost"`), in shared
base settings (`settings/base.py`), on `self.debug`/`settings.DEBUG`
(an object's or a test's override), and in config classes not loaded in sight.

## Why is this bad?
The Werkzeug debugger serves an interactive Python console on every error
page: anyone who can reach the application and trigger an exception (or
guess/derive the PIN) runs arbitrary code on the server. Django's debug pages
show source code, local variables, SQL queries, installed apps and most
settings to any visitor who hits an error or a missing URL, and DEBUG keeps
every SQL query in memory.

## Example
```python
from flask import Flask

app = Flask(__name__)

if __name__ == "__main__":
    app.run(debug=True)
```

## Use instead
```python
import os
from flask import Flask

app = Flask(__name__)

if __name__ == "__main__":
    app.run(debug=os.environ.get("FLASK_DEBUG") == "1")
```

## References
- https://cwe.mitre.org/data/definitions/489.html
- https://flask.palletsprojects.com/en/stable/debugging/
- https://docs.djangoproject.com/en/stable/ref/settings/#debug
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import tree_sitter as ts

from secreview.knowledge.vocabulary import DEVELOPMENT_WORDS, words
from secreview.lang.python.file import PyFile
from secreview.lang.python.secrets import (
    in_opt_in_branch,
    is_base_settings,
    is_loopback_host,
    is_production_name,
    is_settings_module,
    loaded_config_names,
    overridden_later,
)
from secreview.lang.python.settings import is_dev_config_path, setting_assignments
from secreview.model import Confidence, Evidence, Severity
from secreview.rules import Hit, Rule

_FRAMEWORKS = ("flask", "quart", "flask_socketio", "werkzeug", "sanic", "django")
_WERKZEUG = ("the Werkzeug interactive debugger, whose error pages run any Python code a visitor types "
             "into them")
_TRACEBACKS = ("error pages that show the full Python traceback (source lines, file paths and local "
               "details) to any visitor who triggers an error, and autoreloading")
_TRACEBACK_APPLICATIONS = ("tornado.web.Application", "aiohttp.web.Application")
_DJANGO = ("Django's debug error pages, which show source code, local variables, SQL queries and "
           "settings to any visitor who triggers an error or a 404")


class DebugModeEnabled(Rule):
    id = "debug-mode-enabled"
    cwe = 489
    hit_evidence = frozenset({Evidence.DEFINITE})
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    message = "Debug mode enabled: {code}"
    description = (
        "`{code}` turns on {effect}. If this configuration ever serves requests outside a developer's "
        "machine, anyone who can reach it can use that to read secrets and internals of the application{rce}."
    )
    solution = (
        "Never hard-code debug on: drive it from the environment with a safe default (`debug=os.environ."
        "get(\"FLASK_DEBUG\") == \"1\"`, `DEBUG = os.environ.get(\"DJANGO_DEBUG\") == \"1\"`) or keep it in a "
        "development-only settings file, and run production behind a real WSGI/ASGI server."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        django_file = file.imports_module("django")
        werkzeug = {"effect": _WERKZEUG, "rce": ", and run arbitrary code on the server"}
        django = {"effect": _DJANGO, "rce": ""}
        dev_file = is_dev_config_path(file.path)
        framework = any(file.imports_module(name) for name in _FRAMEWORKS)
        hits = list(self._switches(file, werkzeug, django, django_file, dev_file, framework))
        yield from _one_per_server(file, hits)

    def _switches(self, file: PyFile, werkzeug: dict[str, str], django: dict[str, str], django_file: bool,
                  dev_file: bool, framework: bool) -> Iterator[Hit]:
        tracebacks = {"effect": _TRACEBACKS, "rce": ""}
        yield from self._flask_switches(file, werkzeug, dev_file, framework)
        for call in file.calls_to("werkzeug.serving.run_simple", "werkzeug.run_simple"):
            if file.constant_value(call.kwargs.get("use_debugger")) is True:
                local = is_loopback_host(file, call.arg(0, "hostname"))
                yield Hit(call.node, werkzeug, evidence=_evidence(file, call.node, dev_file or local))
        for call in file.calls_to("werkzeug.debug.DebuggedApplication", "werkzeug.DebuggedApplication"):
            evalex = call.arg(1, "evalex")
            if evalex is None or file.constant_value(evalex) is True:
                yield Hit(call.node, werkzeug, evidence=_evidence(file, call.node, dev_file))
        for call in file.calls_to(*_TRACEBACK_APPLICATIONS):
            switch = next((k for k in ("debug", "serve_traceback") if file.constant_value(call.kwargs.get(k)) is True),
                          None)
            if switch is not None:
                yield Hit(call.node, tracebacks, evidence=_evidence(file, call.node, dev_file))
        for setting in setting_assignments(file, ("DEBUG",)):
            if file.constant_value(setting.value) is not True:
                continue
            scope = file.enclosing_scope(setting.node)
            effect = django if django_file else werkzeug
            low = Confidence.LOW if dev_file else None
            replaced = overridden_later(file, setting.node, "DEBUG")
            if not setting.module_level:  # app.config["DEBUG"] = True, settings.DEBUG = True
                # a Flask app's own config takes effect; `settings.DEBUG = True` is mostly a test's override
                runtime = _receiver_text(file, setting.node).lower().endswith("config")
                yield Hit(setting.node, effect, confidence=low,
                          evidence=_evidence(file, setting.node, dev_file or not runtime or replaced))
            elif scope.type == "module" and is_settings_module(file):  # Django settings
                shared = is_base_settings(file)  # settings/base.py: overridden by the real settings
                yield Hit(setting.node, django, confidence=low,
                          evidence=_evidence(file, setting.node, dev_file or shared or replaced))
            elif scope.type == "module" and "__name__" in loaded_config_names(file):  # from_object(__name__)
                yield Hit(setting.node, effect, confidence=low,
                          evidence=_evidence(file, setting.node, dev_file or replaced))
            elif scope.type == "class_definition":  # class ProductionConfig: DEBUG = True
                name = file.text_of(scope.child_by_field_name("name"))
                if any(word in words(name) for word in ("config", "settings", "configuration")):
                    dev = _is_dev_name(name) or dev_file
                    loaded = is_production_name(name) or name in loaded_config_names(file)
                    yield Hit(setting.node, effect, confidence=Confidence.LOW if dev else None,
                              evidence=_evidence(file, setting.node, dev or not loaded))

    @staticmethod
    def _flask_switches(file: PyFile, values: dict[str, str], dev_file: bool, framework: bool) -> Iterator[Hit]:
        """`app.run(debug=True)` and `app.debug = True` in a module that uses a web framework (the first
        also on an app-named object made elsewhere: `web_app.run(debug=True)` after `from config import
        web_app`)."""
        for call in file.method_calls("run"):
            if (call.name or "").startswith("asyncio") or file.constant_value(call.kwargs.get("debug")) is not True:
                continue
            receiver = file.text_of(call.receiver).rsplit(".", 1)[-1] if call.receiver is not None else ""
            if framework or {"app", "application"} & set(words(receiver)):
                local = is_loopback_host(file, call.arg(0, "host"))
                yield Hit(call.node, values, evidence=_evidence(file, call.node, dev_file or local))
        for assign in file.assignments(left="attribute", right="true") if framework else ():
            left = assign.child_by_field_name("left")
            if file.text_of(left.child_by_field_name("attribute")) == "debug":
                receiver = file.text_of(left.child_by_field_name("object")).rsplit(".", 1)[-1]
                is_app = bool({"app", "application"} & set(words(receiver)))  # not `self.debug`, `env.debug`
                yield Hit(assign, values, evidence=_evidence(file, assign, dev_file or not is_app))


def _one_per_server(file: PyFile, hits: list[Hit]) -> Iterator[Hit]:
    """One finding per debugger: when the file starts the server with the debugger on (a definite
    `app.run(debug=True)` / `run_simple(use_debugger=True)`), the app's other definite switches
    (`app.config["DEBUG"] = True`, `app.debug = True`) are the same defect and are listed in its note."""
    starts = [hit for hit in hits if hit.node.type == "call" and file.call_at(hit.node).method in ("run", "run_simple")
              and hit.evidence is Evidence.DEFINITE]
    if len(starts) != 1:
        yield from hits
        return
    start = starts[0]
    same = [hit for hit in hits if hit is not start and hit.evidence is Evidence.DEFINITE
            and hit.values.get("effect") == _WERKZEUG and file.enclosing_scope(hit.node).type != "class_definition"]
    for hit in hits:
        if hit is start and same:
            lines = ", ".join(str(other.node.start_point[0] + 1) for other in same)
            yield dataclasses.replace(hit, note=f"The same debugger is also switched on at line(s) {lines}.")
        elif not any(hit is other for other in same):
            yield hit


def _evidence(file: PyFile, node: ts.Node, doubtful: bool) -> Evidence | None:
    """DEFINITE when the switch is unconditionally on in code that runs the application: not in a
    development-named file or class, not bound to the loopback interface, not behind an opt-in branch."""
    if doubtful or in_opt_in_branch(file, node):
        return None
    return Evidence.DEFINITE


def _receiver_text(file: PyFile, node: ts.Node) -> str:
    """`app.config` in `app.config["DEBUG"] = True` / `app.config.update(DEBUG=True)`."""
    if node.type == "assignment":
        left = node.child_by_field_name("left")
        target = left.child_by_field_name("value") if left.type == "subscript" else left.child_by_field_name("object")
        return file.text_of(target)
    return file.text_of(file.call_at(node).receiver) if node.type == "call" else ""


def _is_dev_name(name: str) -> bool:
    return any(word in DEVELOPMENT_WORDS for word in words(name))
