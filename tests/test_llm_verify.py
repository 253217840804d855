"""Every model claim is checked against the code before it is reported."""

from __future__ import annotations

import pytest

from secreview import cwe
from secreview.llm.chunking import Chunk
from secreview.llm.client import MalformedReply
from secreview.llm.verify import (
    DROP_CWE, DROP_EVIDENCE, DROP_LINE, DROP_MALFORMED, DROP_OVER_LIMIT, DROP_UNKNOWN_STATIC, MAX_CLAIMS_PER_CHUNK,
    FileView, parse_reply, static_key, verify_chunk,
)
from secreview.model import LLM_RULE_ID, Confidence, Finding, Location, Origin, Severity

CODE = '''import os
import subprocess


def handler(request):
    name = request.args["name"]
    os.system("convert " + name)
    data = open(request.args["path"]).read()
    return data
'''
LINES = tuple(CODE.split("\n")[:-1])
VIEW = FileView("app.py", LINES, LINES)
CHUNK = Chunk("app.py", "python", tuple(range(1, len(LINES) + 1)))


def line_of(snippet: str) -> int:
    return next(n for n, text in enumerate(LINES, start=1) if snippet in text)


def static_os_system() -> Finding:
    line = line_of("os.system")
    return Finding(rule_id="os-system-non-literal", cwe=78, severity=Severity.HIGH, confidence=Confidence.MEDIUM,
                   location=Location("app.py", line, 5, line, 33), message="m", description="d", solution="s")


def claim(snippet: str, cwe_id: object = 775, evidence: str | None = None, line: int | None = None, **extra) -> dict:
    return {"line": line_of(snippet) if line is None else line, "cwe": cwe_id,
            "evidence": snippet if evidence is None else evidence, "title": "Resource leak",
            "description": "The handle is never closed.", "solution": "Use a with block.",
            "severity": "medium", **extra}


def verify(*claims: dict, verdicts: list[dict] | None = None, statics: tuple[Finding, ...] = ()):
    reply = parse_reply({"findings": list(claims), "static_findings": verdicts or []})
    ids = {f"S{i}": f for i, f in enumerate(statics, start=1)}
    return verify_chunk(reply, CHUNK, VIEW, ids, statics)


def test_verified_claim_becomes_an_llm_finding_with_the_pillar_from_the_table() -> None:
    outcome = verify(claim("open(request.args", pillar=284))
    assert outcome.dropped == ()
    (finding,) = outcome.added
    assert finding.rule_id == LLM_RULE_ID and finding.origin is Origin.LLM
    assert finding.location.start_line == line_of("open(request.args")
    assert finding.cwe == 775 and finding.pillar == cwe.lookup(775).pillar == 664
    assert any(line.flagged and "open(" in line.text for line in finding.excerpt)
    assert finding.fingerprint


def test_slightly_wrong_line_is_corrected_to_where_the_evidence_is() -> None:
    true_line = line_of("open(request.args")
    outcome = verify(claim("open(request.args", line=true_line + 1))
    assert [f.location.start_line for f in outcome.added] == [true_line]


def test_evidence_further_than_three_lines_away_is_dropped() -> None:
    outcome = verify(claim("import subprocess", cwe_id=710, line=line_of("import subprocess") + 5))
    assert outcome.added == () and outcome.dropped == (DROP_EVIDENCE,)


def test_invented_evidence_is_dropped() -> None:
    outcome = verify(claim("os.system", evidence="os.system(cmd, shell=True)"))
    assert outcome.added == () and outcome.dropped == (DROP_EVIDENCE,)


@pytest.mark.parametrize("evidence", ["()", "   ", "[REDACTED]", "x"])
def test_trivial_evidence_is_not_evidence(evidence: str) -> None:
    assert verify(claim("open(request.args", evidence=evidence)).dropped in ((DROP_EVIDENCE,), (DROP_MALFORMED,))


def test_line_outside_the_file_is_dropped() -> None:
    outcome = verify(claim("open(request.args", line=len(LINES) + 40))
    assert outcome.dropped == (DROP_LINE,)


@pytest.mark.parametrize("cwe_id", [99999, "CWE-abc", None, 16])
def test_unknown_cwe_is_dropped(cwe_id: object) -> None:
    outcome = verify(claim("open(request.args", cwe_id=cwe_id))
    assert outcome.added == () and outcome.dropped == (DROP_CWE,)


def test_cwe_written_as_text_is_understood() -> None:
    assert [f.cwe for f in verify(claim("open(request.args", cwe_id="CWE-775")).added] == [775]


def test_evidence_with_copied_line_number_is_accepted() -> None:
    line = line_of("open(request.args")
    numbered = f"{line} | {LINES[line - 1].strip()}"
    assert len(verify(claim("open(request.args", evidence=numbered)).added) == 1


def test_repeat_of_a_static_finding_confirms_it_instead_of_adding_one() -> None:
    static = static_os_system()
    outcome = verify(claim("os.system", cwe_id=77), statics=(static,))
    assert outcome.added == ()
    (note,) = outcome.annotations
    assert note.target == static_key(static) and note.confirms


def test_verdicts_become_annotations_and_unknown_ids_are_dropped() -> None:
    static = static_os_system()
    outcome = verify(verdicts=[
        {"id": "S1", "verdict": "likely_false_positive", "reason": "name is validated upstream"},
        {"id": "S9", "verdict": "confirmed", "reason": "made up"},
        {"id": "S1", "verdict": "uncertain", "reason": "maybe"},
    ], statics=(static,))
    assert [(n.confirms, n.text) for n in outcome.annotations] == [
        (False, "Likely false positive according to the model reviewer: name is validated upstream")]
    assert outcome.dropped == (DROP_UNKNOWN_STATIC,)


def test_malformed_items_are_counted() -> None:
    outcome = verify({"line": "seven"}, {"cwe": 78}, "not an object", claim("open(request.args"))
    assert len(outcome.added) == 1 and outcome.dropped.count(DROP_MALFORMED) == 3


def test_a_flood_of_claims_is_capped() -> None:
    outcome = verify(*[claim("open(request.args")] * (MAX_CLAIMS_PER_CHUNK + 5))
    assert outcome.dropped.count(DROP_OVER_LIMIT) == 5


def test_model_text_is_stripped_of_terminal_escapes() -> None:
    outcome = verify(claim("open(request.args", description="leak\x1b[2J\x1b[31m here\x07"))
    assert outcome.added[0].description == "leak here"


def test_reply_without_the_lists_is_malformed() -> None:
    with pytest.raises(MalformedReply):
        parse_reply({"answer": "No security defects are detected in the code"})


def test_same_pillar_alone_is_not_a_repeat() -> None:
    static = static_os_system()
    outcome = verify(claim("os.system", cwe_id=20), statics=(static,))  # CWE-20 is in pillar 707 too
    assert len(outcome.added) == 1 and outcome.annotations == ()


def test_defect_families_use_known_cwe_ids() -> None:
    from secreview.llm.verify import SAME_DEFECT_FAMILIES
    unknown = sorted(i for family in SAME_DEFECT_FAMILIES for i in family if not cwe.is_known(i))
    assert not unknown, unknown
