"""Scoring logic of scripts/bench_juliet.py, on small synthetic test cases (no Juliet code)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "bench_juliet.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_juliet", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def test_parts_are_judged_after_the_variant_number(bench) -> None:
    assert bench.part_of("CWE999_Demo__widget_01_bad") == "bad"
    assert bench.part_of("CWE999_Demo__widget_51b_badSink") == "bad"
    assert bench.part_of("CWE999_Demo__widget_01_good") == "good"
    assert bench.part_of("goodG2B1") == "good"
    assert bench.part_of("CWE999_Demo__widget_84_goodB2G::~CWE999_Demo__widget_84_goodB2G") == "good"
    assert bench.part_of("CWE999_Good_Demo__widget_01_helper") is None  # the CWE's own name does not count
    assert bench.part_of("printLine") is None


def _write(directory: Path, name: str, bad_line: str, good_line: str) -> Path:
    path = directory / name
    path.write_text(f"void {name[:-2]}_bad(void) {{\n    {bad_line}\n}}\n"
                    f"static void goodG2B(void) {{\n    {good_line}\n}}\n", encoding="utf-8")
    return path


def test_cases_group_files_and_scores_count_parts(bench, tmp_path: Path) -> None:
    directory = tmp_path / "testcases" / "CWE242_Demo"
    directory.mkdir(parents=True)
    first = _write(directory, "CWE242_Demo__basic_01.c", "gets(b);", "fgets(b, 8, stdin);")
    second_a = _write(directory, "CWE242_Demo__basic_51a.c", "f();", "g();")
    _write(directory, "CWE242_Demo__basic_51b.c", "gets(b);", "gets(b);")
    cases = bench.test_cases(bench.cwe_directory(tmp_path, 242), None)
    assert sorted(cases) == ["CWE242_Demo__basic_01", "CWE242_Demo__basic_51"]
    assert len(cases["CWE242_Demo__basic_51"]) == 2
    second_b = directory / "CWE242_Demo__basic_51b.c"
    findings = [
        bench.Finding(str(first.resolve()), 2, 242),  # bad part of case 01
        bench.Finding(str(second_b.resolve()), 2, 676),  # bad part of case 51 (a related CWE)
        bench.Finding(str(second_b.resolve()), 5, 242),  # good part of case 51
        bench.Finding(str(second_a.resolve()), 5, 89),  # unrelated CWE: ignored
    ]
    score = bench.score(242, cases, findings, bench.FunctionIndex())
    assert (score.cases, score.tp, score.fp) == (2, 2, 1)
    assert score.tpr == 1.0 and score.fpr == 0.5 and score.score == 0.5


def test_related_cwes_are_a_family_not_everything(bench) -> None:
    assert 788 in bench.RELATED[121] and 120 in bench.RELATED[122]
    assert 476 not in bench.RELATED[121]
    assert bench.RELATED.get(134) == frozenset({134})


def test_findings_on_the_neutral_copy_score_on_the_original_functions(bench, tmp_path: Path) -> None:
    directory = tmp_path / "testcases" / "CWE242_Demo"
    directory.mkdir(parents=True)
    original = _write(directory, "CWE242_Demo__basic_01.c", "gets(b);", "fgets(b, 8, stdin);").resolve()
    copy = bench.neutral_copy([original], tmp_path / "neutral")
    (neutral,) = copy.originals
    assert "bad" not in neutral.read_text(encoding="utf-8") and "bad" not in neutral.name
    run = bench.ToolRun("demo", [bench.Finding(str(neutral), 2, 242), bench.Finding("/elsewhere.c", 1, 242)])
    back = bench.to_originals(run, copy)
    assert back.findings == [bench.Finding(str(original), 2, 242)]
    cases = bench.test_cases(directory, None)
    score = bench.score(242, cases, back.findings, bench.FunctionIndex())
    assert (score.tp, score.fp) == (1, 0)


def test_saved_runs_are_reused_only_when_they_scanned_neutral_names(bench, tmp_path: Path) -> None:
    run = bench.ToolRun("cppcheck", [bench.Finding("/a.c", 3, 476)], 12.0)
    bench.save_run(tmp_path, run, ["/a.c"])
    assert bench.load_run(tmp_path, "cppcheck", ["/a.c"]).findings == run.findings
    assert bench.load_run(tmp_path, "cppcheck", ["/b.c"]) is None
    saved = tmp_path / "cppcheck.json"
    saved.write_text(saved.read_text(encoding="utf-8").replace('"names": "neutral", ', ""), encoding="utf-8")
    assert bench.load_run(tmp_path, "cppcheck", ["/a.c"]) is None  # a run from before the renaming
