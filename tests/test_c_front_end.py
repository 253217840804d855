"""The C/C++ front end: languages, headers, calls, constants, declarations, engine dispatch."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import run_rules
from secreview import engine, prompt, sources
from secreview.lang import language_for_path, supported_languages
from secreview.lang.c_family.file import NOT_CONSTANT, CFile, looks_like_cpp
from secreview.model import Confidence
from secreview.rules import all_rules, rule_by_id

C_CODE = """\
#include <string.h>
#define SIZE 16
#define GREETING "hi"
#define COPY strcpy
enum { SLOTS = 4 };
static const int LIMIT = SIZE * 2;

int fill(char *out, const char *in, int n) {
    char buf[SIZE], name[] = "abc", *p = buf;
    const char *fmt = "%s";
    COPY(buf, in);
    std::strcpy(buf, GREETING);
    ::memset(name, 0, sizeof name);
    obj->run(1);
    item.exec(2);
    return sizeof(buf) + LIMIT + SLOTS;
}
"""


@pytest.fixture
def cfile() -> CFile:
    return CFile("example.cpp", C_CODE, language="cpp")


def _function(file: CFile):
    return file.nodes_of_type("function_definition")[0]


def test_languages_are_registered() -> None:
    assert {"c", "cpp"} <= set(supported_languages())
    assert language_for_path("a/b.c") == "c"
    for name in ("x.cc", "x.cpp", "x.cxx", "x.c++", "x.hpp", "x.hh", "x.hxx", "x.ino"):
        assert language_for_path(name) == "cpp", name


def test_objective_c_header_is_reported_not_parsed_as_c(tmp_path: Path) -> None:
    header = b"#import <Foundation/Foundation.h>\n@interface Scanner : NSObject\n- (void)start;\n@end\n"
    assert language_for_path("scanner.h", header) is None
    assert language_for_path("scanner.h", b"/* @interface in a comment only */\nint f(void);\n") == "c"
    (tmp_path / "scanner.h").write_bytes(header)
    (tmp_path / "main.c").write_text("int main(void) { return 0; }\n")
    walked = subprocess.run([sys.executable, "-m", "secreview", "--format", "json", str(tmp_path)],
                            capture_output=True, text=True, check=False)
    report = json.loads(walked.stdout)
    assert walked.returncode == 0 and report["errors"] == []  # found by a walk: another language, like a .m file
    assert any("1 Objective-C header(s) not reviewed" in note for note in report["notes"])
    named = subprocess.run([sys.executable, "-m", "secreview", "--format", "json", str(tmp_path / "scanner.h")],
                           capture_output=True, text=True, check=False)
    report = json.loads(named.stdout)
    assert named.returncode == 2
    assert [(Path(e["path"]).name, e["kind"]) for e in report["errors"]] == [("scanner.h", "unsupported-language")]
    assert "Objective-C" in report["errors"][0]["detail"]


def test_header_language_is_decided_by_content() -> None:
    assert language_for_path("api.h") == "c"  # without content, a header is a C candidate
    assert language_for_path("api.h", b"int f(void);\nstruct s { int a; };\n") == "c"
    assert language_for_path("api.h", b"namespace app {\nclass Widget;\n}\n") == "cpp"
    assert language_for_path("api.h", "template <typename T> T max(T a, T b);\n") == "cpp"
    assert looks_like_cpp(b"class Foo : public QObject {\n  Q_OBJECT\npublic:\n};\n")
    assert not looks_like_cpp(b"/* a C++ compiler may include this */\nint classify(int c);\n")


def test_headers_are_discovered_with_their_language(tmp_path: Path) -> None:
    (tmp_path / "plain.h").write_text("int add(int a, int b);\n")
    (tmp_path / "widget.h").write_text("class Widget {\npublic:\n  void show();\n};\n")
    (tmp_path / "main.cpp").write_text("int main() { return 0; }\n")
    collected = sources.collect([str(tmp_path)], sources.ReadOptions())
    assert {Path(s.path).name: s.language for s in collected.sources} == {
        "plain.h": "c", "widget.h": "cpp", "main.cpp": "cpp"}


def test_calls_by_name_resolve_std_global_and_macro_aliases(cfile: CFile) -> None:
    names = [call.name for call in cfile.calls_to("strcpy")]
    assert names == ["strcpy", "std::strcpy"]  # COPY(...) resolved through its #define
    assert [call.name for call in cfile.calls_to("memset")] == ["memset"]  # ::memset
    assert cfile.calls_to("std::strcpy")[0].method == "strcpy"


def test_method_calls_with_dot_and_arrow(cfile: CFile) -> None:
    run = cfile.method_calls("run")
    assert [cfile.text_of(call.receiver) for call in run] == ["obj"]
    exec_call = cfile.method_calls("exec")[0]
    assert cfile.text_of(exec_call.receiver) == "item" and cfile.text_of(exec_call.arg(0)) == "2"


def test_constant_values(cfile: CFile) -> None:
    copy = cfile.calls_to("strcpy")[1]
    assert cfile.constant_value(copy.arg(1)) == "hi"  # macro naming a literal
    assert cfile.constant_value(cfile.calls_to("strcpy")[0].arg(1)) is NOT_CONSTANT  # parameter
    returned = cfile.nodes_of_type("return_statement")[0].named_children[0]
    assert cfile.constant_value(returned) == 16 + 32 + 4  # sizeof array + const + enumerator
    assert cfile.is_constant(returned)


def test_sizeof_of_unknown_type_is_constant_but_unknown() -> None:
    file = CFile("x.c", "void f(void) { g(sizeof(struct big) * 2); }\n")
    argument = file.calls_to("g")[0].arg(0)
    assert file.constant_value(argument) is NOT_CONSTANT
    assert file.is_constant(argument)


def test_arrays_pointers_and_parameters(cfile: CFile) -> None:
    variables = cfile.variables_in(_function(cfile))
    assert cfile.array_length(variables["buf"]) == 16
    assert cfile.array_length(variables["name"]) == 4  # "abc" and its terminator
    assert variables["p"].is_pointer and not variables["p"].is_array
    assert variables["out"].is_parameter and variables["out"].is_pointer
    assert variables["fmt"].pointer_depth == 1 and not variables["fmt"].is_const  # pointer to const
    assert cfile.byte_size(variables["buf"]) == 16


def test_enclosing_function_and_name() -> None:
    file = CFile("x.cpp", "void Widget::paint(int x) { draw(x); }\n", language="cpp")
    call = file.calls_to("draw")[0]
    function = file.enclosing_function(call.node)
    assert file.function_name(function) == "Widget::paint"


def test_type_index_serves_simple_patterns(cfile: CFile) -> None:
    assert cfile.nodes("(call_expression) @c", "c") == cfile.nodes_of_type("call_expression")
    with pytest.raises(ValueError):
        cfile.nodes_of_type("goto_label_that_does_not_exist")


def test_c_grammar_lacks_cpp_types_without_failing() -> None:
    file = CFile("x.c", "int main(void) { return 0; }\n", language="c")
    assert file.nodes_of_type("new_expression", "class_specifier") == []


def test_engine_dispatches_c_files_and_c_rules_apply_to_cpp() -> None:
    rule = rule_by_id("gets-unbounded-read")
    assert rule.applies_to("c") and rule.applies_to("cpp") and not rule.applies_to("python")
    code = "void f(void) { char b[8]; gets(b); }\n"
    assert run_rules(code, [rule], path="x.c", language="c")
    assert run_rules(code, [rule], path="x.cpp", language="cpp")
    cpp_only = rule_by_id("mismatched-deallocation")
    assert cpp_only.applies_to("cpp") and not cpp_only.applies_to("c")


def test_python_rules_do_not_run_on_c() -> None:
    python_rules = [r for r in all_rules() if r.applies_to("python")]
    report = engine.analyze([sources.SourceFile("x.c", "int x = 1;\n", "c")], python_rules,
                            engine.Settings(min_confidence=Confidence.LOW))
    assert not report.findings and not report.problems


def test_prompt_with_c_code_is_analysed(tmp_path: Path) -> None:
    request = tmp_path / "request.txt"
    request.write_text("Please review this code for security defects.\n\n"
                       "1 #include <stdio.h>\n2 void ask(void) {\n3     char name[8];\n4     gets(name);\n5 }\n")
    collected = sources.collect([str(request)], sources.ReadOptions())
    assert [(s.kind, s.language) for s in collected.sources] == [("prompt", "c")]
    report = engine.analyze(collected.sources, list(all_rules()), engine.Settings())
    assert [(f.rule_id, f.location.start_line) for f in report.findings] == [("gets-unbounded-read", 4)]
    assert prompt.guess_language("#include <stdio.h>\nint main(void) {\n  return 0;\n}\n") == "c"


def test_broken_code_is_still_analysed() -> None:
    code = "void f(void) {\n  char b[8];\n  gets(b);\n  int x = ;\n}\n"
    settings = engine.Settings(min_confidence=Confidence.LOW)
    report = engine.analyze([sources.SourceFile("x.c", code, "c")], [rule_by_id("gets-unbounded-read")], settings)
    assert [f.location.start_line for f in report.findings] == [3]
    assert any(p.kind.value == "parse-errors" for p in report.problems)


def test_sizeof_of_typedef_names_read_as_expressions() -> None:
    file = CFile("x.c", "void f(void) { g(10 * sizeof(wchar_t), sizeof(int64_t)); }\n")
    call = file.calls_to("g")[0]
    assert file.constant_value(call.arg(0)) == 40 and file.constant_value(call.arg(1)) == 8


def test_file_static_never_written_is_constant() -> None:
    code = ("static int enabled = 1;\nstatic int counter = 0;\nint shared = 1;\n"
            "void bump(void) { counter++; }\nint f(void) { return g(enabled, counter, shared); }\n")
    file = CFile("x.c", code)
    enabled, counter, shared = file.calls_to("g")[0].args
    assert file.constant_value(enabled) == 1
    assert file.constant_value(counter) is NOT_CONSTANT  # incremented elsewhere in the file
    assert file.constant_value(shared) is NOT_CONSTANT  # external linkage: other files may change it


def test_standard_limit_macros_are_known_unless_the_file_defines_them() -> None:
    file = CFile("t.c", "#include <limits.h>\nint f(int n) { return g(INT_MAX, SIZE_MAX, LIMIT); }\n")
    values = [file.constant_value(a) for a in file.calls_to("g")[0].args]
    assert values == [2**31 - 1, 2**64 - 1, NOT_CONSTANT]
    redefined = CFile("t.c", "#define INT_MAX 7\nint f(void) { return g(INT_MAX); }\n")
    assert redefined.constant_value(redefined.calls_to("g")[0].args[0]) == 7


QT_HEADER = """#include <QObject>
QT_BEGIN_NAMESPACE
class Reader : public QObject
{
    Q_OBJECT
    Q_PROPERTY(QString name READ name NOTIFY nameChanged) // « naïve »
public:
    Q_INVOKABLE void load(const QString &path);
signals:
    void nameChanged();
private slots:
    void onReady();
};
QT_END_NAMESPACE
void Reader::load(const QString &path) { QProcess::execute(path); }
"""


def test_qt_annotation_macros_do_not_break_the_cpp_parse() -> None:
    from secreview import lang
    from secreview.lang.c_family.preprocess import preprocess
    blanked = preprocess(QT_HEADER, "cpp")
    assert len(blanked) == len(QT_HEADER.encode()) and blanked.count(b"\n") == QT_HEADER.count("\n")
    assert not lang.parse("cpp", QT_HEADER).root_node.has_error
    assert lang.parse("c", "int signals = 1;\n").root_node.has_error is False  # C is left alone
    file = CFile("reader.h", QT_HEADER, language="cpp")
    call = file.calls_to("QProcess::execute")[0]
    assert file.text_of(call.node) == "QProcess::execute(path)"  # offsets still point into the original
    assert "Q_OBJECT" in file.text_of(file.root)


SOURCE = Path(__file__).resolve().parent.parent / "src" / "secreview"


def test_layers_never_import_the_rules() -> None:
    """The layers answer questions for every rule; rules depend on them, never the other way."""
    for layer in ("lang", "knowledge", "taint"):
        for module in (SOURCE / layer).rglob("*.py"):
            assert "secreview.rules" not in module.read_text(encoding="utf-8"), module.relative_to(SOURCE)


def test_rule_packages_hold_only_rules() -> None:
    """Shared logic lives in the layers: beside the rules only their bases (`__init__.py`) and the
    rule-side dataflow judgement (`_taint.py`)."""
    helpers = {module.name for package in ("c", "cpp", "python") for module in (SOURCE / "rules" / package).glob("_*.py")}
    assert helpers <= {"__init__.py", "_taint.py"}


def test_no_rule_module_is_over_500_lines() -> None:
    """Rules are short because the layers under them are rich."""
    for module in (SOURCE / "rules").rglob("*.py"):
        assert len(module.read_text(encoding="utf-8").splitlines()) <= 500, module.relative_to(SOURCE)


def test_function_names_of_functions_returning_references() -> None:
    file = CFile("x.cpp", "const int& value() { return v; }\nS& A::self() { return *this; }\n", language="cpp")
    names = [file.function_name(node) for node in file.nodes_of_type("function_definition")]
    assert names == ["value", "A::self"]


def test_a_function_whose_head_is_a_macro_is_named_by_that_head() -> None:
    """`DEFINE_TEST(test_basic) {...}` parses as type `DEFINE_TEST` with declarator `(test_basic)`: it is a
    function, named so that no call of `test_basic` (or of a C library name, `PHP_FUNCTION(strlen)`) is it;
    `(x)` after an ordinary type is left alone."""
    file = CFile("t.c", "DEFINE_TEST(test_basic)\n{\n    int x = 0;\n}\nint (y) = 3;\n", language="c")
    assert [file.function_name(node) for node in file.nodes_of_type("function_definition")] == \
        ["DEFINE_TEST(test_basic)"]
