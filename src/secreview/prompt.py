"""Review prompts: instructions followed by code whose lines are numbered.

People paste code into a chat model as ``12 def f(x):`` lines after a
request ("Please review the code below ...").  secreview recovers the code,
places each line at its own number (so findings use the prompt's numbers),
and guesses the language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUMBERED = re.compile(r"^[ \t]{0,3}(\d{1,7})(?:[ \t:|.](.*))?$")
MIN_RUN = 3
MAX_GAP = 50


@dataclass(frozen=True)
class RecoveredCode:
    code: str
    first_line: int
    last_line: int
    # 1 when the prompt numbers its lines from 0: its line n is line n + 1 of the recovered code (reports
    # need lines from 1), and the note given with the report says so
    shift: int = 0


def _numbered_runs(lines: list[str]) -> list[list[tuple[int, str]]]:
    """Runs of numbered lines whose numbers increase (small gaps allowed)."""
    runs: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    for line in lines:
        match = _NUMBERED.match(line)
        number = int(match.group(1)) if match else None
        if number is not None and (not current or 0 < number - current[-1][0] <= MAX_GAP):
            current.append((number, match.group(2) or ""))
            continue
        if len(current) >= MIN_RUN:
            runs.append(current)
        current = [(number, match.group(2) or "")] if number is not None else []
    if len(current) >= MIN_RUN:
        runs.append(current)
    return runs


def _best_run(text: str) -> list[tuple[int, str]] | None:
    runs = _numbered_runs(text.split("\n"))
    if not runs:
        return None
    best = max(runs, key=len)
    # Mostly consecutive numbering distinguishes code listings from numbered lists.
    steps = sum(1 for a, b in zip(best, best[1:]) if b[0] == a[0] + 1)
    return best if steps >= 0.8 * (len(best) - 1) else None


def looks_like_prompt(text: str) -> bool:
    run = _best_run(text)
    if run is None:
        return False
    non_blank = sum(1 for line in text.split("\n") if line.strip())
    return len(run) >= max(MIN_RUN, 0.5 * non_blank)


def extract_code(text: str) -> RecoveredCode | None:
    run = _best_run(text)
    if run is None:
        return None
    shift = 1 if run[0][0] == 0 else 0
    last = run[-1][0]
    lines = [""] * (last + shift)
    for number, code in run:
        lines[number - 1 + shift] = code
    return RecoveredCode("\n".join(lines) + "\n", run[0][0], last, shift)


# Every hint stays within one line ([^\S\n] is whitespace but a newline): a pattern that can run on
# across lines backtracks over all the blank lines padding a prompt numbered from 9,999,997.
_PYTHON_HINTS = re.compile(r"^[^\S\n]*(def |class \w+.*:|import \w|from [\w.]+ import|@\w|elif |except\b.*:)", re.M)
_C_HINTS = re.compile(r"^[^\S\n]*(#include\b|#define\b|\w[\w:<>*& ]*\([^;\n]*\)[^\S\n]*\{?[^\S\n]*$)|;[^\S\n]*$",
                      re.M)
_CPP_HINTS = re.compile(r"\b(std::|template\s*<|class \w+\s*(:|\{)|namespace\b|Q_OBJECT|nullptr|::)")


def guess_language(code: str) -> str | None:
    code = code.lstrip("\n")  # the blank lines that keep a prompt's numbers hold no hint: skip them fast
    python = len(_PYTHON_HINTS.findall(code))
    c_like = len(_C_HINTS.findall(code))
    if python == 0 and c_like == 0:
        return None
    if python >= c_like:
        return "python"
    return "cpp" if _CPP_HINTS.search(code) else "c"
