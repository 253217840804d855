"""Which files are test code, by the naming conventions of each language.

Test code is reviewed like any other file, but findings in it are hidden by
default (counted, and shown with --include-tests): tests are not deployed, and
on mature projects they produce most of a scanner's noise (Bandit on OpenStack
Nova: 88% of its findings are in tests).  One place decides what is a test,
for the engine's policy and for the rules that grade confidence by it.

The decision is made from the path alone (never by reading the file), on the
path relative to the project root when one is known, so that a checkout that
happens to live under a directory called `test/` is not all "test code".
"""

from __future__ import annotations

import functools
import os
import re

# Directory names that hold tests in Python, C/C++, Go and JavaScript projects.
TEST_DIRECTORIES = frozenset({
    "test", "tests", "testing", "unittest", "unittests", "unit_tests", "functional_tests",
    "integration_tests", "__tests__", "__mocks__", "testdata", "test_data", "spec",
})

# File names (lower case, extension removed) that are tests, per convention:
#   Python      test_x.py, x_test.py, x_tests.py, tests.py, conftest.py
#   C/C++       test_x.c, x_test.cc, x_unittest.cc, x_tests.cpp, tests.cpp, test.c
#   Go          x_test.go
#   JavaScript  x.test.js, x.spec.ts, x-test.js
_TEST_STEM = re.compile(
    r"""^(?:
        tests? | conftest
      | test[_\-].+
      | .+[_\-](?:tests?|unittests?|spec)
      | .+\.(?:test|spec)
    )$""",
    re.VERBOSE,
)


def is_test_path(path: str, root: str = "") -> bool:
    """True when `path` is test code: in a test directory or named like a test file.

    `root` is the project root; only the part of the path below it is looked at.
    """
    return _is_test(relative_to(path, root))


def relative_to(path: str, root: str) -> str:
    """`path` relative to `root` with forward slashes, when it lies below it; else `path` normalised."""
    normalized = os.path.normpath(path)
    if root:
        absolute = os.path.abspath(normalized)
        try:
            relative = os.path.relpath(absolute, root)
        except ValueError:  # another drive on Windows
            relative = normalized
        if not relative.startswith(".."):
            normalized = relative
    return normalized.replace(os.sep, "/").removeprefix("./")


@functools.lru_cache(maxsize=8192)
def _is_test(normalized: str) -> bool:
    parts = normalized.split("/")
    stem = os.path.splitext(parts[-1])[0].lower()  # x.test.js -> x.test
    if _TEST_STEM.match(stem):
        return True
    return any(part.lower() in TEST_DIRECTORIES for part in parts[:-1])
