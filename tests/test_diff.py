"""Reviewing a change (--diff) end to end, in real git repositories."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from workflow import git, new_repo, secreview, write

from secreview import changes

APP = '''import subprocess


def old(a):
    subprocess.run("ls " + a, shell=True)


def handler(b):
    return b
'''
GONE = 'import os\n\n\ndef f(x):\n    os.system("rm " + x)\n'
MOVED = "import subprocess\n\n\n" + "".join(f"def f{n}(c):\n    return c + {n}\n\n\n" for n in range(8)) + \
    "def g(c):\n    return c\n"
ADDED = 'import pickle\n\n\ndef load(blob):\n    return pickle.loads(blob)\n'


def _line(text: str, needle: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.fixture
def changed_repo(tmp_path: Path) -> Path:
    """Base commit, then uncommitted work: modified, added (untracked), renamed, deleted and binary files."""
    repo = new_repo(tmp_path / "repo", {"app.py": APP, "gone.py": GONE, "moved.py": MOVED})
    (repo / "image.png").write_bytes(b"\x89PNG\0\0\0")
    git(repo, "add", "image.png")
    git(repo, "commit", "-q", "-m", "image")
    write(repo, {"app.py": APP.replace("    return b\n", '    subprocess.run("cat " + b, shell=True)\n    return b\n'),
                 "added.py": ADDED})
    git(repo, "mv", "moved.py", "renamed.py")
    (repo / "renamed.py").write_text(MOVED.replace("    return c\n", '    subprocess.run("x" + c, shell=True)\n'))
    (repo / "gone.py").unlink()
    (repo / "image.png").write_bytes(b"\x89PNG\0\1\1")
    return repo


def test_only_findings_on_changed_lines_are_reported(changed_repo: Path, capsys, monkeypatch) -> None:
    run = secreview(changed_repo, "--diff", "-f", "json", "--no-cache", capsys=capsys, monkeypatch=monkeypatch)
    app = (changed_repo / "app.py").read_text()
    assert run.status == 1
    assert sorted(run.findings()) == sorted([
        ("app.py", _line(app, '"cat " + b'), "subprocess-shell-true"),
        ("added.py", _line(ADDED, "pickle.loads"), "pickle-unsafe-load"),
        ("renamed.py", _line((changed_repo / "renamed.py").read_text(), '"x" + c'), "subprocess-shell-true"),
    ])
    data = run.json
    assert data["summary"]["out_of_scope"] == 1, "the old defect in old() is outside the change"
    notes = "\n".join(data["notes"])
    assert "uncommitted changes" in notes
    assert "deleted file(s), nothing left to review: gone.py" in notes
    assert "renamed file(s), reviewed under the new name: moved.py -> renamed.py" in notes
    assert "binary file(s) skipped: image.png" in notes


def test_scope_function_and_file_widen_the_review(tmp_path: Path, capsys, monkeypatch) -> None:
    repo = new_repo(tmp_path / "repo", {"app.py": APP})
    touched = APP.replace("def old(a):\n", 'def old(a):\n    """Lists a directory."""\n')
    write(repo, {"app.py": touched})
    defect = ("app.py", _line(touched, '"ls " + a'), "subprocess-shell-true")
    by_scope = {scope: secreview(repo, "--diff", "--diff-scope", scope, "-f", "json", "--no-cache",
                                 capsys=capsys, monkeypatch=monkeypatch).findings()
                for scope in ("line", "function", "file")}
    assert by_scope == {"line": [], "function": [defect], "file": [defect]}


def test_default_base_is_the_merge_base_with_main(tmp_path: Path, capsys, monkeypatch) -> None:
    repo = new_repo(tmp_path / "repo", {"app.py": APP})
    git(repo, "checkout", "-q", "-b", "feature")
    write(repo, {"feature.py": ADDED})
    git(repo, "add", "feature.py")
    git(repo, "commit", "-q", "-m", "feature")
    run = secreview(repo, "--diff", "-f", "json", "--no-cache", capsys=capsys, monkeypatch=monkeypatch)
    assert [f[0] for f in run.findings()] == ["feature.py"]
    assert any("merge base with main" in note for note in run.json["notes"])
    explicit = secreview(repo, "--diff", "main", "-f", "json", "--no-cache", capsys=capsys, monkeypatch=monkeypatch)
    assert explicit.findings() == run.findings()


def test_diff_on_stdin_reads_files_from_the_work_tree(changed_repo: Path, capsys, monkeypatch) -> None:
    diff = subprocess.run(["git", "diff", "HEAD"], cwd=changed_repo, capture_output=True, check=True).stdout
    run = secreview(changed_repo, "--diff", "-", "-f", "json", "--no-cache", stdin=diff,
                    capsys=capsys, monkeypatch=monkeypatch)
    app = (changed_repo / "app.py").read_text()
    assert ("app.py", _line(app, '"cat " + b'), "subprocess-shell-true") in run.findings()
    assert "added.py" not in {f[0] for f in run.findings()}, "untracked: not in git diff, so not in this review"


def test_a_path_after_diff_restricts_the_review(changed_repo: Path, capsys, monkeypatch) -> None:
    (changed_repo / "sub").mkdir()
    (changed_repo / "sub" / "new.py").write_text(ADDED)
    run = secreview(changed_repo, "--diff", "sub", "-f", "json", "--no-cache", capsys=capsys, monkeypatch=monkeypatch)
    assert [f[0] for f in run.findings()] == ["sub/new.py"], "`--diff sub` names a directory, not a revision"


def test_unchanged_modules_still_resolve_imports(tmp_path: Path, capsys, monkeypatch) -> None:
    helpers = "import shlex\n\n\ndef clean(value):\n    return shlex.quote(value)\n"
    repo = new_repo(tmp_path / "repo", {"helpers.py": helpers})
    write(repo, {"views.py": "import subprocess\n\nimport helpers\nfrom flask import request\n\n\ndef run():\n"
                             '    subprocess.run("ls " + helpers.clean(request.args["d"]), shell=True)\n'})
    run = secreview(repo, "--diff", "-f", "json", "--no-cache", capsys=capsys, monkeypatch=monkeypatch)
    assert run.status == 0 and run.findings() == [], "helpers.clean quotes its argument"


def test_unchanged_c_files_still_summarise_the_functions_a_changed_file_calls(tmp_path: Path, capsys,
                                                                              monkeypatch) -> None:
    util = "#include <stdlib.h>\n\nvoid drop(char *p)\n{\n    free(p);\n}\n"
    repo = new_repo(tmp_path / "repo", {"util.c": util, "use.c": "void drop(char *p);\n"})
    write(repo, {"use.c": "#include <stdlib.h>\n\nvoid drop(char *p);\n\nvoid twice(void)\n{\n"
                          "    char *p = malloc(4);\n    drop(p);\n    drop(p);\n}\n"})
    run = secreview(repo, "--diff", "-f", "json", "--no-cache", capsys=capsys, monkeypatch=monkeypatch)
    assert ("use.c", 9, "double-free") in run.findings(), "drop() in the unchanged util.c frees its argument"


def test_outside_a_work_tree_is_a_clear_error(tmp_path: Path, capsys, monkeypatch) -> None:
    run = secreview(tmp_path, "--diff", capsys=capsys, monkeypatch=monkeypatch)
    assert run.status == 2 and "not inside a git work tree" in run.stderr
    bad = new_repo(tmp_path / "repo", {"a.py": "x = 1\n"})
    run = secreview(bad, "--diff", "no-such-branch", capsys=capsys, monkeypatch=monkeypatch)
    assert run.status == 2 and "not a revision" in run.stderr


def test_unified_diff_parsing_of_git_headers() -> None:
    text = (
        'diff --git "a/caf\\303\\251.py" "b/caf\\303\\251.py"\nnew file mode 100644\n--- /dev/null\n'
        '+++ "b/caf\\303\\251.py"\n@@ -0,0 +1,2 @@\n+a\n+b\n'
        "diff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n@@ -3,2 +3,2 @@\n c\n--- removed line\n+++ added line\n"
        "@@ -20 +20,0 @@\n-gone\n"
    )
    first, second = changes.parse(text)
    assert (first.path, first.status, sorted(first.lines)) == ("café.py", changes.ADDED, [1, 2])
    # `--- removed line` inside a hunk is a removed line, not a header; a pure removal touches its neighbours.
    assert (second.path, sorted(second.lines)) == ("x.py", [3, 4, 20, 21])
    with pytest.raises(changes.DiffError):
        changes.parse("--- a.py\n+++ a.py\n@@ -1,2 +1,2 @@\n+x\n?y\n")
