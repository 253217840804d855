"""Template output with HTML escaping turned off (`|safe`, `{% autoescape off %}`, Mako `| n`).

## What it does
Flags an output expression of a Jinja2, Django or Mako template that reads a variable and is
written without HTML escaping: marked with `|safe` (`|safeseq`), inside an
`{% autoescape false %}` / `{% autoescape off %}` block or a `{% filter safe %}` block, or given
Mako's `| n` flag.  Constants and values the application builds (`url_for(...)`) are not
reported, nor an output escaped again after (`|safe|e`).  The finding names the Python views
that render the template and what they pass for the variable: request data makes it a dataflow
finding, a stored record (an ORM object, a query row) a definite one (stored cross-site scripting);
otherwise it is shown in the audit profile.

## Why is this bad?
Escaping is what keeps text from becoming markup.  A value written with escaping off that holds
`<script>` or `<img src=x onerror=...>` runs in the browser of everyone who views the page: a
comment, a profile field or a query parameter becomes cross-site scripting.

## Example
```html
{% autoescape false %}
<p>{{ comment.body }}</p>
{% endautoescape %}
<p>{{ bio|safe }}</p>
```

## Use instead
```html
<p>{{ comment.body }}</p>
<p>{{ bio }}</p>
```

## References
- https://cwe.mitre.org/data/definitions/79.html
- https://jinja.palletsprojects.com/en/stable/templates/#html-escaping
- https://docs.djangoproject.com/en/stable/ref/templates/builtins/#safe
"""

from __future__ import annotations

from collections.abc import Iterator

from secreview.lang.templates.file import TemplateFile
from secreview.model import Confidence, Severity
from secreview.rules import Hit
from secreview.rules.templates import TemplateRule


class TemplateEscapingDisabled(TemplateRule):
    id = "template-escaping-disabled"
    cwe = 79
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    stored_is_definite = True
    message = "Template output without HTML escaping: `{code}` ({why})"
    description = (
        "`{expression}` is written into the page with HTML escaping turned off by {why}. If `{variable}` "
        "holds text a user can influence (a form field, a URL parameter, a record another user stored), "
        "markup in it such as `<script>` or `onerror=` runs in the browser of everyone who views the page "
        "(cross-site scripting)."
    )
    solution = (
        "Remove {why} and let autoescaping escape the value. If the value must carry markup, build it in "
        "the view from escaped parts (`Markup(\"<b>{}</b>\").format(value)`, `format_html`) or clean it "
        "with an HTML sanitiser (`bleach.clean`, `nh3.clean`) before marking it safe."
    )

    def check(self, file: TemplateFile) -> Iterator[Hit]:
        for output in file.outputs:
            if output.unescaped_by and output.has_data:
                hit = self.judged_hit(file, output, why=output.unescaped_by)
                if hit is not None:
                    yield hit
