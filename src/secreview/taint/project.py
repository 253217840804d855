"""Cross-file dataflow: names imported from other modules of the reviewed tree.

A `Project` maps dotted module names to the reviewed files that define them
(by their path: `pkg/sub/mod.py` answers to `mod`, `sub.mod` and
`pkg.sub.mod`; a name is used when exactly one file answers to it, or exactly one
of several sits under the importing file's own directories, as `python app.py`
would find it).
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
import re
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from secreview.taint.analysis import FileAnalysis, OutgoingCall, Value

MAX_CACHED_MODULES = 256
# A module imported by more files than this is a library of the project, not a helper of a few
# routes: following all its callers would cost a review of each, so its parameters stay unknown.
MAX_IMPORTERS = 4
_IMPORT_LINE = re.compile(r"^[ \t]*(?:from[ \t]+([\w.]+)[ \t]+import[ \t]+([^\n#]+)|import[ \t]+([^\n#]+))", re.M)


@dataclass
class _Load:
    """One module environment being computed, and what computing it consulted."""

    module: str
    consulted: set[str] = field(default_factory=set)
    contextual: bool = False  # an import cycle was cut at a module loading outside this one


class Project:
    def __init__(self, sources: Iterable, make_file: Callable, make_analysis: Callable,
                 make_review: Callable | None = None, test_paths: frozenset[str] = frozenset()) -> None:
        """`make_file(source)` parses a source; `make_analysis(file, resolver)` evaluates its definitions;
        `make_review(file, resolver)` analyses it with its entry points (for the calls it makes).
        Calls from `test_paths` (test code) into other modules are not followed: a test is not a way in
        for an attacker, and its fixtures would pass their fake requests for real ones."""
        self._test_paths = test_paths
        self._make_file = make_file
        self._make_analysis = make_analysis
        self._make_review = make_review
        self._importers: dict[str, list] | None = None  # imported name part -> sources importing it
        self._imported: dict[str, set[str]] = {}  # source path -> the name parts its imports mention
        self._outgoing: OrderedDict[str, tuple[list[OutgoingCall], frozenset[str]]] = OrderedDict()
        self._quiet: dict[str, frozenset[str]] = {}  # files passing no attacker data out -> what that consulted
        self._modules: dict[str, list] = defaultdict(list)
        self._python = [s for s in sources if s.language == "python" and s.kind == "file"]  # scripts included
        for source in self._python:
            for name in module_names(source.path):
                self._modules[name].append(source)
        self._envs: OrderedDict[str, dict[str, Value] | None] = OrderedDict()
        self._closure: dict[str, frozenset[str]] = {}  # modules consulted while computing a kept env
        self._stack: list[_Load] = []
        self._recording: set[str] | None = None

    def resolve(self, dotted: str, near: str | None = None) -> Value | None:
        """The value of `module.attr` (or `package.module.attr.attr`) defined in the reviewed tree,
        as imported by the file at `near` (None: a name only one file answers to)."""
        parts = dotted.split(".")
        for split in range(len(parts) - 1, 0, -1):
            module, attributes = ".".join(parts[:split]), parts[split:]
            env = self.module_env(module, near)
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

    def module_env(self, module: str, near: str | None = None) -> dict[str, Value] | None:
        self._consult({module})
        source = self._answer(module, near)
        if source is None:
            return None
        key = source.path
        if key in self._envs:
            self._envs.move_to_end(key)
            self._consult(self._closure.get(key, frozenset()))
            return self._envs[key]
        loading = [load.module for load in self._stack]
        module = key
        if module in loading:
            for load in self._stack[loading.index(module) + 1:]:
                load.contextual = True
            return None
        load = _Load(module)
        self._stack.append(load)
        try:
            file = self._make_file(source)
            analysis: FileAnalysis = self._make_analysis(file, lambda name: self.resolve(name, source.path))
            env = analysis.module_env if analysis.incomplete is None else None
        except Exception:  # a module we cannot analyse only costs precision, never the review
            env = None
        finally:
            self._stack.pop()
        self._consult(load.consulted)
        if not load.contextual:
            self._keep(module, env, frozenset(load.consulted))
        return env

    def calls_into(self, path: str) -> list[OutgoingCall]:
        """Calls from the files importing the module at `path` into it that pass attacker data.

        Each importing file is analysed once per project (with its entry points); what those
        analyses consulted, and the importing files themselves, are recorded as consulted.
        """
        if self._make_review is None:
            return []
        importers = self._importers_of(path)
        if len(importers) > MAX_IMPORTERS:
            return []
        found: list[OutgoingCall] = []
        for source in importers:
            self._consult(module_names(source.path))
            calls, consulted = self._calls_of(source)
            self._consult(consulted)
            found.extend(call for call in calls if call.callee_file == path)
        return found

    def reviewed(self, file, outgoing: list[OutgoingCall]) -> None:
        """The calls into other modules that the review of `file` found, with its entry points, before
        following any caller: the same analysis `calls_into` runs on an importer, so it is not run again.
        What this review consulted so far stands for what the analysis consulted (a superset)."""
        self._keep_outgoing(file.path, [replace(call, caller_file=file) for call in outgoing],
                            frozenset(self._recording or ()))

    def _keep_outgoing(self, path: str, calls: list[OutgoingCall], consulted: frozenset[str]) -> None:
        """Calls holding a caller's syntax tree are kept for the most recent files only; a file that passes
        no attacker data to other modules (most) costs a set of names, so that answer is always kept."""
        if not calls:
            self._quiet[path] = consulted
            return
        self._outgoing[path] = (calls, consulted)
        self._outgoing.move_to_end(path)
        if len(self._outgoing) > MAX_CACHED_MODULES:
            self._outgoing.popitem(last=False)

    def _calls_of(self, source) -> tuple[list[OutgoingCall], frozenset[str]]:
        if source.path in self._quiet:
            return [], self._quiet[source.path]
        if source.path not in self._outgoing:
            load = _Load(source.path)
            self._stack.append(load)
            try:
                file = self._make_file(source)
                calls = [replace(call, caller_file=file)
                         for call in self._make_review(file, lambda name: self.resolve(name, source.path)).outgoing]
            except Exception:  # an importer we cannot analyse only costs precision, never the review
                calls = []
            finally:
                self._stack.pop()
            self._keep_outgoing(source.path, calls, frozenset(load.consulted))
            if not calls:
                return [], self._quiet[source.path]
        return self._outgoing[source.path]

    @property
    def python_sources(self) -> list:
        """Every Python source of the run (scripts included)."""
        return self._python

    def importers_of(self, path: str) -> list:
        """The reviewed sources other than `path` whose imports name its module (not recorded as consulted:
        a caller records the files it reads with `sources_of`)."""
        return self._importers_of(path)

    def _importers_of(self, path: str) -> list:
        """The reviewed sources (other than `path`) whose import statements name `path`'s module."""
        if self._importers is None:
            self._importers = defaultdict(list)
            for source in self._python:
                self._imported[source.path] = _imported_parts(source.text)
                for part in self._imported[source.path]:
                    self._importers[part].append(source)
        names = module_names(path)
        if not names:
            return []
        from_tests = path in self._test_paths
        return [s for s in self._importers.get(names[0].split(".")[-1], [])
                if s.path != path and (from_tests or s.path not in self._test_paths)
                and self._imports_from(s.path, names, path)]

    def _imports_from(self, importer: str, names: list[str], path: str) -> bool:
        """Some name of the module at `path` means that file when the file at `importer` imports it
        (of several apps' `models/db.py` in one tree, only the importer's own)."""
        here = os.path.dirname(os.path.abspath(importer))
        mentioned = self._imported.get(importer, set())
        for name in names:
            if not mentioned.issuperset(name.split(".")):
                continue
            source = self._answer(name, importer)
            if source is not None and source.path == path \
                    and _is_within(here, _import_root(path, name.count(".") + 1)):
                return True
        return False

    def _answer(self, module: str, near: str | None):
        """The one reviewed source `module` names for a file at `near`, or None."""
        candidates = self._modules.get(module, [])
        if len(candidates) > 1 and near is not None:
            depth = module.count(".") + 1
            here = os.path.dirname(os.path.abspath(near))
            candidates = [c for c in candidates if _is_within(here, _import_root(c.path, depth))]
        return candidates[0] if len(candidates) == 1 else None

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


def _imported_parts(text: str) -> set[str]:
    """Every dotted part named by the file's import statements (`from a.b import c` -> a, b, c)."""
    parts: set[str] = set()
    for match in _IMPORT_LINE.finditer(text):
        for group in match.groups():
            if group:
                parts.update(re.findall(r"\w+", group))
    return parts


def _import_root(path: str, depth: int) -> str:
    """The directory a module at `path` named with `depth` dotted parts is imported from."""
    root = os.path.abspath(path)
    if os.path.basename(root) == "__init__.py":
        root = os.path.dirname(root)
    for _ in range(depth):
        root = os.path.dirname(root)
    return root


def _is_within(directory: str, root: str) -> bool:
    return directory == root or directory.startswith(root.rstrip(os.sep) + os.sep)


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
