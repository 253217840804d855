"""Check every claim of the model against the code before anyone sees it.

A claim the model makes becomes a finding only if all of these hold:
- its line is one of the lines it was asked to review;
- its quoted evidence occurs verbatim (whitespace aside) within
  EVIDENCE_DISTANCE lines of that line; the finding is placed where the
  evidence really is, which also corrects slightly wrong line numbers;
- its CWE id is a weakness in our CWE table; the pillar comes from that
  table, never from the model;
- it does not repeat a static finding (same lines, same CWE or one of the
  same family below): then the static finding is marked confirmed (origin
  both) instead.

Static findings are authoritative.  The model's verdicts on them become
annotations; nothing it says can remove, hide or downgrade one.  Every
claim that fails a check is dropped and counted by reason.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from secreview import cwe
from secreview.engine import EXCERPT_CONTEXT
from secreview.llm.chunking import Chunk
from secreview.llm.client import MalformedReply
from secreview.llm.redact import REDACTED
from secreview.model import (
    LLM_RULE_ID, Confidence, Evidence, ExcerptLine, Finding, Location, Origin, Severity,
)

EVIDENCE_DISTANCE = 3
MIN_EVIDENCE_CHARS = 4
MAX_CLAIMS_PER_CHUNK = 25  # a reply listing more is noise or an attack; the rest are dropped
MAX_TITLE = 200
MAX_TEXT = 2000

DROP_MALFORMED = "malformed"
DROP_LINE = "line-not-reviewed"
DROP_EVIDENCE = "evidence-not-found"
DROP_CWE = "unknown-cwe"
DROP_DUPLICATE = "duplicate"
DROP_UNKNOWN_STATIC = "unknown-static-finding"
DROP_OVER_LIMIT = "over-limit"

# CWE ids that reviewers use interchangeably for one defect.  A claim in the same family as
# a static finding on the same lines repeats it.  A shared pillar is not enough: CWE-664
# alone covers a file-handle leak and a temporary-file race on the same line.  (Our CWE
# table maps ids to pillars only, without the ChildOf links in between.)
SAME_DEFECT_FAMILIES: tuple[frozenset[int], ...] = tuple(frozenset(family) for family in (
    {77, 78, 88},  # OS command injection
    {89, 564, 943},  # SQL and other query injection
    {94, 95, 96},  # code injection, eval
    {79, 80, 83, 116},  # cross-site scripting, output encoding
    {22, 23, 36, 73},  # path traversal
    {90},  # LDAP injection
    {643},  # XPath injection
    {259, 321, 798, 547},  # hard-coded passwords, keys, credentials
    {326, 327, 328, 916, 759, 760},  # weak cryptography and password hashing
    {295, 297},  # certificate and host-name validation
    {330, 331, 338},  # predictable randomness
    {377, 378, 379},  # insecure temporary files
    {502},  # deserialisation of untrusted data
    {611, 776, 827},  # XML entities
    {390, 396, 397, 703, 754, 755},  # swallowed or mishandled exceptions
    {11, 215, 489},  # debug code and debug mode
    {276, 281, 732},  # permissions
))

_NUMBER_PREFIX = re.compile(r"^\s*\d+\s*[|:]\s?")
# Terminal escapes, control characters, bidirectional overrides and lone surrogates (unencodable).
_CONTROL = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_LINE_NUMBER = re.compile(r"\s*([0-9]{1,9})\s*")  # ASCII digits only: "²" is a digit to str.isdigit()
_CWE_ID = re.compile(r"^\s*(?:CWE[-_ ]?)?(\d{1,5})\s*$", re.I)


@dataclass(frozen=True)
class Claim:
    """A defect as the model states it, before verification."""

    line: int
    cwe: int | None
    evidence: str
    title: str
    description: str
    solution: str
    severity: Severity


@dataclass(frozen=True)
class StaticVerdict:
    id: str
    verdict: str
    reason: str


@dataclass(frozen=True)
class ParsedReply:
    claims: tuple[Claim, ...]
    verdicts: tuple[StaticVerdict, ...]
    malformed: int  # items that did not have the required shape


@dataclass(frozen=True)
class FileView:
    """A file as reviewed: original lines (for reports) and the redacted lines the model saw."""

    path: str
    original: tuple[str, ...]
    sent: tuple[str, ...]


@dataclass(frozen=True)
class Annotation:
    target: tuple[str, Location]  # the static finding's (rule id, location)
    text: str
    confirms: bool


@dataclass(frozen=True)
class ChunkOutcome:
    added: tuple[Finding, ...]
    annotations: tuple[Annotation, ...]
    dropped: tuple[str, ...]  # one reason per dropped claim


def static_key(finding: Finding) -> tuple[str, Location]:
    return finding.rule_id, finding.location


# --------------------------------------------------------------------------
# Reply shape
# --------------------------------------------------------------------------


def parse_reply(data: Mapping[str, object]) -> ParsedReply:
    findings = data.get("findings")
    verdict_items = data.get("static_findings", [])
    if not isinstance(findings, list) or not isinstance(verdict_items, list):
        raise MalformedReply("reply lacks the 'findings' and 'static_findings' lists")
    claims = [_claim(item) for item in findings]
    verdicts = [_verdict(item) for item in verdict_items]
    good_claims = tuple(c for c in claims if c is not None)
    good_verdicts = tuple(v for v in verdicts if v is not None)
    malformed = len(claims) - len(good_claims) + len(verdicts) - len(good_verdicts)
    return ParsedReply(good_claims, good_verdicts, malformed)


def _claim(item: object) -> Claim | None:
    if not isinstance(item, dict):
        return None
    line = _integer(item.get("line"))
    evidence, description, solution = (item.get(k) for k in ("evidence", "description", "solution"))
    if line is None or not all(isinstance(v, str) and v.strip() for v in (evidence, description, solution)):
        return None
    title = item.get("title") if isinstance(item.get("title"), str) else ""
    try:
        severity = Severity.parse(str(item.get("severity", "medium")))
    except ValueError:
        severity = Severity.MEDIUM
    return Claim(line, _cwe_id(item.get("cwe")), evidence, _clean(title, MAX_TITLE),
                 _clean(description, MAX_TEXT), _clean(solution, MAX_TEXT), severity)


def _verdict(item: object) -> StaticVerdict | None:
    if not isinstance(item, dict):
        return None
    static_id, verdict, reason = item.get("id"), item.get("verdict"), item.get("reason", "")
    if not isinstance(static_id, str) or verdict not in ("confirmed", "likely_false_positive", "uncertain"):
        return None
    return StaticVerdict(static_id.strip(), verdict, _clean(reason if isinstance(reason, str) else "", MAX_TEXT))


def _integer(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    match = _LINE_NUMBER.fullmatch(value) if isinstance(value, str) else None
    return int(match.group(1)) if match else None


def _cwe_id(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    match = _CWE_ID.match(value) if isinstance(value, str) else None
    return int(match.group(1)) if match else None


def _clean(text: str, limit: int) -> str:
    """Model text made safe to print: no control characters or terminal escapes, bounded."""
    text = _CONTROL.sub("", text.replace("\r\n", "\n")).strip()
    return text if len(text) <= limit else text[:limit - 3] + "..."


# --------------------------------------------------------------------------
# Verification
# --------------------------------------------------------------------------


def verify_chunk(reply: ParsedReply, chunk: Chunk, view: FileView,
                 statics_in_chunk: Mapping[str, Finding], statics_in_file: Sequence[Finding]) -> ChunkOutcome:
    """Turn one reply into kept findings, annotations on static findings and dropped reasons."""
    dropped = [DROP_MALFORMED] * reply.malformed
    claims = reply.claims[:MAX_CLAIMS_PER_CHUNK]
    dropped += [DROP_OVER_LIMIT] * (len(reply.claims) - len(claims))
    added: list[Finding] = []
    annotations: list[Annotation] = []
    for claim in claims:
        outcome = _check_claim(claim, chunk, view, statics_in_file)
        if isinstance(outcome, str):
            dropped.append(outcome)
        elif isinstance(outcome, Annotation):
            annotations.append(outcome)
        else:
            added.append(outcome)
    for verdict in reply.verdicts:
        target = statics_in_chunk.get(verdict.id)
        if target is None:
            dropped.append(DROP_UNKNOWN_STATIC)
        elif verdict.verdict != "uncertain":
            annotations.append(_verdict_annotation(verdict, target))
    return ChunkOutcome(tuple(added), tuple(annotations), tuple(dropped))


def _check_claim(claim: Claim, chunk: Chunk, view: FileView,
                 statics: Sequence[Finding]) -> Finding | Annotation | str:
    if claim.cwe is None or not cwe.is_known(claim.cwe):
        return DROP_CWE
    if claim.line not in chunk.lines:
        return DROP_LINE
    span = locate_evidence(claim.evidence, claim.line, view.sent, frozenset(chunk.lines))
    if span is None:
        return DROP_EVIDENCE
    same = _matching_static(claim.cwe, span, view.path, statics)
    if same is not None:
        title = claim.title or cwe.lookup(claim.cwe).name
        return Annotation(static_key(same), f"Confirmed by the model reviewer: {title}", confirms=True)
    return _finding(claim, span, view)


def _squash(text: str) -> str:
    return " ".join(text.split())


def _evidence_lines(evidence: str) -> list[str]:
    """The quoted code, line by line, without line-number prefixes the model may have copied."""
    lines = []
    for raw in evidence.split("\n"):
        stripped = _NUMBER_PREFIX.sub("", raw, count=1) if _NUMBER_PREFIX.match(raw) else raw
        if _squash(stripped):
            lines.append(_squash(stripped))
    return lines


def _substantial(lines: Sequence[str]) -> bool:
    """Enough real code to identify a place: not a bracket, not only a redaction marker."""
    text = " ".join(lines).replace(REDACTED, "")
    return len(text.replace(" ", "")) >= MIN_EVIDENCE_CHARS and any(c.isalnum() for c in text)


def locate_evidence(evidence: str, line: int, sent: Sequence[str], allowed: frozenset[int]) -> tuple[int, int] | None:
    """(first, last) lines where the evidence occurs, nearest to `line` within EVIDENCE_DISTANCE."""
    wanted = _evidence_lines(evidence)
    if not wanted or not _substantial(wanted):
        return None
    needle = " ".join(wanted)
    height = len(wanted)
    for start in _nearest_first(line, len(sent)):
        end = start + height - 1
        if not all(number in allowed for number in range(start, end + 1)) or end > len(sent):
            continue
        window = " ".join(_squash(sent[number - 1]) for number in range(start, end + 1))
        if needle in window:
            return start, end
    return None


def _nearest_first(line: int, total: int) -> list[int]:
    offsets = sorted(range(-EVIDENCE_DISTANCE, EVIDENCE_DISTANCE + 1), key=lambda d: (abs(d), d))
    return [line + d for d in offsets if 1 <= line + d <= total]


def same_defect(first: int, second: int) -> bool:
    return first == second or any(first in family and second in family for family in SAME_DEFECT_FAMILIES)


def _matching_static(claim_cwe: int, span: tuple[int, int], path: str,
                     statics: Sequence[Finding]) -> Finding | None:
    """A static finding on the same lines about the same weakness (same CWE first, then its family)."""
    overlapping = [f for f in statics if f.location.path == path
                   and f.location.start_line <= span[1] and span[0] <= f.location.end_line]
    same_cwe = [f for f in overlapping if f.cwe == claim_cwe]
    same_family = [f for f in overlapping if same_defect(f.cwe, claim_cwe)]
    return (same_cwe or same_family or [None])[0]


def _verdict_annotation(verdict: StaticVerdict, target: Finding) -> Annotation:
    if verdict.verdict == "confirmed":
        text = f"Confirmed by the model reviewer: {verdict.reason or 'no reason given'}"
        return Annotation(static_key(target), text, confirms=True)
    text = f"Likely false positive according to the model reviewer: {verdict.reason or 'no reason given'}"
    return Annotation(static_key(target), text, confirms=False)


def _finding(claim: Claim, span: tuple[int, int], view: FileView) -> Finding:
    first, last = span
    original = view.original
    start_text = original[first - 1]
    end_text = original[last - 1]
    start_column = len(start_text) - len(start_text.lstrip()) + 1
    location = Location(view.path, first, start_column, last, len(end_text) + 1)
    return Finding(
        rule_id=LLM_RULE_ID,
        cwe=claim.cwe,
        severity=claim.severity,
        confidence=Confidence.MEDIUM,
        location=location,
        message=claim.title or cwe.lookup(claim.cwe).name,
        description=claim.description,
        solution=claim.solution,
        origin=Origin.LLM,
        evidence=Evidence.REVIEWER,
        excerpt=_excerpt(original, first, last),
        fingerprint=_fingerprint(claim.cwe, view.path, original[first - 1:last]),
    )


def _excerpt(lines: Sequence[str], first: int, last: int) -> tuple[ExcerptLine, ...]:
    low = max(1, first - EXCERPT_CONTEXT)
    high = min(len(lines), last + EXCERPT_CONTEXT)
    return tuple(ExcerptLine(n, lines[n - 1], first <= n <= last) for n in range(low, high + 1))


def _fingerprint(cwe_id: int, path: str, flagged: Sequence[str]) -> str:
    # Like the engine's: survives line shifts and whitespace edits of unrelated code.
    basis = "\0".join((LLM_RULE_ID, str(cwe_id), path, " ".join(_squash(line) for line in flagged)))
    return hashlib.sha256(basis.encode()).hexdigest()[:32]
