"""File path built from attacker-controlled data.

## What it does
Follows data from request parameters, cookies, headers, command-line
arguments and other sources to calls that open, create, delete or inspect
files by name (`open`, `os.remove`, `shutil.*`, `pathlib.Path(...).read_text()`,
`flask.send_file` ...), and reports it when no check or normalisation on the
way keeps it inside the intended directory.

## Why is this bad?
A name such as `../../etc/passwd` or an absolute path makes the program read,
overwrite or delete files outside the directory the developer had in mind:
configuration with secrets, other users' data, or code that runs later
(CWE-22). Even an existence check leaks which files exist.

## Example
```python
from flask import request

def download():
    name = request.args.get("name")
    with open("/srv/reports/" + name, "rb") as handle:
        return handle.read()
```

## Use instead
```python
import os
from flask import request

def download():
    name = os.path.basename(request.args.get("name"))
    with open(os.path.join("/srv/reports", name), "rb") as handle:
        return handle.read()
```

## References
- https://cwe.mitre.org/data/definitions/22.html
- https://owasp.org/www-community/attacks/Path_Traversal
"""

from __future__ import annotations

from secreview.model import Confidence, Severity
from secreview.rules.python._taint import TaintSinkRule


class PathTraversal(TaintSinkRule):
    id = "path-traversal"
    cwe = 22
    vulnerability = "path"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    message = "File path from {source} reaches {sink}"
    description = (
        "{sink} receives `{argument}`, which is built from {source}. Nothing between the source and this "
        "call confines it to the intended directory, so a value containing `../` sequences or an absolute "
        "path makes the program touch any file the process can reach: read secrets, overwrite "
        "configuration or code, delete data, or learn which files exist."
    )
    solution = (
        "Reduce the user's input to a plain file name (`os.path.basename()`, `werkzeug.utils.secure_filename()`) "
        "or look it up in an allow-list; if sub-directories are needed, resolve the joined path with "
        "`os.path.realpath()` and refuse it unless it starts with the real base directory plus `os.sep`."
    )
