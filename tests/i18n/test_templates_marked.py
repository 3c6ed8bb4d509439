"""Every piece of text a person reads in a template (pages and mail) is inside a gettext call,
so it reaches the catalogs and is shown in the reader's language."""

from __future__ import annotations

from pathlib import Path

from tests.i18n.template_text import every_template, untranslated

ROOT = Path(__file__).resolve().parents[2]


def test_every_template_string_is_marked_for_translation() -> None:
    found = [f for path in every_template(ROOT) for f in untranslated(path, ROOT)]
    files = sorted({f.file for f in found})
    assert not found, (
        f"{len(found)} text(s) in {len(files)} template(s) are not inside _() or "
        "{% trans %}; wrap each (whole sentences, named placeholders) and translate it:\n"
        + "\n".join(str(f) for f in found)
    )


PLANTED = """{% extends "base.html" %}
{% from "macros.html" import input %}
{% block content %}
<h1>{{ _("Marked title") }}</h1>
<p>Planted sentence {{ deal.name }}</p>
<p title="Planted tooltip" data-testid="kept-as-is">{{ deal.value }} · 42 %</p>
<input type="submit" value="Planted button"> <input type="hidden" name="x" value="machine">
<img alt="{{ _('Marked picture') }}" src="/x.png"><img alt="Planted picture" src="/y.png">
{{ input('name', 'Planted label', hint=_('Marked hint')) }}
{{ input('email', _('Marked label'), blank='(planted blank)') }}
{% trans count=n %}One marked{% pluralize %}{{ count }} marked{% endtrans %}
<script>var notText = "Not read";</script> <code>SMTP_URL</code> bpmn-sales
{% set classes %}id="a" class="b"{% endset %}
{% endblock %}
"""


def test_the_scan_finds_a_planted_string_and_only_those(tmp_path: Path) -> None:
    page = tmp_path / "planted.html"
    page.write_text(PLANTED, encoding="utf-8")
    found = [(f.line, f.text) for f in untranslated(page, tmp_path)]
    assert found == [
        (5, "Planted sentence"),
        (6, "Planted tooltip"),
        (7, "Planted button"),
        (8, "Planted picture"),
        (9, "Planted label"),
        (10, "(planted blank)"),
    ]
    assert str(untranslated(page, tmp_path)[0]) == "planted.html:5: 'Planted sentence'"


def test_a_plain_text_mail_is_read_line_by_line(tmp_path: Path) -> None:
    mail = tmp_path / "notice.txt"
    mail.write_text('{{ _("Hello %(name)s,", name=name) }}\n\n{{ text }}\nSee you\n', "utf-8")
    assert [(f.line, f.text) for f in untranslated(mail, tmp_path)] == [(4, "See you")]
