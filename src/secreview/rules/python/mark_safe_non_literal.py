"""Non-constant text marked as safe HTML (`Markup`, `mark_safe`).

## What it does
Flags `markupsafe.Markup(x)` (also imported from `jinja2` or `flask`),
Django's `mark_safe(x)` and `SafeString(x)` when `x` is not a constant
string. Values that are already escaped or built safely are not reported:
results of `escape()`, `conditional_escape()`, `format_html()`,
`render_to_string()`, `render_template()`, `bleach.clean()`, `nh3.clean()`,
also followed by string methods (`escape(s).replace(".", "<wbr>.")`). `Markup("<b>%s</b>") % value`
(constant template, escaped argument) is safe and not reported.

## Why is this bad?
`Markup` and `mark_safe` tell the template engine that the text is trusted
HTML and must not be escaped. When the text is built from user data (a
profile field, a query parameter, a database value someone else wrote), any
`<script>` or `onerror=` it contains is emitted verbatim and runs in the
browser of everyone who views the page (cross-site scripting).

## Example
```python
from markupsafe import Markup

def greeting(name):
    return Markup("<b>Hello " + name + "</b>")
```

## Use instead
```python
from markupsafe import Markup

def greeting(name):
    return Markup("<b>Hello {}</b>").format(name)
```

## References
- https://cwe.mitre.org/data/definitions/79.html
- https://markupsafe.palletsprojects.com/en/stable/escaping/
- https://docs.djangoproject.com/en/stable/ref/utils/#django.utils.safestring.mark_safe
"""

from __future__ import annotations

from secreview.lang.python.file import Call, PyFile
from secreview.model import Confidence, Severity
from secreview.rules import shorten
from secreview.rules.python import CallRule

_SANITIZERS = frozenset({"escape", "conditional_escape", "format_html", "format_html_join", "render_to_string",
                         "render_template", "render_template_string", "render", "clean", "linkify",
                         "escapejs", "json_script", "urlize", "strip_tags", "mark_safe", "Markup", "quote",
                         "html_escape", "escape_silent", "sanitize", "sanitize_html", "static", "reverse"})

_STRING_METHODS = frozenset({"replace", "strip", "lstrip", "rstrip", "format", "join", "lower", "upper"})


class MarkSafeNonLiteral(CallRule):
    id = "mark-safe-non-literal"
    family = "html-injection"
    cwe = 79
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    callees = ("markupsafe.Markup", "jinja2.Markup", "flask.Markup", "django.utils.safestring.mark_safe",
               "django.utils.safestring.SafeString", "django.utils.safestring.SafeText",
               "django.utils.html.mark_safe")
    message = "Non-constant text marked as safe HTML: {code}"
    description = (
        "`{callee}` marks `{argument}` as trusted HTML, so templates insert it without escaping. It is not "
        "a constant: if any part of it comes from a user (a form field, a URL parameter, a value stored "
        "by another user), markup such as `<script>` or `onerror=` in it runs in the browser of everyone "
        "who views the page (cross-site scripting)."
    )
    solution = (
        "Build the HTML with escaping instead of marking it safe: `Markup(\"<b>{}</b>\").format(value)` or "
        "`Markup(\"<b>%s</b>\") % value` (markupsafe escapes the arguments), `format_html(\"<b>{}</b>\", value)` "
        "in Django, or pass the plain value to the template and let autoescaping handle it."
    )

    def matches(self, file: PyFile, call: Call) -> dict[str, str] | None:
        node = call.arg(0, "s") or call.arg(None, "base") or call.arg(None, "obj")
        if node is None or file.is_constant(node) or self._sanitized(file, node):
            return None
        return {"argument": shorten(file.text_of(node))}

    @staticmethod
    def _sanitized(file: PyFile, node) -> bool:
        """An escaping call, possibly followed by string methods: `escape(s).replace(".", "<wbr>.")`."""
        while node is not None:
            while node.type == "parenthesized_expression" and node.named_child_count == 1:
                node = node.named_children[0]
            if node.type != "call":
                return False
            function = node.child_by_field_name("function")
            if function is None:
                return False
            last = file.text_of(function).rsplit(".", 1)[-1]
            if function.type != "attribute" or last in _SANITIZERS:
                return last in _SANITIZERS
            if last not in _STRING_METHODS:
                return False
            node = function.child_by_field_name("object")
        return False
