"""Which findings a review shows, which it keeps hidden, and why.

Every finding the rules report ends up in exactly one place:

- outside the reviewed change (`--diff`): counted in `Report.out_of_scope`, not kept;
- hidden, and kept with a `Suppression` saying why, in `Report.suppressed`:
  an inline suppression comment (decided per file, before this step), a
  per-path ignore of the configuration, the baseline, test code, or the
  severity/confidence filters, in that order (the first that applies is
  the reason given);
- shown, in `Report.findings`: only these make the exit status 1.

Pure functions of the findings and the settings.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence

import pathspec

from secreview.model import AUDIT_PROFILE, Analysis, Finding, HiddenBecause, Report, Suppression
from secreview.rules import id_matches
from secreview.testcode import is_test_path, relative_to

# Lines of each changed file that a review of a change looks at; None means the whole file.
Scope = Mapping[str, "frozenset[int] | None"]


def report(analysis: Analysis, settings, scope: Scope | None = None) -> Report:
    """The Report of an analysis (LLM findings merged in, if any): the one place findings are triaged.

    `settings` is an engine.Settings.
    """
    shown: list[Finding] = []
    hidden: list[Finding] = []
    out_of_scope = 0
    per_path = _PerPathIgnores(settings.per_path_ignores, settings.project_root, settings.per_path_ignores_origin)
    for finding in analysis.findings:
        if not in_scope(finding, scope):
            out_of_scope += 1
            continue
        suppression = finding.suppression or _hidden_because(finding, settings, per_path, analysis.test_files)
        if suppression is None:
            shown.append(finding)
        else:
            hidden.append(dataclasses.replace(finding, suppression=suppression))
    return Report(
        findings=tuple(sorted(shown, key=lambda f: f.sort_key)),
        problems=analysis.problems,
        files_analysed=analysis.files_analysed,
        hidden_by_filters=sum(1 for f in hidden if f.suppression and f.suppression.because is HiddenBecause.FILTER),
        llm=analysis.llm,
        suppressed=tuple(sorted(hidden, key=lambda f: f.sort_key)),
        out_of_scope=out_of_scope,
        unused_suppressions=analysis.unused_suppressions,
        test_files_not_reviewed=analysis.test_files_not_reviewed,
    )


def in_scope(finding: Finding, scope: Scope | None) -> bool:
    """A finding is in a change when one of its lines is (or the whole file is in scope)."""
    if scope is None:
        return True
    path = finding.location.path
    if path not in scope:
        return False
    lines = scope[path]
    if lines is None:
        return True
    return any(line in lines for line in range(finding.location.start_line, finding.location.end_line + 1))


def _hidden_because(finding: Finding, settings, per_path: _PerPathIgnores,
                    test_files: frozenset[str]) -> Suppression | None:
    justification = per_path.justification(finding)
    if justification:
        return Suppression(HiddenBecause.PER_PATH, justification)
    if finding.fingerprint and finding.fingerprint in settings.baseline:
        return Suppression(HiddenBecause.BASELINE, f"accepted in {settings.baseline_origin}")
    if not settings.include_tests and finding.location.path in test_files:
        return Suppression(HiddenBecause.TEST_CODE, "in test code (--include-tests shows it)")
    if settings.profile != AUDIT_PROFILE and finding.evidence is None:
        return Suppression(HiddenBecause.AUDIT, "no evidence: an audit-profile check (--profile audit shows it)")
    if finding.severity < settings.min_severity:
        return Suppression(HiddenBecause.FILTER, f"severity below --min-severity {settings.min_severity.value}")
    if finding.confidence < settings.min_confidence:
        return Suppression(HiddenBecause.FILTER,
                           f"confidence below --min-confidence {settings.min_confidence.value}")
    return None


def test_files(sources: Iterable, project_root: str) -> frozenset[str]:
    """Paths of the reviewed files that are test code."""
    return frozenset(s.path for s in sources if is_test_file(s, project_root))


def is_test_file(source, project_root: str) -> bool:
    """A reviewed file that is test code (files only: never stdin or a pasted prompt)."""
    return source.kind == "file" and is_test_path(source.path, project_root)


class _PerPathIgnores:
    """`per-path-ignores`: gitignore-style globs (below the project root) -> rule ids or `prefix*`."""

    def __init__(self, entries: Sequence[tuple[str, tuple[str, ...]]], root: str, origin: str) -> None:
        self._entries = [(glob, pathspec.GitIgnoreSpec.from_lines([glob]), rules) for glob, rules in entries]
        self._root = root
        self._origin = origin

    def justification(self, finding: Finding) -> str | None:
        if not self._entries:
            return None
        path = relative_to(finding.location.path, self._root)
        for glob, spec, rules in self._entries:
            if id_matches(finding.rule_id, rules) and spec.match_file(path):
                return f"per-path-ignores {glob!r} in {self._origin}"
        return None
