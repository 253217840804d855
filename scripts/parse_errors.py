"""Share of C/C++ files that tree-sitter parses with errors, and what the errors sit on.

    python scripts/parse_errors.py TREE [--include-dir DIR ...] [--top N]

Walks TREE for C and C++ files (a `.h` header is C or C++ by its content, as the
reviewer decides; an Objective-C header is not reviewed, so not counted), parses
each the way the reviewer does (the light preprocessor step included) and prints
the number of files, the files with errors and their share, then the most
frequent error contexts: the first word of the source line where an error starts
(a macro name, most often), counted once per file.  `--include-dir` and a
`compile_commands.json` at TREE's root feed the preprocessor step as in a review.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from secreview import lang  # noqa: E402
from secreview.lang.c_family.include_dirs import search_path  # noqa: E402

_FIRST_WORD = re.compile(r"[#A-Za-z_][\w:]*|\S")


def c_files(tree: str) -> list[tuple[str, str, str]]:
    """(path, language, text) of every C/C++ file below `tree`, decoded UTF-8 or else Latin-1."""
    found = []
    for directory, subdirectories, names in os.walk(tree):
        subdirectories[:] = sorted(d for d in subdirectories if not d.startswith("."))
        for name in sorted(names):
            path = os.path.join(directory, name)
            if lang.language_for_path(path) not in ("c", "cpp"):
                continue
            data = Path(path).read_bytes()
            language = lang.language_for_path(path, data)
            if language is None:  # an Objective-C header: reported as not reviewed, never parsed
                continue
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                text = data.decode("latin-1")
            found.append((path, language, text))
    return found


def error_context(text: str, line: int) -> str:
    source_line = text.splitlines()[line - 1] if line - 1 < len(text.splitlines()) else ""
    match = _FIRST_WORD.search(source_line)
    return match.group(0) if match else "(blank line)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree")
    parser.add_argument("--include-dir", action="append", default=[], metavar="DIR")
    parser.add_argument("--top", type=int, default=15, help="error contexts to list (default: 15)")
    args = parser.parse_args(argv)
    search = search_path(os.path.abspath(args.tree), tuple(args.include_dir))
    files = c_files(args.tree)
    broken = 0
    contexts: collections.Counter[str] = collections.Counter()
    for path, language, text in files:
        lines = lang.error_lines(lang.parse(language, text, search, path), limit=1)
        if lines:
            broken += 1
            contexts[error_context(text, lines[0])] += 1
    share = 100.0 * broken / len(files) if files else 0.0
    print(f"files: {len(files)}  with parse errors: {broken}  share: {share:.1f}%")
    for context, count in contexts.most_common(args.top):
        print(f"{count:6d}  {context}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
