"""Qt's annotation macros, blanked before C++ parsing so the grammar sees plain C++.

tree-sitter parses source without a preprocessor, and Qt headers are full of
macros that are not C++ without it: `QT_BEGIN_NAMESPACE` with no semicolon,
`Q_OBJECT` in a class body, `signals:` and `private slots:` as access
specifiers, `Q_PROPERTY(...)` declarations.  Each breaks the parse of what
follows it.  These macros carry no data flow and no defect of their own, so
they are replaced by spaces of the same length (an access keyword where one is
needed): every byte offset and line number stays where it was, and findings
still quote the original text.
"""

from __future__ import annotations

import re

_WORDS = ("QT_BEGIN_NAMESPACE", "QT_END_NAMESPACE", "QT_BEGIN_HEADER", "QT_END_HEADER", "QT_USE_NAMESPACE",
          "Q_OBJECT", "Q_GADGET", "Q_GADGET_EXPORT", "Q_NAMESPACE", "Q_INVOKABLE", "Q_SIGNAL", "Q_SLOT",
          "Q_DECL_OVERRIDE", "Q_DECL_FINAL", "Q_REQUIRED_RESULT", "Q_DECL_EXPORT", "Q_DECL_IMPORT",
          "Q_DECL_CONSTEXPR", "Q_DECL_NOTHROW", "Q_DECL_NOEXCEPT", "Q_DECL_DEPRECATED", "Q_SCRIPTABLE",
          "Q_EMIT", "emit", "QT_WARNING_PUSH", "QT_WARNING_POP", "QT_DEPRECATED")
_CALLS = ("Q_PROPERTY", "Q_INTERFACES", "Q_ENUM", "Q_ENUMS", "Q_FLAG", "Q_FLAGS", "Q_ENUM_NS", "Q_FLAG_NS",
          "Q_CLASSINFO", "Q_PLUGIN_METADATA", "Q_MOC_INCLUDE", "Q_DISABLE_COPY", "Q_DISABLE_COPY_MOVE",
          "Q_DECLARE_PRIVATE", "Q_DECLARE_PRIVATE_D", "Q_DECLARE_PUBLIC", "Q_DECLARE_METATYPE",
          "Q_DECLARE_INTERFACE", "Q_DECLARE_OPERATORS_FOR_FLAGS", "Q_DECLARE_TYPEINFO", "Q_DECLARE_LOGGING_CATEGORY",
          "Q_DECLARE_SHARED", "Q_DECLARE_TR_FUNCTIONS", "Q_REVISION", "Q_DECLARE_FLAGS", r"QT_WARNING_DISABLE_\w+",
          r"QT_DEPRECATED\w*")
_WORD = re.compile(r"\b(?:" + "|".join(_WORDS) + r")\b")
_CALL = re.compile(r"\b(?:" + "|".join(_CALLS) + r")\s*\(")
# `signals:` / `Q_SIGNALS:` become `public:`; the `slots` of `private slots:` disappears
_SIGNALS = re.compile(r"^([ \t]*)(signals|Q_SIGNALS)([ \t]*):", re.MULTILINE)
_SLOTS = re.compile(r"\b(public|protected|private)([ \t]+)(slots|Q_SLOTS)([ \t]*):")
_MARKERS = re.compile(r"\bQ_|\bQT_|\bsignals\b|\bslots\b|\bemit\b")


def blank_qt_macros(text: str) -> str:
    if not _MARKERS.search(text):
        return text
    text = _SIGNALS.sub(lambda m: m.group(1) + "public".ljust(len(m.group(2))) + m.group(3) + ":", text)
    text = _SLOTS.sub(lambda m: m.group(1) + m.group(2) + " " * len(m.group(3)) + m.group(4) + ":", text)
    text = _WORD.sub(lambda m: " " * len(m.group(0)), text)
    return _blank_calls(text)


def _blank_calls(text: str) -> str:
    pieces: list[str] = []
    position = 0
    for match in _CALL.finditer(text):
        if match.start() < position:
            continue  # inside a call blanked already
        end = _closing_parenthesis(text, match.end() - 1)
        if end is None:
            continue
        pieces.append(text[position:match.start()])
        pieces.append(re.sub(r"[^\n]", lambda c: " " * len(c.group(0).encode("utf-8")), text[match.start():end + 1]))
        position = end + 1
    pieces.append(text[position:])
    return "".join(pieces)


def _closing_parenthesis(text: str, opening: int) -> int | None:
    depth = 0
    for index in range(opening, min(len(text), opening + 4000)):
        character = text[index]
        if character == "(":
            depth += 1
        elif character == ")":
            depth -= 1
            if depth == 0:
                return index
    return None
