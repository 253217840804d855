"""How C/C++ rules turn the dataflow analysis's answers into findings.

The answers themselves (`provenance`, `input_origin`) come from the semantic
layer, `secreview.lang.c_family.dataflow`.  `TaintJudged` lets dataflow judge
each hit of a rule.  The analysis is shared by all rules of a file; when it
stops at its step budget, the rules still use what it saw, and
`report_incomplete` makes the engine list the file as incomplete.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import ClassVar

from secreview import taint
from secreview.lang.c_family.dataflow import input_origin, provenance
from secreview.lang.c_family.file import CFile
from secreview.model import Confidence, Evidence
from secreview.rules import AnalysisLimitExceeded, Hit, shorten
from secreview.rules._dataflow import source_note, trace_of

__all__ = ["TaintJudged", "input_origin", "provenance", "report_incomplete"]


def report_incomplete(file: CFile, hits: Iterator[Hit]) -> Iterator[Hit]:
    """The hits, then a limit error if the file's dataflow analysis (if one ran) stopped early."""
    yield from hits
    analysis = taint.cached_analysis(file)
    if analysis is not None and analysis.incomplete:
        raise AnalysisLimitExceeded(analysis.incomplete)


class TaintJudged:
    """Mixin (list it before the rule's base class): dataflow judges each hit's data (`Hit.data`).

    Data from a source (network, console, environment, command line, files) makes the hit high
    confidence with the path it took; data of unknown origin (parameters, results of functions not
    in this file) keeps the rule's confidence; data built only from constants of this file, or
    passed through a conversion that leaves nothing of `vulnerability` in it, drops the hit.
    """
    hit_evidence = frozenset({Evidence.DATAFLOW})

    vulnerability: ClassVar[str]

    def review(self, file: CFile) -> Iterator[Hit]:
        hits = [self.judge(file, hit) for hit in self.check(file)]  # type: ignore[attr-defined]
        return report_incomplete(file, iter([hit for hit in hits if hit is not None]))

    def judge(self, file: CFile, hit: Hit) -> Hit | None:
        if hit.data is None:
            return hit
        verdict = provenance(file, hit.data, self.vulnerability)
        if verdict.kind == "none":
            return None
        if verdict.kind not in ("source", "local"):
            return hit
        sink = f"`{shorten(file.text_of(hit.node), 60)}`"
        confidence = Confidence.HIGH if verdict.kind == "source" else hit.confidence or self.confidence  # type: ignore[attr-defined]
        return replace(hit, confidence=confidence, trace=trace_of(verdict) + ((hit.node, "reaches the sink"),),
                       note=source_note(file, verdict, sink),
                       evidence=Evidence.DATAFLOW if verdict.kind == "source" else hit.evidence)
