"""Parse the inline `# expect:` / `# ok:` annotations of fixture files.

Templates carry them in their own comments: `{# expect: rule #}` (Jinja2, Django), `## expect: rule`
(Mako) or `<!-- expect: rule -->` (HTML).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

ANNOTATION = re.compile(r"(?:#|//|<!--)\s*(todo-expect|todo-ok|expect|ok):\s*([a-z0-9][a-z0-9\-, ]*)")
KINDS = ("expect", "ok", "todo-expect", "todo-ok")


@dataclass
class Annotations:
    """(line, rule id) pairs per annotation kind."""

    pairs: dict[str, set[tuple[int, str]]] = field(default_factory=lambda: defaultdict(set))

    def rules(self) -> set[str]:
        return {rule for pairs in self.pairs.values() for _, rule in pairs}

    def of(self, kind: str, rule: str | None = None) -> set[tuple[int, str]]:
        return {p for p in self.pairs[kind] if rule is None or p[1] == rule}


def parse(text: str) -> Annotations:
    found = Annotations()
    for number, line in enumerate(text.splitlines(), start=1):
        for match in ANNOTATION.finditer(line):
            for rule in match.group(2).split(","):
                if rule.strip():
                    found.pairs[match.group(1)].add((number, rule.strip()))
    return found
