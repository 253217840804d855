"""XPath expression built by string formatting with non-constant values.

## What it does
Flags XPath expressions assembled with `%`-formatting, `str.format()`, an
f-string or `+` concatenation from non-constant parts (directly or through a
local variable assigned that way in the same function) and passed to lxml's
`.xpath()`, `etree.XPath()`, `etree.ETXPath()` or an `XPathEvaluator`, to
`elementpath.select()`/`iter_select()`/`Selector()`, and
ElementTree/lxml `.find()`, `.findall()`, `.iterfind()`, `.findtext()` when
the built path contains a predicate (`[...]`). Files that drive a browser or a
scraper (Scrapy, parsel, Selenium, Playwright) are skipped: there the queried
document is not the application's own data.

## Why is this bad?
A value pasted into an XPath predicate can close the string literal and add
its own conditions: with `name = "' or '1'='1"` the expression
`//user[@name='NAME' and @password='PW']` matches every user, which bypasses
a login check built on it, and `' or true() or '` style payloads read nodes the
query was never meant to return (CWE-643, XPath injection). XPath 1.0 has no
escape function, so quoting by hand is fragile.

## Example
```python
from lxml import etree

def find_user(tree, name):
    return tree.xpath("//user[@name='%s']" % name)
```

## Use instead
```python
from lxml import etree

def find_user(tree, name):
    return tree.xpath("//user[@name=$name]", name=name)
```

## References
- https://cwe.mitre.org/data/definitions/643.html
- https://lxml.de/xpathxslt.html#the-xpath-method
- https://owasp.org/www-community/attacks/XPATH_Injection
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts

from secreview.lang.python.file import Call, PyFile
from secreview.lang.python.origins import origin_call
from secreview.lang.python.strings import argument_text, built_string
from secreview.model import Confidence, Severity
from secreview.rules import Hit
from secreview.rules.python import CallRule
from secreview.rules.python._taint import TaintAware

_XPATH_CLASSES = ("lxml.etree.XPath", "lxml.etree.ETXPath")
_ELEMENTPATH = {"elementpath.select": 1, "elementpath.iter_select": 1, "elementpath.Selector": 0}
_EVALUATORS = frozenset({"lxml.etree.XPathEvaluator", "lxml.etree.XPathDocumentEvaluator",
                         "lxml.etree.XPathElementEvaluator"})
_ELEMENT_PATH = ("find", "findall", "iterfind", "findtext")
_XML_MODULES = ("xml.etree", "lxml", "elementtree", "cElementTree", "defusedxml")
_SCRAPERS = ("scrapy", "parsel", "selenium", "playwright", "requests_html", "pyppeteer")
_SANITIZERS = ("xpath_escape", "escape_xpath", "xpath_quote", "quote_xpath", "xpath_literal", "xpath_string")


class XpathBuiltByStringFormatting(TaintAware, CallRule):
    vulnerability = "xpath"
    id = "xpath-built-by-string-formatting"
    cwe = 643
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    callees = _XPATH_CLASSES + tuple(_ELEMENTPATH)
    methods = ("xpath",) + _ELEMENT_PATH
    message = "XPath expression given to `{callee}` is built by {how}"
    description = (
        "The XPath expression given to `{callee}` is built by {how}. A value containing a quote can close "
        "the string literal and append its own condition, e.g. `' or '1'='1`, so the query matches every "
        "node: a login or permission check implemented with it is bypassed and data the query was meant "
        "to hide (other users' entries, secrets stored in the document) is returned."
    )
    solution = (
        "Keep the expression constant and pass values as XPath variables: "
        "`tree.xpath(\"//user[@name=$name]\", name=value)` or `etree.XPath(\"//user[@name=$name]\")"
        "(tree, name=value)`; for ElementTree's `find*` compare in Python instead "
        "(`[e for e in root.iter(\"user\") if e.get(\"name\") == value]`)."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        scraper = any(file.imports_module(m) for m in _SCRAPERS)
        xml = any(file.imports_module(m) for m in _XML_MODULES)
        for call in self._all_candidates(file):
            element_path = call.method in _ELEMENT_PATH and call.name not in self.callees
            if scraper or (element_path and not xml):
                continue
            found = built_string(file, _expression(call), _SANITIZERS)
            if found is None and not element_path:
                callee = call.name if call.name in self.callees else (call.method or "xpath")
                sourced = self.sourced_hit(file, call, _expression(call), {"callee": callee})
                if sourced is not None:
                    yield sourced
                continue
            if found is None or (element_path and "[" not in found.literal):
                continue
            yield Hit(call.node, {"callee": call.name if call.name in self.callees else (call.method or "xpath"),
                                  "how": found.describe(file), "argument": argument_text(file, found.node)},
                      confidence=Confidence.LOW if found.only_configuration(file) else None,
                      # ElementPath has no functions or `or`: injection can only widen or break the match
                      severity=Severity.MEDIUM if element_path else None, data=found.node)

    def _all_candidates(self, file: PyFile) -> list[Call]:
        found = self.candidates(file)
        if not file.calls_to(*_EVALUATORS):
            return found
        seen = {id(c.node) for c in found}
        for call in file.calls:  # evaluator = etree.XPathEvaluator(doc); evaluator(expr)
            function = call.node.child_by_field_name("function")
            if id(call.node) in seen or function is None or function.type != "identifier":
                continue
            origin = origin_call(file, function)
            if origin is not None and origin.name in _EVALUATORS:
                found.append(call)
        return found


def _expression(call: Call) -> ts.Node | None:
    if call.name in _ELEMENTPATH:
        return call.arg(_ELEMENTPATH[call.name], "path")
    return call.arg(0, "_path") or call.arg(0, "path") or call.kwargs.get("match")
