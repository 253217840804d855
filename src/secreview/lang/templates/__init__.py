"""Templates (Jinja2, Django, Mako) as reviewed files.

A template is reviewed as the language `template`; its dialect is decided when it is
analysed (`file.py`, `dialect.py`).  Modules, one per concern:

- `discovery`: which paths are templates (a `templates` folder, a folder the reviewed
  Python configures, a `.jinja`/`.j2` extension);
- `syntax`: the delimiter lexer (`{{ }}`, `{% %}`, `{# #}`; Mako `${ }`, `<% %>`) with offsets;
- `expressions`: each output expression parsed per dialect (Jinja2 with jinja2's own parser);
- `html_context`: where in the HTML each output lands (script, attribute value, URL attribute, ...);
- `views`: the Python views that render a template and the context value of each variable;
- `file`: `TemplateFile`, what template rules receive.
"""

from __future__ import annotations

LANGUAGE = "template"
