"""Files are cut into line-numbered chunks: whole when small, by definition otherwise."""

from __future__ import annotations

import pytest

from secreview import lang
from secreview.llm.chunking import chunks_for, line_count, render


def _function(name: str, body_lines: int, indent: str = "") -> str:
    body = "".join(f"{indent}    v{i} = {i}\n" for i in range(body_lines))
    return f"{indent}def {name}(x):\n{body}{indent}    return x\n"


def _big_module() -> str:
    parts = ["import os\n", "from subprocess import run\n", "\n"]
    parts += [_function(f"small_{i}", 3) + "\n" for i in range(3)]
    parts.append("class Service(Base):\n")
    parts.append('    """A class too large to send whole."""\n')
    parts += [_function(f"method_{i}", 6, indent="    ") for i in range(4)]
    parts.append("\n")
    parts.append(_function("huge", 40))
    parts.append("\nMAIN = run\n")
    return "".join(parts)


def _line_of(text: str, snippet: str) -> int:
    return next(n for n, line in enumerate(text.split("\n"), start=1) if snippet in line)


def test_small_file_goes_whole() -> None:
    text = _function("f", 5)
    chunks = chunks_for("a.py", text, "python", 300)
    assert len(chunks) == 1
    assert chunks[0].lines == tuple(range(1, line_count(text) + 1)) and chunks[0].context == ()


def test_large_file_is_cut_by_definition_and_every_line_is_reviewed() -> None:
    text = _big_module()
    chunks = chunks_for("a.py", text, "python", 15)
    assert len(chunks) > 3
    reviewed = [line for chunk in chunks for line in chunk.lines]
    assert set(reviewed) == set(range(1, line_count(text) + 1))
    assert all(len(chunk.lines) <= 15 for chunk in chunks)


def test_chunks_show_the_imports_and_the_enclosing_class_header() -> None:
    text = _big_module()
    chunks = chunks_for("a.py", text, "python", 15)
    imports = {_line_of(text, "import os"), _line_of(text, "from subprocess import run")}
    header = _line_of(text, "class Service(Base):")
    for chunk in chunks:
        assert imports <= chunk.shown, chunk
    method_line = _line_of(text, "def method_3")
    holder = next(chunk for chunk in chunks if method_line in chunk.lines)
    assert header in holder.context, "a method is shown with its class header"


def test_oversized_function_is_split_into_overlapping_windows() -> None:
    text = _big_module()
    chunks = chunks_for("a.py", text, "python", 15)
    start = _line_of(text, "def huge")
    windows = [chunk for chunk in chunks if start in chunk.shown and start not in chunk.lines]
    assert windows, "later windows of a long function show its first line as context"
    holders = [chunk for chunk in chunks if start + 14 in chunk.lines]
    assert holders


def test_render_numbers_lines_as_in_the_file_and_marks_context() -> None:
    text = _big_module()
    lines = text.split("\n")
    chunk = next(c for c in chunks_for("a.py", text, "python", 15) if c.context and c.first > 10)
    rendered = render(chunk, lines).split("\n")
    first = f"{chunk.first} | {lines[chunk.first - 1]}".rstrip()
    assert any(row.strip() == first for row in rendered)
    assert any(row.lstrip().startswith("1 : import os") for row in rendered)
    assert any(row.strip() == "..." for row in rendered), "gaps between context and code are marked"


def test_language_without_a_parser_is_cut_into_windows() -> None:
    text = "".join(f"line {i}\n" for i in range(50))
    chunks = chunks_for("notes.txt", text, "text", 20)
    assert {line for chunk in chunks for line in chunk.lines} == set(range(1, 51))
    assert all(len(chunk.lines) <= 20 for chunk in chunks)


def test_empty_file_has_no_chunks() -> None:
    assert chunks_for("a.py", "", "python", 10) == []


@pytest.mark.skipif("cpp" not in lang.supported_languages(), reason="no C++ grammar")
def test_cpp_methods_are_shown_with_their_namespace_and_class_headers() -> None:
    methods = "".join(f"  int m{i}(int x) {{\n" + "    x += 1;\n" * 6 + "    return x;\n  }\n" for i in range(4))
    text = (f"#include <string>\n\nnamespace app {{\nclass Store : public Base {{\n public:\n{methods}}};\n}}\n\n"
            "int main() {\n  return 0;\n}\n")
    chunks = chunks_for("store.cpp", text, "cpp", 12)
    assert {line for chunk in chunks for line in chunk.lines} == set(range(1, line_count(text) + 1))
    holder = next(chunk for chunk in chunks if _line_of(text, "int m3(") in chunk.lines)
    headers = {_line_of(text, "#include"), _line_of(text, "namespace app"), _line_of(text, "class Store")}
    assert headers <= set(holder.context)
