"""Where a weak primitive is used in C/C++: the names of the algorithm and of the protocol around it.

`weak_primitive_uses` yields each call or constant naming a broken hash or cipher with the protocol or
format that mandates it (knowledge/protocol_crypto.py), judged from the file's path and the enclosing
function's name (`print-tcp.c`, `tcp_verify_signature`: TCP-MD5), or None.
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts

from secreview.knowledge.protocol_crypto import MandatedBy, protocol_around
from secreview.lang.c_family.expressions import name_uses
from secreview.lang.c_family.file import CFile


def weak_primitive_uses(file: CFile, calls: frozenset[str], constants: frozenset[str]) \
        -> Iterator[tuple[ts.Node, str, MandatedBy | None]]:
    for node, algorithm in name_uses(file, calls, constants):
        function = file.enclosing_function(node)
        yield node, algorithm, protocol_around(file.path, [file.function_name(function)] if function else [])
