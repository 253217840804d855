"""The C and C++ semantic layer: what the rules ask of C and C++ code, answered once.

`file.py` is the file model (`CFile`: declarations, calls, macros, constants and
sizes over one parsed file).  Before parsing, `preprocess.py` runs a light
preprocessor step that keeps every offset: `conditions.py` decides `#if`s on what
`macros.py` knows, `include_dirs.py` finds headers (`--include-dir`,
compile_commands.json) and reads their macros, `qt_macros.py` is the macro
vocabulary (Qt's above all) as data.  The other modules answer questions by topic:

- `flow`: statements, ordering, exits, guards and tests inside one function;
- `expressions`: constant text and numbers, the same expression twice, named uses;
- `buffers`: how big a buffer is, what a copy puts into it, allocation sizes;
- `loops`: counting loops over buffers;
- `lifetime`: acquired memory and handles, their release, leaks, uses after release;
- `numeric`: integers read from outside and the bounds checked on them;
- `formats`: printf/scanf format strings;
- `shells`: shell programs and their script flags;
- `qt`: Qt receivers' declared types;
- `dataflow`: what the taint analysis knows about an expression.

Nothing here imports the rules.
"""
