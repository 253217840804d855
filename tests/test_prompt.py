"""Review prompts: code recovered at the prompt's own line numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import REPO
from secreview import prompt, sources

SEED = REPO.parent / "shared" / "seed" / "review-prompt-imagebackend.txt"

PROMPT = """Please review the code below for security defects.
1. Injection
2. Races
If none are detected, state so.

10 import os
11 
12 def f(path):
13     return os.path.exists(path)
"""


def test_prompt_is_detected_and_numbers_kept() -> None:
    assert prompt.looks_like_prompt(PROMPT)
    recovered = prompt.extract_code(PROMPT)
    assert (recovered.first_line, recovered.last_line) == (10, 13)
    lines = recovered.code.split("\n")
    assert lines[9] == "import os"
    assert lines[12] == "    return os.path.exists(path)"
    assert prompt.guess_language(recovered.code) == "python"


def test_plain_code_and_numbered_lists_are_not_prompts() -> None:
    assert not prompt.looks_like_prompt("import os\nprint(1)\n")
    assert not prompt.looks_like_prompt("Steps:\n1 first\n5 second\n9 third\nand a lot of prose\nmore\nmore\n")


def test_guess_c_family() -> None:
    code = "#include <stdio.h>\nint main(void) {\n  return 0;\n}\n"
    assert prompt.guess_language(code) == "c"
    assert prompt.guess_language("namespace a { std::string s; }\nint f();\n") == "cpp"


def test_prompt_file_detected_automatically(tmp_path: Path) -> None:
    path = tmp_path / "request.txt"
    path.write_text(PROMPT)
    collected = sources.collect([str(path)], sources.ReadOptions())
    assert [(s.kind, s.language) for s in collected.sources] == [("prompt", "python")]


@pytest.mark.skipif(not SEED.is_file(), reason="needs ../shared/seed beside the repository")
def test_seed_prompt_recovers_the_whole_file() -> None:
    recovered = prompt.extract_code(SEED.read_text(encoding="utf-8"))
    assert (recovered.first_line, recovered.last_line) == (1, 1299)
    assert recovered.code.split("\n")[320] == '            tmp_path = self.disk_info_path + ".tmp"'


def test_a_prompt_numbered_from_zero_keeps_line_zero_and_says_how_lines_map() -> None:
    from secreview import prompt
    text = "Review this code:\n0 import os\n1 def run(cmd):\n2     os.system(cmd)\n"
    recovered = prompt.extract_code(text)
    assert recovered.code.splitlines() == ["import os", "def run(cmd):", "    os.system(cmd)"]
    assert (recovered.first_line, recovered.shift) == (0, 1)
