"""GitHub Actions ``${{ }}`` expressions, evaluated the way the runner does, for the template harness.

Supported: literals (``'text'`` with ``''`` escapes, numbers, ``true``/``false``/``null``),
context access (``inputs.model-name``, ``steps.gates.outputs.status``, ``github.event['x']``),
``! == != < <= > >= && ||`` and parentheses with GitHub's semantics (``||``/``&&`` return an
operand, loose equality, case-insensitive string comparison), and the functions ``success()``,
``failure()``, ``always()``, ``cancelled()``, ``contains``, ``startsWith``, ``endsWith``,
``format``, ``join``, ``toJSON`` and ``fromJSON``. Anything else raises :class:`ExpressionError`.

Lookups are strict: a name the workflow author controls (an input, a variable, a secret, an
``env`` entry, a ``github`` field, a step or job id) that the context does not hold raises
:class:`UnresolvedError`. Only where GitHub itself yields ``null`` for legitimately absent data are
lookups lenient: inside ``github.event`` (payloads differ per event) and for the outputs of a step
or job that exists but did not set that output.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["ExpressionError", "UnresolvedError", "evaluate", "evaluate_condition", "interpolate", "to_text"]

EXPR = re.compile(r"\$\{\{((?:(?!\}\}).)*)\}\}", re.DOTALL)
STATUS_FUNCTIONS = ("success", "failure", "always", "cancelled")

TOKEN = re.compile(
    r"""\s*(?:
    (?P<string>'(?:[^']|'')*')
    |(?P<number>-?(?:0x[0-9a-fA-F]+|\d+(?:\.\d+)?(?:[eE][-+]?\d+)?))
    |(?P<op>==|!=|<=|>=|&&|\|\||[<>!()\[\],.*])
    |(?P<name>[A-Za-z_][A-Za-z0-9_-]*)
    )""",
    re.VERBOSE,
)


class ExpressionError(ValueError):
    """An expression the harness cannot parse or does not support."""


class UnresolvedError(ExpressionError):
    """An expression names something the context does not provide."""


@dataclass(frozen=True)
class _Tok:
    kind: str
    text: str


def _tokenize(source: str) -> list[_Tok]:
    tokens: list[_Tok] = []
    pos = 0
    source = source.rstrip()
    while pos < len(source):
        match = TOKEN.match(source, pos)
        if not match or match.end() == pos:
            raise ExpressionError(f"cannot parse expression {source!r} at {source[pos:]!r}")
        kind = match.lastgroup
        assert kind is not None
        tokens.append(_Tok(kind, match.group(kind)))
        pos = match.end()
    return tokens


def to_text(value: Any) -> str:
    """How the runner turns a value into text (``env:``, ``with:``, interpolation)."""
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, indent=2)
    return str(value)


def _truthy(value: Any) -> bool:
    if value is None or value is False:
        return False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value != 0 and not math.isnan(value)
    if isinstance(value, str):
        return value != ""
    return True


def _number(value: Any) -> float:
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        if text == "":
            return 0.0
        try:
            return float(int(text, 16)) if text.lower().startswith("0x") else float(text)
        except ValueError:
            return math.nan
    return math.nan


def _equal(left: Any, right: Any) -> bool:
    if isinstance(left, str) and isinstance(right, str):
        return left.casefold() == right.casefold()
    if type(left) is type(right) and not isinstance(left, (int, float)):
        return bool(left == right)
    if isinstance(left, (dict, list)) or isinstance(right, (dict, list)):
        return left is right
    return _number(left) == _number(right)


def _compare(op: str, left: Any, right: Any) -> bool:
    if isinstance(left, str) and isinstance(right, str):
        a: Any = left.casefold()
        b: Any = right.casefold()
    else:
        a, b = _number(left), _number(right)
        if math.isnan(a) or math.isnan(b):
            return False
    return bool({"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op])


def _format(template: str, *args: Any) -> str:
    def repl(match: re.Match[str]) -> str:
        if match.group(0) == "{{":
            return "{"
        if match.group(0) == "}}":
            return "}"
        index = int(match.group(1))
        if index >= len(args):
            raise ExpressionError(f"format({template!r}): no argument {index}")
        return to_text(args[index])

    return re.sub(r"\{\{|\}\}|\{(\d+)\}", repl, template)


def _contains(search: Any, item: Any) -> bool:
    if isinstance(search, list):
        return any(_equal(element, item) for element in search)
    return to_text(item).casefold() in to_text(search).casefold()


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "contains": _contains,
    "startswith": lambda a, b: to_text(a).casefold().startswith(to_text(b).casefold()),
    "endswith": lambda a, b: to_text(a).casefold().endswith(to_text(b).casefold()),
    "format": lambda template, *args: _format(to_text(template), *args),
    "join": lambda items, sep=",": (
        to_text(sep).join(to_text(i) for i in items) if isinstance(items, list) else to_text(items)
    ),
    "tojson": lambda value: json.dumps(value, indent=2),
    "fromjson": lambda text: json.loads(to_text(text)),
}


def _lenient(path: tuple[str, ...], context: Mapping[str, Any]) -> bool:
    """Whether a missing ``path`` is ``null`` (GitHub semantics) rather than an error."""
    if path[:2] == ("github", "event") and len(path) > 2:
        return True
    if len(path) >= 4 and path[0] in ("steps", "needs", "jobs") and path[2] == "outputs":
        return path[1] in (context.get(path[0]) or {})
    return False


class _Parser:
    def __init__(self, tokens: list[_Tok], context: Mapping[str, Any], status: Callable[[str], bool], source: str):
        self.tokens = tokens
        self.pos = 0
        self.context = context
        self.status = status
        self.source = source

    # -- token helpers -----------------------------------------------------------------------------
    def peek(self) -> _Tok | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, text: str | None = None) -> _Tok:
        tok = self.peek()
        if tok is None or (text is not None and tok.text != text):
            raise ExpressionError(f"expected {text or 'more'} in {self.source!r}")
        self.pos += 1
        return tok

    def accept(self, *texts: str) -> str | None:
        tok = self.peek()
        if tok is not None and tok.kind == "op" and tok.text in texts:
            self.pos += 1
            return tok.text
        return None

    # -- grammar -------------------------------------------------------------------------------------
    def parse(self) -> Any:
        value = self.or_()
        if self.peek() is not None:
            raise ExpressionError(f"unexpected {self.peek()!r} in {self.source!r}")
        return value

    def or_(self) -> Any:
        value = self.and_()
        while self.accept("||"):
            right = self.and_()
            value = value if _truthy(value) else right
        return value

    def and_(self) -> Any:
        value = self.equality()
        while self.accept("&&"):
            right = self.equality()
            value = right if _truthy(value) else value
        return value

    def equality(self) -> Any:
        value = self.comparison()
        while op := self.accept("==", "!="):
            right = self.comparison()
            value = _equal(value, right) if op == "==" else not _equal(value, right)
        return value

    def comparison(self) -> Any:
        value = self.unary()
        while op := self.accept("<", "<=", ">", ">="):
            value = _compare(op, value, self.unary())
        return value

    def unary(self) -> Any:
        if self.accept("!"):
            return not _truthy(self.unary())
        return self.postfix()

    def postfix(self) -> Any:
        value, path = self.primary()
        while True:
            if self.accept("."):
                tok = self.take()
                if tok.text == "*":
                    raise ExpressionError(f"object filters (.*) are not supported: {self.source!r}")
                value, path = self.member(value, path, tok.text)
            elif self.accept("["):
                key = self.or_()
                self.take("]")
                value, path = self.member(value, path, key)
            else:
                return value

    def member(self, value: Any, path: tuple[str, ...] | None, key: Any) -> tuple[Any, tuple[str, ...] | None]:
        new_path = None if path is None else (*path, to_text(key))
        if isinstance(value, Mapping) and to_text(key) in value:
            return value[to_text(key)], new_path
        if isinstance(value, list) and isinstance(key, (int, float)) and 0 <= int(key) < len(value):
            return value[int(key)], new_path
        if new_path is not None and _lenient(new_path, self.context):
            return None, new_path
        where = ".".join(new_path) if new_path else repr(key)
        raise UnresolvedError(f"unresolved {where} in ${{{{ {self.source.strip()} }}}}")

    def primary(self) -> tuple[Any, tuple[str, ...] | None]:
        tok = self.take()
        if tok.kind == "string":
            return tok.text[1:-1].replace("''", "'"), None
        if tok.kind == "number":
            return _number(tok.text), None
        if tok.kind == "op" and tok.text == "(":
            value = self.or_()
            self.take(")")
            return value, None
        if tok.kind != "name":
            raise ExpressionError(f"unexpected {tok.text!r} in {self.source!r}")
        word = tok.text
        if word in ("true", "false"):
            return word == "true", None
        if word == "null":
            return None, None
        if self.accept("("):
            args: list[Any] = []
            if not self.accept(")"):
                args.append(self.or_())
                while self.accept(","):
                    args.append(self.or_())
                self.take(")")
            name = word.lower()
            if name in STATUS_FUNCTIONS:
                return self.status(name), None
            if name not in FUNCTIONS:
                raise ExpressionError(f"function {word}() is not supported by the harness: {self.source!r}")
            return FUNCTIONS[name](*args), None
        if word not in self.context:
            raise UnresolvedError(f"unknown context {word!r} in ${{{{ {self.source.strip()} }}}}")
        return self.context[word], (word,)


def _no_status(name: str) -> bool:
    raise ExpressionError(f"{name}() is only allowed in if: conditions")


def evaluate(source: str, context: Mapping[str, Any], status: Callable[[str], bool] = _no_status) -> Any:
    """Evaluate one expression (the text between ``${{`` and ``}}``)."""
    return _Parser(_tokenize(source), context, status, source).parse()


def interpolate(value: Any, context: Mapping[str, Any]) -> Any:
    """Replace every ``${{ }}`` in a string; a string that is one expression keeps the value's type."""
    if not isinstance(value, str):
        return value
    whole = EXPR.fullmatch(value.strip())
    if whole:
        return evaluate(whole.group(1), context)
    return EXPR.sub(lambda m: to_text(evaluate(m.group(1), context)), value)


def evaluate_condition(condition: Any, context: Mapping[str, Any], status: Callable[[str], bool]) -> bool:
    """An ``if:`` value: implicitly ``success() && (...)`` unless it calls a status function."""
    if condition is None:
        return status("success")
    if isinstance(condition, bool):
        return status("success") and condition
    text = str(condition).strip()
    whole = EXPR.fullmatch(text)
    if whole:
        text = whole.group(1).strip()
    elif "${{" in text:
        raise ExpressionError(f"if: mixes text and expressions: {condition!r}")
    names = {t.text.lower() for t in _tokenize(text) if t.kind == "name"}
    if not names & set(STATUS_FUNCTIONS):
        text = f"success() && ({text})"
    return _truthy(evaluate(text, context, status))
