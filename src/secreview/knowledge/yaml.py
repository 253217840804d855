"""PyYAML: loaders that build arbitrary objects unless given a safe loader."""

from __future__ import annotations

from secreview.knowledge.schema import PythonKnowledge, Sanitizer, Sink

KNOWLEDGE = PythonKnowledge(
    name="yaml",
    sinks=tuple(Sink("deser", callee=name, keyword="stream", when="unsafe_yaml_loader", description="loads YAML objects")
                for name in ("yaml.load", "yaml.load_all", "yaml.unsafe_load", "yaml.unsafe_load_all", "yaml.full_load")),
    sanitizers=(Sanitizer(frozenset({"deser"}), callee="yaml.safe_load"),),
)
