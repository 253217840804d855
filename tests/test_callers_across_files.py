"""Crash rules consult the calls other reviewed files make (lang/python/callers.py `calls_elsewhere`).

A key or argument that every call in sight passes is not a finding; a call in another file that omits it
(or passes None) is evidence, named in the finding; a method's calls elsewhere, matched by name only, vouch
but never accuse.
"""

from __future__ import annotations

import textwrap

from secreview import engine
from secreview.model import Confidence
from secreview.rules import all_rules
from secreview.sources import SourceFile

HELPERS = textwrap.dedent("""
    def build(context, spec=None, **kwargs):
        name = kwargs["name"]
        return spec.size + len(name)


    class Store:
        def put(self, key, meta=None):
            return meta.items()
""")

API = textwrap.dedent("""
    from pkg import helpers
    from pkg.helpers import build


    def create(ctx, store):
        {calls}
""")

RULES = ("kwargs-key-read-unchecked", "none-default-parameter-dereferenced")


def _findings(calls: str, caller_path: str = "pkg/api.py") -> dict[tuple[str, int], str]:
    sources = [SourceFile("pkg/helpers.py", HELPERS, "python"),
               SourceFile(caller_path, API.format(calls=calls), "python")]
    report = engine.analyze(sources, [r for r in all_rules() if r.id in RULES], engine.Settings(profile="audit", min_confidence=Confidence.LOW))
    return {(f.rule_id, f.location.start_line): f.description + f" [{f.confidence.value}]"
            for f in report.findings if f.location.path == "pkg/helpers.py"}


def test_every_call_elsewhere_passes_the_argument_and_key():
    found = _findings('helpers.build(ctx, object(), name="a")\n    store.put("k", meta={})')
    assert found == {}


def test_a_call_elsewhere_that_omits_or_passes_none_is_named():
    found = _findings('helpers.build(ctx, None, name="a")\n    build(ctx, spec=object())')
    spec = found[("none-default-parameter-dereferenced", 4)]
    assert "pkg/api.py:7" in spec and "[medium]" in spec
    key = found[("kwargs-key-read-unchecked", 3)]
    assert "pkg/api.py:8" in key and "[medium]" in key


def test_a_method_matched_by_name_vouches_but_never_accuses():
    found = _findings('store.put("k")')
    note = found[("none-default-parameter-dereferenced", 9)]
    assert "pkg/api.py" not in note and "[low]" in note


def test_test_code_is_not_a_caller():
    found = _findings('helpers.build(ctx, object(), name="a")', caller_path="pkg/tests/test_api.py")
    assert "[low]" in found[("kwargs-key-read-unchecked", 3)]


def test_a_constructor_call_elsewhere_is_resolved_through_the_import():
    sources = [SourceFile("pkg/volume.py", "class Volume:\n    def __init__(self, name, instance=None):\n"
                          "        self.key = instance.get('key')\n", "python"),
               SourceFile("pkg/driver.py", "from pkg.volume import Volume\n\n\ndef attach(name):\n"
                          "    return Volume(name)\n", "python")]
    report = engine.analyze(sources, [r for r in all_rules() if r.id in RULES], engine.Settings(profile="audit"))
    [finding] = [f for f in report.findings if f.location.path == "pkg/volume.py"]
    assert "pkg/driver.py:5" in finding.description
    sources[1] = SourceFile("pkg/driver.py", sources[1].text.replace("Volume(name)", "Volume(name, {})"), "python")
    report = engine.analyze(sources, [r for r in all_rules() if r.id in RULES], engine.Settings(profile="audit"))
    assert [f for f in report.findings if f.location.path == "pkg/volume.py"] == []


def test_a_callee_in_another_module_that_returns_none_on_some_path():
    clients = textwrap.dedent("""
        def volume_client(context, check_only=False):
            if check_only:
                return
            return make_client(context)


        def find_volume(volumes, name):
            for volume in volumes:
                if volume.name == name:
                    return volume
            return None
    """)
    manager = textwrap.dedent("""
        from pkg import clients


        def attach(context, volumes):
            clients.volume_client(context).attach()
            clients.volume_client(context, check_only=True).attach()
            return clients.find_volume(volumes, "root").id
    """)
    sources = [SourceFile("pkg/clients.py", clients, "python"), SourceFile("pkg/manager.py", manager, "python")]
    rules = [r for r in all_rules() if r.id == "optional-result-dereferenced"]
    report = engine.analyze(sources, rules, engine.Settings(profile="audit", min_confidence=Confidence.LOW))
    found = {f.location.start_line: f.message for f in report.findings}
    assert sorted(found) == [7, 8]  # the None path chosen by `check_only` only where the call passes it
    assert "pkg/clients.py:8" in found[8] and "returns None on line 12" in found[8]
