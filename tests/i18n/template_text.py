"""Find the text a person reads in a Jinja template that is not inside a gettext call.

The template is lexed with Jinja's own lexer; every Jinja tag and expression becomes a
placeholder (so `{{ _("...") }}` and `{% trans %}...{% endtrans %}` count as marked, and a
value such as `{{ deal.name }}` is data), and the HTML left is parsed: each text node and each
attribute a person reads (title, placeholder, alt, aria-label, data-label, the value of a
submit button) must hold no words. Inside the tags, a string literal passed as a label, hint
or blank option to a macro, or a sentence-like literal outside a gettext call, counts too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from jinja2 import Environment

PLACEHOLDER = "\u2060"  # a word joiner: no letter, no space, fits anywhere in HTML
GETTEXT = {"_", "gettext", "ngettext", "pgettext", "npgettext", "lazy_gettext"}
READ_ATTRIBUTES = {"title", "placeholder", "alt", "aria-label", "data-label", "aria-description"}
BUTTON_TYPES = {"submit", "button", "reset"}
# Keyword arguments of our macros that carry text a person reads.
TEXT_KEYWORDS = {
    "label",
    "hint",
    "blank",
    "title",
    "noun",
    "text",
    "message",
    "placeholder",
    "desc",
}
WORD = re.compile(r"[^\W\d_]{2,}")  # two letters in a row: a word (not "x", "%", "·", "3")
SENTENCE = re.compile(r"^[^a-z]*[A-Z][a-z]+.*\s|[.!?:]$")
NOT_TEXT = {"bpmn-sales"}  # the product's name
IDENTIFIER = re.compile(r"^[A-Z0-9_]+[.,:;]?$")  # SMTP_URL, CSV: the same in every language
SKIPPED = {"script", "style", "code", "kbd", "samp"}  # no text a translator writes


@dataclass(frozen=True)
class Found:
    file: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.text!r}"


def _readable(text: str) -> str | None:
    """The words of `text` once placeholders are gone, or None when nothing is left to read."""
    cleaned = " ".join(text.replace(PLACEHOLDER, " ").split())
    words = " ".join(w for w in cleaned.split() if w not in NOT_TEXT and not IDENTIFIER.match(w))
    return cleaned if WORD.search(words) else None


class _Html(HTMLParser):
    def __init__(self, file: str, found: list[Found]) -> None:
        super().__init__(convert_charrefs=True)
        self.file = file
        self.found = found
        self.skip = 0  # inside <script>, <style> or code

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED:
            self.skip += 1
        values = dict(attrs)
        for name, value in attrs:
            readable = name in READ_ATTRIBUTES or (
                name == "value" and tag == "input" and values.get("type") in BUTTON_TYPES
            )
            text = _readable(value or "") if readable else None
            if text:
                self.found.append(Found(self.file, self.getpos()[0], text))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in SKIPPED:
            self.skip -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED and self.skip:
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        text = None if self.skip else _readable(data)
        if text:
            lead = data[: len(data) - len(data.lstrip())].count("\n")
            self.found.append(Found(self.file, self.getpos()[0] + lead, text))


def _literals(file: str, tokens: list[tuple[int, str, str]]) -> list[Found]:
    """String literals in one Jinja tag that read as text and sit in no gettext call."""
    found: list[Found] = []
    calls: list[str] = []  # the name called at each open parenthesis
    previous: tuple[str, str] = ("", "")
    keyword = ""
    for line, kind, value in tokens:
        if kind == "lparen":
            calls.append(previous[1] if previous[0] == "name" else "")
        elif kind == "rparen" and calls:
            calls.pop()
        elif kind == "assign" and previous[0] == "name":
            keyword = previous[1]
        elif kind == "string":
            marked = any(name in GETTEXT for name in calls)
            text = value.strip()
            if not marked and WORD.search(text):
                labelled = bool(calls) and keyword in TEXT_KEYWORDS
                if labelled or SENTENCE.search(text):
                    found.append(Found(file, line, text))
        if kind in {"comma", "rparen"}:
            keyword = ""
        previous = (kind, value)
    return found


def untranslated(path: Path, root: Path) -> list[Found]:
    """Every piece of text in the template at `path` a person reads that gettext does not wrap."""
    env = Environment(extensions=["jinja2.ext.i18n"], autoescape=True)  # lexed, never rendered
    file = str(path.relative_to(root))
    html: list[str] = []
    at_line = 1  # the line the HTML built so far ends on (kept in step with the template's)
    found: list[Found] = []
    tag: list[tuple[int, str, str]] = []
    in_trans = False
    source = path.read_text(encoding="utf-8")
    for token in env.lexer.wrap(env.lexer.tokeniter(source, file), file):
        line, kind, value = token.lineno, token.type, str(token.value)
        if kind != "data" and line > at_line:
            html.append("\n" * (line - at_line))
            at_line = line
        if kind == "data":
            # Text inside {% trans %} is marked; anywhere else it is HTML to look at.
            html.append(PLACEHOLDER + "\n" * value.count("\n") if in_trans else value)
            at_line += value.count("\n")
        elif kind in {"block_begin", "variable_begin"}:
            html.append(PLACEHOLDER)
            tag = []
        elif kind in {"block_end", "variable_end"}:
            first = next((v for _l, k, v in tag if k == "name"), "")
            block_set = first == "set" and not any(k == "assign" for _l, k, _v in tag)
            if first == "trans" or block_set:  # {% set name %}...{% endset %}: attributes
                in_trans = True
            elif first in {"endtrans", "endset"}:
                in_trans = False
            elif first != "pluralize":
                found += _literals(file, tag)
        else:
            tag.append((line, kind, value))
    if path.suffix == ".txt":  # a plain-text mail: each line is read as it is
        for number, text in enumerate("".join(html).splitlines(), start=1):
            readable = _readable(text)
            if readable:
                found.append(Found(file, number, readable))
    else:
        parser = _Html(file, found)
        parser.feed("".join(html))
        parser.close()
    return sorted(set(found), key=lambda f: (f.file, f.line, f.text))


TEMPLATE_FOLDERS = ("src/bpmn_sales/web/templates", "src/bpmn_sales/mail")


def every_template(root: Path) -> list[Path]:
    return sorted(
        p
        for folder in TEMPLATE_FOLDERS
        for p in (root / folder).rglob("*")
        if p.suffix in {".html", ".txt"}
    )
