r"""Host name in a regular expression with an unescaped `.` between its labels.

## What it does
Flags constant regular expressions given to `re.match`, `re.search`,
`re.fullmatch`, `re.compile`, `re.findall`/`finditer` (and the same of the
`regex` module), or assigned to a name that says it is a pattern
(`ALLOWED_ORIGIN_REGEX`, `HOST_RE`, `url_pattern`), when they spell a host
name whose labels are separated by a bare `.`: `^api.example.com$`,
`(www.)?example.com`, `https://[a-z]+.example\.org/`. Only names that end in
a well-known top-level domain (`com`, `org`, `net`, `io`, `gov`, country
codes...) count, so `setup.py` or `LOG.info\(` are not host names here.

## Why is this bad?
In a regular expression `.` matches any character. `^api.example.com$`
accepts `api-example.com`, `apiXexample.com` and `api.examplezcom`, names
anyone can register. When the pattern is an allow-list (trusted origins for
CORS, redirect or callback targets, hosts a server may fetch from, certificate
names), an attacker who registers such a look-alike domain passes it
(CWE-625, a permissive regular expression).

## Example
```python
import re

TRUSTED = re.compile(r"^https://(www.)?example.com/")

def is_trusted(url):
    return TRUSTED.match(url) is not None
```

## Use instead
```python
import re

TRUSTED = re.compile(r"^https://(www\.)?example\.com/")

def is_trusted(url):
    return TRUSTED.match(url) is not None
```

## References
- https://cwe.mitre.org/data/definitions/625.html
- https://docs.python.org/3/library/re.html#re.escape
- https://portswigger.net/web-security/cors#errors-parsing-origin-headers
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import tree_sitter as ts

from secreview.lang.python.expressions import constant_strings
from secreview.lang.python.file import PyFile
from secreview.lang.python.flow import gate_of
from secreview.lang.python.regexes import REPEATS, parse_regex, pattern_items, regex_call, regex_of_call, sre
from secreview.model import Confidence, Severity
from secreview.rules import Hit, Rule
from secreview.rules import shorten

_MATCHING = frozenset({"match", "search", "fullmatch", "compile", "findall", "finditer"})
_ALLOW_WORDS = re.compile(r"allow|trust|white|safe|permit|origin|cors|redirect|callback|valid", re.I)
_PATTERN_NAME = re.compile(r"(?:regex|regexp|pattern|patterns)(?:es|s)?$|(?:^|_)re$|^re_", re.I)


class PermissiveRegexUnescapedDot(Rule):
    id = "permissive-regex-unescaped-dot"
    cwe = 625
    severity = Severity.LOW
    confidence = Confidence.HIGH
    message = "Unescaped `.` in host name `{domain}` of regex `{pattern}` matches any character"
    description = (
        "The regular expression `{pattern}` spells the host name `{domain}`, but at least one `.` between its "
        "labels is unescaped and matches any character. A host such as `{lookalike}` also matches, and "
        "anyone can register it; if this pattern decides which origins, redirect targets, callback URLs or "
        "servers are trusted, the attacker's look-alike domain is trusted too."
    )
    solution = (
        "Escape every literal dot (`{escaped}`), or build the pattern with `re.escape(\"{intended}\")`; better, "
        "parse the URL and compare `urlsplit(url).hostname` with an exact set of allowed host names."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        seen: set[int] = set()
        for node, text, flags in self._patterns(file):
            if node.id in seen:
                continue
            seen.add(node.id)
            parsed = parse_regex(text, flags)
            dots = _unescaped_domain_dots(parsed) if parsed is not None else []
            if not dots:
                continue
            dot = dots[0]
            check = self._used_as_check(file, node)
            yield Hit(node, severity=Severity.MEDIUM if check else None, note=check, values={
                "pattern": shorten(text, 70),
                "domain": dot.domain,
                "intended": dot.intended,
                "escaped": dot.intended.replace(".", "\\."),
                "lookalike": _lookalike(dot),
            })

    @staticmethod
    def _used_as_check(file: PyFile, pattern: ts.Node) -> str:
        """A note when the pattern decides a check (an allow-list), else ""."""
        call_node = pattern.parent.parent if pattern.parent is not None and pattern.parent.type == "argument_list" \
            else None
        owner = None
        if call_node is not None and call_node.type == "call":
            call = file.call_at(call_node)
            function = regex_call(file, call)
            if function in ("match", "search", "fullmatch") and gate_of(file, call_node) is not None:
                return f"The pattern decides the check `{shorten(file.text_of(call_node), 60)}`."
            if function == "compile" and call_node.parent is not None and call_node.parent.type == "assignment":
                owner = call_node.parent.child_by_field_name("left")
        elif pattern.parent is not None and pattern.parent.type == "assignment":
            owner = pattern.parent.child_by_field_name("left")
        if owner is None:
            return ""
        name = file.text_of(owner).rsplit(".", 1)[-1]
        if _ALLOW_WORDS.search(name):
            return f"`{name}` names an allow-list, so the look-alike host is trusted."
        for use in file.method_calls("match", "search", "fullmatch"):
            if use.receiver is not None and file.text_of(use.receiver).rsplit(".", 1)[-1] == name \
                    and gate_of(file, use.node) is not None:
                return f"The pattern decides the check `{shorten(file.text_of(use.node), 60)}` on line " \
                       f"{use.node.start_point[0] + 1}."
        return ""

    @staticmethod
    def _patterns(file: PyFile) -> Iterator[tuple[ts.Node, str, int]]:
        for call in file.calls:
            if regex_call(file, call) in _MATCHING:
                regex = regex_of_call(file, call)
                if regex is not None and regex.node.type in ("string", "concatenated_string", "binary_operator"):
                    yield regex.node, regex.text, regex.flags
        for assign in file.nodes_of_type("assignment"):
            left, right = assign.child_by_field_name("left"), assign.child_by_field_name("right")
            if left is None or right is None or left.type not in ("identifier", "attribute"):
                continue
            name = file.text_of(left if left.type == "identifier" else left.child_by_field_name("attribute"))
            if not _PATTERN_NAME.search(name) or right.type not in ("string", "concatenated_string", "tuple",
                                                                     "list"):
                continue
            literals = [right] if right.type in ("string", "concatenated_string") else \
                [c for c in right.named_children if c.type in ("string", "concatenated_string")]
            for literal in literals:
                for text in constant_strings(file, literal):
                    yield literal, text, 0


def _lookalike(dot) -> str:
    """`api.example.com` with its first unescaped dot replaced: `api-example.com`."""
    written, intended = dot.domain, dot.intended
    position = 0
    for index, char in enumerate(written):
        if char == "." and (index == 0 or written[index - 1] != "\\"):
            position = len(written[:index].replace("\\.", "."))
            break
    return intended[:position] + "-" + intended[position + 1:] if position else intended.replace(".", "-", 1)


_TLDS = frozenset({
    "com", "org", "net", "io", "gov", "edu", "mil", "biz", "cloud", "internal", "local", "localdomain", "corp",
    "uk", "de", "fr", "jp", "cn", "ru", "eu", "nl", "ch", "au", "ca", "br", "se", "pl", "es", "kr", "tw", "nz",
})
_LABEL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_")


@dataclass(frozen=True)
class _UnescapedDot:
    domain: str  # the host name as the pattern spells it, dots shown as written ("api.example\\.com")
    intended: str  # what it was meant to match ("api.example.com")


def _unescaped_domain_dots(parsed: object) -> list[_UnescapedDot]:
    """Host names in a pattern whose label separator is an unescaped `.` (any character)."""
    found: list[_UnescapedDot] = []
    for sequence in _sequences(parsed):
        tokens: list[tuple[str, str]] = []
        for op, av in sequence:
            if op is sre.LITERAL and chr(av).lower() in _LABEL_CHARS:
                if tokens and tokens[-1][0] == "L":
                    tokens[-1] = ("L", tokens[-1][1] + chr(av))
                else:
                    tokens.append(("L", chr(av)))
            elif op is sre.ANY:
                tokens.append(("A", "."))
            elif op is sre.LITERAL and chr(av) == ".":
                tokens.append(("D", "\\."))
            elif op is sre.LITERAL and chr(av) == "(":
                tokens.append(("P", ""))
            else:
                tokens.append(("X", ""))
        found.extend(_domains_in(tokens))
    return found


def _domains_in(tokens: list[tuple[str, str]]) -> Iterator[_UnescapedDot]:
    index = 0
    while index < len(tokens):
        if tokens[index][0] not in "LAD":
            index += 1
            continue
        end = index
        while end < len(tokens) and tokens[end][0] in "LAD":
            end += 1
        run = tokens[index:end]
        follower = tokens[end][0] if end < len(tokens) else ""
        start, index = index, end
        if follower == "P" or run[-1][0] != "L" or run[-1][1].lower() not in _TLDS:
            continue
        labels = [t for t in run if t[0] == "L"]
        preceded = start > 0 and tokens[start - 1][0] == "X"  # `\\w+.example\\.com`: a label pattern before
        if len(labels) < 2 or not any(run[i][0] == "A" and i < len(run) - 1 and run[i + 1][0] == "L"
                                      and ((i > 0 and run[i - 1][0] == "L") or (i == 0 and preceded))
                                      for i in range(len(run))):
            continue
        if any(len(t[1]) < 2 for t in labels[:-1]) or labels[-2][1].isdigit():
            continue  # `a.com`-like fragments and version or address numbers are not host names
        written = "".join(t[1] for t in run).lstrip(".\\")
        intended = "".join("." if t[0] != "L" else t[1] for t in run).lstrip(".")
        yield _UnescapedDot(written, intended)


def _sequences(parsed: object) -> Iterator[list]:
    """Every flat item sequence of a pattern: the top level, each branch and each group body."""
    items = pattern_items(parsed)
    if not items:
        return
    yield items
    for op, av in items:
        if op is sre.BRANCH:
            for branch in av[1]:
                yield from _sequences(branch)
        elif op is sre.SUBPATTERN:
            yield from _sequences(av[-1])
        elif op in REPEATS:
            yield from _sequences(av[2])
        elif op in (sre.ASSERT, sre.ASSERT_NOT):
            yield from _sequences(av[1])
