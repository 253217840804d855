"""Inline suppressions: comments that hide a finding and say why.

    x = eval(expr)  # secreview: ignore[eval-non-literal] expr comes from our own config file
    strcpy(dst, src);  // secreview: ignore[strcpy-unbounded-copy] src is a 7-byte constant

Where a suppression applies: on the finding's first line or its last line (the
`)` of a call spread over lines, where formatters leave trailing comments), or
alone on the line directly above the finding's first line.

- `ignore[id, other-id, prefix*]` names the rules it silences; a bare
  `secreview: ignore` silences every rule on that line.
- The text after the directive, up to the next comment on the line, is the
  reason.  A suppression without one still applies, but is itself reported by
  the rule `suppression-without-reason`, whose findings no inline comment hides.
- With --honor-foreign-suppressions, `# nosec` (optionally with Bandit ids or
  names), `# noqa: S602` (ruff's Bandit codes) and `# nosemgrep` apply too, where
  they map to our rules (see foreign_ids.py).  A bare `# noqa` is about style and
  silences nothing here.

Suppressed findings are kept, marked, in JSON and SARIF; they never make the
exit status 1.  Comments are read from the parse tree, so `# nosec` inside a
string is text, not a suppression.
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from secreview import foreign_ids
from secreview.model import Finding, HiddenBecause, Suppression
from secreview.rules import id_matches

OWN = "secreview"
REASONLESS_RULE = "suppression-without-reason"

# Cheap test on the file text before any comment is looked at.
_MARKERS = ("secreview", "nosec", "noqa", "nosemgrep")
_OWN = re.compile(r"secreview\s*:\s*ignore(?![\w-])(?:\[(?P<ids>[^\]]*)\])?", re.IGNORECASE)
_NOSEC = re.compile(r"(?<![\w-])nosec(?![\w-])", re.IGNORECASE)
_NOQA = re.compile(r"(?<![\w-])noqa\s*:\s*(?P<codes>[A-Za-z]+[0-9]+(?:[\s,]+[A-Za-z]+[0-9]+)*)", re.IGNORECASE)
_NOSEMGREP = re.compile(r"(?<![\w-])nosemgrep(?![\w-])(?:\s*:\s*(?P<ids>[\w.\-]+(?:\s*,\s*[\w.\-]+)*))?",
                        re.IGNORECASE)
_BANDIT_TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_BANDIT_ID = re.compile(r"^B\d{3}$", re.IGNORECASE)
# Where a reason ends: the next comment on the same line (a noqa, an `// expect:`) or a block comment's end.
_NEXT_COMMENT = re.compile(r"#|//|/\*|\*/")
_REASON_LEAD = " \t:-\u2013\u2014,;"


@dataclass(frozen=True)
class Directive:
    """One suppression comment, as written."""

    line: int
    tool: str                       # secreview | nosec | noqa | nosemgrep
    rules: frozenset[str] | None    # rule ids or `prefix*` patterns; None: every rule
    reason: str
    alone: bool                     # nothing but the comment on its line: it also covers the next line
    text: str                       # the directive as written, for notes and justifications
    start_byte: int = 0
    end_byte: int = 0

    def covers(self, rule_ids: Iterable[str]) -> bool:
        if self.rules is None:
            return True
        return any(id_matches(rule_id, self.rules) for rule_id in rule_ids)

    @property
    def foreign(self) -> bool:
        return self.tool != OWN


def directives(file) -> list[Directive]:
    """Every suppression comment of a parsed file (PyFile or CFile), memoised on the file."""
    def scan() -> list[Directive]:
        lowered = file.text.lower()  # plain substring tests: far cheaper than a regex over the whole file
        return _scan(file) if any(marker in lowered for marker in _MARKERS) else []
    return file.memo(("suppression-directives",), scan)


def _scan(file) -> list[Directive]:
    lines = file.text.split("\n")
    found: list[Directive] = []
    for node in file.nodes("(comment) @comment", "comment"):
        text = file.text_of(node)
        lowered = text.lower()
        if not any(marker in lowered for marker in _MARKERS):
            continue
        row, column = node.start_point
        before = lines[row].encode("utf-8")[:column].decode("utf-8", "replace") if row < len(lines) else ""
        found.extend(parse_comment(text, row + 1, alone=not before.strip(), start_byte=node.start_byte,
                                   end_byte=node.end_byte))
    return found


def parse_comment(text: str, line: int, *, alone: bool = False, start_byte: int = 0,
                  end_byte: int = 0) -> list[Directive]:
    """The directives in one comment's text (markers included); `line` is the comment's first line."""
    where = {"alone": alone, "start_byte": start_byte, "end_byte": end_byte}
    found = []
    for parse in (_own, _nosec, _noqa, _nosemgrep):
        for match, tool, rules, reason in parse(text):
            directive_line = line + text.count("\n", 0, match.start())
            found.append(Directive(directive_line, tool, rules, reason, text=_as_written(text, match, tool), **where))
    return found


def _as_written(text: str, match: re.Match, tool: str) -> str:
    """The directive for notes: ours up to its rule list, another tool's with its ids (`nosec B602`)."""
    if tool != "nosec":
        return match.group(0).strip()
    rest = _NEXT_COMMENT.split(text[match.end():], maxsplit=1)[0]
    return (match.group(0) + rest).strip().rstrip(_REASON_LEAD)


def _own(text: str):
    for match in _OWN.finditer(text):
        ids = match.group("ids")
        rules = None if ids is None else frozenset(part for part in re.split(r"[\s,]+", ids) if part)
        yield match, OWN, rules, reason_after(text, match.end())


def _nosec(text: str):
    for match in _NOSEC.finditer(text):
        rest = _NEXT_COMMENT.split(text[match.end():], maxsplit=1)[0]
        tokens = [t for t in _BANDIT_TOKEN.findall(rest) if _BANDIT_ID.match(t) or foreign_ids.bandit_rules(t)]
        rules = None if not tokens else frozenset(r for t in tokens for r in foreign_ids.bandit_rules(t))
        yield match, "nosec", rules, ""


def _noqa(text: str):
    for match in _NOQA.finditer(text):
        codes = re.split(r"[\s,]+", match.group("codes"))
        security = [code for code in codes if code.upper().startswith("S")]
        if security:  # a noqa of E501 alone is about style: not a suppression of ours
            yield match, "noqa", frozenset(r for code in security for r in foreign_ids.ruff_rules(code)), ""


def _nosemgrep(text: str):
    for match in _NOSEMGREP.finditer(text):
        ids = match.group("ids")
        # Semgrep ids are dotted paths; the last part is sometimes one of our ids (subprocess-shell-true).
        rules = None if ids is None else frozenset(i.strip().rsplit(".", 1)[-1] for i in ids.split(","))
        yield match, "nosemgrep", rules, ""


def reason_after(text: str, start: int) -> str:
    """The reason written after a directive: up to the next comment marker, without leading dashes."""
    reason = _NEXT_COMMENT.split(text[start:], maxsplit=1)[0].strip().lstrip(_REASON_LEAD).strip()
    return reason if any(c.isalnum() for c in reason) else ""


def apply(findings: Sequence[tuple[Finding, tuple[str, ...]]], found: Sequence[Directive],
          honor_foreign: bool) -> tuple[list[Finding], list[Directive]]:
    """Mark the findings a directive covers; return them and the directives that covered nothing.

    `findings` pairs each finding with the ids of rules merged into it (a family reports one
    finding per line, and a suppression naming any member covers it).
    """
    honored = [d for d in found if honor_foreign or not d.foreign]
    by_line: dict[int, list[Directive]] = defaultdict(list)
    for directive in honored:
        by_line[directive.line].append(directive)
    used: set[Directive] = set()
    out = []
    for finding, merged in findings:
        directive = None if finding.rule_id == REASONLESS_RULE else _covering(by_line, finding, merged)
        if directive is not None:
            used.add(directive)
            finding = dataclasses.replace(finding, suppression=suppression_for(directive))
        out.append(finding)
    return out, [d for d in honored if d not in used]


def _covering(by_line: dict[int, list[Directive]], finding: Finding, merged: tuple[str, ...]) -> Directive | None:
    first, last = finding.location.start_line, finding.location.end_line
    candidates = [*by_line.get(first, ()), *(by_line.get(last, ()) if last != first else ()),
                  *(d for d in by_line.get(first - 1, ()) if d.alone)]
    rule_ids = (finding.rule_id, *merged)
    return next((d for d in candidates if d.covers(rule_ids)), None)


def suppression_for(directive: Directive) -> Suppression:
    if directive.foreign:
        return Suppression(HiddenBecause.FOREIGN, f"`{directive.text}` on line {directive.line}"
                           + (f": {directive.reason}" if directive.reason else ""))
    return Suppression(HiddenBecause.INLINE, directive.reason or "(no reason given)")


def unused_note(path: str, directive: Directive, active: frozenset[str], known: frozenset[str]) -> str | None:
    """A note for a suppression that covered no finding (None when this run cannot judge it)."""
    if directive.rules is not None:
        if not directive.rules:
            return None  # a foreign id we do not map: it was never about our rules
        unknown = sorted(p for p in directive.rules if not any(id_matches(r, (p,)) for r in known))
        if unknown and not directive.foreign:
            return f"{path}:{directive.line}: `{directive.text}` names unknown rule id(s): {', '.join(unknown)}"
        if unknown or not all(any(id_matches(r, (p,)) for r in active) for p in directive.rules):
            return None  # a rule it names did not run (--select/--ignore): nothing to judge
    return f"{path}:{directive.line}: `{directive.text}` suppresses nothing: no such finding on its line"
