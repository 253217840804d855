"""The C and C++ semantic layer.

`file.py` is the file model (`CFile`: declarations, calls, macros, constants and
sizes over one parsed file); `qt_macros.py` blanks Qt's annotation macros before
parsing; the other modules answer questions by topic for every rule that asks them.
"""
