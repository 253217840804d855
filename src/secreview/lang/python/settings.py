"""Framework settings: where `DEBUG`, `SESSION_COOKIE_SECURE` & co. are given a value, and which
settings are for development only."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import tree_sitter as ts

from secreview.knowledge.vocabulary import DEVELOPMENT_WORDS, words
from secreview.lang.python.file import PyFile


@dataclass(frozen=True)
class Setting:
    node: ts.Node      # where to report
    name: str          # the setting's name (DEBUG, SESSION_COOKIE_SECURE)
    value: ts.Node     # the value expression
    module_level: bool  # a plain `NAME = value` at module or class level


def setting_assignments(file: PyFile, names: Iterable[str]) -> Iterator[Setting]:
    """Where the named settings are given a value.

    `NAME = v` at module level or in a class body, `<x>.config["NAME"] = v`,
    `<x>.config.NAME = v`, `<x>.config.update(NAME=v)` / `update({"NAME": v})` / `update(dict(NAME=v))`,
    `from_mapping(...)` likewise.
    """
    wanted = set(names)
    if not any(name in file.text for name in wanted):  # cheap text test before walking assignments
        return
    for assign in file.nodes_of_type("assignment"):
        left = assign.child_by_field_name("left")
        value = assign.child_by_field_name("right")
        if left is None or value is None:
            continue
        if left.type == "identifier" and file.text_of(left) in wanted:
            if file.enclosing_scope(assign).type in ("module", "class_definition"):
                yield Setting(assign, file.text_of(left), value, True)
        elif left.type == "subscript":
            key = file.string_literal_text(left.child_by_field_name("subscript"))
            if key in wanted and _is_config(file, left.child_by_field_name("value")):
                yield Setting(assign, key, value, False)
        elif left.type == "attribute":
            key = file.text_of(left.child_by_field_name("attribute"))
            if key in wanted and _is_config(file, left.child_by_field_name("object")):
                yield Setting(assign, key, value, False)
    yield from _config_updates(file, wanted)


def _config_updates(file: PyFile, wanted: set[str]) -> Iterator[Setting]:
    for call in file.method_calls("update", "from_mapping", "setdefault"):
        if not _is_config(file, call.receiver):
            continue
        for key, value in call.kwargs.items():
            if key in wanted:
                yield Setting(call.node, key, value, False)
        for arg in call.args:
            if arg.type == "call" and file.text_of(arg.child_by_field_name("function")) == "dict":
                # `app.config.update(dict(NAME=v))`: the keyword form wrapped in a dict() call
                for key, value in file.call_at(arg).kwargs.items():
                    if key in wanted:
                        yield Setting(call.node, key, value, False)
            elif arg.type == "dictionary":
                for pair in arg.named_children:
                    if pair.type != "pair":
                        continue
                    key = file.string_literal_text(pair.child_by_field_name("key"))
                    if key in wanted:
                        yield Setting(call.node, key, pair.child_by_field_name("value"), False)


def _is_config(file: PyFile, node: ts.Node | None) -> bool:
    """`app.config`, `config`, `settings`, `self.app.config`, `app.conf` ..."""
    if node is None:
        return False
    last = file.text_of(node).rsplit(".", 1)[-1].lower()
    return last in ("config", "conf", "settings", "app_config", "configuration")


def is_dev_config_path(path: str) -> bool:
    """settings/dev.py, local_settings.py, test_settings.py: development-only configuration."""
    stem = os.path.splitext(os.path.basename(path))[0]
    return any(word in DEVELOPMENT_WORDS for word in words(stem))
