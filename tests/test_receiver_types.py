"""The receiver-kind layer: what a name or `self.x` holds in its scope (lang/python/types.py)."""

from __future__ import annotations

import pytest

from secreview.lang.python.file import PyFile
from secreview.lang.python.types import MODULE, is_module_reference, receiver_kind

TEXT = '''\
import requests
import yaml
from ruamel.yaml import YAML

shared = requests.Session()


def local_dict():
    shared = {k: 1 for k in "ab"}
    return shared.get("a")


def module_level():
    return shared.get("url")


def annotated(client: requests.Session, options: dict):
    return client.get("u"), options.get("k")


def shadowed(text):
    yaml = YAML()
    return yaml.load(text)


def imported(text):
    return yaml.safe_load(text)


class Holder:
    def __init__(self):
        self.cache = []

    def first(self):
        return self.cache.get(0)


def disagreeing(flag):
    value = {} if flag else requests.Session()
    if flag:
        value = []
    return value.get("x")
'''


def _receiver(file: PyFile, line_text: str):
    line = TEXT.splitlines().index(line_text) + 1
    call = next(c for c in file.calls if c.line == line and c.receiver is not None)
    return call.receiver


@pytest.mark.parametrize(("line_text", "kind"), [
    ('    return shared.get("a")', "dict"),
    ('    return shared.get("url")', "requests.Session"),
    ('    return yaml.load(text)', "ruamel.yaml.YAML"),
    ('    return yaml.safe_load(text)', MODULE),
    ('        return self.cache.get(0)', "list"),
    ('    return value.get("x")', None),
])
def test_receiver_kind(line_text: str, kind: str | None) -> None:
    file = PyFile("m.py", TEXT)
    assert receiver_kind(file, _receiver(file, line_text)) == kind


def test_annotated_parameters_have_their_annotation_kind() -> None:
    file = PyFile("m.py", TEXT)
    calls = [c for c in file.calls if c.method == "get" and c.receiver is not None
             and file.text_of(c.receiver) in ("client", "options")]
    assert [receiver_kind(file, c.receiver) for c in calls] == ["requests.Session", "dict"]


def test_a_rebound_module_name_is_no_module_reference() -> None:
    file = PyFile("m.py", TEXT)
    shadowed = _receiver(file, '    return yaml.load(text)')
    imported = _receiver(file, '    return yaml.safe_load(text)')
    assert not is_module_reference(file, shadowed) and is_module_reference(file, imported)
