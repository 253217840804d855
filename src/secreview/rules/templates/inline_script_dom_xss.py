"""Inline script writing URL or template data into an HTML sink (`innerHTML`, `document.write`, jQuery `.html()`).

## What it does
Reads the `<script>` elements of a template and flags an HTML sink (`.innerHTML =`,
`.outerHTML =`, `document.write(...)`, `.insertAdjacentHTML(...)`, jQuery `.html(...)`,
`.append(...)`, `.prepend(...)`, `.after(...)`, `.before(...)`) whose value comes from the page's
URL (`location.hash`, `location.search`, `document.URL`, `document.referrer`, `window.name`),
directly or through a variable assigned from it in the same script, or from a template value
that is not HTML-escaped for this sink: JavaScript-encoded (`|tojson`, `|escapejs`: the script
decodes `\u003c` back into `<`) or marked safe.  URL data is attacker input (a link someone is
sent); a template value is judged by what the rendering views pass for it.

## Why is this bad?
These sinks parse their argument as HTML.  A link such as `https://site/page#<img src=x
onerror=alert(document.cookie)>` makes the page insert the attacker's markup and run it in the
victim's session (DOM-based cross-site scripting); the server never sees the fragment, so no
server-side escaping can stop it.

## Example
```html
<script>
var q = decodeURIComponent(location.hash.slice(1));
document.getElementById("result").innerHTML = "You searched for " + q;
</script>
```

## Use instead
```html
<script>
var q = decodeURIComponent(location.hash.slice(1));
document.getElementById("result").textContent = "You searched for " + q;
</script>
```

## References
- https://cwe.mitre.org/data/definitions/79.html
- https://owasp.org/www-community/attacks/DOM_Based_XSS
- https://cheatsheetseries.owasp.org/cheatsheets/DOM_based_XSS_Prevention_Cheat_Sheet.html
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator

from secreview.lang.templates.evidence import judge
from secreview.lang.templates.expressions import Output
from secreview.lang.templates.file import TemplateFile
from secreview.model import Confidence, Evidence, Severity
from secreview.rules import Hit, shorten
from secreview.rules.templates import TemplateRule

_SINK = re.compile(r"\.(?:innerHTML|outerHTML)\s*\+?=(?!=)|\bdocument\.write(?:ln)?\s*\(|\.insertAdjacentHTML\s*\("
                   r"|\.(?:html|append|prepend|after|before|replaceWith)\s*\(")
_URL_SOURCE = re.compile(r"\b(?:(?:window\.|document\.)?location(?:\.(?:hash|search|href))?|document\.(?:URL|documentURI|"
                         r"referrer|baseURI)|window\.name)\b")
_ASSIGNMENT = re.compile(r"\b(?:var|let|const)?\s*([A-Za-z_$][\w$]*)\s*=(?!=)([^;\n]*)")
# template filters whose output the script decodes back into markup
_JS_DECODED = frozenset({"tojson", "escapejs"})


class InlineScriptDomXss(TemplateRule):
    id = "inline-script-dom-xss"
    cwe = 79
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    message = "Inline script writes {data} into an HTML sink: {code}"
    description = (
        "The inline script passes {data} to an HTML sink (`{sink}`), which parses it as markup. An attacker "
        "who controls it (a crafted link, a stored value) gets `<img src=x onerror=...>` inserted and run in "
        "the victim's page (DOM-based cross-site scripting)."
    )
    solution = (
        "Insert text, not markup: `textContent`, `innerText`, `createTextNode`, or jQuery `.text(...)`; if markup "
        "is needed, clean it with a sanitiser such as DOMPurify first."
    )

    def check(self, file: TemplateFile) -> Iterator[Hit]:
        html = file.masked_html
        outputs = file.outputs
        for start, end in file.scripts():
            script = html[start:end]
            tainted = _url_variables(script)
            for sink in _SINK.finditer(script):
                value_start = start + sink.end()
                value_end = start + _statement_end(script, sink.end())
                hit = self._hit(file, html[value_start:value_end], tainted, outputs, value_start, value_end)
                if hit is not None:
                    node = file.span(start + sink.start() + 1, value_end)
                    yield Hit(node, {**hit.values, "sink": sink.group(0).strip(" .=(")}, confidence=hit.confidence,
                              note=hit.note, evidence=hit.evidence)

    def _hit(self, file: TemplateFile, value: str, tainted: set[str], outputs: list[Output],
             start: int, end: int) -> Hit | None:
        source = _URL_SOURCE.search(value)
        names = tainted & set(re.findall(r"[A-Za-z_$][\w$]*", value))
        if source is not None or names:
            what = f"`{source.group(0)}`" if source is not None else f"`{sorted(names)[0]}` (read from the URL)"
            return Hit(file.span(start, end), {"data": f"data from the page URL, {what}"},
                       confidence=Confidence.HIGH, evidence=Evidence.DATAFLOW,
                       note="The page URL is attacker input: anyone can send a victim a link to it.")
        first = bisect.bisect_left(outputs, start, key=lambda o: o.tag.start)
        for output in outputs[first:bisect.bisect_left(outputs, end, lo=first, key=lambda o: o.tag.start)]:
            decoded = output.filtered_by(_JS_DECODED) or output.unescaped_by
            if output.has_data and decoded:
                judgement = judge(file, output)
                if judgement.constant:
                    continue
                return Hit(file.span(start, end), {"data": f"the template value `{shorten(output.tag.inner, 40)}`"},
                           confidence=judgement.confidence, note=judgement.note,
                           evidence=judgement.evidence(stored_is_definite=False))
        return None


def _url_variables(script: str) -> set[str]:
    """Variables of the script assigned from the URL (or from another such variable), in two passes."""
    tainted: set[str] = set()
    for _ in range(2):
        for match in _ASSIGNMENT.finditer(script):
            value = match.group(2)
            if _URL_SOURCE.search(value) or tainted & set(re.findall(r"[A-Za-z_$][\w$]*", value)):
                tainted.add(match.group(1))
    return tainted


def _statement_end(script: str, position: int) -> int:
    """Where the statement holding `position` ends: `;` or a newline outside brackets, or the script's end."""
    depth = 0
    for index in range(position, len(script)):
        char = script[index]
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth < 0:
                return index
        elif char in ";\n" and depth == 0:
            return index
    return len(script)
