"""Which findings of the settings rules carry definite evidence (shown by default).

In their fixtures, `# expect: <rule>; definite` marks a finding with no safe reading; the other
`# expect:` lines of those rules must stay audit findings.
"""

from __future__ import annotations

import re

import pytest

from conftest import FIXTURES
from helpers import run_rules
from secreview.model import Evidence
from secreview.rules import rule_by_id

RULES = ("debug-mode-enabled", "hardcoded-secret-key", "cookie-without-httponly-flag",
         "cookie-without-secure-flag", "weak-password-hash")


@pytest.mark.parametrize("rule_id", RULES)
def test_definite_lines_are_exactly_the_marked_ones(rule_id: str) -> None:
    fixture = FIXTURES / "python" / f"{rule_id}.py"
    text = fixture.read_text(encoding="utf-8")
    marked = {number for number, line in enumerate(text.splitlines(), start=1)
              if re.search(rf"#\s*expect:\s*{re.escape(rule_id)};\s*definite\b", line)}
    assert marked, "the fixture marks no definite finding"
    # analysed under a neutral name: the fixture's own file name says "debug", a development word
    findings = [f for f in run_rules(text, [rule_by_id(rule_id)], path="project/app.py") if f.rule_id == rule_id]
    definite = {f.location.start_line for f in findings if f.evidence is Evidence.DEFINITE}
    assert sorted(definite - marked) == [], "definite but not marked"
    assert sorted(marked - definite) == [], "marked definite but audit"


SETTINGS = '''\
SECRET_KEY = "h++jszpm)i@p%ay_b=cp#()^od!qns14"
DEBUG = True
INSTALLED_APPS = ["django.contrib.auth"]
'''


@pytest.mark.parametrize(("path", "tail", "definite"), [
    ("mysite/settings.py", "", True),
    ("mysite/settings/production.py", "", True),
    ("mysite/settings.py", "try:\n    from .local_settings import *\nexcept ImportError:\n    pass\n", False),
    ("mysite/settings.py", "DEBUG = False\nSECRET_KEY = os.environ['SECRET_KEY']\n", False),
    ("mysite/settings/base.py", "", False),
    ("mysite/settings/dev.py", "", False),
    ("mysite/local_settings.py", "", False),
])
def test_django_settings_are_definite_only_where_nothing_overrides_them(path: str, tail: str, definite: bool) -> None:
    findings = run_rules(SETTINGS + tail, [rule_by_id(r) for r in RULES], path=path)
    found = {(f.rule_id, f.location.start_line): f.evidence is Evidence.DEFINITE for f in findings}
    assert found == {("hardcoded-secret-key", 1): definite, ("debug-mode-enabled", 2): definite}


def test_one_debugger_is_one_finding_with_the_other_switches_in_its_note() -> None:
    text = ('from flask import Flask\n\napp = Flask(__name__)\napp.config["DEBUG"] = True\n\n'
            'if __name__ == "__main__":\n    app.run(host="0.0.0.0", debug=True)\n')
    findings = run_rules(text, [rule_by_id("debug-mode-enabled")], path="project/app.py")
    assert [(f.location.start_line, f.evidence) for f in findings] == [(7, Evidence.DEFINITE)]
    assert "also switched on at line(s) 4" in findings[0].description


def test_an_app_object_made_elsewhere_is_still_the_app() -> None:
    text = 'from config import vuln_app\n\nif __name__ == "__main__":\n    vuln_app.run(host="0.0.0.0", debug=True)\n'
    findings = run_rules(text, [rule_by_id("debug-mode-enabled")], path="project/app.py")
    assert [(f.location.start_line, f.evidence) for f in findings] == [(4, Evidence.DEFINITE)]
    assert run_rules(text.replace("vuln_app", "runner"), [rule_by_id("debug-mode-enabled")], path="project/app.py") == []
