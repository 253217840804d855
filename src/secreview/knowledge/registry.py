"""Finds the knowledge modules and merges them into one specification per language.

A knowledge module is any module of a knowledge package that defines
`KNOWLEDGE` (see `knowledge.schema`); adding a framework means adding such a
module, nothing else.  The merged specifications are computed once per process.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from types import ModuleType

from secreview.knowledge.schema import CKnowledge, Knowledge, PythonKnowledge, merged


def discover(package: ModuleType) -> list[Knowledge]:
    """The `KNOWLEDGE` of every module of `package`, in module-name order."""
    found: list[Knowledge] = []
    for module_info in sorted(pkgutil.iter_modules(package.__path__), key=lambda info: info.name):
        module = importlib.import_module(f"{package.__name__}.{module_info.name}")
        knowledge = getattr(module, "KNOWLEDGE", None)
        if isinstance(knowledge, (PythonKnowledge, CKnowledge)):
            found.append(knowledge)
    return found


def merge_python(modules: list[Knowledge]) -> PythonKnowledge:
    """What all Python modules among `modules` declare, as one knowledge."""
    return merged("python", [m for m in modules if isinstance(m, PythonKnowledge)], PythonKnowledge)  # type: ignore[return-value]


def merge_c(modules: list[Knowledge]) -> CKnowledge:
    """What all C and C++ modules among `modules` declare, as one knowledge."""
    return merged("c", [m for m in modules if isinstance(m, CKnowledge)], CKnowledge)  # type: ignore[return-value]


@functools.cache
def all_modules() -> tuple[Knowledge, ...]:
    """The knowledge of every module of `secreview.knowledge`."""
    import secreview.knowledge
    return tuple(discover(secreview.knowledge))


@functools.cache
def python() -> PythonKnowledge:
    """Everything known about Python frameworks and libraries: the spec of the Python taint engine."""
    return merge_python(list(all_modules()))


@functools.cache
def c() -> CKnowledge:
    """Everything known about C and C++ libraries: the spec of the C taint engine."""
    return merge_c(list(all_modules()))
