"""Cross-file value flow for C/C++ (valueflow/project.py): a call into a function another reviewed file
defines uses that function's summary, as a call within one file does.

Each test shows the defect the summary reveals and its safe twin; a function two files define, or a
`static` one, is not resolved; the result cache drops a caller's result when the callee's file changes.
"""

from __future__ import annotations

import os
import signal
import textwrap

from helpers import MemoryStore

from secreview import engine
from secreview.model import Confidence
from secreview.rules import all_rules
from secreview.sources import SourceFile
from secreview.valueflow.project import FunctionIndex

UTIL = textwrap.dedent("""\
    #include <stdlib.h>
    #include <string.h>

    char *make_name(const char *base)
    {
        char *name = malloc(strlen(base) + 8);
        if (!name)
            return NULL;
        strcpy(name, base);
        return name;
    }

    int name_length(const char *name)
    {
        return (int)strlen(name);
    }

    void drop_name(char *name)
    {
        free(name);
    }

    void give_up(const char *why)
    {
        abort();
    }
""")

CALLER = textwrap.dedent("""\
    char *make_name(const char *base);
    int name_length(const char *name);
    void drop_name(char *name);
    void give_up(const char *why);

    int greet(const char *who)
    {
        char *name = make_name(who);
        if (name == NULL)
            return -1;
        if (name_length(name) > 40)
            return -2;          /* leak: make_name allocates */
        drop_name(name);
        {release}
        return 0;
    }

    int count(const char *given)
    {
        {count}
    }

    int checked(const char *who)
    {
        char *name = make_name(who);
        if (name == NULL)
            give_up("out of memory");
        name[0] = 'x';
        drop_name(name);
        return 0;
    }
""")

RULES = ("memory-leak-on-error-path", "double-free", "null-pointer-dereference", "maybe-null-result-dereference")


def _sources(util: str = UTIL, release: str = "", count: str = "return name_length(given);",
             caller_path: str = "src/greet.c") -> list[SourceFile]:
    caller = CALLER.replace("{release}", release).replace("{count}", count)
    return [SourceFile("src/util.c", util, "c"), SourceFile(caller_path, caller, "c")]


def _findings(sources: list[SourceFile], cache=None) -> dict[tuple[str, int], str]:
    report = engine.analyze(sources, [r for r in all_rules() if r.id in RULES],
                            engine.Settings(profile="audit", min_confidence=Confidence.LOW), cache=cache)
    return {(f.rule_id, f.location.start_line): f.message for f in report.findings if f.location.path == "src/greet.c"}


def test_an_allocating_function_of_another_file_owns_its_result_to_the_caller() -> None:
    found = _findings(_sources())
    assert "make_name" in found[("memory-leak-on-error-path", 12)], found
    assert not any(line == 10 for _, line in found), "returning after a failed allocation leaks nothing"


def test_a_releasing_function_of_another_file_releases_its_argument() -> None:
    assert ("double-free", 14) in _findings(_sources(release="drop_name(name);"))
    assert ("double-free", 14) not in _findings(_sources(release="name = NULL;"))


def test_a_function_of_another_file_that_dereferences_its_parameter_named_with_its_file() -> None:
    found = _findings(_sources(count="return name_length(NULL);"))
    assert "src/util.c" in found[("null-pointer-dereference", 20)], found
    assert not any(line == 20 for _, line in _findings(_sources()))


def test_a_function_of_another_file_that_never_returns_ends_the_path() -> None:
    found = _findings(_sources())
    assert not any(line == 28 for _, line in found), found
    returning = UTIL.replace("    abort();\n", "    (void)why;\n")
    assert any(line == 28 for _, line in _findings(_sources(util=returning))), "give_up() returns: name may be NULL"


def test_a_name_two_files_define_or_a_static_function_is_not_resolved() -> None:
    twice = _sources() + [SourceFile("src/other.c", "void drop_name(char *p) { (void)p; }\n", "c")]
    assert ("double-free", 14) not in _findings([*twice[:1], SourceFile(
        "src/greet.c", _sources(release="drop_name(name);")[1].text, "c"), twice[2]])
    static = UTIL.replace("void drop_name(char *name)", "static void drop_name(char *name)")
    assert ("double-free", 14) not in _findings(_sources(util=static, release="drop_name(name);"))




def test_a_change_in_the_defining_file_invalidates_the_callers_cached_result() -> None:
    store = MemoryStore()
    assert ("double-free", 14) in _findings(_sources(release="drop_name(name);"), cache=store)
    keeping = UTIL.replace("    free(name);\n", "    (void)name;\n")
    after = _findings(_sources(util=keeping, release="drop_name(name);"), cache=store)
    assert ("double-free", 14) not in after, "the caller's stale finding must not survive"
    added = _sources(release="drop_name(name);") + [SourceFile("src/again.c", "void drop_name(char *p) {}\n", "c")]
    assert ("double-free", 14) not in _findings(added, cache=store), "a second definition makes the name ambiguous"


HEADER = textwrap.dedent("""\
    class Input;
    class Session {
    public:
        void setInput(Input *input);
        int level() const;
    private:
        Input *current = nullptr;
    };
""")

METHODS = textwrap.dedent("""\
    #include <module/{header}>

    struct Input { int gain; };

    void Session::setInput(Input *input)
    {
        if (current == input)
            return;
        if (input && !current)
            current = input;
        else if (!input && current)
            current = nullptr;
        else
            current->gain = 0;   /* both set: they differ */
    }

    int Session::level() const
    {
        if (!current)
            return current->gain;
        return 0;
    }
""")


def test_members_a_cpp_file_s_own_header_declares_are_followed_in_its_methods(tmp_path) -> None:
    (tmp_path / "session_p.h").write_text(HEADER)
    (tmp_path / "other.h").write_text(HEADER)

    def lines(header: str) -> set[int]:
        source = SourceFile(str(tmp_path / "session.cpp"), METHODS.replace("{header}", header), "cpp")
        report = engine.analyze([source], [r for r in all_rules() if r.id == "null-pointer-dereference"],
                                engine.Settings(profile="audit", project_root=str(tmp_path)))
        return {f.location.start_line for f in report.findings}

    assert lines("session_p.h") == {20}, "line 14: a path where both are NULL was ruled out by line 7"
    assert lines("other.h") == set(), "a header that is not the file's own says nothing about its class"


def test_a_defining_file_nested_too_deep_to_analyse_leaves_its_callers_reviewed() -> None:
    deep = "int helper(int *p)\n{\n" + "    if (p) {\n" * 3000 + "    *p = 1;\n" + "    }\n" * 3000 + "    return 0;\n}\n"
    caller = "int helper(int *p);\n\nint use(void)\n{\n    return helper(0);\n}\n"
    report = engine.analyze([SourceFile("deep.c", deep, "c"), SourceFile("use.c", caller, "c")],
                            [r for r in all_rules() if r.id in RULES], engine.Settings(profile="audit"))
    assert not [p for p in report.problems if p.path == "use.c"], report.problems


def test_worker_processes_report_what_one_process_reports() -> None:
    """Parallel runs summarise the defining files in parallel before the review workers start."""
    callers = [SourceFile(f"src/caller{n}.c", CALLER.replace("{release}", "drop_name(name);" if n % 2 else "")
                          .replace("{count}", "return name_length(NULL);" if n % 3 else "return 0;"), "c")
               for n in range(9)]
    sources = [SourceFile("src/util.c", UTIL, "c"), *callers]
    rules = [r for r in all_rules() if r.id in RULES]
    settings = engine.Settings(profile="audit", min_confidence=Confidence.LOW)

    def found(jobs: int) -> list[tuple[str, int, str]]:
        return sorted((f.location.path, f.location.start_line, f.rule_id)
                      for f in engine.analyze(sources, rules, settings, jobs=jobs).findings)

    one = found(1)
    assert ("src/caller1.c", 14, "double-free") in one and one == found(2)


def _two_definers_and_callers() -> engine._Batch:
    other = UTIL.replace("make_name", "make_label").replace("name_length", "label_length") \
        .replace("drop_name", "drop_label").replace("give_up", "stop_now")
    filled = CALLER.replace("{release}", "").replace("{count}", "return 0;")
    labels = filled.replace("name", "label").replace("give_up", "stop_now").replace("greet", "greet_label") \
        .replace("count", "count_label").replace("checked", "checked_label")
    callers = [SourceFile(f"src/caller{n}.c", filled + labels, "c") for n in range(6)]
    sources = (SourceFile("src/util.c", UTIL, "c"), SourceFile("src/label.c", other, "c"), *callers)
    return engine._Batch(sources, (), tuple(r for r in all_rules() if r.id in RULES), engine.Settings())


def test_parallel_summarising_leaves_nothing_for_the_review_workers() -> None:
    batch = _two_definers_and_callers()
    todo = list(range(len(batch.sources)))
    assert {s.path for s in batch.functions.definers_called_by(batch.sources)} == {"src/util.c", "src/label.c"}
    engine._summarise_in_parallel(batch, todo, 2)
    assert batch.functions.definers_called_by(batch.sources) == []
    assert "make_label" in batch.functions.summaries({"make_label"}, "src/caller0.c")


def test_a_defining_file_whose_summarising_process_dies_leaves_its_callers_reviewed(monkeypatch) -> None:
    """A summarising process killed (past its memory limit, by the out-of-memory killer): that file gives no
    summaries, rather than killing each caller's review again; the other defining file is summarised."""
    summarise = FunctionIndex.summarise

    def dying_on_util(self, source):
        if source.path == "src/util.c":
            os.kill(os.getpid(), signal.SIGKILL)
        return summarise(self, source)

    monkeypatch.setattr(FunctionIndex, "summarise", dying_on_util)  # inherited by the forked processes
    batch = _two_definers_and_callers()
    engine._summarise_in_parallel(batch, list(range(len(batch.sources))), 2)
    monkeypatch.setattr(FunctionIndex, "summarise", summarise)
    assert batch.functions.summaries({"make_name"}, "src/caller0.c") == {}
    assert "make_label" in batch.functions.summaries({"make_label"}, "src/caller0.c")
    report = engine.analyze(list(batch.sources), list(batch.rules), engine.Settings(profile="audit"), jobs=2)
    assert not report.problems, report.problems
