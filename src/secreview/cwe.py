"""CWE id -> name and CWE-1000 pillar lookup.

The data lives in ``cwe_table.tsv`` next to this module.  It is generated from
MITRE's CWE catalogue ``cwec_v4.14.xml`` (as shipped in the ``cwe2`` PyPI
package) by ``scripts/gen_cwe_table.py``: every weakness is mapped to the pillar
of view 1000 ("Research Concepts") reached by following its primary ``ChildOf``
relationship upwards.  The ten pillars are included and map to themselves.

Do not edit the TSV by hand.  To regenerate it::

    pip install cwe2
    python3 scripts/gen_cwe_table.py

The table is read lazily, once, on first use; importing this module is cheap.
Only the standard library is used.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib.resources import files

__all__ = ["PILLARS", "CweEntry", "UnknownCweError", "all_entries", "is_known", "lookup"]

_TABLE_RESOURCE = "cwe_table.tsv"
_HEADER = "id\tname\tpillar"

# Resolved lazily by the module-level __getattr__ below (PEP 562).
PILLARS: dict[int, str]
"""The ten CWE-1000 pillar ids mapped to their names, e.g. 284 -> "Improper Access Control"."""


class UnknownCweError(KeyError):
    """Raised by :func:`lookup` for an id that is not a weakness in the table."""

    def __init__(self, cwe_id: int) -> None:
        super().__init__(cwe_id)
        self.cwe_id = cwe_id

    def __str__(self) -> str:  # KeyError would repr() the message
        return (
            f"CWE-{self.cwe_id} is not a known weakness "
            "(not in the CWE 4.14 table; categories, views and retired ids are not included)"
        )


@dataclass(frozen=True)
class CweEntry:
    """One weakness: its id, MITRE name, and CWE-1000 pillar id."""

    id: int
    name: str
    pillar: int

    @property
    def pillar_name(self) -> str:
        return _pillars()[self.pillar]


def lookup(cwe_id: int) -> CweEntry:
    """Return the entry for ``cwe_id``; raise :class:`UnknownCweError` if absent."""
    try:
        return _table()[cwe_id]
    except KeyError:
        raise UnknownCweError(cwe_id) from None


def is_known(cwe_id: int) -> bool:
    """True if ``cwe_id`` is a weakness in the table."""
    return cwe_id in _table()


def all_entries() -> tuple[CweEntry, ...]:
    """Every entry, sorted by id."""
    return _sorted_entries()


def __getattr__(name: str) -> object:
    if name == "PILLARS":
        return _pillars()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# --------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------


@functools.cache
def _table() -> dict[int, CweEntry]:
    text = files("secreview").joinpath(_TABLE_RESOURCE).read_text(encoding="utf-8")
    return _parse_table(text)


@functools.cache
def _sorted_entries() -> tuple[CweEntry, ...]:
    return tuple(sorted(_table().values(), key=lambda entry: entry.id))


@functools.cache
def _pillars() -> dict[int, str]:
    return {entry.id: entry.name for entry in _table().values() if entry.pillar == entry.id}


def _parse_table(text: str) -> dict[int, CweEntry]:
    rows = [line for line in text.splitlines() if line and not line.startswith("#")]
    if not rows or rows[0] != _HEADER:
        raise ValueError(f"{_TABLE_RESOURCE}: missing header row {_HEADER!r}")
    table: dict[int, CweEntry] = {}
    for rowno, line in enumerate(rows[1:], start=1):
        fields = line.split("\t")
        if len(fields) != 3:
            raise ValueError(f"{_TABLE_RESOURCE}: data row {rowno}: expected 3 fields, got {len(fields)}")
        entry = CweEntry(id=int(fields[0]), name=fields[1], pillar=int(fields[2]))
        table[entry.id] = entry
    return table
