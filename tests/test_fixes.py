"""Applying fixes: whole or not at all, never two edits over the same text."""

from __future__ import annotations

from secreview import fixes
from secreview.model import Edit, Fix, Location

TEXT = "if role is 'admin':\n    grant()\nif name is 'x': pass\n"


def _fix(line: int, start: int, end: int, replacement: str, safe: bool = True) -> Fix:
    return Fix("compare by value", (Edit(Location("a.py", line, start, line, end), replacement),), safe)


def test_edits_replace_their_span_and_later_lines_keep_their_positions() -> None:
    first, second = _fix(1, 9, 11, "=="), _fix(3, 9, 11, "==")
    result = fixes.apply(TEXT, [second, first])
    assert result.text == "if role == 'admin':\n    grant()\nif name == 'x': pass\n"
    assert result.applied == (first, second) and result.skipped == ()


def test_an_overlapping_fix_is_skipped_whole() -> None:
    wide, narrow = _fix(1, 4, 11, "role =="), _fix(1, 9, 11, "==")
    result = fixes.apply(TEXT, [wide, narrow])
    assert result.applied == (wide,) and result.skipped == (narrow,)
    assert result.text.startswith("if role == 'admin':")


def test_a_fix_pointing_outside_the_text_is_skipped() -> None:
    beyond_line, beyond_column = _fix(9, 1, 2, "x"), _fix(2, 1, 40, "x")
    result = fixes.apply(TEXT, [beyond_line, beyond_column])
    assert result.text == TEXT and set(result.skipped) == {beyond_line, beyond_column}


def test_two_insertions_at_one_place_take_only_the_first() -> None:
    one, two = _fix(2, 5, 5, "# a\n    "), _fix(2, 5, 5, "# b\n    ")
    result = fixes.apply(TEXT, [one, two])
    assert len(result.applied) == 1 and len(result.skipped) == 1


def test_fix_rewrites_safe_fixes_in_the_reviewed_files_and_leaves_crlf_files_alone(tmp_path, capsys,
                                                                                     monkeypatch) -> None:
    from workflow import secreview, write
    code = 'def admin(role):\n    return role is "admin"\n'
    write(tmp_path, {"lf.py": code})
    (tmp_path / "crlf.py").write_bytes(code.replace("\n", "\r\n").encode())
    run = secreview(tmp_path, "lf.py", "crlf.py", "--fix", "--select", "is-comparison-with-literal",
                    capsys=capsys, monkeypatch=monkeypatch)
    assert run.status == 1, "the report is the review before fixing"
    assert (tmp_path / "lf.py").read_text() == 'def admin(role):\n    return role == "admin"\n'
    assert (tmp_path / "crlf.py").read_bytes() == code.replace("\n", "\r\n").encode()
    assert "--fix applied 1 fix(es) to 1 file(s)" in run.stderr and "crlf.py" in run.stderr
    again = secreview(tmp_path, "lf.py", "--select", "is-comparison-with-literal", capsys=capsys,
                      monkeypatch=monkeypatch)
    assert again.status == 0
