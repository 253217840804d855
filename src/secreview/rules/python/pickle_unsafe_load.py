"""Untrusted data deserialised with pickle (or a pickle-based loader).

## What it does
Flags `pickle`/`cPickle`/`_pickle`/`dill` `load`, `loads` and `Unpickler`,
`shelve.open`, `marshal.load(s)`, `jsonpickle.decode`, `pandas.read_pickle`,
`joblib.load`, `numpy.load(..., allow_pickle=True)` and
`torch.load(..., weights_only=False)` when the data (or file) they read is not
a constant.

## Why is this bad?
A pickle is a program for a small stack machine, not a data format: its
`REDUCE` opcode calls any importable function with any arguments, so
unpickling `cos\nsystem\n(S'id'\ntR.` runs `os.system('id')`. Whoever can
supply or modify the bytes (a request body, a cookie, a cache entry, an
uploaded model file, a file in a shared directory) gets code execution in the
process that loads them (CWE-502). `marshal` is not meant for untrusted data
either: malformed input can crash the interpreter.

## Example
```python
import base64
import pickle

def load_session(cookie):
    return pickle.loads(base64.b64decode(cookie))
```

## Use instead
```python
import json

def load_session(cookie):
    return json.loads(cookie)
```

## References
- https://cwe.mitre.org/data/definitions/502.html
- https://docs.python.org/3/library/pickle.html#restricting-globals
- https://docs.python.org/3/library/marshal.html
"""

from __future__ import annotations

from collections.abc import Iterator

from secreview.lang.python.constants import constant_truthy, keyword_is_true
from secreview.lang.python.file import Call, PyFile
from secreview.lang.python.strings import argument_text
from secreview.model import Confidence, Severity
from secreview.rules import Hit
from secreview.rules.python import CallRule
from secreview.rules.python._taint import TaintAware

_PICKLE_MODULES = ("pickle", "cPickle", "_pickle", "dill", "cloudpickle", "six.moves.cPickle")
_PICKLE = tuple(f"{module}.{name}" for module in _PICKLE_MODULES for name in ("load", "loads", "Unpickler"))
_OTHERS = (
    "shelve.open", "shelve.DbfilenameShelf", "marshal.load", "marshal.loads",
    "jsonpickle.decode", "jsonpickle.loads", "jsonpickle.unpickler.decode",
    "pandas.read_pickle", "joblib.load", "sklearn.externals.joblib.load",
)
_NUMPY = ("numpy.load",)
_PICKLE_RISK = ("Its pickle opcodes can import and call any function (e.g. `os.system`) while loading, "
                "before the result is ever inspected.")
_MARSHAL_RISK = ("The marshal format is not meant for untrusted data: malformed input can crash the "
                 "interpreter or produce corrupted code objects.")
_TORCH = ("torch.load",)


class PickleUnsafeLoad(TaintAware, CallRule):
    vulnerability = "deser"
    id = "pickle-unsafe-load"
    cwe = 502
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    callees = _PICKLE + _OTHERS + _NUMPY + _TORCH
    message = "`{callee}` deserialises non-constant data: {argument}"
    description = (
        "`{callee}` reconstructs objects from `{argument}`. {risk} The data is not a constant, so anyone who "
        "can supply or tamper with it (request body, cookie, cache entry, uploaded or downloaded file) can "
        "{impact} just by having it loaded."
    )
    solution = (
        "Exchange data in a format that cannot carry code: `json.loads(...)` (or msgpack/protobuf) plus "
        "explicit validation. If pickle is unavoidable, only load data this process wrote itself and "
        "authenticate it first with `hmac.compare_digest` over an HMAC-SHA256 tag, or subclass "
        "`pickle.Unpickler` and override `find_class` to allow only the expected classes."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        for hit in super().check(file):
            if hit.values.get("callee", "").startswith("marshal."):
                values = {**hit.values, "risk": _MARSHAL_RISK, "impact": "crash or corrupt the interpreter"}
                yield Hit(hit.node, values, severity=Severity.MEDIUM, data=hit.data)
            else:
                yield Hit(hit.node, {**hit.values, "risk": _PICKLE_RISK, "impact": "execute arbitrary code "
                                     "in this process"}, data=hit.data)

    def matches(self, file: PyFile, call: Call) -> dict[str, str] | None:
        if call.name in _NUMPY and not keyword_is_true(file, call, "allow_pickle"):
            return None
        if call.name in _TORCH and constant_truthy(file, call.kwargs.get("weights_only")) is not False:
            return None  # weights_only=True (default since torch 2.6) uses a restricted unpickler
        data = call.arg(0, _keyword(call.name))
        if data is None or file.is_constant(data):
            return None
        return {"argument": argument_text(file, data)}


def _keyword(name: str | None) -> str:
    last = (name or "").rsplit(".", 1)[-1]
    if name in ("shelve.open", "shelve.DbfilenameShelf"):
        return "filename"
    if last in ("load", "Unpickler", "read_pickle"):
        return "file" if not (name or "").startswith("pandas") else "filepath_or_buffer"
    if last in ("decode",):
        return "string"
    return "data"
