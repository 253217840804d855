"""The rule framework: metadata declared once, checks that yield hits.

A rule is a module under ``secreview/rules/<language>/`` named after its id
(``yaml-unsafe-load`` lives in ``yaml_unsafe_load.py``).  The module's
docstring is the rule's documentation, in five sections (What it does / Why
is this bad? / Example / Use instead / References), and the module defines
exactly one `Rule` subclass.  Rules are discovered automatically.

A check yields `Hit`s: where the defect is plus values that make the
message, description and solution specific to the code at hand.  The engine
turns hits into `Finding`s.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import pkgutil
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, ClassVar

import tree_sitter as ts

from secreview.lang import shorten  # noqa: F401  (rules quote code through it: `from secreview.rules import shorten`)
from secreview.model import Confidence, Evidence, Severity

DOC_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead", "References")
RULE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Rewrite:
    """A mechanical edit a hit proposes: each node's text is replaced by the given text.

    `safe` means the edit cannot change what correct code does (it only removes the defect), so
    `--fix` may apply it unattended; other rewrites are shown as suggestions to review.
    """

    description: str
    replacements: tuple[tuple[ts.Node, str], ...]
    safe: bool = False


@dataclass(frozen=True)
class Hit:
    """One place where a rule's pattern matched.

    `node` (and optionally `end_node`) give the span; `values` fill the
    ``{placeholders}`` of the rule's message, description and solution.
    """

    node: ts.Node
    values: Mapping[str, str] = field(default_factory=dict)
    end_node: ts.Node | None = None
    confidence: Confidence | None = None
    severity: Severity | None = None
    trace: tuple[tuple[ts.Node, str], ...] = ()  # dataflow steps (node, note), source first
    note: str = ""  # a paragraph appended to the description, specific to this hit
    data: ts.Node | None = None  # the expression carrying the data the defect depends on
    rewrite: Rewrite | None = None  # a mechanical fix, when one exists
    evidence: Evidence | None = None  # this hit's own evidence (a dataflow trace from attacker input)


class Rule:
    """Base class: subclasses set the class attributes and implement `check`."""

    id: ClassVar[str]
    cwe: ClassVar[int]
    severity: ClassVar[Severity]
    confidence: ClassVar[Confidence]
    message: ClassVar[str]
    description: ClassVar[str]
    solution: ClassVar[str]
    family: ClassVar[str | None] = None  # rules of one family report one finding per line (the strongest)
    # What earns every hit of this rule a place in the default profile (DEFINITE or MEASURED); None: only
    # hits carrying their own evidence (a dataflow trace from attacker input) are shown by default, the
    # rest belong to the audit profile.  MEASURED needs the ledger's support (tests/test_catalog.py).
    evidence: ClassVar[Evidence | None] = None
    # The kinds of evidence some hits carry of their own (`Hit(evidence=...)`); tests/test_profiles.py checks
    # that every rule passing `evidence=` declares them, tests/test_fixtures.py every fixture finding's kind.
    hit_evidence: ClassVar[frozenset[Evidence]] = frozenset()
    language: ClassVar[str] = "python"
    # Every language the rule reviews; empty means just `language`.  A C rule sets
    # ("c", "cpp"): C code is reviewed the same way inside C++ files.
    languages: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def applies_to(cls, language: str) -> bool:
        return language in (cls.languages or (cls.language,))

    @classmethod
    def may_show_by_default(cls) -> bool:
        """Some finding of this rule can carry evidence; otherwise only the audit profile ever shows one."""
        return cls.evidence is not None or bool(cls.hit_evidence)

    def check(self, file: Any) -> Iterable[Hit]:  # pragma: no cover - abstract
        raise NotImplementedError

    def review(self, file: Any) -> Iterable[Hit]:
        """What the engine runs: the check's hits, after any judgement a mixin adds."""
        return self.check(file)

    @classmethod
    def documentation(cls) -> str:
        return inspect.getdoc(inspect.getmodule(cls)) or ""

    @classmethod
    def summary(cls) -> str:
        """The first line of the documentation: a one-line title."""
        return cls.documentation().strip().splitlines()[0] if cls.documentation().strip() else cls.message


class AnalysisLimitExceeded(Exception):
    """Raised by a check that hit a configured bound (time, steps, memory).

    The engine keeps the rule's hits found so far only if the rule yielded them
    before raising, and reports the file as incomplete with this message.
    """


def fill(template: str, values: Mapping[str, str]) -> str:
    """Replace ``{name}`` with values[name]; unknown names stay as written."""
    return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), template)


def doc_sections(doc: str) -> dict[str, str]:
    """Split a rule docstring into its ``## Section`` bodies."""
    sections: dict[str, str] = {}
    current: str | None = None
    for line in doc.splitlines():
        if line.startswith("## "):
            current = line[3:].strip()
            sections[current] = ""
        elif current is not None:
            sections[current] += line + "\n"
    return {name: body.strip("\n") for name, body in sections.items()}


def code_blocks(section: str) -> list[str]:
    """The fenced code blocks in a docstring section."""
    return [m.group(1) for m in re.finditer(r"```[a-z]*\n(.*?)```", section, re.S)]


def _rule_classes(module: ModuleType) -> list[type[Rule]]:
    return [obj for obj in vars(module).values()
            if inspect.isclass(obj) and issubclass(obj, Rule) and obj is not Rule
            and obj.__module__ == module.__name__]


@functools.cache
def all_rules() -> tuple[type[Rule], ...]:
    """Every rule class of every language package, sorted by id."""
    found: list[type[Rule]] = []
    for package_info in pkgutil.iter_modules(__path__):
        if not package_info.ispkg:
            continue
        package = importlib.import_module(f"{__name__}.{package_info.name}")
        for module_info in pkgutil.iter_modules(package.__path__):
            if module_info.name.startswith("_"):
                continue
            module = importlib.import_module(f"{package.__name__}.{module_info.name}")
            classes = _rule_classes(module)
            if len(classes) != 1:
                raise RuntimeError(f"{module.__name__} must define exactly one Rule, found {len(classes)}")
            found.extend(classes)
    return tuple(sorted(found, key=lambda rule: rule.id))


def rule_by_id(rule_id: str) -> type[Rule] | None:
    return next((rule for rule in all_rules() if rule.id == rule_id), None)


def id_matches(rule_id: str, patterns: Iterable[str]) -> bool:
    """True if a pattern names the rule: its exact id, or `prefix*`."""
    return any(rule_id == p or (p.endswith("*") and rule_id.startswith(p[:-1])) for p in patterns)
