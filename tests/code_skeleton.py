"""The skeleton of a notebook code cell: its Python tokens without comments,
with every string literal (f-strings included) reduced to one placeholder.

Two cells whose skeletons are equal run the same code, whatever language
their comments and messages are written in. IPython magics and shell escapes
(`%pip ...`, `!ls`, `%%time`) are kept whole, as opaque tokens.
"""

from __future__ import annotations

import io
import keyword
import re
import tokenize
from dataclasses import dataclass, field

STRING_PLACEHOLDER = '"…"'

_FSTRING_START = getattr(tokenize, "FSTRING_START", None)  # Python 3.12+
_FSTRING_END = getattr(tokenize, "FSTRING_END", None)
_INVISIBLE = {tokenize.COMMENT, tokenize.NL, tokenize.ENCODING, tokenize.ENDMARKER}
_LINE_MAGIC = re.compile(r"^(?P<indent>\s*)(?P<magic>[%!].*)$")
_ASSIGNED_MAGIC = re.compile(r"^(?P<target>\s*[\w.,\s]+?\s*=\s*)(?P<magic>[%!].*)$")


@dataclass(frozen=True)
class Token:
    kind: str  # NAME, OP, NUMBER, STRING, NEWLINE, INDENT, DEDENT, MAGIC or TEXT
    text: str
    space_before: bool = field(default=False, compare=False)


def skeleton(source: str) -> list[Token]:
    """The tokens of `source` that carry code, comparable with ==."""
    tokens: list[Token] = []
    lines = source.splitlines()
    if lines and lines[0].lstrip().startswith("%%"):
        tokens.append(Token("MAGIC", lines[0].strip()))
        tokens.append(Token("NEWLINE", ""))
        lines = lines[1:]
    code, magics = _hide_line_magics(lines)
    try:
        tokens.extend(_python_tokens(code, magics))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        # Not Python (a %%bash body, a syntax error): compare it line by line.
        for line in lines:
            if line.strip():
                tokens.extend([Token("TEXT", line.strip()), Token("NEWLINE", "")])
    return tokens


def render(tokens: list[Token]) -> list[str]:
    """The skeleton as readable lines of code, for diffs."""
    lines, current, depth = [], [], 0
    for token in tokens:
        if token.kind == "INDENT":
            depth += 1
        elif token.kind == "DEDENT":
            depth -= 1
        elif token.kind == "NEWLINE":
            lines.append("    " * depth + "".join(current))
            current = []
        else:
            gap = " " if token.space_before and current else ""
            current.append(gap + token.text)
    if current:
        lines.append("    " * depth + "".join(current))
    return lines


def _hide_line_magics(lines: list[str]) -> tuple[str, dict[str, str]]:
    """Replace each magic by a placeholder name, so the rest tokenizes as Python."""
    magics: dict[str, str] = {}
    hidden = []
    for line in lines:
        match = _LINE_MAGIC.match(line) or _ASSIGNED_MAGIC.match(line)
        if match:
            name = f"__ipython_magic_{len(magics)}__"
            magics[name] = match["magic"].strip()
            prefix = match.groupdict().get("indent") or match.groupdict().get("target") or ""
            line = prefix + name
        hidden.append(line)
    return "\n".join(hidden) + "\n", magics


def _python_tokens(code: str, magics: dict[str, str]) -> list[Token]:
    tokens: list[Token] = []
    fstring_depth = 0
    previous_end = None
    for tok in tokenize.generate_tokens(io.StringIO(code).readline):
        space_before = previous_end is not None and tok.start != previous_end
        previous_end = tok.end
        if tok.type == _FSTRING_START:
            if fstring_depth == 0:
                _add_string(tokens, space_before)
            fstring_depth += 1
            continue
        if tok.type == _FSTRING_END:
            fstring_depth -= 1
            continue
        if fstring_depth or tok.type in _INVISIBLE:
            continue
        if tok.type == tokenize.STRING:
            _add_string(tokens, space_before)
        elif tok.type == tokenize.NAME and tok.string in magics:
            tokens.append(Token("MAGIC", magics[tok.string], space_before))
        elif tok.type in (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT):
            tokens.append(Token(tokenize.tok_name[tok.type], ""))
        else:
            tokens.append(Token(tokenize.tok_name[tok.type], tok.string, space_before))
    return _without_layout(_without_grouping_parentheses_around_strings(tokens))


def _without_grouping_parentheses_around_strings(tokens: list[Token]) -> list[Token]:
    # `msg = ("a long message " "on two lines")` is the same code as `msg = "short"`,
    # but `f("a")` is a call and keeps its parentheses.
    result: list[Token] = []
    for token in tokens:
        result.append(token)
        if token.text == ")" and len(result) >= 3 and result[-2].kind == "STRING":
            opening = result[-3]
            before = result[-4] if len(result) >= 4 else None
            is_call_or_subscript = before is not None and (
                before.kind in ("NAME", "STRING") and not keyword.iskeyword(before.text)
                or before.text in (")", "]")
            )
            if opening.text == "(" and not is_call_or_subscript:
                string = result[-2]
                del result[-3:]
                result.append(Token("STRING", string.text, opening.space_before))
    return result


_CLOSING = (")", "]", "}")
# Where a formatter may wrap a long expression in parentheses: `x = (...)`, `return (...)`, `f(a, (...))`.
_BEFORE_GROUPING = {"=", "+=", "-=", "*=", "/=", "|=", ",", "(", "[", ":", "return", "assert", "yield", "in", "else"}
_AFTER_GROUPING = {"", ",", ")", "]", "}"}  # "" is the NEWLINE token's text


def _without_layout(tokens: list[Token]) -> list[Token]:
    """The tokens without what a formatter adds when a line grows too long (a French message is
    longer than its English twin): trailing commas before a closing bracket, and parentheses
    that only group one expression."""
    tokens = [
        token
        for index, token in enumerate(tokens)
        if not (token.text == "," and index + 1 < len(tokens) and tokens[index + 1].text in _CLOSING)
    ]
    dropped: set[int] = set()
    for start, token in enumerate(tokens):
        if token.text != "(" or start == 0 or tokens[start - 1].text not in _BEFORE_GROUPING:
            continue
        depth, end, groups_one_expression = 0, None, True
        for index in range(start, len(tokens)):
            text = tokens[index].text
            if text in ("(", "[", "{"):
                depth += 1
            elif text in _CLOSING:
                depth -= 1
                if depth == 0:
                    end = index
                    break
            elif depth == 1 and (text in (",", "for") or tokens[index].kind == "NEWLINE"):
                groups_one_expression = False  # a tuple, a generator, or not one expression
        following = tokens[end + 1].text if end is not None and end + 1 < len(tokens) else ""
        if end is not None and groups_one_expression and end > start + 1 and following in _AFTER_GROUPING:
            dropped.update((start, end))
    return [token for index, token in enumerate(tokens) if index not in dropped]


def _add_string(tokens: list[Token], space_before: bool) -> None:
    # Adjacent literals ("a" "b", or a message split over lines) are one string.
    if not (tokens and tokens[-1].kind == "STRING"):
        tokens.append(Token("STRING", STRING_PLACEHOLDER, space_before))
