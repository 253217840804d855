"""Tree-sitter reads every Python generation, and broken code too."""

from __future__ import annotations

from helpers import run_rules
from secreview import engine, lang
from secreview.model import ProblemKind
from secreview.rules import rule_by_id
from secreview.sources import SourceFile

PY2 = '''import subprocess
print "starting"
try:
    subprocess.call("ls " + name, shell=True)
except OSError, e:
    print >>sys.stderr, e
mode = 0777
'''

PY312 = '''import subprocess
type Pair[T] = tuple[T, T]
def run[T](cmd: T) -> T:
    print(f"{cmd["x"]!r:>{10}}")
    subprocess.call("ls " + cmd, shell=True)
'''


def _line_of(code: str, fragment: str) -> int:
    return next(number for number, line in enumerate(code.splitlines(), 1) if fragment in line)


def test_python2_code_is_analysed() -> None:
    tree = lang.parse("python", PY2)
    assert not tree.root_node.has_error
    findings = run_rules(PY2, [rule_by_id("subprocess-shell-true")])
    assert [f.location.start_line for f in findings] == [_line_of(PY2, "subprocess.call(")]


def test_python312_code_is_analysed() -> None:
    tree = lang.parse("python", PY312)
    assert not tree.root_node.has_error
    findings = run_rules(PY312, [rule_by_id("subprocess-shell-true")])
    assert [f.location.start_line for f in findings] == [_line_of(PY312, "subprocess.call(")]


def test_broken_code_is_analysed_where_it_recovers_and_said_so() -> None:
    text = "import subprocess\ndef broken(:\n    pass\nsubprocess.call('x' + y, shell=True)\n"
    report = engine.analyze([SourceFile("b.py", text, "python")], [rule_by_id("subprocess-shell-true")],
                            engine.Settings(profile="audit"))
    assert [f.location.start_line for f in report.findings] == [_line_of(text, "subprocess.call(")]
    assert [p.kind for p in report.problems] == [ProblemKind.PARSE_ERRORS]
    assert "line" in report.problems[0].detail
    assert not report.incomplete
