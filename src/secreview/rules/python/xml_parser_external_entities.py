"""XML parser configured (or defaulting) to resolve external entities (XXE).

## What it does
Flags XML parsers that load external entities or DTDs:

- lxml `XMLParser`, `XMLPullParser`, `ETCompatXMLParser`, `objectify.makeparser`
  and `iterparse` given `resolve_entities=True`;
- lxml `ETCompatXMLParser()`/`iterparse()` without `resolve_entities`, which
  resolve external entities by default up to lxml 6.1 (medium confidence);
- lxml `XMLParser()` without `resolve_entities`, which resolves external
  entities by default before lxml 5.0 (low confidence);
- lxml parsers with `no_network=False` that load a DTD (`load_dtd=True` or
  `dtd_validation=True`);
- SAX/pulldom/minidom parsers on which `setFeature(feature_external_ges, True)`
  or `feature_external_pes` is turned on.

## Why is this bad?
An external entity makes the parser read a URL or file named by the document:
`<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>` puts the
file's contents into the parsed tree. Whoever supplies the XML can read local
files (often echoed back in a response or an error), make the server send
requests to internal services (SSRF), or hang it on `/dev/random`
(CWE-611, XML external entity injection).

## Example
```python
from lxml import etree

def parse_upload(data):
    parser = etree.XMLParser(resolve_entities=True)
    return etree.fromstring(data, parser)
```

## Use instead
```python
from lxml import etree

def parse_upload(data):
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.fromstring(data, parser)
```

## References
- https://cwe.mitre.org/data/definitions/611.html
- https://lxml.de/parsing.html#parser-options
- https://github.com/lxml/lxml/blob/master/CHANGES.txt
- https://docs.python.org/3/library/xml.html#xml-security
- https://cheatsheetseries.owasp.org/cheatsheets/XML_External_Entity_Prevention_Cheat_Sheet.html
"""

from __future__ import annotations

from collections.abc import Iterator

from secreview.lang.python.constants import constant_truthy
from secreview.lang.python.file import NOT_CONSTANT, Call, PyFile
from secreview.model import Confidence, Evidence, Severity
from secreview.rules import Hit
from secreview.rules.python import CallRule
from secreview.rules.python._taint import TaintAware

_PARSERS = ("lxml.etree.XMLParser", "lxml.etree.XMLPullParser", "lxml.objectify.makeparser")
_COMPAT = ("lxml.etree.ETCompatXMLParser", "lxml.etree.XMLTreeBuilder")
_ITERPARSE = ("lxml.etree.iterparse",)
_SAX_FEATURES = {
    "feature_external_ges": "external general entities",
    "feature_external_pes": "external parameter entities",
    "http://xml.org/sax/features/external-general-entities": "external general entities",
    "http://xml.org/sax/features/external-parameter-entities": "external parameter entities",
}


class XmlParserExternalEntities(TaintAware, CallRule):
    vulnerability = "xxe"
    judge_all_arguments = False  # the parser's options are constants; the parsed document decides
    id = "xml-parser-external-entities"
    family = "xml-entities"
    cwe = 611
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    evidence = Evidence.DEFINITE  # no safe reading: see "Why is this bad?"
    callees = _PARSERS + _COMPAT + _ITERPARSE
    methods = ("setFeature",)
    message = "XML parser `{callee}` loads external entities: {reason}"
    description = (
        "`{callee}` {reason}. A document that declares `<!ENTITY x SYSTEM \"file:///etc/passwd\">` (or an "
        "`http://` URL on the internal network) and references `&x;` makes the parser read that file or "
        "URL while parsing, so whoever supplies the XML can read local files through the parsed result "
        "or error messages, reach internal services (SSRF), or stall the process."
    )
    solution = (
        "Disable entity and DTD loading explicitly: `etree.XMLParser(resolve_entities=False, "
        "no_network=True)` (and no `load_dtd`/`dtd_validation`), `etree.iterparse(source, "
        "resolve_entities=False)`; for SAX keep `parser.setFeature(feature_external_ges, False)`. For "
        "untrusted input prefer `defusedxml.lxml` / `defusedxml.ElementTree`, which refuse DTDs and "
        "entities."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        for call in self.candidates(file):
            if call.method == "setFeature" and call.name not in self.callees:
                hit = self._sax(file, call)
            else:
                hit = self._lxml(file, call)
            if hit is not None:
                yield hit

    def _lxml(self, file: PyFile, call: Call) -> Hit | None:
        hit = self._lxml_hit(file, call)
        if hit is None or call.name in _ITERPARSE:
            return hit
        assignment = call.node.parent
        if assignment is not None and assignment.type == "assignment":
            target = assignment.child_by_field_name("left")
            return Hit(hit.node, hit.values, confidence=hit.confidence, severity=hit.severity,
                       data=_parsed_document(file, target, call.node))
        return hit

    def _lxml_hit(self, file: PyFile, call: Call) -> Hit | None:
        values = {"callee": call.name or "XMLParser"}
        resolve = call.kwargs.get("resolve_entities")
        setting = file.constant_value(resolve) if resolve is not None else None
        if resolve is not None and setting is not NOT_CONSTANT and setting not in ("internal",) and setting:
            reason = "is created with `resolve_entities=True`, so external entities are expanded"
            if constant_truthy(file, call.kwargs.get("no_network")) is False:
                reason += " and fetched over the network (`no_network=False`)"
            return Hit(call.node, {**values, "reason": reason})
        if _loads_dtd_from_network(file, call):
            reason = "loads DTDs with `no_network=False`, so a document's external DTD is fetched from any URL"
            return Hit(call.node, {**values, "reason": reason}, confidence=Confidence.MEDIUM,
                       severity=Severity.MEDIUM)  # request forgery only: no entity contents come back
        if resolve is not None:
            return None  # resolve_entities=False / "internal" / decided at run time
        if call.name in _ITERPARSE and file.is_constant(call.arg(0, "source")):
            return None  # a fixed file shipped with the code
        if call.name in _COMPAT + _ITERPARSE:
            reason = ("is created without `resolve_entities=False`; it resolves external entities by default "
                      "in lxml before 6.1 (CVE-2026-41066)")
            return Hit(call.node, {**values, "reason": reason}, confidence=Confidence.MEDIUM)
        if call.name in _PARSERS:
            reason = ("is created without `resolve_entities=False`; lxml before 5.0 resolves external "
                      "entities by default")
            return Hit(call.node, {**values, "reason": reason}, confidence=Confidence.LOW)
        return None

    def _sax(self, file: PyFile, call: Call) -> Hit | None:
        feature = call.arg(0, "name")
        if feature is None or constant_truthy(file, call.arg(1, "state")) is not True:
            return None
        text = file.string_literal_text(feature) or file.qualified_name(feature) or ""
        key = text if text in _SAX_FEATURES else text.rsplit(".", 1)[-1]
        if key not in _SAX_FEATURES:
            return None
        reason = f"has {_SAX_FEATURES[key]} switched on with `setFeature(..., True)`"
        return Hit(call.node, {"callee": "setFeature", "reason": reason},
                   data=_parsed_document(file, call.receiver, call.node))


def _parsed_document(file: PyFile, parser, configured_at):
    """The document first parsed, in the same function, with the parser variable `parser`.

    Its origin decides the finding (see TaintAware); with no such parse in sight there is nothing to
    judge and the configuration is reported as it is.
    """
    if parser is None or parser.type != "identifier":
        return None
    name = file.text_of(parser)
    scope = file.enclosing_scope(configured_at)
    for call in file.calls:
        if call.node.start_byte <= configured_at.start_byte or file.enclosing_scope(call.node) != scope:
            continue
        arguments = list(call.args[1:]) + [v for k, v in call.kwargs.items() if k == "parser"]
        if call.args and any(a.type == "identifier" and file.text_of(a) == name for a in arguments):
            return call.args[0]
    return None


def _loads_dtd_from_network(file: PyFile, call: Call) -> bool:
    if constant_truthy(file, call.kwargs.get("no_network")) is not False:
        return False
    return any(constant_truthy(file, call.kwargs.get(k)) for k in ("load_dtd", "dtd_validation"))
