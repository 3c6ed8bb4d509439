"""The demo's people: who they are, whom they report to, and the language each one reads.

`language` is the one place the demo says which language a person uses (one of
`bpmn_sales.i18n.LANGUAGES`): the Chinese key-account team reads Chinese, Kasia Polish, the
OpenFire pipeline's field team French, everyone else English.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from babel import Locale

from bpmn_sales import i18n


@dataclass(frozen=True)
class DemoUser:
    username: str
    name: str
    role: str
    manager: str | None
    department: str
    language: str
    groups: list[str] = field(default_factory=list)

    @property
    def time_zone(self) -> str | None:
        """Where the demo puts a person who reads this language (None: the company's zone)."""
        return ZONES.get(self.language)


ZONES = {"zh_Hans": "Asia/Shanghai", "pl": "Europe/Warsaw", "fr": "Europe/Paris"}
SALES = "Sales"
FIELD_SALES = "Field sales"
KEY_ACCOUNTS = "大客户部"  # the Chinese team's department: the key-account process applies to it

DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("admin", "Ada Admin", "admin", None, SALES, "en"),
    DemoUser("mia", "Mia Manager", "manager", None, SALES, "en", ["presales"]),
    DemoUser("rob", "Rob Rep", "rep", "mia", SALES, "en"),
    DemoUser("sara", "Sara Seller", "rep", "mia", SALES, "en", ["presales"]),
    # A second team, in another department, on the OpenFire pipeline: Mia's people cannot see
    # Olga's deals.
    DemoUser("omar", "Omar Field", "manager", None, FIELD_SALES, "fr"),
    DemoUser("olga", "Olga Installer", "rep", "omar", FIELD_SALES, "fr"),
    # Appended after the people above (tests rely on their ids): a Polish rep in Mia's team,
    # and a Chinese-speaking key-account team on the Chinese process.
    DemoUser("kasia", "Katarzyna Nowak", "rep", "mia", SALES, "pl"),
    DemoUser("wangfang", "王芳", "manager", None, KEY_ACCOUNTS, "zh_Hans", ["zh_presales"]),
    DemoUser("lilei", "李雷", "rep", "wangfang", KEY_ACCOUNTS, "zh_Hans"),
    DemoUser("zhangwei", "张伟", "rep", "wangfang", KEY_ACCOUNTS, "zh_Hans", ["zh_delivery"]),
)


def demo_language(username: str) -> str | None:
    """The language the demo gives `username`, or None for someone not in the demo."""
    return next((u.language for u in DEMO_USERS if u.username == username), None)


def language_lines() -> list[str]:
    """Who reads which language, one line per language, in the language in force."""
    lines = [i18n.gettext("The demo users' languages:")]
    for language in i18n.LANGUAGES:
        names = [u.username for u in DEMO_USERS if u.language == language]
        if not names:
            continue
        shown = Locale.parse(language).get_display_name(i18n.current_language()) or language
        lines.append(
            "  "
            + i18n.ngettext(
                "%(language)s: %(num)s user (%(users)s)",
                "%(language)s: %(num)s users (%(users)s)",
                len(names),
                language=shown[:1].upper() + shown[1:],
                users=", ".join(names),
            )
        )
    return lines
