"""How rules of every language turn a dataflow verdict into a finding's trace and note."""

from __future__ import annotations

import tree_sitter as ts

from secreview import taint
from secreview.rules import shorten

STRENGTH = {"none": 0, "unknown": 1, "param": 2, "local": 3, "source": 4}
"""Provenance kinds from weakest to strongest evidence that someone outside picks the value."""


def trace_of(provenance: taint.Provenance) -> tuple[tuple[ts.Node, str], ...]:
    label = provenance.label
    if label is None:
        return ()
    return tuple((step.node, step.note) for step in label.trace if isinstance(step.node, ts.Node))


def source_note(file, provenance: taint.Provenance, sink: str) -> str:
    """A paragraph for the description: which source reaches the sink (`file` needs only `text_of`)."""
    label = provenance.label
    origin = label.origin if isinstance(label.origin, ts.Node) else None
    where = f" on line {origin.start_point[0] + 1} (`{shorten(file.text_of(origin), 60)}`)" if origin else ""
    chooser = "an attacker" if provenance.kind == "source" else "whoever runs the program or feeds it input"
    return (f"Dataflow: {label.name}{where} reaches {sink} without passing a check or an escaping step "
            f"that neutralises it, so {chooser} chooses this value.")
