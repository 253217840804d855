"""Sink conditions: the code behind the names in `Sink.when` (see `knowledge.schema`).

Some calls are sinks only in a certain form: `subprocess.run(cmd)` runs no
shell unless `shell=True`, `yaml.load` builds arbitrary objects only with an
unsafe loader.  Knowledge modules name the condition; this module decides it
at a call site.  `tests/test_knowledge.py` checks every name used in the
knowledge is defined here.
"""

from __future__ import annotations

from collections.abc import Callable

from secreview.lang.python import web
from secreview.lang.python.file import Call, PyFile

_UNSAFE_YAML_LOADERS = frozenset({"Loader", "UnsafeLoader", "FullLoader", "CLoader", "CUnsafeLoader", "CFullLoader"})
_ALWAYS_UNSAFE_YAML_CALLS = frozenset({"unsafe_load", "unsafe_load_all", "full_load"})


def _shell_true(file: PyFile, call: Call) -> bool:
    shell = call.kwargs.get("shell")
    return shell is not None and file.constant_value(shell) not in (False, None, 0)


def _unsafe_yaml_loader(file: PyFile, call: Call) -> bool:
    if call.name and call.name.rsplit(".", 1)[-1] in _ALWAYS_UNSAFE_YAML_CALLS:
        return True
    loader = call.arg(1, "Loader")
    return loader is None or file.text_of(loader).rsplit(".", 1)[-1] in _UNSAFE_YAML_LOADERS


def _external_entities_enabled(file: PyFile, call: Call) -> bool:
    text = file.text
    return ("feature_external_ges" in text and "True" in text) or "resolve_entities=True" in text


# the response a request handler writes to: Tornado's `self.write(...)`, http.server's `self.wfile.write(...)`
_RESPONSE_WRITERS = frozenset({"self", "self.wfile"})


def _response_writer(file: PyFile, call: Call) -> bool:
    """`self.write(...)` / `self.wfile.write(...)` in a method of the handler class.

    Not in a function nested in one: that is a server's own plumbing (the `write` callable a WSGI
    server hands the application), which writes what the application produced.
    """
    if call.receiver is None or file.text_of(call.receiver).replace(" ", "") not in _RESPONSE_WRITERS:
        return False
    function = file.inside(call.node, ("function_definition",))
    return function is not None and web.enclosing_class(function) is not None


def _location_header(file: PyFile, call: Call) -> bool:
    name = file.constant_value(call.arg(0, "keyword"))
    return isinstance(name, str) and name.lower() == "location"


def _html_content_type(file: PyFile, call: Call) -> bool:
    """aiohttp's `Response(..., content_type="text/html")` (or the same in its `headers` dict)."""
    declared = file.constant_value(call.kwargs.get("content_type"))
    headers = call.kwargs.get("headers")
    for pair in headers.named_children if headers is not None and headers.type == "dictionary" else ():
        key = pair.child_by_field_name("key") if pair.type == "pair" else None
        if key is not None and str(file.constant_value(key)).lower() == "content-type":
            declared = file.constant_value(pair.child_by_field_name("value"))
    return isinstance(declared, str) and "html" in declared.lower()


CONDITIONS: dict[str, Callable[[PyFile, Call], bool]] = {
    "shell_true": _shell_true,
    "unsafe_yaml_loader": _unsafe_yaml_loader,
    "external_entities_enabled": _external_entities_enabled,
    "response_writer": _response_writer,
    "location_header": _location_header,
    "html_content_type": _html_content_type,
}
