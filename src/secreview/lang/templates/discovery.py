"""Which files are templates.

A file is a template when its extension is a template's own (`.jinja`, `.jinja2`, `.j2`,
`.djhtml`, `.mako`), or when it has a markup extension (`.html`, `.htm`, `.xml`, `.txt`, ...)
and lies under a folder named `templates` (any depth) or under a folder the reviewed Python
configures as a template folder (`configured_template_dirs`).  Nothing here reads a file: the
configured folders are found in the text of Python sources already read.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

TEMPLATE_FOLDER = "templates"
_MARKUP_OUTPUTS = frozenset({"", ".html", ".htm", ".xhtml", ".xml", ".svg", ".tmpl", ".tpl"})
OWN_EXTENSIONS = frozenset({".jinja", ".jinja2", ".j2", ".djhtml", ".mako"})
MARKUP_EXTENSIONS = frozenset({".html", ".htm", ".xhtml", ".xml", ".txt", ".jinja", ".jinja2", ".j2",
                               ".djhtml", ".mako", ".tmpl", ".tpl"})

# Literal template folders in Python: Flask(template_folder="..."), jinja2.FileSystemLoader("..." or [...]),
# Django's TEMPLATES[...]["DIRS"] = [...].  Only string literals count; `os.path.join(BASE_DIR, "x")`
# contributes its last literal, taken relative to the configuring file's folder.
_FLASK_FOLDER = re.compile(r"""template_folder\s*=\s*(?:[rRuU]?)(['"])([^'"\n]+)\1""")
_LOADER = re.compile(r"""FileSystemLoader\s*\(\s*(?:searchpath\s*=\s*)?(\[[^\]\n]*\]|[^,)\n]*)""")
_DJANGO_DIRS = re.compile(r"""['"]DIRS['"]\s*:\s*\[([^\]]*)\]""")
_STRING = re.compile(r"""(['"])([^'"\n]+)\1""")
_JOIN = re.compile(r"""os\.path\.join\(([^()]*)\)|\w+\s*/\s*(['"])([^'"\n]+)\2""")


def is_template_path(path: str) -> bool:
    """A template by its own extension, or a markup file under a `templates` folder."""
    extension = os.path.splitext(path)[1].lower()
    if extension in OWN_EXTENSIONS:
        return True
    if extension not in MARKUP_EXTENSIONS:
        return False
    folders = os.path.normpath(path).split(os.sep)[:-1]
    return TEMPLATE_FOLDER in folders


def renders_markup(path: str) -> bool:
    """The template produces HTML or XML: `page.html`, `page.html.j2`, `page.j2`; not `script.py.mako`,
    `haproxy.cfg.j2` or a `.txt` mail body, where HTML escaping and HTML contexts do not apply."""
    stem, extension = os.path.splitext(os.path.basename(path).lower())
    if extension in OWN_EXTENSIONS:
        extension = os.path.splitext(stem)[1]
    return extension in _MARKUP_OUTPUTS


def is_under(path: str, folders: Iterable[str]) -> bool:
    """`path` has a markup extension and lies below one of `folders` (absolute)."""
    if os.path.splitext(path)[1].lower() not in MARKUP_EXTENSIONS:
        return False
    absolute = os.path.abspath(path)
    return any(absolute.startswith(folder.rstrip(os.sep) + os.sep) for folder in folders)


def configured_template_dirs(python_path: str, text: str) -> set[str]:
    """Absolute template folders that a Python file configures with literal names."""
    if "template" not in text and "DIRS" not in text:
        return set()
    base = os.path.dirname(os.path.abspath(python_path))
    names: list[str] = [match.group(2) for match in _FLASK_FOLDER.finditer(text)]
    for match in _LOADER.finditer(text):
        names.extend(_literal_folders(match.group(1)))
    for match in _DJANGO_DIRS.finditer(text):
        names.extend(_literal_folders(match.group(1)))
    return {os.path.normpath(os.path.join(base, name)) for name in names if name and "\0" not in name}


def _literal_folders(arguments: str) -> list[str]:
    """The folder literals of a loader or DIRS argument: plain strings, or the tail of a path join."""
    found: list[str] = []
    rest = arguments
    for join in _JOIN.finditer(arguments):
        literals = _STRING.findall(join.group(1)) if join.group(1) is not None else [("", join.group(3))]
        if literals:
            found.append(literals[-1][1])
        rest = rest.replace(join.group(0), "")
    found.extend(literal for _, literal in _STRING.findall(rest))
    return found
