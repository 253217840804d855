"""The dataflow engine on C and C++: sources, copies, conversions, calls and aliases."""

from __future__ import annotations

import textwrap

import pytest

from secreview import engine, taint
from secreview.lang.c_family.file import CFile
from secreview.model import ProblemKind
from secreview.rules import rule_by_id
from secreview.sources import SourceFile

PRELUDE = "#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n"


def verdict(body: str, sink: str = "sink", cls: str = "cmdi", language: str = "c") -> str:
    """Provenance of the first argument of the last call to `sink` in the code."""
    file = CFile("t.c" if language == "c" else "t.cpp", PRELUDE + textwrap.dedent(body), language=language)
    call = file.calls_to(sink)[-1]
    return taint.provenance(taint.analysis_for(file), call.args[0], cls).kind


@pytest.mark.parametrize("body, expected", [
    # sources that return the data, fill a buffer, or fill scanf's targets
    ("void f(void) { sink(getenv(\"HOME\")); }", "local"),
    ("void f(int s) { char b[64]; recv(s, b, sizeof b, 0); sink(b); }", "source"),
    ("void f(void) { char b[64]; fgets(b, sizeof b, stdin); sink(b); }", "local"),
    ("void f(void) { char b[64]; scanf(\"%63s\", b); sink(b); }", "local"),
    ("int main(int argc, char **argv) { sink(argv[1]); return 0; }", "local"),
    # copies move data into their destination, constants stay constant
    ("void f(int s) { char b[64], c[64]; recv(s, b, 64, 0); strcpy(c, \"x\"); strcat(c, b); sink(c); }", "source"),
    ("void f(void) { char c[64]; strcpy(c, \"ls \"); strcat(c, \"-l\"); sink(c); }", "none"),
    ("void f(int s) { char b[64], c[80]; recv(s, b, 64, 0); snprintf(c, sizeof c, \"ls %s\", b); sink(c); }",
     "source"),
    # a later constant assignment overwrites; a branch joins
    ("void f(void) { char *p = getenv(\"X\"); p = \"fixed\"; sink(p); }", "none"),
    ("void f(int k) { char *p = \"a\"; if (k) p = getenv(\"X\"); sink(p); }", "local"),
    # the result of a function not in the file is of unknown origin
    ("const char *name(void);\nvoid f(void) { sink(name()); }", "param"),
])
def test_sources_copies_and_constants(body: str, expected: str) -> None:
    assert verdict(body) == expected


def test_numbers_parsed_from_text_carry_no_injection_but_keep_their_magnitude() -> None:
    body = "void f(void) { char b[16]; fgets(b, 16, stdin); int n = atoi(b); sink(n); }"
    assert verdict(body, cls="cmdi") == "none"
    assert verdict(body, cls="number") == "local"
    assert verdict("void f(void) { char b[16]; fgets(b, 16, stdin); sink(strlen(b)); }", cls="number") == "none"
    assert verdict("void f(int s) { char b[16]; int n = recv(s, b, 16, 0); sink(n); }", cls="number") == "none"


def test_data_passes_into_functions_of_the_file_and_back() -> None:
    assert verdict("""
        static void run(const char *what) { sink(what); }
        void f(void) { run(getenv("CMD")); }
    """) == "local"
    assert verdict("""
        static char *read_name(char *buf) { fgets(buf, 32, stdin); return buf; }
        void f(void) { char b[32]; sink(read_name(b)); }
    """) == "local"


def test_a_static_function_only_called_with_constants_sees_constants() -> None:
    code = """
        static void run(const char *what) { sink(what); }
        void f(void) { run("uptime"); }
    """
    assert verdict(code) == "none"
    # once its address escapes, unknown callers may pass anything
    assert verdict(code + "void (*hook)(const char *) = run;\n") == "param"
    # a function other files can call keeps unknown parameters
    assert verdict(code.replace("static ", "")) == "param"


def test_function_pointers_pointer_arguments_and_aliases() -> None:
    assert verdict("""
        static void run(const char *what) { sink(what); }
        void f(void) { void (*fp)(const char *) = run; fp(getenv("CMD")); }
    """) == "local"
    assert verdict("""
        static void run(int *n) { sink(*n); }
        void f(void) { int v; scanf("%d", &v); run(&v); }
    """, cls="number") == "local"
    assert verdict("void f(int s) { char b[64]; char *p = b; recv(s, p + 1, 10, 0); sink(b); }") == "source"


def test_file_scope_values_count_only_when_nothing_can_change_them() -> None:
    flagged = """
        static int reading = 0;
        static char *source(char *b) { if (reading) fgets(b, 10, stdin); return b; }
        void f(void) { char b[10] = ""; reading = 1; sink(source(b)); }
    """
    assert verdict(flagged) == "local"
    assert verdict(flagged.replace("reading = 1; ", "")) == "none"  # never set: the branch is dead


def test_struct_members_arrays_and_cpp_containers() -> None:
    assert verdict("struct s { char t[9]; };\nvoid f(struct s *v) { fgets(v->t, 9, stdin); sink(v->t); }") == "local"
    assert verdict("void f(void) { char *a[2]; a[0] = getenv(\"X\"); sink(a[1]); }") == "local"
    assert verdict("void f() { char b[8] = \"ls\"; sink(static_cast<const char *>(b)); }", language="cpp") == "none"
    assert verdict("""
        #include <vector>
        void f() { std::vector<char *> v; v.push_back(getenv("X")); sink(v[0]); }
    """, language="cpp") == "local"


def test_qt_reads_are_sources_only_in_qt_code() -> None:
    code = "void f(QNetworkReply *reply) { QByteArray body = reply->readAll(); sink(body); }"
    assert verdict("#include <QNetworkReply>\n" + code, language="cpp") == "source"
    assert verdict(code, language="cpp") == "param"


def test_a_file_too_large_for_the_step_budget_is_reported_incomplete() -> None:
    body = "".join(f"    char *v{i} = getenv(\"X\"); system(v{i});\n" for i in range(400))
    code = "#include <stdlib.h>\nvoid f(void) {\n" + body + "}\n"
    report = engine.analyze([SourceFile("big.c", code, "c")], [rule_by_id("system-non-literal")],
                            engine.Settings(dataflow_budget=200, profile="audit"))
    assert [p.kind for p in report.problems] == [ProblemKind.LIMIT_EXCEEDED]
    assert "dataflow analysis stopped" in report.problems[0].detail
    assert report.findings  # what the analysis saw before it stopped is kept
