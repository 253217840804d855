"""The value of a `#if` / `#elif` condition, when the known macros decide it.

Three-valued: an int when the condition is decided, None when it depends on a
macro nobody told us about (a compiler flag, a platform header).  Unknown parts
do not always leave the whole unknown: `0 && X` is 0 and `1 || X` is 1, as the
preprocessor would have it whatever X is.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from secreview.lang.c_family.macros import Macros

Value = int | None

_COMMENT = re.compile(r"/\*.*?\*/|//.*", re.DOTALL)
_TOKEN = re.compile(r"\s*(?:(?P<number>0[xX][0-9a-fA-F]+|\d+)[uUlL]*|(?P<name>[A-Za-z_]\w*)"
                    r"|(?P<char>'(?:\\.|[^'\\])')"
                    r"|(?P<operator>&&|\|\||==|!=|<=|>=|<<|>>|[-+*/%<>!~&|^?:(),])|(?P<other>\S))")
_MAX_DEPTH = 8  # macro bodies evaluated inside one another before giving up

# Binary operators by precedence, loosest first (the ternary and `||`/`&&` are handled apart).
_BINARY_LEVELS: tuple[dict[str, Callable[[int, int], int | None]], ...] = (
    {"|": lambda a, b: a | b},
    {"^": lambda a, b: a ^ b},
    {"&": lambda a, b: a & b},
    {"==": lambda a, b: int(a == b), "!=": lambda a, b: int(a != b)},
    {"<": lambda a, b: int(a < b), ">": lambda a, b: int(a > b), "<=": lambda a, b: int(a <= b),
     ">=": lambda a, b: int(a >= b)},
    {"<<": lambda a, b: a << b if 0 <= b < 64 else None, ">>": lambda a, b: a >> b if 0 <= b < 64 else None},
    {"+": lambda a, b: a + b, "-": lambda a, b: a - b},
    {"*": lambda a, b: a * b, "/": lambda a, b: int(a / b) if b else None,
     "%": lambda a, b: a - b * int(a / b) if b else None},
)


def evaluate(condition: str, macros: Macros, depth: int = 0) -> Value:
    """The value of a preprocessor condition, or None when unknown macros decide it."""
    tokens = _tokens(_COMMENT.sub(" ", condition))
    if not tokens:
        return None
    parser = _Parser(tokens, macros, depth)
    value = parser.conditional()
    return value if parser.position == len(tokens) else None


def _tokens(text: str) -> list[str]:
    """The tokens of a condition; a character this evaluator does not know is a token that makes its part unknown."""
    tokens = []
    for match in _TOKEN.finditer(text.strip()):
        if match.group("char"):
            tokens.append(str(ord(match.group("char")[1:-1].encode().decode("unicode_escape")[:1] or "\0")))
        else:
            tokens.append(next(token for token in match.group("number", "name", "operator", "other") if token))
    return tokens


class _Parser:
    """Recursive descent over the tokens of one condition."""

    def __init__(self, tokens: list[str], macros: Macros, depth: int) -> None:
        self.tokens = tokens
        self.position = 0
        self.macros = macros
        self.depth = depth

    def _peek(self) -> str:
        return self.tokens[self.position] if self.position < len(self.tokens) else ""

    def _take(self) -> str:
        token = self._peek()
        self.position += 1
        return token

    def conditional(self) -> Value:
        test = self._logical_or()
        if self._peek() != "?":
            return test
        self._take()
        when_true = self.conditional()
        if self._take() != ":":
            return None
        when_false = self.conditional()
        if test is None:
            return when_true if when_true == when_false else None
        return when_true if test else when_false

    def _logical_or(self) -> Value:
        value = self._logical_and()
        while self._peek() == "||":
            self._take()
            right = self._logical_and()
            value = 1 if value or right else (0 if value == 0 and right == 0 else None)
        return value

    def _logical_and(self) -> Value:
        value = self._binary(0)
        while self._peek() == "&&":
            self._take()
            right = self._binary(0)
            value = 0 if value == 0 or right == 0 else (1 if value is not None and right is not None else None)
        return value

    def _binary(self, level: int) -> Value:
        if level == len(_BINARY_LEVELS):
            return self._unary()
        operators = _BINARY_LEVELS[level]
        value = self._binary(level + 1)
        while self._peek() in operators:
            operation = operators[self._take()]
            right = self._binary(level + 1)
            value = operation(value, right) if value is not None and right is not None else None
        return value

    def _unary(self) -> Value:
        token = self._take()
        if token in ("!", "-", "+", "~"):
            value = self._unary()
            if value is None:
                return None
            return {"!": int(not value), "-": -value, "+": value, "~": ~value}[token]
        if token == "(":
            value = self.conditional()
            return value if self._take() == ")" else None
        if token[:1].isdigit():
            return int(token, 0) if not re.fullmatch(r"0\d+", token) else int(token, 8)
        if token == "defined":
            return self._defined()
        if token[:1].isalpha() or token[:1] == "_":
            return self._name(token)
        return None

    def _defined(self) -> Value:
        parenthesised = self._peek() == "("
        if parenthesised:
            self._take()
        name = self._take()
        if parenthesised and self._take() != ")":
            return None
        return self.macros.is_defined(name)

    def _name(self, name: str) -> Value:
        if self._peek() == "(":  # a function-like macro or __has_include(...): not evaluated here
            self._skip_arguments()
            return None
        if name in ("true", "false") and self.macros.language == "cpp":
            return int(name == "true")
        if self.macros.is_defined(name) == 0:
            return 0  # an undefined name is 0 in a condition
        body = self.macros.body(name)
        if body is None or self.depth >= _MAX_DEPTH:
            return None
        return evaluate(body, self.macros, self.depth + 1) if body.strip() else None

    def _skip_arguments(self) -> None:
        depth = 0
        while self.position < len(self.tokens):
            token = self._take()
            depth += {"(": 1, ")": -1}.get(token, 0)
            if depth == 0:
                return
