"""Knowledge of frameworks and libraries, as data: one module per framework or library.

`schema.py` says what a module may declare (sources, sinks, sanitizers, sink
conditions by name, route conventions, response writers, propagation
summaries); `classes.py` lists the vulnerability classes; `registry.py`
discovers every module defining `KNOWLEDGE` and merges them into the
specifications the taint engine and the rules use.  A module without
`KNOWLEDGE` (the schema, the registry, word lists shared by rules) is not a
framework module and is left alone.  See docs/dataflow.md, "Framework knowledge".
"""
