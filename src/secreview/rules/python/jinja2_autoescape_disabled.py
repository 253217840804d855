"""Jinja2 environment created without HTML autoescaping.

## What it does
Flags `jinja2.Environment(...)` and `jinja2.sandbox.SandboxedEnvironment(...)`
created without `autoescape` (Jinja's default is off) or with a constant
false `autoescape`, and aiohttp's `aiohttp_jinja2.setup(app, ...,
autoescape=False)` (its default is on). `autoescape=True`, `select_autoescape(...)` and any other
non-constant value are accepted, and so are environments configured through
`**options`. When the module neither imports a web framework nor mentions
HTML or XML anywhere (a generator of config files, SQL or plain-text mail),
the finding gets low confidence: autoescaping is rightly off there.

## Why is this bad?
With autoescaping off, `{{ value }}` inserts the value into the page
verbatim. Any template variable that carries user data (a name, a comment,
a search term, a URL parameter) can then contain `<script>` or an event
handler attribute, which runs in the browser of everyone who views the
page: the attacker steals sessions, performs actions as the victim or
defaces the page (stored or reflected XSS). Relying on every template author
to remember `|e` does not scale.

## Example
```python
from jinja2 import Environment, FileSystemLoader

env = Environment(loader=FileSystemLoader("templates"))
page = env.get_template("profile.html")
```

## Use instead
```python
from jinja2 import Environment, FileSystemLoader, select_autoescape

env = Environment(loader=FileSystemLoader("templates"), autoescape=select_autoescape(["html", "xml"]))
page = env.get_template("profile.html")
```

## References
- https://cwe.mitre.org/data/definitions/79.html
- https://jinja.palletsprojects.com/en/stable/api/#autoescaping
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from secreview.lang.python.file import Call, PyFile
from secreview.model import Confidence, Severity
from secreview.rules import Hit
from secreview.rules.python import CallRule

_WEB_FRAMEWORKS = ("flask", "django", "starlette", "fastapi", "aiohttp", "tornado", "pyramid", "bottle", "sanic",
                   "quart", "falcon", "werkzeug", "litestar", "cherrypy", "web")
_MARKUP = re.compile(r"html|\bxml\b", re.I)
# aiohttp_jinja2 makes the environment itself, autoescaping by default
_AIOHTTP_SETUP = "aiohttp_jinja2.setup"


class Jinja2AutoescapeDisabled(CallRule):
    id = "jinja2-autoescape-disabled"
    cwe = 79
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    callees = ("jinja2.Environment", "jinja2.environment.Environment", "jinja2.sandbox.SandboxedEnvironment",
               _AIOHTTP_SETUP)
    message = "Jinja2 environment without HTML autoescaping ({why}): {code}"
    description = (
        "`{code}` creates a Jinja2 environment with autoescaping {why}, so `{{ value }}` inserts values "
        "into the output verbatim. If a template renders HTML and any variable carries user data, that "
        "data can contain `<script>` or event-handler attributes that run in every viewer's browser "
        "(stored or reflected XSS): session theft, actions as the victim, defacement."
    )
    solution = (
        "Turn autoescaping on: `{callee}(..., autoescape=select_autoescape([\"html\", \"htm\", \"xml\"]))` "
        "(or `autoescape=True`), and mark the few values that really are trusted HTML with `Markup` / "
        "`|safe`. For non-HTML output (config files, e-mail text), keep it off but say so with "
        "`autoescape=select_autoescape(default=False)` and never feed the result to a browser."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        hits = list(super().check(file))
        if not hits:
            return
        html = any(file.imports_module(name) for name in _WEB_FRAMEWORKS) or _MARKUP.search(file.text) is not None
        for hit in hits:
            yield hit if html else Hit(hit.node, hit.values, confidence=Confidence.LOW)

    def matches(self, file: PyFile, call: Call) -> dict[str, str] | None:
        if call.has_star_args:
            return None
        value = call.kwargs.get("autoescape")
        if value is None and call.name == _AIOHTTP_SETUP:
            return None
        if value is None:
            # Environment's 13th positional parameter is autoescape; nobody passes it positionally.
            return {"why": "left at Jinja's default, off"}
        constant = file.constant_value(value)
        if constant is False or constant is None and value.type == "none":
            return {"why": f"set to `{file.text_of(value)}`"}
        return None
