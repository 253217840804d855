"""Template compiled from a string writes a variable with HTML escaping turned off (`|safe`, autoescape off).

## What it does
Reads the constant source of a template compiled from a string (`render_template_string`,
`jinja2.Template`, Django's `Template`, Mako's `Template`) with the template layer that reviews
template files, and flags the call when an output of that source reads a variable with escaping
turned off (`|safe`, `{% autoescape false %}`, Mako `| n`).  The value the call gives the
variable decides the evidence: request data makes it a dataflow finding, a stored record (an ORM
object, a query row) a definite one; otherwise it is shown in the audit profile.

## Why is this bad?
The template itself tells the engine not to escape the variable, so whatever markup the value
holds (`<script>`, `onerror=`) reaches the page as code: a query parameter or a stored comment
becomes cross-site scripting in the browser of whoever views the page.

## Example
```python
from flask import render_template_string, request

def greet():
    return render_template_string("<p>Hello {{ name|safe }}</p>", name=request.args["name"])
```

## Use instead
```python
from flask import render_template_string, request

def greet():
    return render_template_string("<p>Hello {{ name }}</p>", name=request.args["name"])
```

## References
- https://cwe.mitre.org/data/definitions/79.html
- https://jinja.palletsprojects.com/en/stable/templates/#html-escaping
"""

from __future__ import annotations

from collections.abc import Iterator

from secreview.lang.python.file import PyFile
from secreview.lang.templates.evidence import judge
from secreview.lang.templates.file import TemplateFile
from secreview.lang.templates.views import string_renderings
from secreview.model import Confidence, Evidence, Severity
from secreview.rules import Hit, Rule, shorten


class TemplateStringEscapingDisabled(Rule):
    id = "template-string-escaping-disabled"
    cwe = 79
    hit_evidence = frozenset({Evidence.DEFINITE, Evidence.DATAFLOW})
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    message = "Template source writes `{variable}` without HTML escaping ({why})"
    description = (
        "The template compiled here writes `{expression}` with HTML escaping turned off by {why}. If "
        "`{variable}` holds text a user can influence (a form field, a URL parameter, a record another user "
        "stored), markup in it such as `<script>` or `onerror=` runs in the browser of everyone who views "
        "the page (cross-site scripting)."
    )
    solution = (
        "Remove {why} from the template source and let autoescaping escape the value; if it must carry "
        "markup, build it from escaped parts (`Markup(\"<b>{}</b>\").format(value)`) or clean it with an HTML "
        "sanitiser first."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        for rendering in string_renderings(file):
            template = TemplateFile(file.path, rendering.template, renderings=[rendering])
            for output in template.outputs:
                if not output.unescaped_by or not output.has_data:
                    continue
                judgement = judge(template, output)
                if judgement.constant:
                    continue
                yield Hit(rendering.call.node, {"variable": output.variable or "the value",
                                                "expression": shorten(output.tag.inner, 60),
                                                "why": output.unescaped_by},
                          confidence=judgement.confidence, note=judgement.note,
                          evidence=judgement.evidence(stored_is_definite=True))
