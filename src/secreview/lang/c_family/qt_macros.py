"""Macro vocabulary, as data: the names the light preprocessor (preprocess.py) blanks.

tree-sitter parses source without a preprocessor, and headers are full of
macros that are not C or C++ without it: `QT_BEGIN_NAMESPACE` with no
semicolon, `Q_OBJECT` in a class body, `signals:` and `private slots:` as
access specifiers, `class Q_CORE_EXPORT QFile`, `CURL_EXTERN CURLcode f(...)`.
Each breaks the parse of what follows it.  They carry no data flow and no defect
of their own.  Macros defined in the file or in headers on the include path are
classified from their definitions (macros.py); these lists cover the names used
where no definition is at hand, Qt's above all.
"""

from __future__ import annotations

import re

# Object-like macros that annotate a declaration or mark a region: blanked where they are used.
ANNOTATION_WORDS = frozenset({
    "QT_BEGIN_NAMESPACE", "QT_END_NAMESPACE", "QT_BEGIN_HEADER", "QT_END_HEADER", "QT_USE_NAMESPACE",
    "QT_BEGIN_INCLUDE_NAMESPACE", "QT_END_INCLUDE_NAMESPACE", "QT_BEGIN_MOC_NAMESPACE", "QT_END_MOC_NAMESPACE",
    "Q_OBJECT", "Q_GADGET", "Q_NAMESPACE", "Q_INVOKABLE", "Q_SIGNAL",
    "Q_SLOT", "Q_SCRIPTABLE", "Q_EMIT", "emit", "Q_REQUIRED_RESULT", "Q_NORETURN", "Q_ALWAYS_INLINE",
    "Q_NEVER_INLINE", "Q_IMPLICIT", "Q_OUTOFLINE_TEMPLATE", "Q_INLINE_TEMPLATE", "Q_TYPENAME",
    "QT_WARNING_PUSH", "QT_WARNING_POP", "QT_DEPRECATED", "Q_NODISCARD_CTOR", "Q_WEAK_OVERLOAD",
    "Q_CONSTINIT", "QT_TECH_PREVIEW_API", "QT6_ONLY", "QT7_ONLY",
    "WINAPI", "APIENTRY", "CALLBACK", "STDMETHODCALLTYPE", "__cdecl", "__stdcall", "__fastcall",
    "__forceinline", "__restrict", "__extension__",
})
# Object-like names by shape: export/import/visibility markers and calling conventions (`FOO_EXPORT`,
# `CURL_EXTERN`, `XMLCALL`, `Q_DECL_*`).
_ANNOTATION_SHAPES = re.compile(r"[A-Z][A-Z0-9_]*_(?:EXPORT|IMPORT|EXTERN|API|VISIBILITY|HIDDEN)(?:_[A-Z0-9]+)?"
                                r"|[A-Z][A-Z0-9]*(?:CALL|CALLBACK|APIENTRY|EXPORT|IMPORT)"  # XMLCALL, JNICALL
                                r"|Q_DECL_[A-Z0-9_]+|QT_DEPRECATED\w*|Q_[A-Z]+_EXPORT\w*")

# Function-like macros that declare something the analysis does not need: the call is blanked whole.
DECLARATION_CALLS = re.compile(
    r"Q_PROPERTY|Q_INTERFACES|Q_ENUMS?|Q_FLAGS?|Q_ENUM_NS|Q_FLAG_NS|Q_CLASSINFO|Q_PLUGIN_METADATA|Q_MOC_INCLUDE"
    r"|Q_DISABLE_COPY\w*|Q_DECLARE_\w+|Q_REVISION|Q_LOGGING_CATEGORY|Q_STATIC_LOGGING_CATEGORY"
    r"|Q_GLOBAL_STATIC\w*|Q_APPLICATION_STATIC|Q_IMPORT_PLUGIN|Q_PRIVATE_SLOT|Q_PRIVATE_PROPERTY"
    r"|QT_FORWARD_DECLARE_\w+|QT_WARNING_DISABLE_\w+|QT_DEPRECATED\w*|QT_REQUIRE_CONFIG|QT_CONFIG_\w*"
    r"|QT_DECL_METATYPE_EXTERN\w*|QT_IMPL_METATYPE_EXTERN\w*"
    r"|Q_D|Q_Q|QFETCH|Q_DECL_DEPRECATED_X|Q_DECL_\w+_X|Q_STATIC_ASSERT\w*|Q_GADGET_EXPORT|Q_NAMESPACE_EXPORT"
    r"|__attribute__|__declspec")

# Function-like macros that stand for their argument (`QT_PREPEND_NAMESPACE(QString)` is `::QString`).
TRANSPARENT_CALLS = frozenset({"QT_PREPEND_NAMESPACE", "QT_MANGLE_NAMESPACE"})

# Qt's endless loop keyword, before its block.
FOREVER = re.compile(r"\b(forever|Q_FOREVER)\b(?=\s*\{)")

# Access specifiers: `signals:` / `Q_SIGNALS:` become `public:`; the `slots` of `private slots:` disappears.
SIGNALS = re.compile(r"^([ \t]*)(signals|Q_SIGNALS)([ \t]*):", re.MULTILINE)
SLOTS = re.compile(r"\b(public|protected|private)([ \t]+)(slots|Q_SLOTS)([ \t]*):")


def is_qt_name(word: str) -> bool:
    """A name of Qt's vocabulary or namespace (`Q_DECL_OVERRIDE`, `QT_BEGIN_NAMESPACE`): what it does is known
    wherever it stands; other annotation-shaped names count only before a declaration."""
    return word in ANNOTATION_WORDS or word.startswith(("Q_", "QT_"))


def is_annotation(word: str) -> bool:
    """An object-like macro that only annotates (by name: used where no definition is known)."""
    return word in ANNOTATION_WORDS or _ANNOTATION_SHAPES.fullmatch(word) is not None
