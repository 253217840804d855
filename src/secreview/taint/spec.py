"""The vocabulary of taint specifications: sources, sinks, sanitizers.

Specifications are data (see `taint/specs/`), grouped by vulnerability class
the way CodeQL groups its queries; the engine never hard-codes an API.
Names are import-resolved dotted names (`flask.request.args`), or method
names on any receiver where the receiver cannot be resolved statically
(`execute` on a DB-API cursor).
"""

from __future__ import annotations

from dataclasses import dataclass, field

ALL = "*"
"""In `clears`: the value is neutralised for every vulnerability class."""

NORMALISED = "normalised-path"
"""Pseudo-class recording that a path went through realpath/abspath/resolve."""


@dataclass(frozen=True)
class VulnerabilityClass:
    id: str
    cwe: int
    title: str


@dataclass(frozen=True)
class Source:
    """Attacker-influenced data enters where this name is read or called.

    `name` matches a dotted attribute or call name and everything below it
    (`flask.request.args` also covers `flask.request.args.get`).
    """

    name: str
    description: str
    remote: bool = True  # False: the local user or operator (command line, environment, console)


@dataclass(frozen=True)
class ParameterSource:
    """Attributes of a parameter with this name are attacker data (Django's `request`)."""

    parameter: str
    attributes: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class Sink:
    cls: str
    callee: str | None = None  # dotted name of a function
    method: str | None = None  # or: a method name on any receiver
    arg: int | None = 0  # with no keyword either: the receiver is the data (`path.read_text()`)
    keyword: str | None = None
    when: str | None = None  # name of a condition in `conditions.CONDITIONS`
    requires_import: str | None = None  # only in files importing this module (method sinks)
    description: str = ""


@dataclass(frozen=True)
class Sanitizer:
    clears: frozenset[str]
    callee: str | None = None
    method: str | None = None


@dataclass(frozen=True)
class Spec:
    classes: tuple[VulnerabilityClass, ...]
    sources: tuple[Source, ...]
    parameter_sources: tuple[ParameterSource, ...]
    sinks: tuple[Sink, ...]
    sanitizers: tuple[Sanitizer, ...]
    # characters whose absence, once checked, neutralises a class (`if "'" in x: return`)
    dangerous_characters: tuple[tuple[str, frozenset[str]], ...]
    # calls whose result is a validated form of their argument for some classes
    path_normalisers: frozenset[str]
    url_parsers: frozenset[str]
    exit_calls: frozenset[str] = frozenset()
    # request objects that are attacker data as a whole, with the attributes of theirs that are not
    source_objects: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # calls that build a response object from a body: the object carries only the body's data
    response_builders: frozenset[str] = frozenset()
    # methods that read from the network on any receiver: method -> (module the file must import, description)
    method_sources: dict[str, tuple[str, str]] = field(default_factory=dict)
    # request-handler base classes -> the attributes of `self` that hold request data
    request_handlers: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def vulnerability(self, cls: str) -> VulnerabilityClass:
        return next(v for v in self.classes if v.id == cls)
