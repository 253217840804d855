"""issues.exp parsing and scoring of scripts/bench_infer_tests.py, on tiny synthetic suites (no Infer code)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"

ISSUES = """\
codetoanalyze/cpp/demo/demo.cpp, ns::Box<int, 3>::get_Bad, 2, BUFFER_OVERRUN_L1, no_bucket, ERROR, [Array access]
codetoanalyze/cpp/demo/demo.cpp, deref_bad, 1, NULLPTR_DEREFERENCE, no_bucket, ERROR, [a, b,c]
codetoanalyze/cpp/demo/demo.cpp, demo.cpp:14_0a1b2c3d::operator(), 0, DEAD_STORE, no_bucket, WARNING, []
codetoanalyze/cpp/demo/demo.cpp, __infer_globals_initializer_global_bad, 0, STATIC_INITIALIZATION_ORDER_FIASCO, \
no_bucket, ERROR, []
not an issue line
"""
DEMO = """namespace ns {
template <typename T, int N> struct Box {
  T items[N];
  T get_Bad() { return items[N]; }
};
}
int deref_bad(int *p) {
  p = 0;
  return *p;
}
int unrelated_ok(int x) {
  return x + 1;
}
void with_lambda() {
  auto f = [](int v) { int dead = v; };
}
int global_bad = deref_bad(nullptr);
"""


@pytest.fixture(scope="module")
def bench():
    sys.path.insert(0, str(SCRIPTS))
    spec = importlib.util.spec_from_file_location("bench_infer_tests", SCRIPTS / "bench_infer_tests.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def test_issues_exp_lines_are_parsed_whatever_the_procedure_holds(bench) -> None:
    issues = bench.parse_issues(ISSUES)
    assert [i.procedure for i in issues] == ["ns::Box<int, 3>::get_Bad", "deref_bad",
                                             "demo.cpp:14_0a1b2c3d::operator()",
                                             "__infer_globals_initializer_global_bad"]
    assert issues[0] == bench.Issue("codetoanalyze/cpp/demo/demo.cpp", "ns::Box<int, 3>::get_Bad", 2,
                                    "BUFFER_OVERRUN_L1")


def test_qualified_names_match_on_their_common_tail(bench) -> None:
    assert bench.name_parts("ns::Box<int, std::pair<a, b>>::get_Bad") == ("ns", "Box", "get_Bad")
    assert bench.name_parts("X::__infer_inner_destructor_~X") == ("X", "~X")
    assert bench.name_parts("Simple::operator<") == ("Simple", "operator<")
    assert bench.same_procedure(("ns", "Box", "get_Bad"), ("Box", "get_Bad"))
    assert not bench.same_procedure(("ns", "Box", "get_Bad"), ("Other", "get_Bad"))
    assert not bench.same_procedure(("get",), ("get_Bad",))


def _demo_suite(bench, tmp_path: Path):
    tests = tmp_path / "infer" / "tests"
    suite_dir = tests / "codetoanalyze" / "cpp" / "demo"
    suite_dir.mkdir(parents=True)
    (suite_dir / "demo.cpp").write_text(DEMO, encoding="utf-8")
    (suite_dir / "issues.exp").write_text(ISSUES, encoding="utf-8")
    (suite_dir / "Makefile").write_text("all:\n", encoding="utf-8")
    suites = bench.discover(tmp_path, set())
    assert [s.name for s in suites] == ["cpp/demo"] and [p.name for p in suites[0].sources] == ["demo.cpp"]
    return suites[0], tests, str(suite_dir / "demo.cpp")


def test_each_issue_is_located_in_its_definition(bench, tmp_path: Path) -> None:
    suite, tests, path = _demo_suite(bench, tmp_path)
    defined = bench.procedures(Path(path))
    located = {issue.procedure: sorted((p.start, p.end) for p in bench.expected_procedures(issue, defined))
               for issue in suite.issues}
    assert located == {"ns::Box<int, 3>::get_Bad": [(4, 4)], "deref_bad": [(7, 10)],
                       "demo.cpp:14_0a1b2c3d::operator()": [(14, 16)],
                       "__infer_globals_initializer_global_bad": [(17, 17)]}


def test_findings_score_as_found_false_or_outside(bench, tmp_path: Path) -> None:
    suite, tests, path = _demo_suite(bench, tmp_path)
    findings = [bench.Finding(path, 9, 476), bench.Finding(path, 9, 690),  # both in deref_bad: found once
                bench.Finding(path, 12, 190),  # unrelated_ok is not listed: a false report
                bench.Finding(path, 6, 0),  # outside every function
                bench.Finding(str(tmp_path / "elsewhere.c"), 1, 0)]  # not a file of this suite: ignored
    score = bench.score_suite(suite, tests, findings)
    assert (score.files, score.expected, score.unmatched) == (1, 4, 0)
    assert (score.found, score.false_reports, score.outside) == (1, 1, 1)
    assert score.detection == 0.25 and score.false_per_file == 1.0
    assert score.found_names == ["deref_bad"]
