"""Non-constant XML parsed with the standard library's expat-based parsers.

## What it does
Flags `xml.etree.ElementTree` (and `cElementTree`) `parse`, `fromstring`,
`XML`, `fromstringlist`, `iterparse`; `xml.dom.minidom` and `xml.dom.pulldom`
`parse`/`parseString`; `xml.sax` `parse`/`parseString`; and `Parse`/`ParseFile`
on an `xml.parsers.expat.ParserCreate()` parser, when the document is not a
constant. Files that call `defusedxml.defuse_stdlib()` are skipped. Reported
at low confidence: current Python builds bundle an expat with entity
amplification limits, so this matters mainly with older Pythons or a system
libexpat older than 2.4.1.

## Why is this bad?
These parsers expand entities declared in the document's internal DTD. A few
hundred bytes of nested entity definitions ("billion laughs") or one large
entity referenced many times ("quadratic blowup") expand to gigabytes in
memory and keep the CPU busy, so anyone who can submit XML can take the
service down (CWE-776). The standard library does not offer a switch to forbid
DTDs.

## Example
```python
import xml.etree.ElementTree as ET

def read_order(request):
    return ET.fromstring(request.body)
```

## Use instead
```python
import defusedxml.ElementTree as ET

def read_order(request):
    return ET.fromstring(request.body)
```

## References
- https://cwe.mitre.org/data/definitions/776.html
- https://docs.python.org/3/library/xml.html#xml-security
- https://pypi.org/project/defusedxml/
"""

from __future__ import annotations

from collections.abc import Iterator

from secreview.lang.python.file import Call, PyFile
from secreview.lang.python.origins import origin_call
from secreview.lang.python.strings import argument_text
from secreview.model import Confidence, Severity
from secreview.rules import Hit
from secreview.rules.python import CallRule

_ETREE_MODULES = ("xml.etree.ElementTree", "xml.etree.cElementTree", "elementtree.ElementTree", "cElementTree")
_ETREE = tuple(f"{m}.{f}" for m in _ETREE_MODULES
               for f in ("parse", "fromstring", "XML", "fromstringlist", "iterparse"))
_DOM = tuple(f"{m}.{f}" for m in ("xml.dom.minidom", "xml.dom.pulldom", "xml.sax", "xml.dom.expatbuilder")
             for f in ("parse", "parseString"))
_EXPAT_CREATE = frozenset({"xml.parsers.expat.ParserCreate", "pyexpat.ParserCreate"})


class XmlStdlibParseUntrusted(CallRule):
    id = "xml-stdlib-parse-untrusted"
    family = "xml-entities"
    cwe = 776
    severity = Severity.MEDIUM
    confidence = Confidence.LOW
    callees = _ETREE + _DOM
    methods = ("Parse", "ParseFile")
    message = "`{callee}` parses non-constant XML with entity expansion enabled: {argument}"
    description = (
        "`{callee}` parses `{argument}` with expat, which expands entities declared in the document's "
        "own DTD. If that XML can come from outside, a small document with nested entity definitions "
        "(\"billion laughs\") or one huge entity repeated (\"quadratic blowup\") expands to gigabytes, "
        "exhausting memory and CPU and denying service; only expat 2.4.1 and newer limit this."
    )
    solution = (
        "Parse untrusted XML with `defusedxml` (e.g. `defusedxml.ElementTree.fromstring({argument})`, "
        "`defusedxml.minidom.parseString(...)`), which rejects entity declarations, or call "
        "`defusedxml.defuse_stdlib()` at start-up; also cap the input size before parsing."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        if file.calls_to("defusedxml.defuse_stdlib"):
            return
        yield from super().check(file)

    def matches(self, file: PyFile, call: Call) -> dict[str, str] | None:
        if call.name not in self.callees:  # parser.Parse(data) on an expat parser
            creator = origin_call(file, call.receiver)
            if creator is None or creator.name not in _EXPAT_CREATE:
                return None
            document = call.arg(0, "data") or call.arg(0, "file")
            callee = f"expat parser .{call.method}"
        else:
            document = call.arg(0, None)
            document = document or next((call.kwargs[k] for k in ("source", "text", "file", "string",
                                                                    "stream_or_string", "sequence")
                                         if k in call.kwargs), None)
            callee = call.name
        if document is None or file.is_constant(document):
            return None
        return {"callee": callee, "argument": argument_text(file, document)}
