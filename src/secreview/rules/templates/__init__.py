"""Rules over templates (Jinja2, Django, Mako): they receive a `TemplateFile` (lang/templates/file.py)."""

from __future__ import annotations

from typing import ClassVar

from secreview.lang.templates import LANGUAGE
from secreview.lang.templates.evidence import Judgement, judge
from secreview.lang.templates.expressions import Output
from secreview.lang.templates.file import TemplateFile
from secreview.model import Evidence
from secreview.rules import Hit, Rule, shorten


class TemplateRule(Rule):
    """A rule over a template's output expressions; each hit carries what the rendering views pass."""
    hit_evidence = frozenset({Evidence.DEFINITE, Evidence.DATAFLOW})

    language = LANGUAGE
    # stored records (ORM objects, query rows) reaching the hit make it DEFINITE (escaping turned off on them)
    stored_is_definite: ClassVar[bool] = False

    def review(self, file: TemplateFile):
        """Only templates of HTML or XML: escaping and HTML contexts mean nothing in a config or a script."""
        return self.check(file) if file.renders_markup else ()

    def judged_hit(self, file: TemplateFile, output: Output, **values: str) -> Hit | None:
        """A hit on `output` judged by what the rendering views pass; None when they all pass constants."""
        judgement = judge(file, output)
        return None if judgement.constant else self.output_hit(file, output, judgement, **values)

    def output_hit(self, file: TemplateFile, output: Output, judgement: Judgement, **values: str) -> Hit:
        return Hit(file.span_of(output.tag), {"expression": shorten(output.tag.inner, 60),
                                              "variable": output.variable or "the value", **values},
                   confidence=judgement.confidence, note=judgement.note,
                   evidence=judgement.evidence(stored_is_definite=self.stored_is_definite))
