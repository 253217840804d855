"""Template value written where HTML escaping does not protect it (script, event handler, URL, unquoted attribute).

## What it does
Flags an output expression of a template that reads a variable and lands in an HTML context
where the autoescaping of Jinja2, Django and Mako is not enough: inside a `<script>` or
`<style>` element, inside an event-handler attribute (`onclick=`), a `style` attribute, an
unquoted attribute value, a start tag outside any value (`<div {{ attrs }}>`), or at the start
of a URL attribute (`href`, `src`, `action`, ...).  Values that are constants, built by the
application (`url_for(...)`), numbers (`|int`, `|length`) or encoded for the context
(`|tojson`, `|escapejs`, `|urlencode`) are not reported.  The finding names the views that
render the template: request data in the view's value makes it a dataflow finding, otherwise
it is shown in the audit profile.

## Why is this bad?
HTML escaping turns `<`, `>`, `&` and quotes into entities.  In a script, code needs none of
them (`1; alert(document.cookie)`); in an event-handler attribute the browser decodes the
entities before it runs the JavaScript; an unquoted attribute value ends at a space, so
`x onmouseover=alert(1)` adds an attribute; and a URL that starts with the value can be
`javascript:alert(1)`.  Each lets an attacker who controls the value run script in the page.

## Example
```html
<script>var user = {{ username }};</script>
<a href="{{ homepage }}">home</a>
<input value={{ query }}>
```

## Use instead
```html
<script>var user = {{ username|tojson }};</script>
<a href="/users/{{ username }}">home</a>
<input value="{{ query }}">
```

## References
- https://cwe.mitre.org/data/definitions/79.html
- https://cheatsheetseries.owasp.org/cheatsheets/Cross_Site_Scripting_Prevention_Cheat_Sheet.html
- https://flask.palletsprojects.com/en/stable/web-security/#cross-site-scripting-xss
"""

from __future__ import annotations

from collections.abc import Iterator

from secreview.lang.templates.expressions import SCRIPT_SAFE_FILTERS, URL_SAFE_FILTERS, Output
from secreview.lang.templates.file import TemplateFile
from secreview.lang.templates.html_context import URL_ATTRIBUTES, HtmlContext
from secreview.model import Confidence, Severity
from secreview.rules import Hit
from secreview.rules.templates import TemplateRule


class TemplateValueInUnescapedContext(TemplateRule):
    id = "template-value-in-unescaped-context"
    cwe = 79
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    message = "Template value `{code}` written {where}, where HTML escaping does not protect it"
    description = (
        "`{expression}` is written {where}. Autoescaping only turns `<`, `>`, `&` and quotes into entities, "
        "which does not stop {how}. If `{variable}` holds text a user can influence, it runs script in the "
        "page of everyone who views it (cross-site scripting)."
    )
    solution = "{fix}"

    def check(self, file: TemplateFile) -> Iterator[Hit]:
        for output in file.outputs:
            if not output.has_data or output.unescaped_by:
                continue
            found = _unprotected(file.html_context(output), output)
            if found is not None:
                where, how, fix = found
                hit = self.judged_hit(file, output, where=where, how=how, fix=fix)
                if hit is not None:
                    yield hit


_SCRIPT_FIX = ("Encode the value for JavaScript: `{{ value|tojson }}` in Jinja2, `{{ value|escapejs }}` inside a quoted "
               "JavaScript string or `{{ value|json_script:\"id\" }}` in Django, then read it in the script.")
_QUOTE_FIX = "Quote the attribute value (`name=\"{{ value }}\"`) so that escaping keeps it inside the value."


def _unprotected(context: HtmlContext, output: Output) -> tuple[str, str, str] | None:
    """(where, why escaping fails there, fix) for an output in an unprotected context, else None."""
    attribute = context.attribute
    if context.element == "script" and not output.filtered_by(SCRIPT_SAFE_FILTERS):
        return "inside a `<script>` element", "code such as `1; alert(document.cookie)`", _SCRIPT_FIX
    if context.element == "style" and not output.filtered_by(URL_SAFE_FILTERS):
        return ("inside a `<style>` element", "CSS that loads attacker URLs or hides and overlays the page",
                "Do not write values into style sheets; choose among fixed class names in the template instead.")
    if attribute.startswith("on") and not output.filtered_by(SCRIPT_SAFE_FILTERS):
        return (f"in the `{attribute}` event-handler attribute",
                "script, because the browser decodes the entities before it runs the handler", _SCRIPT_FIX)
    if attribute == "style" and not output.filtered_by(URL_SAFE_FILTERS):
        return ("in a `style` attribute", "CSS that loads attacker URLs or overlays the page",
                "Choose among fixed class names in the template instead of writing values into `style`.")
    if attribute in URL_ATTRIBUTES and not context.value_before.strip() and not output.filtered_by(URL_SAFE_FILTERS):
        return (f"at the start of the `{attribute}` URL", "a `javascript:alert(1)` URL, which needs no markup",
                "Build the URL in the view from a fixed scheme and host (`url_for`, `reverse`), or check that a "
                "user-supplied URL starts with `https://` or `/` (not `//`) before rendering it.")
    if context.quote == "" and attribute and not output.filtered_by(URL_SAFE_FILTERS):
        return (f"in the unquoted value of attribute `{attribute}`",
                "a space followed by a new attribute such as `onmouseover=alert(1)`", _QUOTE_FIX)
    if context.in_tag:
        return ("inside a start tag, outside any attribute value",
                "new attributes such as `onmouseover=alert(1)`", _QUOTE_FIX)
    return None
