"""Tests for secreview.cwe and the generated cwe_table.tsv."""

from __future__ import annotations

import importlib.util
import sys
from importlib.resources import files
from pathlib import Path

import pytest

from secreview import cwe
from secreview.cwe import PILLARS, CweEntry, UnknownCweError, all_entries, is_known, lookup

PILLAR_IDS = {284, 435, 664, 682, 691, 693, 697, 703, 707, 710}
GENERATOR = Path(__file__).resolve().parent.parent / "scripts" / "gen_cwe_table.py"

# Expected pillars, checked against the primary ChildOf chains in cwec_v4.14.xml.
EXPECTED_PILLARS = {
    78: 707,  # 78 -> 77 -> 74 -> 707
    22: 664,  # 22 -> 706 -> 664
    367: 691,  # 367 -> 362 -> 691
    295: 284,  # 295 -> 287 -> 284
    328: 693,  # 328 -> 327 -> 693
    190: 682,  # 190 -> 682
    597: 697,  # 597 -> 595 -> 1025 -> 697
    754: 703,  # 754 -> 703
    436: 435,  # 436 -> 435
    477: 710,  # 477 -> 710
    89: 707,  # 89 -> 943 -> 74 -> 707
    94: 707,  # 94 -> 74 -> 707
    611: 664,  # 611 -> 610 -> 664
    330: 693,  # 330 -> 693
    614: 693,  # 614 -> 319 -> 311 -> 693
    377: 664,  # 377 -> 668 -> 664
    502: 664,  # 502 -> 913 -> 664
}


@pytest.mark.parametrize(("cwe_id", "pillar"), sorted(EXPECTED_PILLARS.items()))
def test_known_pillars(cwe_id: int, pillar: int) -> None:
    assert lookup(cwe_id).pillar == pillar


def test_pillars_are_the_ten_with_names() -> None:
    assert set(PILLARS) == PILLAR_IDS
    assert PILLARS[284] == "Improper Access Control"
    assert PILLARS[707] == "Improper Neutralization"
    assert all(name for name in PILLARS.values())


def test_each_pillar_maps_to_itself() -> None:
    for pillar_id in PILLAR_IDS:
        entry = lookup(pillar_id)
        assert entry.pillar == pillar_id
        assert entry.pillar_name == entry.name == PILLARS[pillar_id]


def test_every_entry_has_a_valid_pillar_and_name() -> None:
    entries = all_entries()
    assert len(entries) > 900
    for entry in entries:
        assert entry.pillar in PILLAR_IDS, entry
        assert entry.name.strip(), entry
        assert entry.pillar_name == PILLARS[entry.pillar]


def test_all_entries_sorted_unique() -> None:
    ids = [entry.id for entry in all_entries()]
    assert ids == sorted(set(ids))


def test_lookup_returns_entry() -> None:
    entry = lookup(78)
    assert isinstance(entry, CweEntry)
    assert entry.id == 78
    assert "OS Command" in entry.name
    assert entry.pillar_name == "Improper Neutralization"


# 0 and 999999: unused; 1000, 699: views; 16: category; 132: deprecated weakness
@pytest.mark.parametrize("cwe_id", [0, 1000, 699, 16, 132, 999999])
def test_unknown_id_raises(cwe_id: int) -> None:
    assert not is_known(cwe_id)
    with pytest.raises(UnknownCweError) as excinfo:
        lookup(cwe_id)
    assert isinstance(excinfo.value, KeyError)
    assert excinfo.value.cwe_id == cwe_id
    assert f"CWE-{cwe_id}" in str(excinfo.value)


def test_is_known() -> None:
    assert is_known(89)
    assert is_known(284)


def test_pillars_module_attribute_is_stable() -> None:
    assert cwe.PILLARS is cwe.PILLARS
    with pytest.raises(AttributeError):
        cwe.no_such_attribute  # noqa: B018


def _load_generator(monkeypatch: pytest.MonkeyPatch):
    spec = importlib.util.spec_from_file_location("gen_cwe_table", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # dataclasses need it
    spec.loader.exec_module(module)
    return module


def test_committed_table_matches_fresh_generation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("cwe2")
    out = tmp_path / "cwe_table.tsv"
    assert _load_generator(monkeypatch).main(["--out", str(out)]) == 0
    committed = files("secreview").joinpath("cwe_table.tsv").read_text(encoding="utf-8")
    assert out.read_text(encoding="utf-8") == committed, (
        "src/secreview/cwe_table.tsv is stale; rerun scripts/gen_cwe_table.py"
    )
