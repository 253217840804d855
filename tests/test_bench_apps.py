"""Unit tests for the scoring part of scripts/bench_apps.py.

The ground truth and the findings are synthetic and tiny; no tool is run and
no app checkout is needed.
"""

import importlib.util
import json
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "bench_apps.py"


def _load_script():
    spec = importlib.util.spec_from_file_location("bench_apps", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up by name
    spec.loader.exec_module(module)
    return module


bench = _load_script()

TRUTH = {
    "app": "Tiny",
    "repository": "someone/tiny",
    "commit": "0" * 40,
    "root": "app",
    "scope": ["views.py", "templates"],
    "items": [
        {"id": "tiny-sqli", "kind": "vulnerable", "file": "views.py", "lines": [10, 11],
         "cwes": [89], "why": "formatted SQL"},
        {"id": "tiny-xss", "kind": "vulnerable", "file": "templates/page.html", "lines": [5, 5],
         "cwes": [79, 80], "why": "|safe"},
        {"id": "tiny-cmdi", "kind": "vulnerable", "file": "views.py", "lines": [40, 40],
         "cwes": [78], "why": "shell=True"},
        {"id": "tiny-sqli-trap", "kind": "safe", "file": "views.py", "lines": [30, 30],
         "cwes": [89], "why": "bound parameter"},
    ],
}


@pytest.fixture
def truth():
    return bench.parse_ground_truth(TRUTH, "tiny")


def F(file, start, cwe, end=None, tool="fake"):
    cwes = () if cwe is None else (cwe,) if isinstance(cwe, int) else tuple(cwe)
    return bench.Finding(tool, file, start, end if end is not None else start, cwes)


def test_parse_ground_truth(truth):
    assert truth.checkout_name == "tiny"
    assert [i.id for i in truth.vulnerable_items()] == ["tiny-sqli", "tiny-xss", "tiny-cmdi"]
    assert truth.items[0].cwes == frozenset({89})
    assert (truth.items[0].first, truth.items[0].last) == (10, 11)


def test_exact_match_finds_item(truth):
    match = bench.match_findings(truth, [F("views.py", 10, 89)])
    assert match.score.found == 1 and match.score.true_findings == 1
    assert list(match.hits) == ["tiny-sqli"]


def test_window_edges(truth):
    # item lines 10-11, window 2 -> 8..13 inclusive
    inside = [F("views.py", 8, 89), F("views.py", 13, 89), F("views.py", 2, 89, end=8)]
    outside = [F("views.py", 7, 89), F("views.py", 14, 89)]
    match = bench.match_findings(truth, inside + outside, window=2)
    assert match.score.true_findings == 3
    assert len(match.unmatched) == 2
    assert bench.match_findings(truth, [F("views.py", 13, 89)], window=0).score.found == 0
    assert bench.match_findings(truth, [F("views.py", 12, 89)], window=1).score.found == 1


def test_cwe_must_be_listed(truth):
    match = bench.match_findings(truth, [F("views.py", 10, 78), F("templates/page.html", 5, 80)])
    assert match.score.found == 1  # the XSS item accepts 80; the SQL item does not accept 78
    assert list(match.hits) == ["tiny-xss"]
    assert [f.cwes for f in match.unmatched] == [(78,)]


def test_finding_without_cwe_matches_nothing(truth):
    match = bench.match_findings(truth, [F("views.py", 10, None)])
    assert match.score.findings == 1 and match.score.true_findings == 0 and match.unmatched


def test_finding_with_several_cwes_matches_on_any(truth):
    assert bench.match_findings(truth, [F("views.py", 10, (20, 89))]).score.found == 1


def test_same_file_required(truth):
    assert bench.match_findings(truth, [F("other.py", 10, 89)]).score.findings == 0  # out of scope
    assert bench.match_findings(truth, [F("templates/page.html", 10, 89)]).score.true_findings == 0


def test_safe_trap_is_false_positive(truth):
    match = bench.match_findings(truth, [F("views.py", 30, 89)])
    assert match.score.true_findings == 0
    assert match.score.traps_hit == 1
    assert match.score.findings == 1
    assert list(match.trap_hits) == ["tiny-sqli-trap"]
    assert match.score.precision == 0.0


def test_each_finding_counts_once_and_duplicates_are_true(truth):
    match = bench.match_findings(truth, [F("views.py", 10, 89), F("views.py", 11, 89)])
    assert match.score.found == 1
    assert match.score.true_findings == 2
    assert match.score.findings == 2
    assert len(match.hits["tiny-sqli"]) == 2


def test_one_finding_credits_one_item():
    data = json.loads(json.dumps(TRUTH))
    data["items"].append({"id": "tiny-sqli-2", "kind": "vulnerable", "file": "views.py",
                          "lines": [13, 13], "cwes": [89], "why": "second query"})
    truth = bench.parse_ground_truth(data, "tiny")
    one = bench.match_findings(truth, [F("views.py", 12, 89)])
    assert one.score.found == 1 and one.score.true_findings == 1
    two = bench.match_findings(truth, [F("views.py", 12, 89), F("views.py", 12, 89)])
    assert two.score.found == 2  # the second finding goes to the item not yet found


def test_scope_filters_findings(truth):
    match = bench.match_findings(truth, [F("tests/test_views.py", 10, 89), F("templates/page.html", 5, 79)])
    assert match.out_of_scope == 1
    assert match.score.findings == 1


def test_scores_and_f3(truth):
    findings = [F("views.py", 10, 89), F("templates/page.html", 5, 79),
                F("views.py", 30, 89), F("views.py", 99, 22)]
    score = bench.match_findings(truth, findings).score
    assert (score.items, score.found, score.findings, score.true_findings) == (3, 2, 4, 2)
    assert score.recall == pytest.approx(2 / 3)
    assert score.precision == pytest.approx(0.5)
    p, r = 0.5, 2 / 3
    assert score.f3 == pytest.approx(10 * p * r / (9 * p + r))
    assert score.per_item == pytest.approx(4 / 3)


def test_f3_formula_and_edges():
    assert bench.f_beta(1.0, 1.0) == pytest.approx(1.0)
    assert bench.f_beta(0.0, 0.0) == 0.0
    assert bench.f_beta(0.5, 0.0) == 0.0
    assert bench.f_beta(0.1, 0.9) == pytest.approx(10 * 0.1 * 0.9 / (9 * 0.1 + 0.9))
    assert bench.Score().f3 == 0.0 and bench.Score().recall == 0.0 and bench.Score().per_item == 0.0


def test_overall_pools_counts_not_means(truth):
    a = bench.AppResult(truth, matches={"t": bench.Match(bench.Score(items=1, found=1, findings=1, true_findings=1))})
    b = bench.AppResult(truth, matches={"t": bench.Match(bench.Score(items=9, found=0, findings=9, true_findings=0))})
    total = bench.overall([a, b], "t")
    assert total.recall == pytest.approx(0.1)  # a mean of the apps would be 0.5
    assert total.precision == pytest.approx(0.1)
    table = bench.format_table([a, b], ["t"])
    assert "**overall**" in table and "| 10 | 1 | 10.0 |" in table


def test_paths_are_normalised():
    report = {"findings": [{"location": {"path": "./views.py", "start_line": 3, "end_line": 4},
                            "cwe": {"id": 89}, "rule_id": "sql"}]}
    (finding,) = bench.secreview_findings(report)
    assert (finding.file, finding.start, finding.end, finding.cwes) == ("views.py", 3, 4, (89,))
    root = Path("/somewhere/app")
    report = {"results": [{"filename": "/somewhere/app/sub/x.py", "line_number": 7, "line_range": [7, 9],
                           "issue_cwe": {"id": 78}, "test_id": "B602"}]}
    (finding,) = bench.bandit_findings(report, root)
    assert (finding.file, finding.start, finding.end, finding.cwes) == ("sub/x.py", 7, 9, (78,))


def test_semgrep_cwe_strings():
    report = {"results": [
        {"path": "views.py", "start": {"line": 10}, "end": {"line": 11}, "check_id": "a",
         "extra": {"metadata": {"cwe": ["CWE-89: Improper Neutralization of ...", "CWE-20: x"]}}},
        {"path": "views.py", "start": {"line": 5}, "end": {"line": 5}, "check_id": "b",
         "extra": {"metadata": {"cwe": "CWE-79: Cross-site Scripting"}}},
        {"path": "views.py", "start": {"line": 5}, "end": {"line": 5}, "check_id": "c",
         "extra": {"metadata": {}}},
    ]}
    findings = bench.semgrep_findings(report)
    assert [f.cwes for f in findings] == [(89, 20), (79,), ()]


def test_load_ground_truth_only(tmp_path):
    (tmp_path / "tiny.json").write_text(json.dumps(TRUTH), encoding="utf-8")
    other = dict(TRUTH, app="Other")
    (tmp_path / "other.json").write_text(json.dumps(other), encoding="utf-8")
    assert [t.name for t in bench.load_ground_truth(tmp_path)] == ["other", "tiny"]
    assert [t.name for t in bench.load_ground_truth(tmp_path, ["Tiny"])] == ["tiny"]
    assert [t.name for t in bench.load_ground_truth(tmp_path, ["other"])] == ["other"]


def test_repository_ground_truth_is_well_formed():
    directory = SCRIPT.parent.parent / "bench" / "apps"
    for truth in bench.load_ground_truth(directory):
        assert truth.repository.count("/") == 1, truth.name
        assert len(truth.commit) == 40, truth.name
        ids = [item.id for item in truth.items]
        assert len(ids) == len(set(ids)), truth.name
        for item in truth.items:
            assert item.cwes and item.first >= 1, item.id
            assert bench.in_scope(item.file, truth.scope), item.id


def test_semgrep_per_checkout_runs_once_and_splits_findings_by_root(tmp_path, monkeypatch) -> None:
    checkout = tmp_path / "labs"
    for lab in ("one", "two"):
        (checkout / lab).mkdir(parents=True)
    runs = []

    def fake_run(cmd, config, root, workdir):
        runs.append(root)
        return bench.ToolRun("semgrep", [bench.Finding("semgrep", "one/app.py", 3, 3, (89,)),
                                         bench.Finding("semgrep", "two/app.py", 5, 5, (79,)),
                                         bench.Finding("semgrep", "oneother/app.py", 7, 7, (22,))])
    monkeypatch.setattr(bench, "run_semgrep", fake_run)
    runner = bench.SemgrepPerCheckout(["semgrep"], "rules", tmp_path)
    first = runner(checkout / "one", tmp_path)
    second = runner(checkout / "two", tmp_path)
    assert runs == [checkout]
    assert [(f.file, f.start) for f in first.findings] == [("app.py", 3)]
    assert [(f.file, f.start) for f in second.findings] == [("app.py", 5)]
