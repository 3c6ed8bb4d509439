"""Import columns: which lead or deal field a CSV header names, in any of the four UI languages.

Headers are compared without case, accents, spaces or punctuation ("E-mail", "e_mail" and
"EMAIL" are one name); an explicit mapping wins over the names below, and a column neither
named here, mapped nor ignored is refused, so a misspelt header never loses its data silently.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from bpmn_sales.errors import InvalidInput
from bpmn_sales.i18n import _

# English, French, Polish and Simplified Chinese names of each field (the UI's languages).
LEAD_NAMES: dict[str, tuple[str, ...]] = {
    "name": (
        "name",
        "full name",
        "contact",
        "contact name",
        "lead",
        "lead name",
        "nom",
        "nom complet",
        "nom du contact",
        "prospect",
        "imie i nazwisko",
        "nazwa",
        "kontakt",
        "nazwisko",
        "姓名",
        "名称",
        "联系人",
        "线索",
    ),
    "company": (
        "company",
        "company name",
        "organization",
        "organisation",
        "account",
        "societe",
        "entreprise",
        "organisation",
        "firma",
        "nazwa firmy",
        "organizacja",
        "公司",
        "公司名称",
        "单位",
    ),
    "email": (
        "email",
        "email address",
        "mail",
        "courriel",
        "adresse email",
        "adresse electronique",
        "adres email",
        "poczta",
        "邮箱",
        "电子邮件",
        "电子邮箱",
        "邮件",
    ),
    "phone": (
        "phone",
        "phone number",
        "telephone",
        "mobile",
        "numero de telephone",
        "portable",
        "telefon",
        "numer telefonu",
        "komorka",
        "电话",
        "手机",
        "联系电话",
        "电话号码",
    ),
    "estimated_value": (
        "estimated value",
        "value",
        "amount",
        "valeur estimee",
        "valeur",
        "montant",
        "szacowana wartosc",
        "wartosc",
        "kwota",
        "预计金额",
        "金额",
        "估计价值",
        "预估金额",
    ),
    "owner": (
        "owner",
        "sales rep",
        "assigned to",
        "proprietaire",
        "responsable",
        "commercial",
        "wlasciciel",
        "opiekun",
        "handlowiec",
        "负责人",
        "所有者",
        "销售",
        "销售人员",
    ),
}
DEAL_NAMES: dict[str, tuple[str, ...]] = {
    "name": (
        "name", "deal", "deal name", "opportunity", "opportunity name", "title",
        "nom", "affaire", "nom de l affaire", "opportunite", "titre",
        "nazwa", "szansa sprzedazy", "nazwa szansy", "transakcja", "tytul",
        "名称", "商机", "商机名称", "交易",
    ),
    "customer": (
        "customer", "client", "account", "company",
        "societe", "entreprise",
        "klient", "firma",
        "客户", "客户名称", "公司",
    ),
    "value": (
        "value", "amount", "deal value",
        "valeur", "montant",
        "wartosc", "kwota",
        "金额", "商机金额", "价值",
    ),
    "currency": ("currency", "devise", "monnaie", "waluta", "币种", "货币"),
    "expected_close_date": (
        "expected close date", "close date", "closing date",
        "date de cloture prevue", "date de cloture", "cloture prevue",
        "przewidywana data zamkniecia", "data zamkniecia",
        "预计成交日期", "结单日期", "预计结单日期",
    ),
    "owner": LEAD_NAMES["owner"],
    "stage": (
        "stage", "sales stage", "pipeline stage",
        "etape", "etape de vente", "phase",
        "etap", "etap sprzedazy",
        "阶段", "销售阶段", "商机阶段",
    ),
    "status": (
        "status", "outcome", "state",
        "statut", "etat", "resultat",
        "wynik", "stan",
        "状态", "结果", "商机状态",
    ),
    "reason": (
        "reason", "lost reason", "close reason",
        "motif", "motif de perte", "raison",
        "powod", "powod przegranej", "przyczyna",
        "原因", "输单原因", "关闭原因",
    ),
    "closed_on": (
        "closed on", "closed", "date closed", "closed date", "actual close date",
        "cloturee le", "date de cloture effective", "fermee le",
        "zamknieta dnia", "faktyczna data zamkniecia",
        "成交日期", "关闭日期", "结单时间",
    ),
    "created_on": (
        "created on", "created", "date created", "created date", "creation date",
        "creee le", "date de creation",
        "utworzona dnia", "data utworzenia",
        "创建日期", "创建时间",
    ),
    "stage_entered_on": (
        "stage entered on", "in stage since", "stage since", "stage date",
        "dans l etape depuis", "date d entree dans l etape",
        "w etapie od", "data wejscia do etapu",
        "进入阶段日期", "阶段开始日期",
    ),
}  # fmt: skip

# A deal's status as a file writes it, in the UI's languages (compared as headers are).
STATUS_NAMES: dict[str, tuple[str, ...]] = {
    "open": ("open", "ouverte", "en cours", "otwarta", "w toku", "进行中", "跟进中"),
    "won": ("won", "win", "gagnee", "gagne", "wygrana", "赢单", "成交", "已成交"),
    "lost": ("lost", "perdue", "perdu", "przegrana", "输单", "丢单", "已输单"),
    "invalid": ("invalid", "invalide", "niewazna", "无效"),
}


def status_of(text: str) -> str | None:
    """The status a cell names ("" is open), or None when it names none."""
    key = header_key(text)
    if not key:
        return "open"
    for status, names in STATUS_NAMES.items():
        if key in {header_key(n) for n in (status, *names)}:
            return status
    return None


# Letters NFKD does not take apart into a base letter and an accent.
_LETTERS = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe"})
_NOT_WORD = re.compile(r"[\W_]+")


@lru_cache(maxsize=4096)  # a file's cells repeat (statuses, stages): each is folded once
def header_key(header: str) -> str:
    """The header as compared: no case, accents, spaces or punctuation."""
    folded = unicodedata.normalize("NFKD", header.casefold().translate(_LETTERS))
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    return _NOT_WORD.sub("", plain)


@dataclass(frozen=True)
class Columns:
    """What each column of a file holds: a field, the external id, or nothing (ignored)."""

    headers: tuple[str, ...]
    fields: tuple[str | None, ...]
    id_index: int | None

    def column_of(self, field_name: str) -> str:
        """The file's header for a field (what a row's error names)."""
        if field_name in self.fields:
            return self.headers[self.fields.index(field_name)]
        return field_name


def _index(names: Mapping[str, Sequence[str]]) -> dict[str, str]:
    known: dict[str, str] = {}
    for field_name, aliases in names.items():
        for alias in (field_name, *aliases):
            known.setdefault(header_key(alias), field_name)
    return known


def suggested_fields(headers: Sequence[str], names: Mapping[str, Sequence[str]]) -> list[str]:
    """The field each header names ("" for none, or for a field an earlier column took)."""
    known = _index(names)
    taken: set[str] = set()
    fields = []
    for header in headers:
        field_name = known.get(header_key(header), "")
        fields.append("" if field_name in taken else field_name)
        taken.add(field_name)
    return fields


def resolve_columns(
    headers: Sequence[str],
    names: Mapping[str, Sequence[str]],
    mapping: Mapping[str, str] | None = None,
    ignored: Sequence[str] = (),
    id_column: str | None = None,
) -> Columns:
    """Match each header to a field; refuse unknown, doubled or missing columns by name."""
    known = _index(names)
    explicit = {header_key(h): f for h, f in (mapping or {}).items()}
    skip = {header_key(h) for h in ignored}
    id_key = header_key(id_column) if id_column else None
    fields: list[str | None] = []
    id_index: int | None = None
    for position, header in enumerate(headers):
        key = header_key(header)
        if key == id_key:
            id_index = position
            fields.append(None)
            continue
        if key in skip:
            fields.append(None)
            continue
        field_name = explicit.get(key) or known.get(key)
        if key in explicit and field_name not in names:
            raise InvalidInput(
                _(
                    "--map '%(header)s=%(field)s': '%(field)s' is not a field (fields: %(fields)s)",
                    header=header,
                    field=field_name,
                    fields=", ".join(names),
                ),
                field="map",
            )
        if field_name is None:
            raise InvalidInput(
                _(
                    "column '%(column)s' is not a field; map it (--map '%(header)s=FIELD') or "
                    "ignore it (--ignore '%(header)s'); fields: %(fields)s",
                    column=header or position + 1,
                    header=header,
                    fields=", ".join(names),
                ),
                field="file",
            )
        if field_name in fields:
            other = headers[fields.index(field_name)]
            raise InvalidInput(
                _(
                    "columns '%(one)s' and '%(other)s' both hold %(field)s; ignore one",
                    one=other,
                    other=header,
                    field=field_name,
                ),
                field="file",
            )
        fields.append(field_name)
    _check_named(headers, explicit, skip, id_key, id_column)
    if "name" not in fields:
        raise InvalidInput(_("the file has no name column (header line 1)"), field="file")
    return Columns(tuple(headers), tuple(fields), id_index)


def _check_named(
    headers: Sequence[str],
    explicit: Mapping[str, str],
    skip: set[str],
    id_key: str | None,
    id_column: str | None,
) -> None:
    """Refuse a mapping, ignore or id column that names no header (a typo, said at once)."""
    present = {header_key(h) for h in headers}
    if id_key is not None and id_key not in present:
        raise InvalidInput(
            _("--id-column '%(column)s' is not a column of the file", column=id_column),
            "id_column",
        )
    for key in [*explicit, *skip]:
        if key not in present:
            raise InvalidInput(
                _("'%(column)s' (--map or --ignore) is not a column of the file", column=key), "map"
            )


def mapping_pairs(pairs: Sequence[str]) -> dict[str, str]:
    """Read "HEADER=FIELD" pairs (`--map`, the API's `map` fields) as a header -> field dict."""
    mapping = {}
    for pair in pairs:
        header, sep, field_name = pair.rpartition("=")
        if not sep or not header.strip() or not field_name.strip():
            raise InvalidInput(_("map %(pair)r: write it as HEADER=FIELD", pair=pair), field="map")
        mapping[header.strip()] = field_name.strip()
    return mapping
