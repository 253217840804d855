"""Command lines of the measurement scripts: their own options, then `--` and secreview's."""

from __future__ import annotations

import sys


def split_at_double_dash(argv: list[str] | None) -> tuple[list[str], list[str]]:
    """(the script's arguments, the secreview options after `--`), from `argv` or the command line."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--" not in argv:
        return argv, []
    at = argv.index("--")
    return argv[:at], argv[at + 1:]
