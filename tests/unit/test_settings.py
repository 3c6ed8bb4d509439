"""Settings: read once from the environment, each bad value refused by name, never a fallback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bpmn_sales.cli import main
from bpmn_sales.context import Context
from bpmn_sales.errors import InvalidSetting
from bpmn_sales.settings import Settings
from bpmn_sales.web import create_app

REPO = Path(__file__).resolve().parents[2]


def test_an_empty_environment_gives_the_documented_defaults() -> None:
    settings = Settings.from_env({})
    assert settings == Settings()
    # From a checkout: its var/ folder, wherever the process was started from.
    assert settings.database_url == f"sqlite:///{REPO / 'var' / 'bpmn-sales.sqlite3'}"
    assert settings.smtp_url is None
    assert settings.max_upload_bytes == 10 * 1024 * 1024
    assert settings.secret_key is None
    assert settings.session_cookie_secure is False


def test_every_variable_is_read() -> None:
    settings = Settings.from_env(
        {
            "DATABASE_URL": "postgresql+psycopg://sales@db:5432/sales",
            "SMTP_URL": "smtps://mailer:pw@mail.example.com",
            "MAIL_FROM": "Sales <sales@example.com>",
            "BASE_URL": "https://sales.example.com",
            "MAX_UPLOAD_MB": "2.5",
            "SECRET_KEY": "k" * 32,
            "SESSION_COOKIE_SECURE": "true",
        }
    )
    assert settings.database_url == "postgresql+psycopg://sales@db:5432/sales"
    assert settings.smtp_url == "smtps://mailer:pw@mail.example.com"
    assert settings.mail_from == "Sales <sales@example.com>"
    assert settings.base_url == "https://sales.example.com"
    assert settings.max_upload_bytes == int(2.5 * 1024 * 1024)
    assert settings.secret_key == "k" * 32
    assert settings.session_cookie_secure is True


def test_empty_variables_count_as_unset() -> None:
    empty = {"DATABASE_URL": "", "SMTP_URL": "", "MAX_UPLOAD_MB": " ", "SECRET_KEY": ""}
    assert Settings.from_env(empty) == Settings()


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("MAX_UPLOAD_MB", "ten", "MAX_UPLOAD_MB 'ten' is not a number of megabytes"),
        ("MAX_UPLOAD_MB", "0", "from 0.001 to 1024"),
        ("MAX_UPLOAD_MB", "-5", "from 0.001 to 1024"),
        ("MAX_UPLOAD_MB", "nan", "is not a number of megabytes"),
        ("MAX_UPLOAD_MB", "5000", "from 0.001 to 1024"),
        ("DATABASE_URL", "mysql://root@db/sales", "is not a SQLite or PostgreSQL URL"),
        ("DATABASE_URL", "postgres://u@db/sales", "write postgresql+psycopg://"),
        ("DATABASE_URL", "var/sales.sqlite3", "use sqlite:///path/to/file.sqlite3"),
        ("BASE_URL", "sales.example.com", "is not an http(s) address"),
        ("MAIL_FROM", "sales team", "is not an e-mail address"),
        ("SECRET_KEY", "short", "SECRET_KEY has 5 characters: use at least 16"),
        ("SESSION_COOKIE_SECURE", "maybe", "is not 1/true/yes or 0/false/no"),
    ],
)
def test_a_bad_value_is_refused_naming_the_variable(name: str, value: str, says: str) -> None:
    with pytest.raises(InvalidSetting) as refused:
        Settings.from_env({name: value})
    assert says in refused.value.message
    assert refused.value.message.startswith(name)
    assert refused.value.details["setting"] == name


def test_a_database_password_is_not_repeated_in_the_refusal() -> None:
    with pytest.raises(InvalidSetting) as refused:
        Settings.from_env({"DATABASE_URL": "mysql://root:hunter2@db/sales"})
    assert "hunter2" not in refused.value.message
    assert "root:***@db" in refused.value.message


def test_the_context_takes_its_values_from_the_settings(tmp_path: Path) -> None:
    settings = Settings(smtp_url="smtp://127.0.0.1:2525", max_upload_bytes=1234)
    ctx = Context(f"sqlite:///{tmp_path / 'x.sqlite3'}", settings=settings)
    assert (ctx.smtp_url, ctx.max_upload_bytes, ctx.base_url) == (
        "smtp://127.0.0.1:2525",
        1234,
        "http://127.0.0.1:8000",
    )
    ctx.close()


def test_the_cli_refuses_a_bad_setting_with_one_line_and_exit_2(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    result = CliRunner().invoke(
        main, ["--database-url", url, "processes"], env={"MAX_UPLOAD_MB": "ten"}
    )
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "error: MAX_UPLOAD_MB 'ten' is not a number of megabytes from 0.001 to 1024 "
        "(e.g. 10 or 2.5)"
    ]


def test_the_cli_checks_its_database_url_option() -> None:
    result = CliRunner().invoke(main, ["--database-url", "mysql://db/sales", "processes"])
    assert result.exit_code == 2
    assert result.output.startswith("error: DATABASE_URL 'mysql://db/sales' is not a SQLite")


def test_the_web_app_reads_secret_and_cookie_settings(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'web.sqlite3'}",
        secret_key="s" * 20,
        session_cookie_secure=True,
    )
    app = create_app({"SETTINGS": settings})
    assert app.config["SECRET_KEY"] == "s" * 20
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.extensions["bpmn_sales"].database_url == settings.database_url
    app.extensions["bpmn_sales"].close()


def test_the_instance_cache_budget_is_a_number_of_megabytes(tmp_path: Path) -> None:
    assert Settings.from_env({}).instance_cache_bytes == 64 * 1024 * 1024
    assert Settings.from_env({"BPMN_SALES_INSTANCE_CACHE_MB": "8"}).instance_cache_bytes == (
        8 * 1024 * 1024
    )
    off = Settings.from_env({"BPMN_SALES_INSTANCE_CACHE_MB": "0"})
    assert off.instance_cache_bytes == 0
    ctx = Context(f"sqlite:///{tmp_path / 'x.sqlite3'}", settings=off)
    assert ctx.live.budget == 0
    ctx.close()
    for bad in ("lots", "-1", "1.5", "70000"):
        with pytest.raises(InvalidSetting) as refused:
            Settings.from_env({"BPMN_SALES_INSTANCE_CACHE_MB": bad})
        assert refused.value.message.startswith("BPMN_SALES_INSTANCE_CACHE_MB")
        assert "from 0 to 65536" in refused.value.message
