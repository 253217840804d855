"""Copy C/C++ benchmark programs under neutral names before a tool scans them.

Benchmark suites name their code after the answer: Juliet's `CWE121_..._bad`
and `goodG2B`, Infer's `modulo_signed_Bad` and `..._ok`, files such as
`CWE476_..._01.c`.  A scanner that reads those names scores on the names, not
on the code.  `neutral_copy` writes every program of one suite to a scratch
folder where

- every file is renamed `fileNNNN.<ext>` (local `#include "x.h"` follow);
- every function, class/struct/union/enum, namespace and global variable
  *defined* in the suite is renamed `fNNNN`/`tNNNN`/`nNNNN`/`gNNNN`, at its
  definition and at every reference (calls, prototypes, qualified names,
  member calls, types, `extern` declarations), as tree-sitter identifiers of
  our own C/C++ front end, never by text search (local variables keep theirs);
- comments are blanked (they say `FLAW`/`FIX`), keeping their line breaks.

Nothing moves to another line, so a finding at line N of a neutral file is at
line N of the original; `NeutralCopy` maps files and names back for scoring.
Numbers follow a hash of the original name, not its alphabetical rank, so that
`..._bad` and `..._good` do not come out in a telling order.  Names a program
does not define (library functions, `main`) stay as they are, and so do the member
names of the C++ standard library (`reset`, `lock`, `push_back`...) when a suite defines one of its own.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import tree_sitter as ts

from secreview import lang

# Names whose meaning the program shares with the outside world, kept as they are: the entry point, and the
# member functions of the C++ standard library's smart pointers, containers, strings, optional, mutexes,
# atomics and threads. A suite that defines a `reset` or `lock` of its own (a mock of folly::Optional, of a
# mutex) would otherwise rename `p.reset()` on a std::unique_ptr too, and change what the program does.
# None of them tells a defect from its fix.
STANDARD_MEMBER_NAMES = frozenset({
    "reset", "get", "release", "swap", "use_count", "expired", "lock", "unlock", "try_lock", "owner_before",
    "begin", "end", "cbegin", "cend", "rbegin", "rend", "size", "empty", "clear", "data", "c_str", "at", "front",
    "back", "push_back", "emplace_back", "pop_back", "push_front", "pop_front", "insert", "emplace", "erase",
    "find", "count", "contains", "reserve", "resize", "capacity", "shrink_to_fit", "assign", "append", "substr",
    "length", "value", "value_or", "has_value", "store", "load", "exchange", "compare_exchange_strong",
    "compare_exchange_weak", "fetch_add", "fetch_sub", "join", "detach", "joinable", "wait", "notify_one",
    "notify_all",
})
KEPT_NAMES = frozenset({"main"}) | STANDARD_MEMBER_NAMES
_C_NAMES = ("identifier", "field_identifier", "type_identifier")
NAMES_QUERY = {"c": "[" + " ".join(f"({t})" for t in _C_NAMES) + "] @name",
               "cpp": "[" + " ".join(f"({t})" for t in (*_C_NAMES, "namespace_identifier")) + "] @name"}
_COMMENTS_QUERY = "(comment) @comment"
_INCLUDE_QUERY = "(preproc_include path: (string_literal) @path)"
_DECLARATOR_WRAPPERS = frozenset({"pointer_declarator", "reference_declarator", "parenthesized_declarator",
                                  "attributed_declarator"})
_TYPE_DEFINITIONS = frozenset({"class_specifier", "struct_specifier", "union_specifier", "enum_specifier"})
_TOP_LEVELS = frozenset({"translation_unit", "declaration_list", "namespace_definition", "linkage_specification",
                         "preproc_if", "preproc_ifdef", "preproc_else", "preproc_elif", "preproc_elifdef"})
_VARIABLE_WRAPPERS = frozenset({"init_declarator", "pointer_declarator", "reference_declarator",
                                "array_declarator", "parenthesized_declarator"})


@dataclass
class NeutralCopy:
    """Where the neutral copy is, and the way back to the original files and names."""

    directory: Path
    originals: dict[Path, Path] = field(default_factory=dict)  # neutral file -> original file
    names: dict[str, str] = field(default_factory=dict)  # original name -> neutral name
    new_errors: list[Path] = field(default_factory=list)  # originals whose copy parses with more errors


@dataclass(frozen=True)
class _Parsed:
    path: Path
    language: str
    data: bytes
    tree: ts.Tree


def language_of(path: Path, data: bytes) -> str:
    return lang.language_for_path(str(path), data) or "c"


def _parse(path: Path) -> _Parsed:
    text = path.read_bytes().decode("utf-8", errors="replace")
    language = language_of(path, text.encode("utf-8"))
    return _Parsed(path, language, text.encode("utf-8"), lang.parse(language, text))


def _text(parsed: _Parsed, node: ts.Node) -> str:
    return parsed.data[node.start_byte:node.end_byte].decode("utf-8")


def declared_name(declarator: ts.Node | None) -> ts.Node | None:
    """The identifier a declarator names (`g` in `A::g<int>(int)`, `p` in `*p`); None for operators and destructors."""
    while declarator is not None and declarator.type in _DECLARATOR_WRAPPERS | {"function_declarator"}:
        declarator = declarator.child_by_field_name("declarator") or (
            declarator.named_children[-1] if declarator.named_children else None)
    while declarator is not None and declarator.type in ("qualified_identifier", "template_function"):
        declarator = declarator.child_by_field_name("name")
    if declarator is not None and declarator.type in ("identifier", "field_identifier"):
        return declarator
    return None


def _variable_name(declarator: ts.Node | None) -> ts.Node | None:
    """The identifier a variable declarator names (`p` in `*p = 0`); None for a function's declarator."""
    while declarator is not None and declarator.type in _VARIABLE_WRAPPERS:
        declarator = declarator.child_by_field_name("declarator") or (
            declarator.named_children[-1] if declarator.named_children else None)
    return declarator if declarator is not None and declarator.type == "identifier" else None


def at_top_level(node: ts.Node) -> bool:
    """True for a node outside every function and class body (conditional compilation aside)."""
    parent = node.parent
    while parent is not None and parent.type in _TOP_LEVELS:
        parent = parent.parent
    return parent is None


def _is_extern(parsed: _Parsed, declaration: ts.Node) -> bool:
    return any(child.type == "storage_class_specifier" and _text(parsed, child) == "extern"
               for child in declaration.children)


@dataclass
class DefinedNames:
    functions: set[str] = field(default_factory=set)
    types: set[str] = field(default_factory=set)
    namespaces: set[str] = field(default_factory=set)
    globals: set[str] = field(default_factory=set)


def defined_names(parsed: _Parsed, into: DefinedNames) -> None:
    """Add the names of the functions, types, namespaces and global variables this file defines."""
    stack = [parsed.tree.root_node]
    while stack:
        node = stack.pop()
        stack.extend(node.named_children)
        if node.type == "function_definition":
            name = declared_name(node.child_by_field_name("declarator"))
            if name is not None:
                into.functions.add(_text(parsed, name))
        elif node.type in _TYPE_DEFINITIONS and node.child_by_field_name("body") is not None:
            name = node.child_by_field_name("name")
            if name is not None and name.type == "type_identifier":
                into.types.add(_text(parsed, name))
        elif node.type == "namespace_definition":
            name = node.child_by_field_name("name")
            if name is not None and name.type == "namespace_identifier":
                into.namespaces.add(_text(parsed, name))
        elif node.type == "declaration" and at_top_level(node) and not _is_extern(parsed, node):
            for declarator in node.children_by_field_name("declarator"):
                name = _variable_name(declarator)
                if name is not None:
                    into.globals.add(_text(parsed, name))


def _number(key: str, salt: str) -> str:
    return hashlib.sha256(f"{salt}\0{key}".encode()).hexdigest()


def neutral_names(defined: DefinedNames, taken: set[str], salt: str = "") -> dict[str, str]:
    """Original name -> neutral name; a constructor's name is its class's, so types win over functions."""
    mapping: dict[str, str] = {}
    groups = (("t", defined.types), ("n", defined.namespaces), ("f", defined.functions), ("g", defined.globals))
    for prefix, names in groups:
        fresh = sorted(names - set(mapping) - KEPT_NAMES, key=lambda name: _number(name, salt))
        width = max(4, len(str(len(fresh))))
        counter = 0
        for name in fresh:
            counter += 1
            while f"{prefix}{counter:0{width}d}" in taken:
                counter += 1
            mapping[name] = f"{prefix}{counter:0{width}d}"
    return mapping


def _edits(parsed: _Parsed, names: dict[str, str], includes: dict[str, str]) -> list[tuple[int, int, bytes]]:
    root = parsed.tree.root_node
    edits = []
    for node in lang.captures(parsed.language, NAMES_QUERY[parsed.language], root).get("name", []):
        new = names.get(_text(parsed, node))
        if new is not None and not _library_name(parsed, node, names):
            edits.append((node.start_byte, node.end_byte, new.encode()))
    for node in lang.captures(parsed.language, _COMMENTS_QUERY, root).get("comment", []):
        blank = b"/*" + b"\n" * _text(parsed, node).count("\n") + b"*/"
        edits.append((node.start_byte, node.end_byte, blank))
    for node in lang.captures(parsed.language, _INCLUDE_QUERY, root).get("path", []):
        new = includes.get(_text(parsed, node).strip('"'))
        if new is not None:
            edits.append((node.start_byte, node.end_byte, f'"{new}"'.encode()))
    return sorted(edits)


def _library_name(parsed: _Parsed, node: ts.Node, names: dict[str, str]) -> bool:
    """A name qualified by a namespace the suite does not define (`std::unique_ptr<int>`, `std::function`):
    the library's, even when the suite defines a namespace or function of the same name."""
    named = node
    if named.parent is not None and named.parent.type in ("template_type", "template_function") \
            and named.parent.child_by_field_name("name") == named:
        named = named.parent
    parent = named.parent
    if parent is None or parent.type != "qualified_identifier" or parent.child_by_field_name("name") != named:
        return False
    scope = parent.child_by_field_name("scope")
    return scope is not None and scope.type == "namespace_identifier" and _text(parsed, scope) not in names


def apply_edits(data: bytes, edits: Sequence[tuple[int, int, bytes]]) -> bytes:
    """`data` with each (start, end, replacement) applied; edits are sorted and do not overlap."""
    pieces = []
    position = 0
    for start, end, replacement in edits:
        if start < position:  # an identifier inside a replaced comment or include
            continue
        pieces += [data[position:start], replacement]
        position = end
    pieces.append(data[position:])
    return b"".join(pieces)


def error_count(tree: ts.Tree) -> int:
    if not tree.root_node.has_error:
        return 0
    count = 0
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            count += 1
        elif node.has_error:
            stack.extend(node.children)
    return count


def _file_names(sources: Sequence[Path], salt: str) -> dict[Path, str]:
    ordered = sorted(sources, key=lambda path: _number(str(path), salt))
    width = max(4, len(str(len(ordered))))
    return {path: f"file{index:0{width}d}{path.suffix}" for index, path in enumerate(ordered, 1)}


def _local_includes(parsed: _Parsed, new_file_names: dict[Path, str]) -> dict[str, str]:
    """Include text -> neutral file name, for the `#include "..."` of this file that name a suite file."""
    includes = {}
    for node in lang.captures(parsed.language, _INCLUDE_QUERY, parsed.tree.root_node).get("path", []):
        written = _text(parsed, node).strip('"')
        target = Path(os.path.normpath(parsed.path.parent / written))
        if target in new_file_names:
            includes[written] = new_file_names[target]
    return includes


def neutral_copy(sources: Sequence[Path], destination: Path, salt: str = "") -> NeutralCopy:
    """Write `sources` (one suite: its programs and headers) to `destination` under neutral names."""
    sources = [Path(os.path.abspath(p)) for p in sources]
    defined = DefinedNames()
    taken: set[str] = set()
    for file in map(_parse, sources):  # two passes, parsing twice: a large suite's trees do not fit in memory
        defined_names(file, defined)
        names_found = lang.captures(file.language, NAMES_QUERY[file.language], file.tree.root_node)
        taken |= {_text(file, n) for n in names_found.get("name", [])}
    names = neutral_names(defined, taken, salt)
    file_names = _file_names(sources, salt)
    destination.mkdir(parents=True, exist_ok=True)
    copy = NeutralCopy(destination, names=names)
    for file in map(_parse, sources):
        data = apply_edits(file.data, _edits(file, names, _local_includes(file, file_names)))
        target = destination / file_names[file.path]
        target.write_bytes(data)
        copy.originals[target] = file.path
        if error_count(lang.parse(file.language, data.decode("utf-8"))) > error_count(file.tree):
            copy.new_errors.append(file.path)
    return copy
