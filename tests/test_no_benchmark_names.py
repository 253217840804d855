"""No module of secreview keys on the names benchmark suites give their code.

Juliet names its flawed functions `..._bad`, `badSink`, its fixed ones `good1`,
`goodG2B`, its files and functions `CWE121_...`, guards them with `OMITBAD` /
`OMITGOOD` and prints through `printLine`; Infer's test programs end their
names in `_Bad`, `_Good`, `_ok`.  A rule that reads those names scores on the
answer sheet (the benchmark harnesses also rename everything before scanning,
scripts/neutral_names.py).  This test reads every string literal of every
module under src/secreview (rules, lang, knowledge, taint, engine...), that is
every name or pattern the code can compare against, and fails on one that
names such a thing.  Docstrings and comments are prose and are not read; in a
literal with spaces (a message) only compound names count (`goodG2B`,
`_bad`, `CWE121_x`), not the English words "bad" or "good".
"""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parent.parent / "src" / "secreview"

# Names of the benchmark suites, their directories, build switches and support library (exact words).
SUITE_WORDS = frozenset({
    "juliet", "omitbad", "omitgood", "includemain", "testcases", "testcasesupport", "std_testcase", "testcode",
    "printline", "printwline", "printintline", "printshortline", "printfloatline", "printlongline",
    "printlonglongline", "printsizetline", "printhexcharline", "printwcharline", "printunsignedline",
    "printhexunsignedcharline", "printdoubleline", "printstructline", "printbytesline", "decodehexchars",
    "decodehexwchars", "globalreturnstrue", "globalreturnsfalse", "globalreturnstrueorfalse", "globaltrue",
    "globalfalse", "globalfive", "global_const_true", "global_const_false", "global_const_five",
    "static_const_true", "static_const_false", "static_const_five", "statictrue", "staticfalse", "staticfive",
    "twointsstruct", "g2b", "b2g",
})
LABEL_PARTS = frozenset({"bad", "good"})
# Library names that contain a label word: C++ exceptions, HTTP status names, Bandit check ids.
LIBRARY_NAMES = frozenset({
    "bad_alloc", "bad_cast", "bad_typeid", "bad_function_call", "bad_optional_access", "bad_variant_access",
    "bad_weak_ptr", "bad_array_new_length", "bad_exception", "bad_any_cast",
    "BadRequest", "HttpResponseBadRequest", "HTTPBadRequest", "BadSignature", "BAD_REQUEST", "BAD_GATEWAY",
    "set_bad_file_permissions", "ssl_with_bad_version", "ssl_with_bad_defaults", "xml_bad_cElementTree",
    "xml_bad_ElementTree", "xml_bad_expatreader", "xml_bad_expatbuilder", "xml_bad_sax", "xml_bad_minidom",
    "xml_bad_pulldom", "xml_bad_etree",
})
# Offenders found when this test was written (module, literal); listed in the report, not fixed here because
# the modules belong to other work. Remove an entry when its module no longer has the literal.
KNOWN_OFFENDERS: frozenset[tuple[str, str]] = frozenset()

_WORD = re.compile(r"[A-Za-z0-9_]+")
_PARTS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_CWE_NAME = re.compile(r"^cwe\d+", re.IGNORECASE)
_LABEL_SUFFIX_PATTERN = re.compile(r"(?i)_(?:bad|good|ok)(?:\$|\\b)")


def name_parts(word: str) -> list[str]:
    """`goodG2BSink` -> ['good', 'G2B', 'Sink']-like parts, lower-cased: split on `_` and case changes."""
    return [part.lower() for chunk in word.split("_") for part in _PARTS.findall(chunk)]


def benchmark_names(literal: str) -> list[str]:
    """The benchmark names a string literal holds (empty for prose and for ordinary code names)."""
    prose = any(char.isspace() for char in literal.strip())
    found = []
    for word in _WORD.findall(literal):
        parts = name_parts(word)
        if word.lower() in SUITE_WORDS or _CWE_NAME.match(word):
            found.append(word)
        elif word in LIBRARY_NAMES or not LABEL_PARTS & set(parts):
            continue
        elif not prose or len(parts) > 1 or word.startswith("_"):
            found.append(word)
    if _LABEL_SUFFIX_PATTERN.search(literal):
        found.append(_LABEL_SUFFIX_PATTERN.search(literal).group())
    return found


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the docstring constants of a module, its classes and functions."""
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def literals(source: str) -> list[str]:
    """Every string literal of a module (f-string pieces included), docstrings left out."""
    tree = ast.parse(source)
    skip = _docstrings(tree)
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip]


@functools.cache
def offenders() -> frozenset[tuple[str, str]]:
    found = set()
    for path in sorted(SOURCE.rglob("*.py")):
        module = path.relative_to(SOURCE).as_posix()
        for literal in literals(path.read_text(encoding="utf-8")):
            found |= {(module, name) for name in benchmark_names(literal)}
    return frozenset(found)


def test_no_module_keys_on_benchmark_names() -> None:
    new = offenders() - KNOWN_OFFENDERS
    assert not new, "string literals naming benchmark code (rename nothing, key on the code instead): " + \
        ", ".join(f"{module}: {name!r}" for module, name in sorted(new))


def test_known_offenders_are_still_there() -> None:
    assert KNOWN_OFFENDERS <= offenders(), "an offender was fixed: remove it from KNOWN_OFFENDERS"


@pytest.mark.parametrize("literal", [
    "_bad", "bad", "goodG2B", "badSink", r"(?:bad|good)\w*", r"\w+_Bad$", "CWE121_Stack_Based", "OMITBAD",
    "printLine", "juliet", r"_ok\b", "foo_good1", "call a goodB2G helper",
])
def test_names_and_patterns_of_benchmark_code_are_caught(literal: str) -> None:
    assert benchmark_names(literal)


@pytest.mark.parametrize("literal", [
    "Why is this bad?", "bad type", "a good reason", "std::bad_alloc", "HttpResponseBadRequest", "CWE-121",
    "response.ok", "badge", "is_ok",
])
def test_prose_and_library_names_are_not_caught(literal: str) -> None:
    assert not benchmark_names(literal)
