"""Shell programs and their "run this script" flags, shared by the exec and QProcess rules."""

from __future__ import annotations

import os

SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh", "csh", "tcsh", "ash", "cmd", "cmd.exe", "powershell",
                    "powershell.exe", "pwsh"})
SCRIPT_FLAGS = frozenset({"-c", "/c", "/C", "/k", "/K", "-Command", "-command"})


def is_shell(program: str) -> bool:
    """`/bin/sh`, `bash`, `C:\\Windows\\System32\\cmd.exe` ... (case-insensitive file name)."""
    return os.path.basename(program.replace("\\", "/")).lower() in SHELLS
