"""scripts/neutral_names.py: benchmark programs copied under neutral names, on tiny synthetic suites."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"


@pytest.fixture(scope="module")
def neutral():
    spec = importlib.util.spec_from_file_location("neutral_names", SCRIPTS / "neutral_names.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


HEADER = "#ifndef DEMO_H\n#define DEMO_H\nvoid helper_badSink(char *data);\nextern int demo_badGlobal;\n#endif\n"
FIRST = """#include <string.h>
#include "demo_bad.h"
int demo_badGlobal = 0; /* FLAW: a
   comment over two lines */
void helper_badSink(char *data)
{
    char buffer[8];
    strcpy(buffer, data); // POTENTIAL FLAW
}
int main(void) { helper_badSink("x"); return demo_badGlobal; }
"""
SECOND = """#include "demo_bad.h"
static void goodG2B(void)
{
    char *goodData = "fixed";
    helper_badSink(goodData);
    demo_badGlobal = 1;
}
"""


def _suite(directory: Path) -> list[Path]:
    files = {"demo_bad.h": HEADER, "CWE999_demo_bad.c": FIRST, "CWE999_demo_good.c": SECOND}
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
    return [directory / name for name in files]


def test_files_functions_and_globals_get_neutral_names(neutral, tmp_path: Path) -> None:
    originals = tmp_path / "original"
    originals.mkdir()
    copy = neutral.neutral_copy(_suite(originals), tmp_path / "neutral")
    assert sorted(p.name[:4] + p.suffix for p in copy.originals) == ["file.c", "file.c", "file.h"]
    assert len({p.name for p in copy.originals}) == 3 and all(re.fullmatch(r"file\d{4}\.[ch]", p.name)
                                                               for p in copy.originals)
    texts = {copy.originals[p].name: p.read_text(encoding="utf-8") for p in copy.originals}
    for text in texts.values():
        assert not re.search(r"(?i)bad|good\w*\(|CWE999|FLAW", text.replace("goodData", ""))
    assert set(copy.names) == {"helper_badSink", "goodG2B", "demo_badGlobal"}
    assert re.fullmatch(r"f\d{4}", copy.names["helper_badSink"])
    assert re.fullmatch(r"g\d{4}", copy.names["demo_badGlobal"])
    header = next(p.name for p, original in copy.originals.items() if original.name == "demo_bad.h")
    sink, data = copy.names["helper_badSink"], copy.names["demo_badGlobal"]
    assert f'#include "{header}"' in texts["CWE999_demo_good.c"]
    assert "#include <string.h>" in texts["CWE999_demo_bad.c"]  # not a suite file: kept
    assert f"void {sink}(char *data);" in texts["demo_bad.h"] and f"extern int {data};" in texts["demo_bad.h"]
    assert f"{sink}(goodData);" in texts["CWE999_demo_good.c"]  # calls follow; local variables keep their names
    assert "int main(void)" in texts["CWE999_demo_bad.c"] and "strcpy(buffer, data);" in texts["CWE999_demo_bad.c"]
    assert not copy.new_errors


def test_renaming_keeps_every_line_in_place(neutral, tmp_path: Path) -> None:
    originals = tmp_path / "original"
    originals.mkdir()
    copy = neutral.neutral_copy(_suite(originals), tmp_path / "neutral")
    for renamed, original in copy.originals.items():
        before = original.read_text(encoding="utf-8").splitlines()
        after = renamed.read_text(encoding="utf-8").splitlines()
        assert len(before) == len(after)
        assert [("strcpy" in line) for line in before] == [("strcpy" in line) for line in after]


def test_cpp_classes_namespaces_and_methods_follow(neutral, tmp_path: Path) -> None:
    source = tmp_path / "widget_bad.cpp"
    source.write_text("""namespace demo_ns {
class BadWidget {
public:
    BadWidget() {}
    ~BadWidget() {}
    void action_good();
};
void BadWidget::action_good() {}
void use_bad() { BadWidget w; w.action_good(); demo_ns::use_bad(); }
}
""", encoding="utf-8")
    copy = neutral.neutral_copy([source], tmp_path / "neutral")
    text = next(iter(copy.originals)).read_text(encoding="utf-8")
    widget, action, use = copy.names["BadWidget"], copy.names["action_good"], copy.names["use_bad"]
    assert widget.startswith("t") and copy.names["demo_ns"].startswith("n")
    assert f"{widget}() {{}}" in text and f"~{widget}() {{}}" in text
    assert f"void {widget}::{action}() {{}}" in text and f"w.{action}();" in text
    assert f"{copy.names['demo_ns']}::{use}();" in text
    assert not re.search(r"(?i)bad|good|demo_ns", text)
    assert not copy.new_errors


def test_numbers_follow_a_hash_not_the_alphabet(neutral) -> None:
    defined = neutral.DefinedNames(functions={f"case{i:02d}_bad" for i in range(20)} |
                                   {f"case{i:02d}_good" for i in range(20)})
    names = neutral.neutral_names(defined, taken=set())
    assert names == neutral.neutral_names(defined, taken=set())  # deterministic
    numbers = [int(names[f"case{i:02d}_{part}"][1:]) for i in range(20) for part in ("bad", "good")]
    assert numbers != sorted(numbers)
    assert sorted(numbers) == list(range(1, 41))


def test_a_neutral_name_already_in_the_program_is_skipped(neutral) -> None:
    names = neutral.neutral_names(neutral.DefinedNames(functions={"x_bad", "main"}), taken={"f0001"})
    assert names == {"x_bad": "f0002"}  # main keeps its name


def test_edits_apply_in_order_and_skip_nested_ones(neutral) -> None:
    assert neutral.apply_edits(b"abcdef", [(0, 4, b"X"), (1, 2, b"Y"), (5, 6, b"Z")]) == b"XeZ"


def test_library_names_qualified_by_a_namespace_the_suite_does_not_define_are_kept(neutral, tmp_path: Path) -> None:
    # a suite's namespace named like a library template (Infer's `namespace unique_ptr`) must not rename
    # `std::unique_ptr`: the copy would no longer be the same program
    source = tmp_path / "smart.cpp"
    source.write_text("#include <memory>\nnamespace unique_ptr {\nint deref_bad() {\n"
                      "  std::unique_ptr<int> x;\n  return *x;\n}\n}\n"
                      "int call_bad() { return unique_ptr::deref_bad(); }\n", encoding="utf-8")
    copy = neutral.neutral_copy([source], tmp_path / "neutral")
    text = next(iter(copy.originals)).read_text(encoding="utf-8")
    namespace = copy.names["unique_ptr"]
    assert "std::unique_ptr<int> x;" in text
    assert f"namespace {namespace} {{" in text and f"return {namespace}::{copy.names['deref_bad']}();" in text


def test_standard_member_names_keep_their_meaning(neutral, tmp_path: Path) -> None:
    # a suite's own `reset` (a mock of an optional type) must not rename `reset` on a std::unique_ptr
    source = tmp_path / "members.cpp"
    source.write_text("#include <memory>\nstruct Opt { void reset() {} };\nint use_ok() {\n"
                      "  std::unique_ptr<int> x;\n  x.reset(new int);\n  return *x;\n}\n", encoding="utf-8")
    copy = neutral.neutral_copy([source], tmp_path / "neutral")
    text = next(iter(copy.originals)).read_text(encoding="utf-8")
    assert "x.reset(new int);" in text and "void reset() {}" in text
    assert "use_ok" not in text and "struct Opt" not in text
