"""Translators' tool for the gettext catalogs: extract, update a part file, check them all.

    .venv/bin/python scripts/i18n.py extract [-o FILE]        every marked string (a .pot)
    .venv/bin/python scripts/i18n.py update PART PATH...      refresh PART.po in each language
    .venv/bin/python scripts/i18n.py check                    what the catalog test checks

Catalogs live in src/bpmn_sales/i18n/locales/<language>/LC_MESSAGES/<part>.po, one part per area
of the product (pages, mail, messages, rules, diagrams, formats, scripts, people; the strings of
the pages' JavaScript go in scripts.po or a scripts_<area>.po, the parts sent to pages); the
product merges every part of a language on load. `update pages src/bpmn_sales/web/templates`
puts into pages.po every string marked in files under those paths that no other part of the
language already holds, keeps the translations it had, and drops the strings no longer in the
source; a new string arrives with an empty translation for the translator to write.

It needs Babel only (the project's .venv has it), not the product itself.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "src" / "bpmn_sales" / "i18n" / "locales"
#: Each language with a catalog (English is the source) and its Plural-Forms header.
PLURAL_FORMS = {
    "zh_Hans": "nplurals=1; plural=0;",
    "pl": (
        "nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);"
    ),
    "fr": "nplurals=2; plural=(n > 1);",
}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")

Key = str | tuple[str, str]  # a msgid, or (msgid, msgctxt) with a context


def extract() -> Catalog:
    """Every string marked in the source (babel.cfg), with where each is used."""
    out = ROOT / ".tmp" / "i18n-extract.pot"
    out.parent.mkdir(exist_ok=True)
    here = Path.cwd()
    os.chdir(ROOT)  # locations relative to the checkout
    try:
        CommandLineInterface().run(  # type: ignore[no-untyped-call]
            [
                "pybabel",
                "-q",
                "extract",
                "-F",
                str(ROOT / "babel.cfg"),
                "-k",
                "lazy_gettext",
                "--no-wrap",
                "-o",
                str(out),
                ".",
            ]
        )
    finally:
        os.chdir(here)
    with out.open("rb") as handle:
        return read_po(handle)


def ids_of(message: Message) -> tuple[str, ...]:
    """(msgid,) or (msgid, msgid_plural)."""
    return (message.id,) if isinstance(message.id, str) else tuple(str(i) for i in message.id)


def forms_of(message: Message) -> tuple[str, ...]:
    """The translation, one string per plural form."""
    if isinstance(message.string, str):
        return (message.string,)
    return tuple(str(form) for form in message.string or ())


def key_of(message: Message) -> Key:
    msgid = ids_of(message)[0]
    return (msgid, str(message.context)) if message.context else msgid


def parts(language: str) -> dict[str, Catalog]:
    """The part files of a language, by part name."""
    folder = LOCALES / language / "LC_MESSAGES"
    found = {}
    for path in sorted(folder.glob("*.po")) if folder.is_dir() else []:
        with path.open("rb") as handle:
            found[path.stem] = read_po(handle, locale=language)
    return found


def messages(catalog: Catalog) -> Iterator[Message]:
    return (m for m in catalog if m.id)


def relative(location: str) -> str:
    path = Path(location)
    return str(path.relative_to(ROOT)) if path.is_absolute() else location


def new_catalog(language: str) -> Catalog:
    catalog = Catalog(
        locale=language,
        project="bpmn-sales",
        version="1",
        copyright_holder="bpmn-sales",
        charset="utf-8",
        fuzzy=False,
        header_comment=f"# {language} translations of bpmn-sales (written by scripts/i18n.py).",
    )
    catalog.mime_headers = [("Plural-Forms", PLURAL_FORMS[language])]
    return catalog


def write(catalog: Catalog, path: Path, language: str) -> None:
    catalog.mime_headers = [("Plural-Forms", PLURAL_FORMS[language])]  # Babel's may differ
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=0, include_lineno=False, omit_header=False)
    text = buffer.getvalue().decode("utf-8")
    # Our header: the language as the product names it and the plural rule it uses.
    text = re.sub(r'"Language: [^"]*\\n"', f'"Language: {language}\\\\n"', text, count=1)
    text = re.sub(
        r'"Plural-Forms: [^"]*\\n"',
        f'"Plural-Forms: {PLURAL_FORMS[language]}\\\\n"',
        text,
        count=1,
    )
    text = text.replace("charset=utf-8", "charset=UTF-8")
    for boilerplate in ("Report-Msgid-Bugs-To", "Last-Translator", "Language-Team"):
        text = re.sub(rf'"{boilerplate}: [^"]*\\n"\n', "", text, count=1)
    text = re.sub(r'"POT-Creation-Date: [^"]*\\n"\n', "", text, count=1)
    text = re.sub(r'"PO-Revision-Date: [^"]*\\n"\n', "", text, count=1)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def update(part: str, paths: Iterable[str]) -> None:
    """Refresh `part`.po of every language from the strings marked under `paths`."""
    source = extract()
    prefixes = tuple(str(Path(p)) for p in paths)
    for language in PLURAL_FORMS:
        existing = parts(language)
        mine = existing.get(part) or new_catalog(language)
        held_elsewhere = {
            key_of(m) for name, c in existing.items() if name != part for m in messages(c)
        }
        kept = {key_of(m): m for m in messages(mine)}
        catalog = new_catalog(language)
        for message in messages(source):
            key = key_of(message)
            used_here = any(relative(loc).startswith(prefixes) for loc, _line in message.locations)
            if key in kept or (used_here and key not in held_elsewhere):
                old = kept.get(key)
                empty = ("",) * catalog.num_plurals if message.pluralizable else ""
                catalog.add(
                    message.id,
                    old.string if old else empty,
                    locations=[(relative(loc), line) for loc, line in message.locations],
                    flags=[f for f in message.flags if f != "fuzzy"],
                    auto_comments=message.auto_comments,
                    context=message.context,
                )
        write(catalog, LOCALES / language / "LC_MESSAGES" / f"{part}.po", language)
        print(f"{language}/{part}.po: {len(catalog)} strings")


@dataclass(frozen=True)
class Problem:
    language: str
    part: str
    msgid: str
    what: str
    where: str = ""

    def __str__(self) -> str:
        at = f" [{self.where}]" if self.where else ""
        return f"{self.language}/{self.part}.po: {self.what}: {self.msgid!r}{at}"


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def entry_problems(language: str, part: str, message: Message, nplurals: int) -> Iterator[str]:
    """What is wrong with one entry: fuzzy, untranslated, placeholders, plural forms."""
    if message.fuzzy:
        yield "fuzzy"
    ids, forms = ids_of(message), forms_of(message)
    if len(ids) > 1:
        if len(forms) != nplurals:
            yield f"{len(forms)} plural forms instead of {nplurals}"
        expected = placeholders(ids[0]) | placeholders(ids[1])
        for n, form in enumerate(forms):
            if not form:
                yield f"plural form {n} untranslated"
            elif not expected - {"num"} <= placeholders(form) <= expected:
                yield f"plural form {n} has placeholders {sorted(placeholders(form))}"
    elif not forms[0]:
        yield "untranslated"
    elif placeholders(forms[0]) != placeholders(ids[0]):
        yield f"placeholders {sorted(placeholders(forms[0]))} in the translation"


def header_problems(language: str, part: str, catalog: Catalog, raw: str) -> Iterator[str]:
    if f'"Language: {language}\\n"' not in raw:
        yield "the header's Language is not " + language
    if '"content-type: text/plain; charset=utf-8\\n"' not in raw.lower():
        yield "the header's Content-Type is not text/plain; charset=UTF-8"
    if f'"Plural-Forms: {PLURAL_FORMS[language]}\\n"' not in raw:
        yield f"the header's Plural-Forms is not {PLURAL_FORMS[language]}"
    forms = [int(n) for n in re.findall(r"^msgstr\[(\d+)\]", raw, re.MULTILINE)]
    if forms and max(forms) >= catalog.num_plurals:
        yield f"an entry has msgstr[{max(forms)}], more forms than nplurals={catalog.num_plurals}"


def check(source: Catalog | None = None) -> list[Problem]:
    """Every problem of every catalog: headers, entries, missing, obsolete and conflicting."""
    source = source or extract()
    wanted = {key_of(m): m for m in messages(source)}
    found: list[Problem] = []
    for language in PLURAL_FORMS:
        translated: dict[Key, tuple[str, object]] = {}
        for_scripts: set[Key] = set()  # the parts the pages' scripts receive (scripts*.po)
        folder = LOCALES / language / "LC_MESSAGES"
        for part, catalog in parts(language).items():
            raw = (folder / f"{part}.po").read_text(encoding="utf-8")
            found += [
                Problem(language, part, "", w)
                for w in header_problems(language, part, catalog, raw)
            ]
            found += [
                Problem(language, part, ids_of(m)[0], "obsolete entry (#~)")
                for m in catalog.obsolete.values()
            ]
            for message in messages(catalog):
                key = key_of(message)
                msgid = ids_of(message)[0]
                for what in entry_problems(language, part, message, catalog.num_plurals):
                    found.append(Problem(language, part, msgid, what))
                found += [Problem(language, part, msgid, str(e)) for e in message.check(catalog)]
                if key not in wanted:
                    found.append(
                        Problem(language, part, msgid, "obsolete (no longer in the source)")
                    )
                if key in translated and translated[key][1] != message.string:
                    other = translated[key][0]
                    found.append(
                        Problem(language, part, msgid, f"translated differently in {other}.po")
                    )
                translated.setdefault(key, (part, message.string))
                if part == "scripts" or part.startswith("scripts_"):
                    for_scripts.add(key)
        for key, message in wanted.items():
            if key not in translated:
                msgid = key if isinstance(key, str) else key[0]
                where = ", ".join(f"{relative(loc)}:{line}" for loc, line in message.locations)
                found.append(Problem(language, "-", msgid, "missing", where))
            elif key not in for_scripts and any(
                relative(loc).endswith(".js") for loc, _line in message.locations
            ):
                msgid = key if isinstance(key, str) else key[0]
                part = translated[key][0]
                found.append(
                    Problem(language, part, msgid, "used in a script but not in a scripts*.po part")
                )
    return found


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    out = commands.add_parser("extract", help="write every marked string to a .pot")
    out.add_argument("-o", "--output", default="-", help="file to write (default: stdout)")
    up = commands.add_parser("update", help="refresh a part file in every language")
    up.add_argument("part", help="the part's name, e.g. pages (pages.po)")
    up.add_argument("paths", nargs="+", help="files or folders whose strings the part holds")
    commands.add_parser("check", help="check every catalog as the test does")
    args = parser.parse_args(argv)
    if args.command == "extract":
        buffer = io.BytesIO()
        write_po(buffer, extract(), width=0)
        if args.output == "-":
            sys.stdout.write(buffer.getvalue().decode("utf-8"))
        else:
            Path(args.output).write_bytes(buffer.getvalue())
        return 0
    if args.command == "update":
        update(args.part, args.paths)
        return 0
    problems = check()
    for problem in problems:
        print(problem)
    print(f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
