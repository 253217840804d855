"""What a template variable's views say about it: evidence for a finding, and the link to show.

Shared by the template rules.  A variable is fed by attacker input when a view that renders
the template passes a value the dataflow traces to request data (DATAFLOW); by stored data when
the view passes a persisted record (an ORM object, a query row); otherwise nothing is known.
The note names each view and line, so a reader can follow the value from the template back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from secreview.knowledge import registry
from secreview.lang.templates.expressions import Output
from secreview.lang.templates.file import TemplateFile
from secreview.lang.templates.views import Origin, is_attacker, is_constant, is_stored
from secreview.model import Confidence, Evidence


@dataclass(frozen=True)
class Judgement:
    attacker: bool  # a rendering view passes request data for the variable
    stored: bool  # a rendering view passes a stored record for it
    note: str
    constant: bool = False  # every view rendering the template passes a constant for it: nothing to report

    def evidence(self, *, stored_is_definite: bool) -> Evidence | None:
        if self.attacker:
            return Evidence.DATAFLOW
        if self.stored and stored_is_definite:
            return Evidence.DEFINITE
        return None

    @property
    def confidence(self) -> Confidence:
        return Confidence.HIGH if self.attacker or self.stored else Confidence.MEDIUM


def judge(file: TemplateFile, output: Output) -> Judgement:
    """What the views rendering `file` pass as the variable `output` reads."""
    origins: list[Origin] = file.origins(output.variable)
    if not origins:
        framework = _framework_global(file, output)
        if framework is not None:
            return framework
    if origins and all(is_constant(o) for o in origins):
        return Judgement(False, False, "", constant=True)
    attacker = [o for o in origins if is_attacker(o)]
    stored = [o for o in origins if is_stored(o)]
    shown = attacker or stored or origins
    if shown:
        lines = "; ".join(o.note(output.variable or "") for o in shown[:3])
        more = f" (and {len(shown) - 3} more)" if len(shown) > 3 else ""
        note = f"Views rendering this template: {lines}{more}."
    elif file.renderings:
        where = ", ".join(r.where for r in file.renderings[:3])
        note = f"The views rendering this template ({where}) do not pass `{output.variable}` by name."
    else:
        note = "No reviewed Python view was found rendering this template, so where the value comes from is unknown."
    return Judgement(bool(attacker), bool(stored), note)


def _framework_global(file: TemplateFile, output: Output) -> Judgement | None:
    """A variable the framework puts in every template (`request.args` in Flask, `user` in Django)."""
    if file.views is None or file.dialect not in file.views.frameworks:
        return None
    for known in registry.python().template_globals:
        if known.dialect != file.dialect or known.name != output.variable:
            continue
        if known.kind == "stored":
            return Judgement(False, True, f"`{known.name}` is {known.description}: a stored record.")
        read = re.match(rf"\s*{re.escape(known.name)}\s*\.\s*(\w+)", output.tag.inner)
        if read is not None and read.group(1) in known.attributes:
            return Judgement(True, False, f"`{known.name}.{read.group(1)}` is request data ({known.description}).")
    return None
