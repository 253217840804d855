"""Input validated with `re.match` against a pattern that has no end anchor.

## What it does
Flags `re.match(pattern, value)`, `re.search("^...", value)` and the same
methods of a compiled pattern (`NAME_RE.match(value)` where `NAME_RE =
re.compile(...)` at module or class level) when the result decides a check
(an `if`/`elif`/`while` condition, possibly negated or compared with `None`,
an `assert`, or the value a function returns) and the pattern is a constant
that ends with a run of allowed characters (`[a-z0-9_]+`, `\\d{1,5}`,
`(-[a-z]+)*`) but not with `$` or `\\Z`. `re.fullmatch`, patterns that end
with an explicit `.*`, and patterns that end with a fixed text (a prefix
test such as `re.match(r"[A-Za-z]:", path)`) are not flagged.

## Why is this bad?
`re.match` only anchors the *start* of the string: `re.match(r"[a-z0-9]+",
name)` succeeds for `"abc; rm -rf /"`, `"abc/../../etc/passwd"` or
`"abc\\n<script>"` because the pattern matched the first three characters
and nothing required it to reach the end. The check that was written to
allow only safe characters lets any trailing text through to the code that
relies on it (a shell command, a path, a query, a header) (CWE-777). A
pattern that can match the empty string (`[a-z]*`) accepts every value.

## Example
```python
import re

def set_hostname(name, run):
    if not re.match(r"[a-z0-9-]+", name):
        raise ValueError("invalid hostname")
    run("hostnamectl set-hostname " + name)
```

## Use instead
```python
import re

def set_hostname(name, run):
    if not re.fullmatch(r"[a-z0-9-]+", name):
        raise ValueError("invalid hostname")
    run(["hostnamectl", "set-hostname", name])
```

## References
- https://cwe.mitre.org/data/definitions/777.html
- https://cwe.mitre.org/data/definitions/625.html
- https://docs.python.org/3/library/re.html#re.fullmatch
"""

from __future__ import annotations

from collections.abc import Iterator

from secreview import taint
from secreview.lang.python.file import Call, PyFile
from secreview.lang.python.flow import gate_of, rejects
from secreview.lang.python.regexes import (
    Regex,
    compiled_regex,
    ends_with_end_anchor,
    matches_empty_always,
    open_tail,
    regex_of_call,
    starts_with_start_anchor,
)
from secreview.lang.python.requests import may_hold_remote_input, request_rooted
from secreview.model import Confidence, Severity
from secreview.rules import Hit, Rule
from secreview.rules import shorten
from secreview.rules.python._taint import source_note, trace_of


class RegexValidationWithoutEndAnchor(Rule):
    id = "regex-validation-without-end-anchor"
    cwe = 777
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    message = "`{callee}` checks `{subject}` against `{pattern}`, which has no end anchor: trailing text passes"
    description = (
        "`{code}` uses the result of `{callee}` with the pattern `{pattern}` as a check on `{subject}`. "
        "{how} The pattern ends with a run of allowed characters but no `$` or `\\Z`, so it only has to "
        "match a prefix of `{subject}`: a valid value followed by anything (`; id`, `/../../etc/passwd`, a quote, "
        "a newline) passes the check, and the appended text reaches the code the check was meant to protect."
    )
    solution = (
        "Require the whole value to match: `{fixed}`, or end the pattern with `\\Z` (not `$`, which also "
        "accepts a trailing newline)."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        analysis = None
        for call, regex, subject in self._candidates(file):
            gate = gate_of(file, call.node)
            if gate is None or regex.parsed is None or ends_with_end_anchor(regex.parsed) \
                    or not rejects(file, gate):
                continue
            if call.method == "search" and not starts_with_start_anchor(regex.parsed):
                continue  # an unanchored search is a "contains" test, not a validation
            tail = open_tail(regex.parsed)
            always = matches_empty_always(regex.parsed)
            if tail == "any" or (not always and tail != "run"):
                continue
            how = ("The pattern can match the empty string, so every value passes." if always
                   else "`search` with `^` anchors only the start of the string." if call.method == "search"
                   else "`match` anchors only the start of the string.")
            values = {
                "callee": shorten(file.text_of(call.node.child_by_field_name("function")), 40),
                "pattern": shorten(regex.text, 60),
                "subject": shorten(file.text_of(subject), 50),
                "fixed": _fixed(file, call, regex, subject),
                "how": how,
            }
            verdict = None
            if may_hold_remote_input(file) and request_rooted(file, subject):
                analysis = analysis or taint.analysis_for(file)
                verdict = taint.provenance(analysis, subject, "cmdi")
            if verdict is not None and verdict.from_source:
                yield Hit(call.node, values, confidence=Confidence.HIGH, data=subject,
                          trace=trace_of(verdict) + ((call.node, "checked with a pattern without end anchor"),),
                          note=source_note(file, verdict, f"the check `{shorten(file.text_of(call.node), 60)}`"))
            else:
                yield Hit(call.node, values, data=subject)

    @staticmethod
    def _candidates(file: PyFile) -> Iterator[tuple[Call, Regex, object]]:
        for call in file.calls_to("re.match", "re.search", "regex.match", "regex.search"):
            regex = regex_of_call(file, call)
            subject = call.arg(1, "string")
            if regex is not None and subject is not None:
                yield call, regex, subject
        for call in file.method_calls("match", "search"):
            if call.receiver is None or call.name in ("re.match", "re.search", "regex.match", "regex.search"):
                continue
            subject = call.arg(0, "string")
            if subject is None:
                continue
            regex = compiled_regex(file, call.receiver)
            if regex is not None:
                yield call, regex, subject


def _fixed(file: PyFile, call: Call, regex: Regex, subject) -> str:
    value = shorten(file.text_of(subject), 50)
    if regex_of_call(file, call) is not None:
        return f"re.fullmatch({shorten(file.text_of(regex.node), 60)}, {value})"
    return f"{shorten(file.text_of(call.receiver), 40)}.fullmatch({value})"
