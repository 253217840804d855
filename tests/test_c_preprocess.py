"""The light C/C++ preprocessor step: conditions, annotation and statement macros, include directories.

Every construct is checked twice: the parse no longer fails, and the step kept
every byte offset (same length, same lines), so nodes still point into the
original text.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from secreview import cli, engine, lang
from secreview.lang.base import FileContext
from secreview.lang.c_family.conditions import evaluate
from secreview.lang.c_family.file import CFile
from secreview.lang.c_family.include_dirs import SearchPath, search_path
from secreview.lang.c_family.macros import Definition, Macros
from secreview.lang.c_family.preprocess import preprocess
from secreview.model import Confidence
from secreview.rules import rule_by_id
from secreview.sources import SourceFile


def _kept(text: str, language: str = "c", search: SearchPath | None = None, path: str = "") -> str:
    """The preprocessed text, after checking that it has the original's length and lines."""
    out = preprocess(text, language, search, path)
    assert len(out) == len(text.encode("utf-8"))
    assert [i for i, byte in enumerate(out) if byte == 10] == [i for i, byte in enumerate(text.encode()) if byte == 10]
    return out.decode("utf-8")


def _parses(text: str, language: str = "c", search: SearchPath | None = None) -> bool:
    return not lang.parse(language, text, search).root_node.has_error


# -- conditions ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("condition", "value"), [
    ("0", 0), ("1", 1), ("FEATURE", 2), ("FEATURE > 1 && !defined(OFF)", 1), ("defined OFF", 0),
    ("UNKNOWN", None), ("0 && UNKNOWN", 0), ("1 || UNKNOWN", 1), ("UNKNOWN || 0", None),
    ("(FEATURE * 4) / 2 == 4", 1), ("FEATURE ? 10 : UNKNOWN", 10), ("0x10 >> 4", 1), ("'A' == 65", 1),
    ("VERSION_CHECK(5, 0, 0)", None), ("__has_include(<x.h>) || FEATURE", 1), ("1 /* comment */ && 1", 1),
    ("1 / 0", None), ("010 == 8", 1), ("2L + 3UL == 5", 1),
])
def test_conditions_are_three_valued(condition: str, value: int | None) -> None:
    macros = Macros("c", [("FEATURE", "2")])
    macros.apply(Definition("OFF", None, None, True))
    assert evaluate(condition, macros) == value


def test_if_zero_and_decided_branches_lose_their_other_branches() -> None:
    text = "#define FEATURE 1\n#if 0\nbroken {{{\n#else\nint kept;\n#endif\n" \
           "#if FEATURE\nint on;\n#elif OTHER\nint other;\n#else\nint off;\n#endif\n"
    out = _kept(text)
    assert "broken" not in out and "int kept;" in out and "int on;" in out
    assert "other" not in out and "int off" not in out and "#if" not in out and "#endif" not in out
    assert "#define FEATURE 1" in out  # definitions stay: CFile reads them


def test_ifdef_follows_the_file_defines_and_undefs_in_order() -> None:
    text = "#define X\n#ifdef X\nint a;\n#endif\n#undef X\n#ifdef X\nint b;\n#endif\n#ifndef X\nint c;\n#endif\n"
    out = _kept(text)
    assert "int a;" in out and "int b;" not in out and "int c;" in out


def test_unknown_conditions_keep_every_branch_and_their_directives() -> None:
    text = "#ifdef _WIN32\nint win;\n#else\nint posix;\n#endif\n"
    assert _kept(text) == text
    # one branch: its code stays either way, only the directive lines go (they break expressions)
    text = "int f(int a\n#ifdef DEBUG\n, int line\n#endif\n);\n"
    out = _kept(text)
    assert ", int line" in out and "#" not in out and _parses(text)


def test_an_undecided_elif_after_dropped_branches_becomes_an_if_of_the_same_length() -> None:
    out = _kept("#if 0\nint a;\n#elif UNKNOWN\nint b;\n#else\nint c;\n#endif\n")
    assert "int a" not in out and "#if   UNKNOWN" in out and "int b;" in out and "int c;" in out
    assert "#endif" in out


def test_include_guards_are_taken_and_cplusplus_depends_on_the_language() -> None:
    text = '#ifndef API_H\n#define API_H\n#ifdef __cplusplus\nextern "C" {\n#endif\nint f(void);\n' \
           '#ifdef __cplusplus\n}\n#endif\n#endif\n'
    assert "extern" not in _kept(text, "c") and _parses(text, "c")
    assert 'extern "C" {' in _kept(text, "cpp") and _parses(text, "cpp")
    assert "#ifndef" not in _kept(text, "c")


def test_defines_in_undecided_branches_are_unknown_afterwards() -> None:
    text = "#ifdef CONFIG\n#define LEVEL 2\n#endif\n#if LEVEL > 1\nint high;\n#else\nint low;\n#endif\n"
    out = _kept(text)
    assert "int high;" in out and "int low;" in out


def test_multibyte_text_in_a_dropped_branch_keeps_byte_offsets() -> None:
    text = "#if 0\nconst char *s = \"héllo ✓\";\n#endif\nint after;\n"
    out = preprocess(text, "c")
    assert len(out) == len(text.encode()) and out.endswith(b"int after;\n")
    file = CFile("x.c", text)
    declaration = file.nodes_of_type("declaration")[0]
    assert file.text_of(declaration) == "int after;"


# -- annotations and statement macros -----------------------------------------------------------------

@pytest.mark.parametrize("declaration", [
    "CURL_EXTERN CURLcode curl_easy_perform(CURL *curl);",
    "class Q_CORE_EXPORT QFile : public QObject {};",
    "class QDESIGNER_SHARED_EXPORT Widget {};",
    "int WINAPI WinMain(int a);",
    "struct __attribute__((packed)) header { int a; };",
    "Q_DECL_EXPORT int plugin_entry(void);",
    "void old(void) Q_DECL_DEPRECATED_X(\"use new\");",
])
def test_annotation_macros_are_blanked(declaration: str) -> None:
    assert _parses(declaration, "cpp"), _kept(declaration, "cpp")


def test_macros_defined_as_annotations_in_the_file_are_blanked() -> None:
    text = "#define API __declspec(dllexport)\n#define LOCAL static\n#define NOTHING\n" \
           "API int f(void);\nLOCAL int g(void) { return 0; }\nNOTHING int h;\n"
    out = _kept(text)
    assert "\nAPI" not in out and "LOCAL int" not in out and "NOTHING int" not in out
    assert _parses(text)
    assert "#define API __declspec(dllexport)" in out


def test_statement_macros_without_semicolon() -> None:
    text = ("void f(int unused)\n{\n    TRACE_OBJ\n    UNITTEST_BEGIN(setup(&unused))\n    Q_UNUSED(unused)\n"
            "    run();\n    Q_D(const Foo);\n    UNITTEST_END_SIMPLE\n}\n"
            "class Foo {\n    DOC_PROPERTY(bool on READ on)\npublic:\n    int x;\n};\n")
    out = _kept(text, "cpp")
    assert "TRACE_OBJ" not in out and "UNITTEST_END_SIMPLE" not in out and "Q_D" not in out
    # a call with expression arguments stays (they may carry data), ended by a ';' in the blank after it
    assert "UNITTEST_BEGIN(setup(&unused))\n;" in out and "Q_UNUSED(unused)\n;" in out
    assert "DOC_PROPERTY" not in out  # declaration-like arguments: blanked whole
    assert _parses(text, "cpp")


def test_an_enumerator_alone_is_not_a_statement_macro() -> None:
    text = "enum color {\n    RED_COLOUR\n};\nint v = FOO_CONSTANT\n    + 1;\n"
    assert _kept(text) == text


def test_qt_vocabulary() -> None:
    text = ("#include <QObject>\nQT_BEGIN_NAMESPACE\nQ_LOGGING_CATEGORY(lcTool, \"qt.tool\")\n"
            "class Q_GUI_EXPORT Tool : public QObject\n{\n    Q_OBJECT\n    Q_PROPERTY(int level READ level)\n"
            "    Q_DECLARE_PRIVATE(Tool)\npublic:\n    explicit Tool(QObject *parent = nullptr, Qt::Flags f = {});\n"
            "signals:\n    void changed();\nprivate slots:\n    void update();\n};\n"
            "Q_DECLARE_METATYPE(Tool *)\nQT_END_NAMESPACE\n"
            "void Tool::update() { Q_D(Tool); emit changed(); QT_PREPEND_NAMESPACE(QString) s; }\n")
    assert _parses(text, "cpp"), _kept(text, "cpp")
    out = _kept(text, "cpp")
    assert "\npublic :\n" in out and "private      :" in out
    assert "QString) s" not in out and " QString  s" in out  # QT_PREPEND_NAMESPACE(X) stands for X


def test_a_transparent_macro_keeps_its_argument() -> None:
    text = "#define VERBOSE(x) x\nvoid f(void)\n{\n  VERBOSE(const char *name = \"x\");\n  use(name);\n}\n"
    out = _kept(text)
    assert "const char *name = \"x\");" not in out and "const char *name = \"x\" ;" in out
    assert _parses(text)


# -- include directories ----------------------------------------------------------------------------

def _project(tmp_path: Path) -> Path:
    include = tmp_path / "include"
    (include / "lib").mkdir(parents=True)
    (include / "lib" / "config.h").write_text(
        "#ifndef LIB_CONFIG_H\n#define LIB_CONFIG_H\n#define LIB_LEGACY 0\n"
        "#define LIB_API __attribute__((visibility(\"default\")))\n#define LIB_LOG(x)\n"
        "#include \"limits.h\" /* LIB_MAX */\n#ifdef _WIN32\n#define LIB_WIN 1\n#endif\n#endif\n")
    (include / "lib" / "limits.h").write_text("#define LIB_MAX 64\n")
    source = tmp_path / "src"
    source.mkdir()
    (source / "local.h").write_text("#define LOCAL_FEATURE 1\n")
    (source / "main.c").write_text(
        '#include <lib/config.h>\n#include "local.h"\n#include <string.h>\n'
        "LIB_API int copy(char *out, const char *in)\n{\n    char buf[LIB_MAX];\n"
        "#if LIB_LEGACY\n    strcpy(buf, in);\n#endif\n"
        "#if LOCAL_FEATURE && LIB_MAX > 32\n    out[0] = buf[0];\n#endif\n"
        "#ifdef LIB_WIN\n    int win;\n#else\n    int posix;\n#endif\n    return 0;\n}\n")
    return tmp_path


def test_headers_on_the_include_path_decide_conditions_and_annotations(tmp_path: Path) -> None:
    root = _project(tmp_path)
    path = str(root / "src" / "main.c")
    text = Path(path).read_text()
    search = search_path(str(root), (str(root / "include"),))
    out = _kept(text, "c", search, path)
    assert "strcpy" not in out  # LIB_LEGACY is 0
    assert "out[0] = buf[0];" in out and "#if LOCAL_FEATURE" not in out  # "local.h" is found next to the file
    assert "#ifdef LIB_WIN" in out  # defined only on an undecided branch of the header: unknown
    assert "LIB_API" not in out  # an annotation by its definition
    assert "strcpy(buf, in);" in _kept(text, "c", SearchPath(), path)  # without the include dir: unknown
    file = CFile(path, text, context=FileContext(search_path=search))
    assert not file.root.has_error and file.text_of(file.root) == text
    buffer = file.variables_in(file.nodes_of_type("function_definition")[0])["buf"]
    assert file.array_length(buffer) == 64  # LIB_MAX, from a header the header includes
    assert file.macros["LIB_LEGACY"] == "0" and "LIB_WIN" not in file.macros  # certain values only


def test_compile_commands_give_directories_and_defines(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "compile_commands.json").write_text(json.dumps([
        {"directory": str(root), "file": "src/main.c", "command": "cc -Iinclude -D LIB_WIN=2 -DNDEBUG -c src/main.c"},
        {"directory": str(root), "file": "src/other.c", "arguments": ["cc", "-isystem", "include", "-c", "x.c"]},
    ]))
    search = search_path(str(root), ())
    assert search.directories == (str(root / "include"),)
    assert dict(search.defines) == {"LIB_WIN": "2", "NDEBUG": "1"}
    path = str(root / "src" / "main.c")
    out = _kept(Path(path).read_text(), "c", search, path)
    assert "strcpy" not in out and "#ifdef LIB_WIN" not in out and "int win;" in out and "posix" not in out


def test_include_dir_option_reaches_the_analysis(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _project(tmp_path)
    main = str(root / "src" / "main.c")
    common = ["--no-config", "--no-cache", "--min-confidence", "low", "--profile", "audit",
              "--select", "strcpy-unbounded-copy", "-q"]
    assert cli.main([main, *common]) == 1  # the legacy branch is kept when nothing decides it
    assert "strcpy" in capsys.readouterr().out
    assert cli.main([main, *common, "--include-dir", str(root / "include")]) == 0
    settings = engine.Settings(min_confidence=Confidence.LOW, include_tests=True, profile="audit",
                               include_dirs=(str(root / "include"),), project_root=str(root))
    report = engine.analyze([SourceFile(main, Path(main).read_text(), "c")], [rule_by_id("strcpy-unbounded-copy")],
                            settings)
    assert not report.findings and not report.problems


def test_test_framework_blocks_and_forever() -> None:
    text = ('SCENARIO("a partition", "[tag]") {\n    GIVEN("a number") {\n        forever {\n'
            '            if (step()) break;\n        }\n    }\n}\n')
    out = _kept(text, "cpp")
    assert _parses(text, "cpp"), out
    assert out.startswith("SCENARIO(" + " " * len('"a partition", "[tag]"') + ") {") and 'GIVEN("a number");{' in out
    assert "for(;;) {" in out
    assert _kept("bool forever = true;\n", "cpp") == "bool forever = true;\n"


def test_qt_headers_on_the_include_path_teach_their_macros(tmp_path: Path) -> None:
    """Macros the vocabulary does not list are classified from Qt's own definitions when its headers are found."""
    core = tmp_path / "QtCore"
    core.mkdir()
    (core / "QObject").write_text('#include "qobject.h"\n')
    (core / "qobject.h").write_text(
        "#ifndef QOBJECT_H\n#define QOBJECT_H\n#include <QtCore/qtcoreexports.h>\n"
        "#define Q_NEW_MARKER Q_CORE_EXPORTED\n#define Q_NEW_TRACE(x)\n#endif\n")
    (core / "qtcoreexports.h").write_text(
        '#define Q_CORE_EXPORTED __attribute__((visibility("default")))\n#define Q_NEW_TRACE_ON 1\n')
    text = ("#include <QObject>\nclass Q_NEW_MARKER Widget : public QObject {};\n"
            "#if Q_NEW_TRACE_ON\nvoid trace();\n#else\nvoid no_trace();\n#endif\n"
            "void Widget_f()\n{\n    Q_NEW_TRACE(1)\n    trace();\n}\n")
    assert not _parses(text, "cpp")
    search = SearchPath((str(tmp_path), str(core)))  # as Qt installs: include/ and include/QtCore/
    out = _kept(text, "cpp", search)
    assert "Q_NEW_MARKER" not in out and "no_trace" not in out
    assert _parses(text, "cpp", search), out


def test_constants_shaped_like_export_macros_stay() -> None:
    text = "enum mode { MODE_EXPORT, MODE_IMPORT = 2 };\nint f(int m) { return m == MODE_EXPORT ? 1 : m; }\n" \
           "void g(void) Q_DECL_OVERRIDE;\nMY_LIB_EXPORT int h(void);\n"
    out = _kept(text, "cpp")
    assert out.count("MODE_EXPORT") == 2 and "MODE_IMPORT" in out
    assert "Q_DECL_OVERRIDE" not in out and "MY_LIB_EXPORT" not in out


def test_include_dir_in_the_configuration_is_below_the_project_root(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    root = _project(tmp_path)
    (root / "secreview.toml").write_text('include-dir = ["include"]\n')
    main = str(root / "src" / "main.c")
    assert cli.main([main, "--no-cache", "--min-confidence", "low", "--select", "strcpy-unbounded-copy", "-q"]) == 0
    assert "strcpy" not in capsys.readouterr().out


def test_directives_in_comments_and_comments_after_directives() -> None:
    text = ("/*\n  #if 0\n  #endif\n*/\nint kept;\n#if 0\nint gone;\n#endif /* a comment\n   on two lines */\n"
            "static const char *const names[] = {\n    NOOP(\"x\")\n};\n")
    out = _kept(text)
    assert "  #if 0\n" in out and "int kept;" in out and "gone" not in out and "on two lines" not in out
    assert 'NOOP("x")\n}' in out  # the one value of an initializer is no statement
    assert _parses(text)


def test_calling_conventions_by_shape() -> None:
    text = "static void XMLCALL\nstart(void *data, const char *name) {\n}\nint JNICALL f(void);\n"
    assert _parses(text), _kept(text)
    assert "XMLCALL" not in _kept(text) and "JNICALL" not in _kept(text)


def test_header_index_reads_each_header_once_for_every_file_that_includes_it(tmp_path: Path, monkeypatch) -> None:
    from secreview.lang.c_family import include_dirs
    (tmp_path / "inc").mkdir()
    (tmp_path / "inc" / "setup.h").write_text('#include "config.h"\n#include <stdio.h>\n')
    (tmp_path / "inc" / "config.h").write_text("#define SIZE 8\n")
    read: list[str] = []
    real_read = include_dirs._read
    monkeypatch.setattr(include_dirs, "_read", lambda path: read.append(path) or real_read(path))
    index = include_dirs.HeaderIndex(search_path(str(tmp_path), ("inc",)))
    first = index.read_by('#include "setup.h"\nint a;\n', str(tmp_path / "a.c"))
    second = index.read_by('#include "config.h"\n#include "setup.h"\n', str(tmp_path / "b.c"))
    expected = tuple(sorted(str(tmp_path / "inc" / name) for name in ("config.h", "setup.h")))
    assert first == second == expected
    assert sorted(read) == list(expected), "each header is read once per run"
    assert index.digest(expected[0]) == include_dirs.header_digest(expected[0])


def test_a_macro_call_beside_a_literal_is_read_as_a_piece_of_the_concatenation() -> None:
    """Only a literal can sit beside a literal, so `FMT("10")` there loses its arguments and the line parses."""
    text = 'void f(int n) {\n    printf("n = " FMT("10") " of %d\\n", n);\n    printf(FMT("4") "\\n", n);\n}\n'
    kept = _kept(text)
    assert 'printf("n = " FMT' + ' ' * 7 + '" of %d\\n", n);' in kept and 'printf(FMT' + ' ' * 6 + '"\\n", n);' in kept
    assert not _parses(text.replace("FMT(", "fmt_of(")) and _parses(text)


def test_a_macro_call_away_from_literals_keeps_its_arguments() -> None:
    text = 'void f(int n) {\n    printf(FMT(n), n); /* "x" */\n    char *s = "a"; LOG(s);\n}\n'
    assert _kept(text) == text


def test_a_macro_call_after_an_include_line_keeps_its_arguments() -> None:
    """The quote before `DEFINE_TEST(x)` closes an `#include "..."`, not a literal of the code."""
    text = '#include "test.h"\n\nDEFINE_TEST(test_expand)\n{\n    const char *name = "x";\n}\n'
    assert _kept(text) == text


def test_a_comparison_operator_given_to_a_macro_joins_its_operands() -> None:
    """No C expression is a bare `<`: the macro builds the comparison, which the call now reads as one argument."""
    text = 'void f(unsigned len) {\n    ND_ICHECK_U(len, <, 4);\n    CHECK_MSG("n", len, >=, 9);\n}\n'
    kept = _kept(text)
    assert "ND_ICHECK_U(len  <  4);" in kept and 'CHECK_MSG("n", len  >=  9);' in kept and _parses(text)


def test_undecided_branches_that_cannot_all_stay_keep_one() -> None:
    """Pieces of one declaration keep the last branch (the default); branches that each open the same block
    or start the same statement keep the first. Other undecided groups keep every branch."""
    pieces = "#if defined(TESTING)\nvoid\n#else\nstatic void\n#endif\nrelease(int *p) {\n}\n"
    kept = _kept(pieces)
    assert "static void" in kept and "#if" not in kept and not kept.lstrip().startswith("void") and _parses(pieces)
    blocks = ("void f(int *p, int *q) {\n#if LEVEL == 1\n  if (p) {\n#else\n  if (q) {\n#endif\n"
              "    *p = 1;\n  }\n}\n")
    kept = _kept(blocks)
    assert "if (p) {" in kept and "if (q)" not in kept and _parses(blocks)
    heads = "void f(int a, int b) {\n#ifdef EXTRA\n  if (a && b)\n#else\n  if (b)\n#endif\n    g();\n}\n"
    kept = _kept(heads)
    assert "if (a && b)" in kept and "if (b)\n" not in kept and _parses(heads)
    whole = "void f(void) {\n#ifdef EXTRA\n  g();\n#else\n  h();\n#endif\n}\n"
    assert _kept(whole) == whole


def test_a_known_attribute_macro_after_a_parameter_name_is_blanked() -> None:
    """tcpdump's `u_int len _U_)`: a macro whose every definition is an attribute or nothing goes wherever it
    stands; an unknown word of that shape before `)` stays (it may be a constant)."""
    text = ("#if HAVE_ATTR\n#define _U_ __attribute__((unused))\n#else\n#define _U_\n#endif\n"
            "int f(int ndo _U_, unsigned len _U_) {\n    return g(MODE_EXPORT);\n}\n")
    kept = _kept(text)
    assert "int ndo    , unsigned len    )" in kept and "g(MODE_EXPORT)" in kept and _parses(text)


def test_headers_a_header_includes_are_found_when_the_file_is_named_relative_to_the_working_directory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`./print.c` includes "outer.h", which includes "attrs.h" defining `_U_`: `normpath` makes the first
    header `outer.h`, whose directory is "", and its neighbours must still be looked for in "."."""
    (tmp_path / "attrs.h").write_text("#define _U_ __attribute__((unused))\n", encoding="utf-8")
    (tmp_path / "outer.h").write_text('#include "attrs.h"\n', encoding="utf-8")
    text = '#include "outer.h"\nint f(int n _U_) {\n    return 0;\n}\n'
    monkeypatch.chdir(tmp_path)
    for path in ("print.c", "./print.c"):
        assert not lang.parse("c", text, SearchPath(), path).root_node.has_error, path
