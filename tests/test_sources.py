"""Discovery and decoding: bad input is reported, never lost."""

from __future__ import annotations

from pathlib import Path

from secreview import sources
from secreview.model import ProblemKind

OPTIONS = sources.ReadOptions()


def _kinds(collected: sources.Collected) -> dict[str, ProblemKind]:
    return {Path(p.path).name: p.kind for p in collected.problems}


def test_bad_files_are_reported_with_reasons(tmp_path: Path) -> None:
    (tmp_path / "good.py").write_text("x = 1\n")
    (tmp_path / "binary.py").write_bytes(b"\x00\x01\x02import os\n")
    (tmp_path / "latin.py").write_bytes("name = 'caf\u00e9'\n".encode("latin-1"))
    (tmp_path / "huge.py").write_text("x = 1\n" * 100)
    collected = sources.collect([str(tmp_path)], sources.ReadOptions(max_file_size=300))
    assert [Path(s.path).name for s in collected.sources] == ["good.py"]
    assert _kinds(collected) == {
        "binary.py": ProblemKind.BINARY,
        "latin.py": ProblemKind.UNDECODABLE,
        "huge.py": ProblemKind.TOO_LARGE,
    }
    assert all(p.detail for p in collected.problems)


def test_pep263_cookie_is_honoured(tmp_path: Path) -> None:
    path = tmp_path / "legacy.py"
    path.write_bytes("# -*- coding: latin-1 -*-\nname = 'caf\u00e9'\n".encode("latin-1"))
    collected = sources.collect([str(path)], OPTIONS)
    assert not collected.problems
    assert "caf\u00e9" in collected.sources[0].text


def test_missing_and_unreadable_paths(tmp_path: Path) -> None:
    collected = sources.collect([str(tmp_path / "nope.py")], OPTIONS)
    assert collected.problems[0].kind is ProblemKind.NOT_FOUND


def test_gitignore_and_vendored_directories(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("generated/\n*_pb2.py\n")
    for name in ("app.py", "generated/out.py", "api_pb2.py", "node_modules/x.py", "sub/keep.py", "README.md"):
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("x = 1\n")
    collected = sources.collect([str(tmp_path)], OPTIONS)
    assert sorted(Path(s.path).relative_to(tmp_path).as_posix() for s in collected.sources) == ["app.py", "sub/keep.py"]
    assert any("node_modules" in note for note in collected.notes)
    assert any("not in a reviewed language" in note for note in collected.notes)


def test_exclude_globs(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / "skip").mkdir()
    (tmp_path / "skip" / "b.py").write_text("x = 1\n")
    collected = sources.collect([str(tmp_path)], sources.ReadOptions(exclude=("skip/",)))
    assert [Path(s.path).name for s in collected.sources] == ["a.py"]


def test_python_shebang_without_extension(tmp_path: Path) -> None:
    (tmp_path / "tool").write_text("#!/usr/bin/env python3\nimport os\n")
    collected = sources.collect([str(tmp_path)], OPTIONS)
    assert [s.language for s in collected.sources] == ["python"]


def test_stdin_needs_a_language() -> None:
    collected = sources.collect(["-"], OPTIONS, b"import os\n")
    assert collected.problems[0].kind is ProblemKind.UNSUPPORTED_LANGUAGE
    collected = sources.collect(["-"], sources.ReadOptions(language="python"), b"import os\n")
    assert collected.sources[0].path == "<stdin>"


def test_explicit_file_of_unknown_language_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("just prose, no code\n")
    collected = sources.collect([str(path)], OPTIONS)
    assert collected.problems[0].kind is ProblemKind.UNSUPPORTED_LANGUAGE


def test_c_files_with_latin1_bytes_are_reviewed_not_skipped() -> None:
    from secreview import sources
    data = b"/* caf\xe9 */\nvoid f(char *s) { char b[4]; strcpy(b, s); }\n"
    text = sources.decode(data, "lat.c", "c")
    assert isinstance(text, str) and text.splitlines()[1].startswith("void f")
    assert not isinstance(sources.decode(b"x = '\xe9'\n", "lat.py", "python"), str), "Python stays UTF-8 or declared"
