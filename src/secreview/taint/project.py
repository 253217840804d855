"""Cross-file dataflow: names imported from other modules of the reviewed tree.

A `Project` maps dotted module names to the reviewed files that define them
(by their path: `pkg/sub/mod.py` answers to `mod`, `sub.mod` and
`pkg.sub.mod`; a name is used only when exactly one file answers to it).
When a file's analysis meets `helpers.utils.escape(...)`, the project
evaluates that module's definitions once (no entry-point analysis) and hands
back the function, class or constant, so calls into it are analysed with
their real bodies.
"""

from __future__ import annotations

import os
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable

from secreview.taint.analysis import FileAnalysis, Value

MAX_CACHED_MODULES = 256


class Project:
    def __init__(self, sources: Iterable, make_file: Callable, make_analysis: Callable) -> None:
        """`make_file(source)` parses a source; `make_analysis(file, resolver)` evaluates its definitions."""
        self._make_file = make_file
        self._make_analysis = make_analysis
        self._modules: dict[str, list] = defaultdict(list)
        for source in sources:
            if source.language == "python" and source.kind == "file":
                for name in module_names(source.path):
                    self._modules[name].append(source)
        self._envs: OrderedDict[str, dict[str, Value] | None] = OrderedDict()
        self._loading: set[str] = set()

    def resolve(self, dotted: str) -> Value | None:
        """The value of `module.attr` (or `package.module.attr.attr`) defined in the reviewed tree."""
        parts = dotted.split(".")
        for split in range(len(parts) - 1, 0, -1):
            module, attributes = ".".join(parts[:split]), parts[split:]
            env = self.module_env(module)
            if env is None:
                continue
            value = env.get(attributes[0])
            if value is None or len(attributes) > 1:
                return None if value is None or len(attributes) > 2 else self._member(value, attributes[1])
            return value
        return None

    @staticmethod
    def _member(value: Value, name: str) -> Value | None:
        from secreview.taint.analysis import ClassValue, FunctionValue
        cls = value.function
        if isinstance(cls, ClassValue) and isinstance(cls.methods.get(name), FunctionValue):
            return Value(function=cls.methods[name])
        return None

    def module_env(self, module: str) -> dict[str, Value] | None:
        if module in self._envs:
            self._envs.move_to_end(module)
            return self._envs[module]
        candidates = self._modules.get(module, [])
        if len(candidates) != 1 or module in self._loading:
            return None
        self._loading.add(module)
        try:
            file = self._make_file(candidates[0])
            analysis: FileAnalysis = self._make_analysis(file, self.resolve)
            env = analysis.module_env if analysis.incomplete is None else None
        except Exception:  # a module we cannot analyse only costs precision, never the review
            env = None
        finally:
            self._loading.discard(module)
        self._envs[module] = env
        if len(self._envs) > MAX_CACHED_MODULES:
            self._envs.popitem(last=False)
        return env


def module_names(path: str) -> list[str]:
    """Every dotted name a file could be imported as, from the shortest."""
    parts = [p for p in os.path.normpath(path).split(os.sep) if p not in ("", ".", "..")]
    if not parts or not parts[-1].endswith(".py"):
        return []
    parts[-1] = parts[-1][:-3]
    if parts[-1] == "__init__":
        parts.pop()
    names = []
    for start in range(len(parts) - 1, -1, -1):
        segment = parts[start:]
        if all(p.isidentifier() for p in segment):
            names.append(".".join(segment))
    return names
