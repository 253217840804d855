"""Unit tests for the scoring part of scripts/bench_owasp_python.py.

The answer key used here is synthetic and tiny; no benchmark file is needed.
"""

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "bench_owasp_python.py"


def _load_script():
    spec = importlib.util.spec_from_file_location("bench_owasp_python", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up by name
    spec.loader.exec_module(module)
    return module


bench = _load_script()

KEY = """\
# test name, category, real vulnerability, cwe, synthetic
Case001,alpha,true,78
Case002,alpha,true,78
Case003,alpha,false,78
Case004,alpha,false,78
Case005,beta,true,89
Case006,beta,false,89
"""


@pytest.fixture
def cases():
    return bench.parse_answer_key(KEY.splitlines(keepends=True))


def by_category(card):
    return {c.category: c for c in card.categories}


def test_parse_answer_key_skips_comments_and_reads_fields(cases):
    assert len(cases) == 6
    first = cases[0]
    assert (first.name, first.category, first.real, first.cwe) == (
        "Case001",
        "alpha",
        True,
        78,
    )
    assert cases[2].real is False
    assert cases[-1].cwe == 89


def test_parse_answer_key_tolerates_blank_lines_and_spaces():
    rows = bench.parse_answer_key(["\n", " Case9 , gamma , TRUE , 22\n"])
    assert [(r.name, r.category, r.real, r.cwe) for r in rows] == [
        ("Case9", "gamma", True, 22)
    ]


def test_no_findings_scores_zero(cases):
    card = bench.score(cases, {})
    assert card.score == 0.0
    assert card.precision == 0.0
    alpha = by_category(card)["alpha"]
    assert (alpha.real, alpha.fake, alpha.fn, alpha.tn) == (2, 2, 2, 2)


def test_rates_per_category_and_overall(cases):
    flagged = {"Case001": {78}, "Case003": {78}, "Case005": {89}}
    card = bench.score(cases, flagged)
    alpha, beta = by_category(card)["alpha"], by_category(card)["beta"]
    assert (alpha.tp, alpha.fn, alpha.fp, alpha.tn) == (1, 1, 1, 1)
    assert alpha.tpr == pytest.approx(0.5)
    assert alpha.fpr == pytest.approx(0.5)
    assert alpha.score == pytest.approx(0.0)
    assert (beta.tp, beta.fp) == (1, 0)
    assert beta.score == pytest.approx(1.0)
    # Overall: mean TPR (0.5 + 1.0) / 2 minus mean FPR (0.5 + 0.0) / 2.
    assert card.mean_tpr == pytest.approx(0.75)
    assert card.mean_fpr == pytest.approx(0.25)
    assert card.score == pytest.approx(0.5)
    assert card.precision == pytest.approx(2 / 3)


def test_finding_with_another_cwe_does_not_count(cases):
    flagged = {"Case001": {89, 22}, "Case006": {78}}
    card = bench.score(cases, flagged)
    assert all(c.tp == 0 and c.fp == 0 for c in card.categories)
    assert card.score == 0.0


def test_flags_for_unknown_tests_are_ignored(cases):
    card = bench.score(cases, {"NotInKey": {78}})
    assert sum(c.tp + c.fp for c in card.categories) == 0


def test_categories_are_sorted_and_keep_cwe(cases):
    card = bench.score(cases, {})
    assert [(c.category, c.cwe) for c in card.categories] == [
        ("alpha", 78),
        ("beta", 89),
    ]


def test_secreview_report_is_matched_by_file_stem():
    report = {
        "schema_version": "1",
        "findings": [
            {
                "rule_id": "r1",
                "cwe": {"id": 78, "name": "x"},
                "location": {"path": "/tmp/somewhere/Case001.py", "start_line": 3},
            },
            {
                "rule_id": "r2",
                "cwe": {"id": 89, "name": "y"},
                "location": {"path": "rel/Case001.py", "start_line": 9},
            },
            {"rule_id": "r3", "cwe": None, "location": {"path": "Case002.py"}},
        ],
        "errors": [],
    }
    assert bench.secreview_flags(report) == {"Case001": {78, 89}}


def test_bandit_and_ruff_reports_become_cwe_sets():
    bandit = {"results": [{"filename": "testcode/Case005.py", "issue_cwe": {"id": 89}}]}
    assert bench.bandit_flags(bandit) == {"Case005": {89}}
    ruff = [
        {"filename": "/x/Case001.py", "code": "S605"},
        {"filename": "/x/Case002.py", "code": "invalid-syntax"},
        {"filename": "/x/Case003.py", "code": None},
    ]
    assert bench.ruff_flags(ruff) == {"Case001": {78}}


def test_chunk_paths_keeps_order_and_honours_min_chunks():
    paths = [Path(f"/t/Case{i:03}.py") for i in range(10)]
    chunks = bench.chunk_paths(paths, 3)
    assert len(chunks) == 3
    assert [p for chunk in chunks for p in chunk] == paths
    assert bench.chunk_paths(paths) == [paths]
