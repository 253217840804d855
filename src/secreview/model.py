"""The data secreview produces: one frozen Finding model and its parts.

Everything here is immutable and free of I/O; reporters serialise these
objects, nothing else does.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from secreview import cwe


class _Ordered(enum.Enum):
    """An enum whose members compare by declaration order."""

    @property
    def rank(self) -> int:
        return list(type(self)).index(self)

    def __lt__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.rank <= other.rank

    @classmethod
    def parse(cls, text: str):
        try:
            return cls[text.strip().upper()]
        except KeyError:
            choices = ", ".join(m.value for m in cls)
            raise ValueError(f"unknown {cls.__name__.lower()} {text!r} (choose from {choices})") from None


class Severity(_Ordered):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class Confidence(_Ordered):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Origin(enum.Enum):
    PATTERN = "pattern"
    TAINT = "taint"
    LLM = "llm"
    BOTH = "both"


@dataclass(frozen=True, order=True)
class Location:
    """A span in a file; lines and columns are 1-based, columns count characters."""

    path: str
    start_line: int
    start_column: int = 1
    end_line: int = 0
    end_column: int = 0

    def __post_init__(self) -> None:
        if self.end_line < self.start_line:
            object.__setattr__(self, "end_line", self.start_line)


@dataclass(frozen=True)
class TraceStep:
    """One step of a dataflow trace (source -> steps -> sink)."""

    location: Location
    note: str


@dataclass(frozen=True)
class Edit:
    """Replace the text of `location` by `replacement`."""

    location: Location
    replacement: str


@dataclass(frozen=True)
class Fix:
    description: str
    edits: tuple[Edit, ...]
    safe: bool = False


@dataclass(frozen=True)
class ExcerptLine:
    number: int
    text: str
    flagged: bool


# What a review shows: "default" only findings with evidence, "audit" every finding.
PROFILES = ("default", "audit")
AUDIT_PROFILE = "audit"


class Evidence(enum.Enum):
    """Why a finding is shown by default (DESIGN.md, "Evidence and profiles"); without one it is an audit finding."""

    DATAFLOW = "dataflow"    # a dataflow trace from attacker-controlled (remote) input reaches the defect
    DEFINITE = "definite"    # an insecure use with no safe reading (verification off, an unsafe loader, gets())
    MEASURED = "measured"    # the rule's precision on real code, judged in the ledger (bench/triage/), earns it
    REVIEWER = "reviewer"    # a claim of the LLM reviewer the user asked for (--llm), verified against the code


class HiddenBecause(enum.Enum):
    """Why a finding is kept in the machine-readable reports but not shown or counted as a defect."""

    INLINE = "inline"                    # `# secreview: ignore[rule-id] reason` on its line
    FOREIGN = "foreign"                  # `# nosec`, `# noqa: S...`, `# nosemgrep` (--honor-foreign-suppressions)
    PER_PATH = "per-path-ignore"         # per-path-ignores in the configuration
    BASELINE = "baseline"                # accepted earlier (--baseline FILE)
    TEST_CODE = "test-code"              # in test code (--include-tests shows it)
    AUDIT = "audit-profile"              # no evidence: a hardening or code-quality check (--profile audit shows it)
    FILTER = "filter"                    # below --min-severity / --min-confidence

    @property
    def in_source(self) -> bool:
        """SARIF distinguishes suppressions written in the code from those kept elsewhere."""
        return self in (HiddenBecause.INLINE, HiddenBecause.FOREIGN)


@dataclass(frozen=True)
class Suppression:
    """Why a finding is hidden, and the justification a reviewer reads (the comment's reason, the file...)."""

    because: HiddenBecause
    justification: str


@dataclass(frozen=True)
class Finding:
    rule_id: str
    cwe: int
    severity: Severity
    confidence: Confidence
    location: Location
    message: str
    description: str
    solution: str
    origin: Origin = Origin.PATTERN
    trace: tuple[TraceStep, ...] = ()
    fix: Fix | None = None
    excerpt: tuple[ExcerptLine, ...] = ()
    fingerprint: str = ""
    # Notes the optional model reviewer attached (it may comment on a finding, never remove one).
    annotations: tuple[str, ...] = ()
    # Set when the finding is hidden (suppressed, baselined, in test code, filtered): kept, marked, not counted.
    suppression: Suppression | None = None
    # Why it is shown by the default profile; None: only the audit profile shows it.
    evidence: Evidence | None = None
    pillar: int = field(init=False)

    def __post_init__(self) -> None:
        # The pillar is never typed by hand: it comes from the CWE hierarchy.
        object.__setattr__(self, "pillar", cwe.lookup(self.cwe).pillar)

    @property
    def cwe_name(self) -> str:
        return cwe.lookup(self.cwe).name

    @property
    def pillar_name(self) -> str:
        return cwe.PILLARS[self.pillar]

    @property
    def sort_key(self) -> tuple:
        loc = self.location
        return (loc.path, loc.start_line, loc.start_column, self.rule_id, loc.end_line, loc.end_column)


class ProblemKind(enum.Enum):
    """Why a file was not (fully) analysed."""

    UNREADABLE = "unreadable"
    BINARY = "binary"
    TOO_LARGE = "too-large"
    UNDECODABLE = "undecodable"
    UNSUPPORTED_LANGUAGE = "unsupported-language"
    NOT_FOUND = "not-found"
    PARSE_ERRORS = "parse-errors"
    INTERNAL_ERROR = "internal-error"
    LIMIT_EXCEEDED = "limit-exceeded"


# Kinds after which the file was still analysed (partially); all others mean
# the file was not analysed at all and the run is incomplete.
PARTIAL_KINDS = frozenset({ProblemKind.PARSE_ERRORS})


@dataclass(frozen=True, order=True)
class FileProblem:
    """A file secreview could not analyse, or analysed only in part."""

    path: str
    kind: ProblemKind = field(compare=False)
    detail: str = field(compare=False)

    @property
    def incomplete(self) -> bool:
        """True when findings may be missing because of this problem."""
        return self.kind not in PARTIAL_KINDS


# Rule id of findings that only the model reviewer reported (and secreview verified).
LLM_RULE_ID = "llm-review"


@dataclass(frozen=True)
class Analysis:
    """Everything the analyses found, before triage decides what is shown (see triage.py).

    Findings may carry a `suppression` already: inline suppression comments are read where the
    file is parsed.  Nothing here is filtered.
    """

    findings: tuple[Finding, ...]
    problems: tuple[FileProblem, ...] = ()
    files_analysed: int = 0
    test_files: frozenset[str] = frozenset()  # paths of the inputs that are test code (their findings are hidden without --include-tests)
    test_files_not_reviewed: int = 0  # test files left out (reviewed only with --include-tests)
    unused_suppressions: tuple[str, ...] = ()
    llm: LlmSummary | None = None


@dataclass(frozen=True)
class LlmSummary:
    """What the optional model reviewer did in a run (see `secreview.llm`)."""

    protocol: str
    model: str
    prompt_version: str
    endpoint: str | None = None  # named only when code left this machine (non-loopback host)
    chunks: int = 0
    chunks_reviewed: int = 0
    calls: int = 0
    cache_hits: int = 0
    redactions: int = 0
    added: int = 0
    confirmed: int = 0
    annotated: int = 0
    dropped: tuple[tuple[str, int], ...] = ()  # (reason, count), sorted by reason
    incomplete_reason: str | None = None

    @property
    def dropped_total(self) -> int:
        return sum(count for _, count in self.dropped)

    @property
    def incomplete(self) -> bool:
        return self.incomplete_reason is not None


@dataclass(frozen=True)
class Report:
    """The result of one run: what every reporter renders."""

    findings: tuple[Finding, ...]
    problems: tuple[FileProblem, ...] = ()
    files_analysed: int = 0
    hidden_by_filters: int = 0
    llm: LlmSummary | None = None
    # Findings kept but not shown, each with its `suppression`; sorted like `findings`.
    suppressed: tuple[Finding, ...] = ()
    # Findings outside the reviewed change (--diff): counted, not kept.
    out_of_scope: int = 0
    # Suppression comments that covered no finding ("path:line: ..."), for --report-unused-suppressions.
    unused_suppressions: tuple[str, ...] = ()
    test_files_not_reviewed: int = 0  # test files left out (reviewed only with --include-tests)

    def hidden_counts(self) -> dict[HiddenBecause, int]:
        """How many findings each reason hid, in the order of `HiddenBecause`."""
        counts = {because: 0 for because in HiddenBecause}
        for finding in self.suppressed:
            if finding.suppression is not None:
                counts[finding.suppression.because] += 1
        return {because: count for because, count in counts.items() if count}

    @property
    def incomplete(self) -> bool:
        llm_incomplete = self.llm is not None and self.llm.incomplete
        return llm_incomplete or any(p.incomplete for p in self.problems)
