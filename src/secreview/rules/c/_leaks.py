"""The two shapes of a leak, shared by the memory and handle rules."""

from __future__ import annotations

from collections.abc import Iterator

from secreview.lang.c_family.file import CFile
from secreview.rules import Hit
from secreview.rules.c._lifetime import Acquisition, Resource, acquisitions, leaking_returns, never_released

# `main` may leave cleanup to process exit; warning there is noise, not a defect.
_PROCESS_EXIT_FUNCTIONS = frozenset({"main", "wmain", "_tmain", "WinMain"})


def error_path_leaks(file: CFile, resource: Resource, *, new_only: bool = False) -> Iterator[Hit]:
    for acquisition in acquisitions(file, resource):
        if new_only != (acquisition.callee in ("new", "new[]")):
            continue
        for ret in leaking_returns(file, acquisition, resource):
            yield Hit(ret, _values(acquisition))
            break  # one report per acquisition: fixing it fixes the pattern


def unreleased(file: CFile, resource: Resource) -> Iterator[Hit]:
    for acquisition in acquisitions(file, resource):
        function = file.enclosing_function(acquisition.source)
        if function is None or file.function_name(function) in _PROCESS_EXIT_FUNCTIONS:
            continue
        if never_released(file, acquisition, resource):
            yield Hit(acquisition.source, _values(acquisition))


def _values(acquisition: Acquisition) -> dict[str, str]:
    return {"name": acquisition.name, "callee": acquisition.callee,
            "acquired_line": str(acquisition.source.start_point[0] + 1)}
