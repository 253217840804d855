"""Web framework debug mode switched on.

## What it does
Flags debug switches that expose the framework's debugger or debug pages:
Flask/Quart/Socket.IO `app.run(debug=True)`, `app.debug = True`,
`app.config["DEBUG"] = True` / `app.config.update(DEBUG=True)`, Werkzeug
`run_simple(..., use_debugger=True)` and `DebuggedApplication(app)`
(its console is on unless `evalex=False`), and Django's `DEBUG = True` in a settings module (a file
named `settings*.py` or in a `settings/` package, or one that defines
`INSTALLED_APPS`/`ROOT_URLCONF`/`MIDDLEWARE`). Only constant `True` values
are reported (`debug=os.environ.get(...)` is a deliberate switch). Settings
files or config classes named for development (`dev`, `local`, `test`...)
get low confidence.

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

import os
from collections.abc import Iterator

from secreview.knowledge.vocabulary import DEVELOPMENT_WORDS, words
from secreview.lang.python.file import PyFile
from secreview.lang.python.settings import is_dev_config_path, setting_assignments
from secreview.model import Confidence, Severity
from secreview.rules import Hit, Rule

_FRAMEWORKS = ("flask", "quart", "flask_socketio", "werkzeug", "sanic", "django")
_WERKZEUG = ("the Werkzeug interactive debugger, whose error pages run any Python code a visitor types "
             "into them")
_DJANGO = ("Django's debug error pages, which show source code, local variables, SQL queries and "
           "settings to any visitor who triggers an error or a 404")


class DebugModeEnabled(Rule):
    id = "debug-mode-enabled"
    cwe = 489
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
        if any(file.imports_module(name) for name in _FRAMEWORKS):
            yield from self._flask_switches(file, werkzeug)
        for call in file.calls_to("werkzeug.serving.run_simple", "werkzeug.run_simple"):
            if file.constant_value(call.kwargs.get("use_debugger")) is True:
                yield Hit(call.node, werkzeug)
        for call in file.calls_to("werkzeug.debug.DebuggedApplication", "werkzeug.DebuggedApplication"):
            evalex = call.arg(1, "evalex")
            if evalex is None or file.constant_value(evalex) is True:
                yield Hit(call.node, werkzeug)
        dev_file = is_dev_config_path(file.path)
        for setting in setting_assignments(file, ("DEBUG",)):
            if file.constant_value(setting.value) is not True:
                continue
            scope = file.enclosing_scope(setting.node)
            effect = django if django_file else werkzeug
            if not setting.module_level:  # app.config["DEBUG"] = True, settings.DEBUG = True
                yield Hit(setting.node, effect, confidence=Confidence.LOW if dev_file else None)
            elif scope.type == "module" and _is_settings_module(file):  # Django settings
                yield Hit(setting.node, django, confidence=Confidence.LOW if dev_file else None)
            elif scope.type == "class_definition":  # class ProductionConfig: DEBUG = True
                name = file.text_of(scope.child_by_field_name("name"))
                if any(word in words(name) for word in ("config", "settings", "configuration")):
                    low = _is_dev_name(name) or dev_file
                    yield Hit(setting.node, effect, confidence=Confidence.LOW if low else None)

    @staticmethod
    def _flask_switches(file: PyFile, values: dict[str, str]) -> Iterator[Hit]:
        """`app.run(debug=True)` and `app.debug = True` in a module that uses a web framework."""
        for call in file.method_calls("run"):
            if not (call.name or "").startswith("asyncio") and file.constant_value(call.kwargs.get("debug")) is True:
                yield Hit(call.node, values)
        for assign in file.assignments(left="attribute", right="true"):
            attribute = assign.child_by_field_name("left").child_by_field_name("attribute")
            if file.text_of(attribute) == "debug":
                yield Hit(assign, values)


_DJANGO_MARKERS = ("INSTALLED_APPS", "ROOT_URLCONF", "MIDDLEWARE", "WSGI_APPLICATION")


def _is_dev_name(name: str) -> bool:
    return any(word in DEVELOPMENT_WORDS for word in words(name))


def _is_settings_module(file: PyFile) -> bool:
    """A Django-style settings module: named settings*.py or defining INSTALLED_APPS & co. at module level."""
    stem = os.path.splitext(os.path.basename(file.path))[0].lower()
    if "settings" in stem:
        return True
    directory = os.path.basename(os.path.dirname(file.path)).lower()
    if directory == "settings":
        return True
    return any(name in _module_level_names(file) for name in _DJANGO_MARKERS)


def _module_level_names(file: PyFile) -> set[str]:
    """Names given a value by a plain `NAME = value` statement at module level."""
    found: set[str] = set()
    for statement in file.root.named_children:
        if statement.type != "expression_statement" or not statement.named_children:
            continue
        assign = statement.named_children[0]
        if assign.type == "assignment":
            left = assign.child_by_field_name("left")
            if left is not None and left.type == "identifier":
                found.add(file.text_of(left))
    return found
