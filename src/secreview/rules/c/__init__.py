"""Rules for C code; each also reviews C++ files (see `CRule`).

This package's modules are rules, one each; here are the bases they share.
Rules declare *what* to look for (callee names, which argument matters);
the bases hold the one copy of *how* to look for it.  A `CRule` reviews C
files and the C code inside C++ files; a `CppRule` only C++ files.  The
questions the rules ask of the code are answered by the C/C++ semantic
layer, `secreview.lang.c_family`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from secreview.lang.c_family.buffers import unbounded_copy
from secreview.lang.c_family.file import Call, CFile
from secreview.model import Confidence, Evidence
from secreview.rules import AnalysisLimitExceeded, Hit, Rule, shorten
from secreview.rules.c._taint import report_incomplete
from secreview.valueflow import Event, facts
from secreview.valueflow.lattice import Interval

DATA = "data node"
"""Key of `CallMixin.matches` values naming the expression whose data the defect depends on."""


class _CFamilyRule(Rule):
    def review(self, file: CFile) -> Iterator[Hit]:
        return report_incomplete(file, self.check(file))


class CRule(_CFamilyRule):
    """A rule for C code: it reviews `.c` files and C++ files alike."""

    language = "c"
    languages = ("c", "cpp")

    def check(self, file: CFile) -> Iterator[Hit]:  # pragma: no cover - abstract
        raise NotImplementedError


class CppRule(_CFamilyRule):
    """A rule about C++-only constructs (classes, new/delete, Qt, std::thread)."""

    language = "cpp"

    def check(self, file: CFile) -> Iterator[Hit]:  # pragma: no cover - abstract
        raise NotImplementedError


class ValueFlowRule(CRule):
    """A rule reporting what the value-flow engine (`secreview.valueflow`) saw on some path; a function
    whose step budget ran out makes the file's review incomplete, with a note naming it."""

    def review(self, file: CFile) -> Iterator[Hit]:
        yield from super().review(file)
        notes = facts(file).incomplete
        if notes:
            raise AnalysisLimitExceeded("; ".join(notes))


class OutOfBoundsIndexRule(ValueFlowRule):
    """An index outside a declared array's length on some path (value flow), for writes or for reads
    (`writes`), in place or in a function of the file that the buffer is passed to and that always touches
    that element. Definite when every value of the index there is outside, or its range is fully known
    from constants and tests, and the path took at most one undecided branch (or loop round) since the
    index was computed; otherwise for the audit profile, at medium confidence."""
    hit_evidence = frozenset({Evidence.DEFINITE})

    writes: ClassVar[bool]

    def check(self, file: CFile) -> Iterator[Hit]:
        for event in facts(file).of_kind("index-out-of-bounds"):
            if event.write != self.writes or (event.index is None and event.symbolic is None):
                continue
            if event.symbolic is not None:  # sized by a variable: `malloc(n)` then `p[n]`
                size, index = event.symbolic
            else:
                size, index = str(event.size), _values(event.index)  # type: ignore[arg-type]
            where = f" by `{event.via}()`, which it is passed to" if event.via else ""
            # a range only some path's rounds or joins reach (a loop stopped by a sentinel the engine cannot
            # read, flags tied to the index) is a lead for the audit profile, not a sure defect
            yield Hit(event.node, {"array": event.name, "size": size, "index": index + where},
                      evidence=Evidence.DEFINITE if event.certain else None,
                      confidence=None if event.certain else Confidence.MEDIUM)


class EngineEventRule(ValueFlowRule):
    """Reports one kind of value-flow event: definite when it was seen on a path of its own with values
    fully known, else for the audit profile. `placeholders` gives a finding's message values."""
    hit_evidence = frozenset({Evidence.DEFINITE})

    event_kind: ClassVar[str]

    def check(self, file: CFile) -> Iterator[Hit]:
        for event in facts(file).of_kind(self.event_kind):
            yield Hit(event.node, self.placeholders(event), evidence=Evidence.DEFINITE if event.certain else None)

    def placeholders(self, event: Event) -> dict[str, str]:
        return {"name": shorten(event.name), "values": _values(event.index) if event.index is not None else "unknown",
                "size": str(event.size)}


def _values(index: Interval) -> str:
    if index.low == index.high:
        return str(index.low)
    if index.low is None:
        return f"at most {index.high}"
    if index.high is None:
        return f"at least {index.low}"
    return f"{index.low} to {index.high}"


class CallMixin:
    """Fires on calls to `callees` (plain or std::-qualified) or `methods`, when `matches` says so.

    `matches` returns extra placeholder values for the finding, or None when the call is fine; under
    the key `DATA` it may name the expression whose data the defect depends on (`Hit.data`).
    """

    callees: ClassVar[tuple[str, ...]] = ()
    methods: ClassVar[tuple[str, ...]] = ()

    def candidates(self, file: CFile) -> list[Call]:
        found = file.calls_to(*self.callees) if self.callees else []
        if self.methods:
            found = sorted(found + file.method_calls(*self.methods), key=lambda c: c.node.start_byte)
        return found

    def check(self, file: CFile) -> Iterator[Hit]:
        for call in self.candidates(file):
            values = self.matches(file, call)
            if values is not None:
                data = values.pop(DATA, None)
                yield Hit(call.node, {"callee": call.method or call.name or "call", **values}, data=data)

    def matches(self, file: CFile, call: Call) -> dict | None:
        return {}


class CCallRule(CallMixin, CRule):
    """A call rule for C (and C++) code."""


class UnboundedCopyRule(CCallRule):
    """`callee(destination, source)` copying without a size limit, reported unless the source provably fits;
    high confidence when it cannot fit whatever buffer the destination is. Definite when the value-flow engine
    knows the string copied (a literal, or what a followed array was given) and, on a path of its own, that
    it and its NUL (after what the destination held, for an append) do not fit the destination."""

    hit_evidence = frozenset({Evidence.DEFINITE})
    appends: ClassVar[bool] = False  # strcat-like: the source goes after what the destination holds

    def check(self, file: CFile) -> Iterator[Hit]:
        calls = list(self.candidates(file))
        # (the value flow of a file without such a copy is not asked for)
        overflows = {event.node.start_byte: event for event in facts(file).of_kind("string-overflow")
                     if event.certain and event.index is not None and event.size is not None} if calls else {}
        for call in calls:
            destination, source = call.arg(0), call.arg(1)
            values = {"callee": call.method or self.callees[0], "destination": shorten(file.text_of(destination)),
                      "source": shorten(file.text_of(source))}
            proven = overflows.get(call.node.start_byte)
            if proven is not None and proven.index is not None:  # (checked above: narrows the type)
                written = proven.index.low if proven.index.low == proven.index.high else f"at least {proven.index.low}"
                values["room"] = f"of {proven.size} bytes"
                what = "what it already held, the appended string and the NUL" if self.appends else "the string and its NUL"
                note = (f"On this path the call writes {written} bytes ({what}) into `{values['destination']}`, "
                        f"which holds {proven.size}: it overflows whatever the input.")
                yield Hit(call.node, values, confidence=Confidence.HIGH, evidence=Evidence.DEFINITE, note=note)
                continue
            copy = unbounded_copy(file, destination, source, call.node, appended=self.appends)
            if copy is None:
                continue
            room = "of unknown size" if copy.room is None else f"of {_bytes(copy.room)} bytes"
            if copy.overflows:
                room += f" (the source can hold {copy.needed})"
            values["room"] = room
            yield Hit(call.node, values, confidence=Confidence.HIGH if copy.overflows else None)


def _bytes(room: tuple[int, int]) -> str:
    smallest, largest = room
    return str(smallest) if smallest == largest else f"{smallest} to {largest}"
