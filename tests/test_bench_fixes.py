"""The fix-history benchmark: changed lines from a diff, and lift against random placement."""

from __future__ import annotations

import importlib.util
import sys

from conftest import REPO

DIFF = """diff --git a/app.py b/app.py
--- a/app.py
+++ b/app.py
@@ -10,2 +10,3 @@ def f():
@@ -30,0 +32,1 @@ def g():
--- /dev/null
+++ b/new.py
@@ -0,0 +1,5 @@
"""


def _tool():
    spec = importlib.util.spec_from_file_location("bench_fixes", REPO / "scripts" / "bench_fixes.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


def test_changed_lines_are_the_pre_fix_lines_replaced_or_around_an_insertion() -> None:
    assert _tool().changed_lines(DIFF) == {"app.py": {10, 11, 30, 31}}


def test_fix_words_match_word_starts_only() -> None:
    words = _tool().FIX_MESSAGE
    assert words.search("Fix race in the image cache") and words.search("Closes CVE-2024-1234")
    assert not words.search("Add a clock to the scheduler") and not words.search("Bump library versions")


def test_lift_compares_near_findings_with_random_placement() -> None:
    tool = _tool()
    fixed = tool.FixedFile("c0ffee", "app.py", "c0ffee/app.py", lines=100, changed={50})
    found = [("c0ffee/app.py", 52, "near-rule"), ("c0ffee/app.py", 5, "far-rule"), ("other.py", 50, "x")]
    overall, rules = tool.score([fixed], found, window=3)
    assert (overall.files, overall.hit, overall.findings, overall.near) == (1, 1, 2, 1)
    assert round(overall.lift, 2) == round(1 / (2 * 7 / 100), 2), "7 of 100 lines lie within 3 of line 50"
    assert rules["far-rule"].near == 0 and rules["near-rule"].near == 1


def test_in_tree_reviews_a_fixed_file_with_the_rest_of_its_pre_fix_tree(tmp_path) -> None:
    from workflow import git, new_repo, write

    util = "#include <stdlib.h>\n\nvoid drop(char *p)\n{\n    free(p);\n}\n"
    twice = "void drop(char *p);\n\nvoid twice(char *p)\n{\n    drop(p);\n    drop(p);\n}\n"
    repo = new_repo(tmp_path / "repo", {"util.c": util, "use.c": twice})
    write(repo, {"use.c": twice.replace("    drop(p);\n    drop(p);\n", "    drop(p);\n")})
    git(repo, "commit", "-q", "-am", "Fix double free in twice()")
    tool = _tool()
    [fixed] = tool.materialise(repo, tool.fix_commits(repo, 5), "c", tmp_path / "scratch", 5)
    in_tree = tool.run_secreview_in_tree(repo, [fixed], "c", tmp_path / "work", [])
    alone = tool.run_secreview(tmp_path / "scratch", [])
    assert (fixed.scratch, 6, "double-free") in in_tree, "drop() in util.c frees its argument"
    assert not alone, "reviewed alone, use.c does not know what drop() does"
