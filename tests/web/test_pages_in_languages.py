"""The pages in the reader's language: with Accept-Language pl, zh-CN or fr, the navigation,
headings, buttons and table headers a rep, a manager and an admin read are translated, and their
English originals are gone (English stays the default without the header)."""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser

import pytest
from babel.messages.pofile import read_po

from bpmn_sales.i18n import LOCALES
from tests.web.pages import Pages

Visitor = Callable[[str | None], Pages]

HEADERS = {"pl": "pl-PL,pl;q=0.9", "zh_Hans": "zh-CN,zh;q=0.9", "fr": "fr-FR,fr;q=0.8"}

#: The navigation a manager reads (English, then each language).
NAVIGATION = {
    "en": ["Tasks", "Approvals", "Leads", "Deals", "Board", "Analytics"],
    "pl": ["Zadania", "Akceptacje", "Leady", "Szanse sprzedaży", "Tablica", "Analityka"],
    "zh_Hans": ["任务", "审批", "线索", "商机", "看板", "分析"],
    "fr": ["Tâches", "Approbations", "Pistes", "Opportunités", "Tableau", "Analyses"],
}

ADMIN_NAVIGATION = {
    "en": ["Processes", "Users", "Delivery"],
    "pl": ["Procesy", "Użytkownicy", "Wysyłka"],
    "zh_Hans": ["流程", "用户", "投递"],
    "fr": ["Processus", "Utilisateurs", "Envois"],
}

#: (who, page, {language: words that must be there}); the English words must not be.
PAGES: list[tuple[str | None, str, dict[str, list[str]]]] = [
    (
        None,
        "/sign-in",
        {
            "en": ["Sign in", "User name", "Password"],
            "pl": ["Zaloguj się", "Nazwa użytkownika", "Hasło"],
            "zh_Hans": ["登录", "用户名", "密码"],
            "fr": ["Se connecter", "Nom d'utilisateur", "Mot de passe"],
        },
    ),
    (
        "rob",
        "/tasks",
        {
            "en": ["My tasks", "My groups' tasks", "Assignee", "Sign out"],
            "pl": ["Moje zadania", "Zadania moich grup", "Wykonawca", "Wyloguj się"],
            "zh_Hans": ["我的任务", "我所在组的任务", "处理人", "退出"],
            "fr": ["Mes tâches", "Tâches de mes groupes", "Assignée à", "Se déconnecter"],
        },
    ),
    (
        "rob",
        "/deals",
        {
            "en": ["New deal", "Any status", "Expected close from"],
            "pl": ["Nowa szansa sprzedaży", "Dowolny status", "Przewidywane zamknięcie od"],
            "zh_Hans": ["新建商机", "全部状态", "预计成交日期从"],
            "fr": ["Nouvelle opportunité", "Tous les statuts", "Clôture prévue du"],
        },
    ),
    (
        "rob",
        "DEAL",
        {
            "en": ["Win probability", "Close as won", "Add a contact", "History"],
            "pl": [
                "Prawdopodobieństwo wygranej",
                "Zamknij jako wygraną",
                "Dodaj kontakt",
                "Historia",
            ],
            "zh_Hans": ["赢率", "赢单关闭", "添加联系人", "历史记录"],
            "fr": ["Probabilité de gain", "Clore comme gagnée", "Ajouter un contact", "Historique"],
        },
    ),
    (
        "rob",
        "/leads",
        {
            "en": ["New lead", "Estimated value", "Filter"],
            "pl": ["Nowy lead", "Szacowana wartość", "Filtruj"],
            "zh_Hans": ["新建线索", "预估金额", "筛选"],
            "fr": ["Nouvelle piste", "Montant estimé", "Filtrer"],
        },
    ),
    (
        "rob",
        "LEAD",
        {
            "en": ["Estimated value", "Qualify", "Disqualify"],
            "pl": ["Szacowana wartość", "Kwalifikuj", "Dyskwalifikuj"],
            "zh_Hans": ["预估金额", "转为商机", "取消资格"],
            "fr": ["Montant estimé", "Qualifier", "Disqualifier"],
        },
    ),
    (
        "mia",
        "/board",
        {
            "en": ["Pipeline board", "Column settings", "Everyone"],
            "pl": ["Tablica lejka sprzedaży", "Ustawienia kolumny", "Wszyscy"],
            "zh_Hans": ["销售管道看板", "列设置", "所有人"],
            "fr": ["Tableau du pipeline", "Paramètres de la colonne", "Tout le monde"],
        },
    ),
    (
        "mia",
        "/approvals",
        {
            "en": ["Approve", "Reject", "(required to reject)"],
            "pl": ["Zaakceptuj", "Odrzuć", "(wymagany przy odrzuceniu)"],
            "zh_Hans": ["批准", "驳回", "驳回时必填"],
            "fr": ["Approuver", "Refuser", "(obligatoire pour refuser)"],
        },
    ),
    (
        "mia",
        "/analytics",
        {
            "en": ["Funnel", "Weighted forecast", "Set a target", "Deals created"],
            "pl": ["Lejek", "Prognoza ważona", "Ustaw cel", "Utworzone szanse"],
            "zh_Hans": ["漏斗", "加权预测", "设定目标", "新建商机"],
            "fr": ["Entonnoir", "Prévision pondérée", "Fixer un objectif", "Opportunités créées"],
        },
    ),
    (
        "admin",
        "/processes",
        {
            "en": ["Clone a process", "Import a process", "Save departments"],
            "pl": ["Sklonuj proces", "Importuj proces", "Zapisz działy"],
            "zh_Hans": ["克隆流程", "导入流程", "保存部门"],
            "fr": ["Cloner un processus", "Importer un processus", "Enregistrer les services"],
        },
    ),
    (
        "admin",
        "/processes/sales_process",
        {
            "en": ["Versions", "Delete the process", "Diagram editor"],
            "pl": ["Wersje", "Usuń proces", "Edytor diagramu"],
            "zh_Hans": ["版本", "删除流程", "流程图编辑器"],
            "fr": ["Versions", "Supprimer le processus", "Éditeur de diagramme"],
        },
    ),
    (
        "admin",
        "/admin/users",
        {
            "en": ["New user", "Full name", "Create user"],
            "pl": ["Nowy użytkownik", "Imię i nazwisko", "Utwórz użytkownika"],
            "zh_Hans": ["新建用户", "全名", "创建用户"],
            "fr": ["Nouvel utilisateur", "Nom complet", "Créer l'utilisateur"],
        },
    ),
    (
        "admin",
        "/admin/delivery",
        {
            "en": ["Outbox", "New webhook", "Add webhook"],
            "pl": ["Skrzynka nadawcza", "Nowy webhook", "Dodaj webhook"],
            "zh_Hans": ["发件箱", "新建 Webhook", "添加 Webhook"],
            "fr": ["Boîte d'envoi", "Nouveau webhook", "Ajouter le webhook"],
        },
    ),
    (
        "rob",
        "/notifications",
        {
            "en": ["Sign out", "Your account"],
            "pl": ["Powiadomienia", "Wyloguj się", "Twoje konto"],
            "zh_Hans": ["通知", "退出", "我的账户"],
            "fr": ["Se déconnecter", "Votre compte"],
        },
    ),
]


class _Text(HTMLParser):
    """The text a person reads: text nodes and the labels of attributes, not scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in ("title", "aria-label", "placeholder", "alt") and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.parts.append(" ".join(data.split()))


def readable(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.parts


def navigation(html: str) -> list[str]:
    block = re.search(r'<ul class="nav">(.*?)</ul>', html, re.S)
    assert block, "no navigation"
    return readable(block.group(1))


def first_link(pages: Pages, listing: str, kind: str) -> str:
    html = pages.text(pages.get(listing))
    found = re.search(rf'href="(/{kind}/\d+)"', html)
    assert found, f"no {kind} on {listing}"
    return found.group(1)


def open_page(visitor: Visitor, who: str | None, path: str, language: str | None) -> str:
    pages = visitor(who)
    if path == "DEAL":
        path = first_link(pages, "/deals", "deals")
    elif path == "LEAD":
        path = first_link(pages, "/leads?status=new", "leads")
    headers = {"Accept-Language": HEADERS[language]} if language else {}
    return pages.text(pages.get(path, headers=headers))


@pytest.mark.parametrize("language", ["pl", "zh_Hans", "fr"])
def test_the_navigation_is_in_the_readers_language(visitor: Visitor, language: str) -> None:
    html = open_page(visitor, "admin", "/tasks", language)
    shown = navigation(html)
    expected = NAVIGATION[language] + ADMIN_NAVIGATION[language]
    assert [item for item in shown if item in expected] == expected
    for english in NAVIGATION["en"] + ADMIN_NAVIGATION["en"]:
        if english not in NAVIGATION[language] + ADMIN_NAVIGATION[language]:
            assert english not in shown


def test_english_stays_without_the_header(visitor: Visitor) -> None:
    html = open_page(visitor, "admin", "/tasks", None)
    expected = NAVIGATION["en"] + ADMIN_NAVIGATION["en"]
    assert [item for item in navigation(html) if item in expected] == expected


@pytest.mark.parametrize("language", ["pl", "zh_Hans", "fr"])
@pytest.mark.parametrize(("who", "path", "words"), PAGES, ids=[p for _, p, _ in PAGES])
def test_the_pages_speak_the_readers_language(
    visitor: Visitor, language: str, who: str | None, path: str, words: dict[str, list[str]]
) -> None:
    html = open_page(visitor, who, path, language)
    text = "\n".join(readable(html))
    for word in words[language]:
        assert word in text, (language, path, word)
    for english in words["en"]:
        if english not in words[language]:
            assert english not in text.split("\n"), (language, path, english)
    english_html = open_page(visitor, who, path, None)
    english_text = "\n".join(readable(english_html))
    for word in words["en"]:
        assert word in english_text, ("en", path, word)


def english_sentences(language: str) -> set[str]:
    """The pages' English texts (placeholders-free, translated differently in `language`)."""
    with (LOCALES / language / "LC_MESSAGES" / "pages.po").open("rb") as handle:
        catalog = read_po(handle, locale=language)
    found: set[str] = set()
    for message in catalog:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for english in ids:
            if english and "%(" not in english and "<" not in english and english not in strings:
                found.add(english.replace("%%", "%"))
    return found


#: Data of the demo that spells an English UI word: outcomes named in a diagram, a user name.
DEMO_DATA = {"Won", "Lost", "Invalid", "admin"}


@pytest.mark.parametrize("language", ["pl", "zh_Hans", "fr"])
@pytest.mark.parametrize(("who", "path", "words"), PAGES, ids=[p for _, p, _ in PAGES])
def test_no_english_text_of_the_pages_is_left(
    visitor: Visitor, language: str, who: str | None, path: str, words: dict[str, list[str]]
) -> None:
    english = english_sentences(language) - DEMO_DATA
    assert len(english) > 300  # the check reads the catalog, not an empty set
    shown = set(readable(open_page(visitor, who, path, language)))
    assert not shown & english, (language, path, sorted(shown & english))


@pytest.mark.parametrize(
    ("language", "title"), [("pl", "Nie znaleziono"), ("zh_Hans", "未找到"), ("fr", "Introuvable")]
)
def test_the_error_page_names_the_error_in_the_readers_language(
    visitor: Visitor, language: str, title: str
) -> None:
    pages = visitor("rob")
    html = pages.text(
        pages.get("/deals/9999", status=404, headers={"Accept-Language": HEADERS[language]})
    )
    heading = re.search(r"<h1>(.*?) <small", html)
    assert heading and heading.group(1) == title
    english = pages.text(pages.get("/deals/9999", status=404))
    assert "<h1>Not found <small" in english
