"""Framework knowledge as data: every module is found and well-formed, and a new one needs no other edit."""

from __future__ import annotations

import importlib
import pkgutil
import sys
import textwrap
from pathlib import Path

import pytest

import secreview.knowledge
from secreview import taint
from secreview.knowledge import registry
from secreview.knowledge.classes import C_CLASSES, PYTHON_CLASSES
from secreview.knowledge.schema import ALL, CKnowledge, PythonKnowledge
from secreview.lang.python import web
from secreview.lang.python.file import PyFile
from secreview.taint.conditions import CONDITIONS

PYTHON_CLASS_IDS = frozenset(c.id for c in PYTHON_CLASSES)
C_CLASS_IDS = frozenset(c.id for c in C_CLASSES)


def _package_modules() -> list[tuple[str, object]]:
    package = secreview.knowledge
    return [(info.name, importlib.import_module(f"{package.__name__}.{info.name}"))
            for info in pkgutil.iter_modules(package.__path__)]


def test_every_module_declaring_knowledge_is_discovered() -> None:
    discovered = registry.all_modules()
    declaring = [(name, module) for name, module in _package_modules() if hasattr(module, "KNOWLEDGE")]
    assert declaring
    for name, module in declaring:
        knowledge = module.KNOWLEDGE  # type: ignore[attr-defined]
        assert isinstance(knowledge, (PythonKnowledge, CKnowledge)), name
        assert knowledge.name == name, f"knowledge/{name}.py declares the name {knowledge.name!r}"
        assert any(found is knowledge for found in discovered), name


def test_the_frameworks_we_know_each_have_a_module() -> None:
    names = {knowledge.name for knowledge in registry.all_modules()}
    assert {"stdlib", "flask", "django", "drf", "fastapi", "jinja2", "sqlalchemy", "requests", "lxml", "yaml",
            "qt", "libc"} <= names


@pytest.mark.parametrize("knowledge", [k for k in registry.all_modules() if isinstance(k, PythonKnowledge)],
                         ids=lambda k: k.name)
def test_python_module_is_well_formed(knowledge: PythonKnowledge) -> None:
    for sink in knowledge.sinks:
        assert sink.cls in PYTHON_CLASS_IDS, f"{knowledge.name}: unknown vulnerability class in {sink}"
        assert (sink.callee is None) != (sink.method is None), f"{knowledge.name}: a sink names a callee or a method"
        assert sink.when is None or sink.when in CONDITIONS, f"{knowledge.name}: unknown condition in {sink}"
        assert sink.description, f"{knowledge.name}: {sink} says what it does"
    for sanitizer in knowledge.sanitizers:
        assert sanitizer.clears and sanitizer.clears <= PYTHON_CLASS_IDS | {ALL}, f"{knowledge.name}: {sanitizer}"
        assert (sanitizer.callee is None) != (sanitizer.method is None), f"{knowledge.name}: {sanitizer}"
    for source in knowledge.sources:
        assert source.name and source.description, f"{knowledge.name}: {source}"


@pytest.mark.parametrize("knowledge", [k for k in registry.all_modules() if isinstance(k, CKnowledge)],
                         ids=lambda k: k.name)
def test_c_module_is_well_formed(knowledge: CKnowledge) -> None:
    for source in knowledge.sources:
        assert source.result or source.outputs or source.outputs_from is not None, \
            f"{knowledge.name}: {source.name} delivers its data somewhere"
    for copy in knowledge.copies:
        assert copy.destination != copy.first_source, f"{knowledge.name}: {copy}"
    for sources in knowledge.header_sources:
        assert sources.prefixes and (sources.methods or sources.calls), f"{knowledge.name}: {sources}"


def test_no_two_modules_describe_the_same_name() -> None:
    merged = registry.python()
    sources = [source.name for source in merged.sources]
    assert len(sources) == len(set(sources))
    sanitizers = [(s.callee, s.method) for s in merged.sanitizers]
    assert len(sanitizers) == len(set(sanitizers))
    assert len(merged.sinks) == len(set(merged.sinks))
    c_sources = [source.name for source in registry.c().sources]
    assert len(c_sources) == len(set(c_sources))


def _write_package(root: Path, name: str, modules: dict[str, str]) -> None:
    package = root / name
    package.mkdir()
    (package / "__init__.py").write_text("")
    for module, text in modules.items():
        (package / f"{module}.py").write_text(textwrap.dedent(text))


TINYWEB = """
    from secreview.knowledge.schema import PythonKnowledge, RouteConventions, Sanitizer, Sink, Source

    KNOWLEDGE = PythonKnowledge(
        name="tinyweb",
        sources=(Source("tinyweb.request.query", "tinyweb query parameters"),),
        sinks=(Sink("cmdi", callee="tinyweb.shell", description="runs a shell command"),),
        sanitizers=(Sanitizer(frozenset({"cmdi"}), callee="tinyweb.quote"),),
        routes=RouteConventions(decorator_methods=frozenset({"page"})),
    )
"""


def test_a_new_framework_module_is_picked_up_without_editing_other_code(tmp_path: Path, monkeypatch) -> None:
    _write_package(tmp_path, "extra_knowledge", {"tinyweb": TINYWEB, "notes": "WORDS = ('not knowledge',)\n"})
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        found = registry.discover(importlib.import_module("extra_knowledge"))
    finally:
        for module in [m for m in sys.modules if m == "extra_knowledge" or m.startswith("extra_knowledge.")]:
            del sys.modules[module]
    assert [knowledge.name for knowledge in found] == ["tinyweb"]

    # merged with everything else, the engine, the rules' sinks and the route definition all see it
    merged = registry.merge_python(list(registry.all_modules()) + found)
    assert any(sink.callee == "tinyweb.shell" for sink in merged.sinks)
    monkeypatch.setattr(registry, "python", lambda: merged)
    file = PyFile("t.py", textwrap.dedent("""
        import os
        import tinyweb
        app = tinyweb.App()

        def run():
            os.system(tinyweb.request.query["cmd"])

        def quoted():
            os.system(tinyweb.quote(tinyweb.request.query["cmd"]))

        @app.page("/<name>")
        def show(name):
            os.system(name)
    """))
    analysis = taint.analysis_for(file)
    run, quoted, show = file.calls_to("os.system")
    assert taint.provenance(analysis, run.args[0], "cmdi").kind == "source"
    assert taint.provenance(analysis, quoted.args[0], "cmdi").kind == "none"
    assert taint.provenance(analysis, show.args[0], "cmdi").kind == "source"
    assert [file.text_of(h.child_by_field_name("name")) for h in web.route_handlers(file)] == ["show"]


def test_route_handlers_and_the_parameters_the_framework_fills() -> None:
    file = PyFile("t.py", textwrap.dedent("""
        from fastapi import APIRouter, Depends
        router = APIRouter()

        @router.get("/items/{item}")
        def item(item, request, db=Depends(get_db), user=Depends(current_user)):
            return item

        @router.websocket("/ws")
        async def socket(websocket):
            pass

        @cache("/x")
        def cached(key):
            return key

        def plain(name):
            return name
    """))
    handlers = {file.text_of(h.child_by_field_name("name")): h for h in web.route_handlers(file)}
    assert set(handlers) == {"item", "socket"}
    filled = [p for p in ("item", "request", "db", "user") if web.fills_from_request(file, handlers["item"], p)]
    assert filled == ["item"]
    plain = next(n for n in file.nodes_of_type("function_definition")
                 if file.text_of(n.child_by_field_name("name")) == "plain")
    assert not web.is_route_handler(file, plain) and not web.fills_from_request(file, plain, "name")
