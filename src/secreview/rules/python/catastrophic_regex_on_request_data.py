"""Request data matched against a regular expression that backtracks exponentially.

## What it does
Reports a constant pattern with a repeated group whose body can match the same
run of characters in many ways (`(a+)+`, `(\\w+\\s?)*`,
`([-.\\w]*[0-9a-zA-Z])*`: every required part of the group accepts one common
character and one part repeats without bound) when it is applied by an `re`
function (`re.match`, `re.search`, `re.fullmatch`, `re.findall`, `re.finditer`,
`re.sub`, `re.subn`, `re.split`, or the methods of a `re.compile` of it bound
to a name) to a string the dataflow traces to a request.

## Why is this bad?
On a string that almost matches, the engine tries every way of splitting the
run between the group's repetitions: 30 characters take seconds, 40 take
hours, and the worker is blocked meanwhile (ReDoS, CWE-1333). The attacker
needs only to send such a string.

## Example
```python
import re
from flask import request

def check_email():
    email = request.form["email"]
    return re.match(r"^([0-9a-z]([-.\\w]*[0-9a-z])*@([0-9a-z][-\\w]*[0-9a-z]\\.)+[a-z]{2,9})$", email)
```

## Use instead
```python
import re
from flask import request

def check_email():
    email = request.form["email"]
    return re.match(r"^[0-9a-z][-.\\w]*@[0-9a-z][-\\w.]*\\.[a-z]{2,9}$", email)
```

## References
- https://cwe.mitre.org/data/definitions/1333.html
- https://owasp.org/www-community/attacks/Regular_expression_Denial_of_Service_-_ReDoS
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator

import tree_sitter as ts

from secreview.lang.python.file import PyFile
from secreview.model import Confidence, Severity
from secreview.rules.python._taint import TaintSinkRule

try:
    import re._parser as _sre  # Python 3.11+
    from re._constants import MAXREPEAT
except ImportError:  # pragma: no cover
    import sre_parse as _sre  # type: ignore[no-redef]
    from sre_constants import MAXREPEAT  # type: ignore[no-redef]

_FUNCTIONS = ("match", "fullmatch", "search", "findall", "finditer", "sub", "subn", "split")
_SUBJECT = {"sub": (2, "string"), "subn": (2, "string")}
_ALPHABET = tuple(chr(code) for code in range(32, 127)) + ("\t", "\n", "\u00e9")


class CatastrophicRegexOnRequestData(TaintSinkRule):
    id = "catastrophic-regex-on-request-data"
    cwe = 1333
    vulnerability = "regex"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    message = "Exponentially backtracking regular expression applied to {source}"
    description = (
        "{sink} applies a pattern with a repeated group that can match the same characters in "
        "many ways to `{argument}`, which holds {source}: a string that almost matches makes the "
        "matching take exponential time and blocks the worker."
    )
    solution = (
        "Rewrite the pattern so that each character can be matched in only one way (no repeated "
        "group whose parts overlap, e.g. `[-.\\w]*` instead of `([-.\\w]*\\w)*`), or bound the input's "
        "length before matching."
    )

    def sink_calls(self, file: PyFile):
        return ()

    def extra_sinks(self, file: PyFile) -> Iterable[tuple[ts.Node, str, ts.Node]]:
        if "re" not in file.text:
            return []
        return list(self._candidates(file))

    def _candidates(self, file: PyFile) -> Iterator[tuple[ts.Node, str, ts.Node]]:
        for call in file.calls_to(*(f"re.{name}" for name in _FUNCTIONS)):
            pattern = file.constant_value(call.arg(0, "pattern"))
            index, keyword = _SUBJECT.get(call.method, (1, "string"))
            subject = call.arg(index, keyword)
            if isinstance(pattern, str) and subject is not None and _ambiguous_group(pattern):
                yield call.node, f"`re.{call.method}`", subject
        for call in file.method_calls(*_FUNCTIONS):
            receiver = call.receiver
            if receiver is None or receiver.type != "identifier":
                continue
            pattern = _compiled_pattern(file, receiver)
            if pattern is None or not _ambiguous_group(pattern):
                continue
            index, keyword = (1, "string") if call.method in _SUBJECT else (0, "string")
            subject = call.arg(index, keyword)
            if subject is not None:
                yield call.node, f"`{file.text_of(receiver)}.{call.method}`", subject


def _compiled_pattern(file: PyFile, name: ts.Node) -> str | None:
    """The constant pattern of `NAME = re.compile("...")`, the name's one binding (here or at module level)."""
    bindings = file.reaching_bindings(name)
    if len(bindings) != 1:
        return None
    value = file.bound_value(*bindings[0])
    if value is None or value.type != "call":
        return None
    call = file.call_at(value)
    if call.name != "re.compile":
        return None
    pattern = file.constant_value(call.arg(0, "pattern"))
    return pattern if isinstance(pattern, str) else None


@functools.lru_cache(maxsize=512)
def _ambiguous_group(pattern: str) -> bool:
    """The pattern has a repeated group that can split one run of characters in many ways."""
    try:
        parsed = _sre.parse(pattern)
    except Exception:  # noqa: BLE001 - not a valid pattern: nothing to say
        return False
    return _find(list(parsed))


def _find(items: list) -> bool:
    for op, av in items:
        name = str(op)
        if name in ("MAX_REPEAT", "MIN_REPEAT"):
            low, high, body = av
            if high == MAXREPEAT and _ambiguous_body(list(body)):
                return True
            if _find(list(body)):
                return True
        elif name == "SUBPATTERN":
            if _find(list(av[-1])):
                return True
        elif name == "BRANCH":
            if any(_find(list(branch)) for branch in av[1]):
                return True
    return False


def _ambiguous_body(items: list) -> bool:
    """Every required part accepts a common character and one part repeats it without bound."""
    while len(items) == 1 and str(items[0][0]) == "SUBPATTERN":
        items = list(items[0][1][-1])
    common = set(_ALPHABET)
    unbounded: list[frozenset[str]] = []
    for op, av in items:
        name = str(op)
        if name in ("MAX_REPEAT", "MIN_REPEAT"):
            low, high, body = av
            chars = _single(list(body))
            if chars is None:
                if low == 0:
                    continue  # an optional part that may match nothing
                return False
            if high == MAXREPEAT:
                unbounded.append(chars)
            if low > 0:
                common &= chars
        else:
            chars = _single([(op, av)])
            if chars is None:
                return False
            common &= chars
    return any(common & chars for chars in unbounded)


def _single(items: list) -> frozenset[str] | None:
    """The characters a one-character item accepts (of a sample alphabet), None for anything longer."""
    while len(items) == 1 and str(items[0][0]) == "SUBPATTERN":
        items = list(items[0][1][-1])
    if len(items) != 1:
        return None
    op, av = items[0]
    name = str(op)
    if name == "LITERAL":
        return frozenset({chr(av)})
    if name == "NOT_LITERAL":
        return frozenset(c for c in _ALPHABET if c != chr(av))
    if name == "ANY":
        return frozenset(c for c in _ALPHABET if c != "\n")
    if name == "IN":
        return _in_set(av)
    return None


def _in_set(members: list) -> frozenset[str]:
    negate = False
    chars: set[str] = set()
    for op, av in members:
        name = str(op)
        if name == "NEGATE":
            negate = True
        elif name == "LITERAL":
            chars.add(chr(av))
        elif name == "RANGE":
            chars.update(c for c in _ALPHABET if av[0] <= ord(c) <= av[1])
        elif name == "CATEGORY":
            category = {"CATEGORY_WORD": r"\w", "CATEGORY_DIGIT": r"\d", "CATEGORY_SPACE": r"\s",
                        "CATEGORY_NOT_WORD": r"\W", "CATEGORY_NOT_DIGIT": r"\D",
                        "CATEGORY_NOT_SPACE": r"\S"}.get(str(av))
            if category:
                chars.update(c for c in _ALPHABET if re.fullmatch(category, c))
    return frozenset(c for c in _ALPHABET if c not in chars) if negate else frozenset(chars)
