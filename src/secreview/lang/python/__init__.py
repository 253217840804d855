"""The Python semantic layer.

`file.py` is the file model (`PyFile`: imports, calls, bindings, constants over
one parsed file, with its declared `FileContext`); the other modules answer
questions by topic for every rule that asks them.  A helper used by two or more
rules lives here once; logic used by one rule stays in that rule's module.
"""
