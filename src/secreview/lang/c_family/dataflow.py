"""What the dataflow analysis (`secreview.taint`) knows about a C/C++ expression.

Two questions: where may this value come from (`provenance`), and, for a
number, which input produced it (`input_origin`).  The answer joins every
path and every call of the enclosing function seen in the file, so a
parameter of `sink(int n)` is input when some caller in the file passes
input.  Casts and parentheses around the expression do not matter.  The
analysis runs once per file and is shared by every rule that asks.
"""

from __future__ import annotations

import tree_sitter as ts

from secreview import taint
from secreview.lang.c_family.file import CFile, strip_casts
from secreview.taint import Provenance


def provenance(file: CFile, node: ts.Node | None, cls: str) -> Provenance:
    """Where the value of `node` may come from, for vulnerability class `cls` (see `knowledge/`)."""
    node = strip_casts(node)
    if node is None:
        return Provenance("unknown")
    return taint.provenance(taint.analysis_for(file), node, cls)


def input_origin(file: CFile, node: ts.Node | None) -> ts.Node | None:
    """The call that read the outside data this number was computed from, if any reached it."""
    found = provenance(file, node, "number")
    if found.kind in ("source", "local") and found.label is not None and isinstance(found.label.origin, ts.Node):
        return found.label.origin
    return None
