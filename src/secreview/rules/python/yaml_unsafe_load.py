"""YAML loaded with a loader that can construct arbitrary Python objects.

## What it does
Flags `yaml.load` and `yaml.load_all` without a safe `Loader`
(`SafeLoader`, `CSafeLoader`, `BaseLoader`, `CBaseLoader`, or a class derived
from one of them), with `Loader=yaml.Loader/UnsafeLoader/CLoader/FullLoader`,
and the `yaml.unsafe_load*` and `yaml.full_load*` shortcuts, when the document
is not a constant.

## Why is this bad?
PyYAML's unsafe loaders honour tags such as `!!python/object/apply:os.system`
and call the named function while parsing, so a YAML document from outside
(an upload, an API body, a configuration file someone else can edit) runs
arbitrary code (CWE-502). Before PyYAML 5.1 `yaml.load(data)` used that
loader by default. `FullLoader` was meant as a middle ground but was bypassed
to reach code execution repeatedly (CVE-2020-1747, CVE-2020-14343) before
PyYAML 5.4.

## Example
```python
import yaml

def import_settings(upload):
    return yaml.load(upload.read(), Loader=yaml.Loader)
```

## Use instead
```python
import yaml

def import_settings(upload):
    return yaml.safe_load(upload.read())
```

## References
- https://cwe.mitre.org/data/definitions/502.html
- https://github.com/yaml/pyyaml/wiki/PyYAML-yaml.load(input)-Deprecation
- https://nvd.nist.gov/vuln/detail/CVE-2020-14343
"""

from __future__ import annotations

from secreview.lang.python.file import Call, PyFile
from secreview.lang.python.strings import argument_text
from secreview.lang.python.syntax import unwrap
from secreview.model import Confidence, Evidence, Severity
from secreview.rules import Hit
from secreview.rules.python import CallRule
from secreview.rules.python._taint import TaintAware

_SAFE_LOADERS = frozenset({"SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader"})
_FULL_LOADERS = frozenset({"FullLoader", "CFullLoader"})
_UNSAFE_LOADERS = frozenset({"Loader", "UnsafeLoader", "CLoader", "CUnsafeLoader"})
_LOADER_TAKING = ("yaml.load", "yaml.load_all")
_UNSAFE_SHORTCUTS = ("yaml.unsafe_load", "yaml.unsafe_load_all")
_FULL_SHORTCUTS = ("yaml.full_load", "yaml.full_load_all")
_UNSAFE_RISK = ("That loader honours Python tags such as `!!python/object/apply:os.system [\"id\"]` and calls "
                "the named callable while parsing.")
_FULL_RISK = ("FullLoader still constructs Python objects from tags, and up to PyYAML 5.3.1 documents "
              "reached arbitrary calls through it (CVE-2020-1747, CVE-2020-14343).")
_DEFAULT_RISK = ("Without a Loader, PyYAML before 5.1 uses the unsafe `yaml.Loader`, which calls any callable "
                 "named by a tag like `!!python/object/apply:os.system`, and 5.1-5.4 fall back to "
                 "`FullLoader`, which has known code-execution bypasses.")


class YamlUnsafeLoad(TaintAware, CallRule):
    vulnerability = "deser"
    id = "yaml-unsafe-load"
    cwe = 502
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    evidence = Evidence.DEFINITE  # no safe reading: see "Why is this bad?"
    callees = _LOADER_TAKING + _UNSAFE_SHORTCUTS + _FULL_SHORTCUTS
    message = "`{callee}` parses non-constant YAML with {loader}"
    description = (
        "`{callee}` parses `{argument}` with {loader}. {risk} Whoever can supply or edit this YAML "
        "document (an upload, a request body, a file or setting outside this code's control) can therefore "
        "run code in this process."
    )
    solution = (
        "Use `yaml.safe_load({argument})` (or `yaml.safe_load_all(...)`, or "
        "`yaml.load({argument}, Loader=yaml.CSafeLoader)`), which only builds plain dicts, lists, strings "
        "and numbers; convert the result to your own types explicitly."
    )

    def matches(self, file: PyFile, call: Call) -> dict[str, str] | None:
        stream = call.arg(0, "stream")
        if stream is None or file.is_constant(stream):
            return None
        values = {"argument": argument_text(file, stream)}
        if call.name in _UNSAFE_SHORTCUTS:
            return {**values, "loader": "`yaml.UnsafeLoader`", "risk": _UNSAFE_RISK}
        if call.name in _FULL_SHORTCUTS:
            return {**values, "loader": "`yaml.FullLoader`", "risk": _FULL_RISK, "_full": "1"}
        loader = call.arg(1, "Loader")
        if loader is None:
            return {**values, "loader": "no explicit Loader", "risk": _DEFAULT_RISK}
        kind = _loader_kind(file, loader)
        if kind == "safe" or kind is None:
            return None
        text = f"`{argument_text(file, loader, 40)}`"
        if kind == "full":
            return {**values, "loader": text, "risk": _FULL_RISK, "_full": "1"}
        return {**values, "loader": text, "risk": _UNSAFE_RISK}

    def check(self, file: PyFile):
        for hit in super().check(file):
            if hit.values.get("_full"):
                values = {k: v for k, v in hit.values.items() if k != "_full"}
                yield Hit(hit.node, values, confidence=Confidence.MEDIUM, data=hit.data)
            else:
                yield hit


def _loader_kind(file: PyFile, node, _depth: int = 0) -> str | None:
    """"safe", "full", "unsafe", or None when the loader cannot be identified."""
    node = unwrap(node)
    name = file.qualified_name(node)
    if name is None or _depth > 4:
        return None
    last = name.rsplit(".", 1)[-1]
    if name.startswith("yaml."):
        if last in _SAFE_LOADERS:
            return "safe"
        if last in _FULL_LOADERS:
            return "full"
        if last in _UNSAFE_LOADERS:
            return "unsafe"
        return None
    # A loader class defined in this file: judge it by its bases.
    query = "(class_definition name: (identifier) @name superclasses: (argument_list) @bases)"
    found = file.captures(query)
    for class_name, bases in zip(sorted(found.get("name", []), key=lambda n: n.start_byte),
                                 sorted(found.get("bases", []), key=lambda n: n.start_byte)):
        if file.text_of(class_name) == name:
            kinds = {_loader_kind(file, base, _depth + 1) for base in bases.named_children}
            for kind in ("unsafe", "full", "safe"):
                if kind in kinds:
                    return kind
    return None
