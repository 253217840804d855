"""Cross-file dataflow: names imported from other modules of the reviewed tree.

A `Project` maps dotted module names to the reviewed files that define them
(by their path: `pkg/sub/mod.py` answers to `mod`, `sub.mod` and
`pkg.sub.mod`; a name is used only when exactly one file answers to it).
When a file's analysis meets `helpers.utils.escape(...)`, the project
evaluates that module's definitions once (no entry-point analysis) and hands
back the function, class or constant, so calls into it are analysed with
their real bodies.

Two properties matter beyond one run:

- the answer for a module does not depend on the order in which files ask
  (so parallel workers, each with its own Project, report what one process
  reports): an environment computed while an import cycle was cut at a module
  that was already loading *outside* it depends on who asked first, so it is
  used once and not kept;
- which modules a file's analysis consulted, directly or through the modules
  it loaded, is recorded (`start_recording` / `stop_recording`), so a result
  cache can tell when a file's findings may change because another file did.
"""

from __future__ import annotations

import os
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from secreview.taint.analysis import FileAnalysis, Value

MAX_CACHED_MODULES = 256


@dataclass
class _Load:
    """One module environment being computed, and what computing it consulted."""

    module: str
    consulted: set[str] = field(default_factory=set)
    contextual: bool = False  # an import cycle was cut at a module loading outside this one


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
        self._closure: dict[str, frozenset[str]] = {}  # modules consulted while computing a kept env
        self._stack: list[_Load] = []
        self._recording: set[str] | None = None

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
        self._consult({module})
        if module in self._envs:
            self._envs.move_to_end(module)
            self._consult(self._closure.get(module, frozenset()))
            return self._envs[module]
        candidates = self._modules.get(module, [])
        if len(candidates) != 1:
            return None
        loading = [load.module for load in self._stack]
        if module in loading:
            for load in self._stack[loading.index(module) + 1:]:
                load.contextual = True
            return None
        load = _Load(module)
        self._stack.append(load)
        try:
            file = self._make_file(candidates[0])
            analysis: FileAnalysis = self._make_analysis(file, self.resolve)
            env = analysis.module_env if analysis.incomplete is None else None
        except Exception:  # a module we cannot analyse only costs precision, never the review
            env = None
        finally:
            self._stack.pop()
        self._consult(load.consulted)
        if not load.contextual:
            self._keep(module, env, frozenset(load.consulted))
        return env

    def _keep(self, module: str, env: dict[str, Value] | None, consulted: frozenset[str]) -> None:
        self._envs[module] = env
        self._closure[module] = consulted
        if len(self._envs) > MAX_CACHED_MODULES:
            evicted, _ = self._envs.popitem(last=False)
            self._closure.pop(evicted, None)

    def _consult(self, modules: Iterable[str]) -> None:
        target = self._stack[-1].consulted if self._stack else self._recording
        if target is not None:
            target.update(modules)

    def start_recording(self) -> None:
        """Record every module name consulted from now on (cycle-free loads included)."""
        self._recording = set()

    def stop_recording(self) -> frozenset[str]:
        consulted, self._recording = frozenset(self._recording or ()), None
        return consulted

    def answering(self, module: str) -> tuple:
        """The reviewed sources that answer to a module name (one: resolved; none or several: not).

        Not recorded as consulted: for the engine's cache bookkeeping.  Analyses use `sources_of`.
        """
        return tuple(self._modules.get(module, ()))

    def sources_of(self, module: str) -> tuple:
        """`answering(module)`, recorded as consulted by the file being analysed."""
        self._consult({module})
        return self.answering(module)


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
