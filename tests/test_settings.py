"""Settings from the environment: defaults, parsing, and errors that name the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import SettingsError
from bot.settings import load_settings

VARIABLES = (
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_BASE_URL",
    "COURSEBOT_DB",
    "COURSEBOT_CONTENT",
    "COURSEBOT_ADMINS",
    "COURSEBOT_LOG_LEVEL",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults_need_nothing_set() -> None:
    settings = load_settings()
    assert settings.telegram_bot_token is None
    assert settings.telegram_base_url is None
    assert settings.db == Path("data/coursebot.sqlite3")
    assert settings.admins == frozenset()


def test_values_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:SECRET-token")
    monkeypatch.setenv("TELEGRAM_BASE_URL", "http://127.0.0.1:8081/bot")
    monkeypatch.setenv("COURSEBOT_DB", "/tmp/x.sqlite3")
    monkeypatch.setenv("COURSEBOT_ADMINS", "12, 34;56")

    settings = load_settings()

    assert settings.telegram_bot_token is not None
    assert settings.telegram_bot_token.get_secret_value() == "123456:SECRET-token"
    assert "SECRET" not in repr(settings)
    assert str(settings.telegram_base_url) == "http://127.0.0.1:8081/bot"
    assert settings.db == Path("/tmp/x.sqlite3")
    assert settings.admins == frozenset({12, 34, 56})


def test_a_dotenv_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("COURSEBOT_ADMINS=7\n", encoding="utf-8")
    assert load_settings().admins == frozenset({7})


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("COURSEBOT_ADMINS", "alice,bob"),
        ("TELEGRAM_BASE_URL", "not a url"),
        ("TELEGRAM_BOT_TOKEN", "no-colon-SECRET"),
        ("COURSEBOT_LOG_LEVEL", "LOUD"),
    ],
)
def test_an_invalid_value_is_an_error_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    assert f"{variable}: " in str(raised.value)
    assert "SECRET" not in str(raised.value)
