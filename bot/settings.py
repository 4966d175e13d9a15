"""Settings, read once from the environment (and an optional `.env` file in the working folder).

A missing or invalid value stops the bot with a message naming the variable. The token is a secret
type: it never appears in a repr, a log line or an error message.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from pydantic import AliasChoices, Field, HttpUrl, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.errors import SettingsError

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _default_content() -> Path:
    """The `content/` folder beside the package (a source checkout), else `./content`."""
    beside = PROJECT_ROOT / "content"
    return beside if (beside / "course.yaml").is_file() else Path("content")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True)

    telegram_bot_token: SecretStr | None = Field(default=None, validation_alias="TELEGRAM_BOT_TOKEN")
    telegram_base_url: HttpUrl | None = Field(default=None, validation_alias="TELEGRAM_BASE_URL")
    db: Path = Field(default=Path("data/coursebot.sqlite3"), validation_alias=AliasChoices("COURSEBOT_DB"))
    content: Path = Field(default_factory=_default_content, validation_alias="COURSEBOT_CONTENT")
    admins: Annotated[frozenset[int], NoDecode] = Field(default=frozenset(), validation_alias="COURSEBOT_ADMINS")
    log_level: str = Field(default="INFO", validation_alias="COURSEBOT_LOG_LEVEL")
    retention_days: int = Field(default=365, ge=1, le=36500, validation_alias="COURSEBOT_RETENTION_DAYS")
    secret: SecretStr | None = Field(default=None, validation_alias="COURSEBOT_SECRET")
    log_format: str = Field(default="json", validation_alias="COURSEBOT_LOG_FORMAT")
    webhook_url: HttpUrl | None = Field(default=None, validation_alias="COURSEBOT_WEBHOOK_URL")
    webhook_secret: SecretStr | None = Field(default=None, validation_alias="COURSEBOT_WEBHOOK_SECRET")
    webhook_listen: str = Field(default="0.0.0.0", validation_alias="COURSEBOT_WEBHOOK_LISTEN")
    webhook_port: int = Field(default=8443, ge=1, le=65535, validation_alias="COURSEBOT_WEBHOOK_PORT")
    # Printed on certificates: who issues them, and an optional continuing-education statement.
    issuer: str | None = Field(default=None, max_length=120, validation_alias="COURSEBOT_ISSUER")
    ce_statement: str | None = Field(default=None, max_length=600, validation_alias="COURSEBOT_CE_STATEMENT")
    # Where an employer checks a certificate: the bot serves /verify/CODE beside the health check; this is the
    # public address that reaches it (e.g. https://coursebot.example.org/verify/), printed with a QR code.
    verify_url: HttpUrl | None = Field(default=None, validation_alias="COURSEBOT_VERIFY_URL")
    health_listen: str = Field(default="0.0.0.0", validation_alias="COURSEBOT_HEALTH_LISTEN")
    # 0: any free port (the one chosen is logged); empty or "off": no health check.
    health_port: int | None = Field(default=8080, ge=0, le=65535, validation_alias="COURSEBOT_HEALTH_PORT")

    @field_validator("telegram_bot_token", mode="before")
    @classmethod
    def _token(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        # Never echo the value back: it is a secret even when malformed.
        if isinstance(value, str) and value != value.strip():
            raise ValueError("has spaces or a line break around it: remove them (copy just the token)")
        if isinstance(value, str) and not re.fullmatch(r"\d{1,20}:[A-Za-z0-9_-]{10,200}", value):
            raise ValueError("must look like 123456789:ABC... (the token @BotFather gave you)")
        return value

    @field_validator("secret", mode="before")
    @classmethod
    def _secret(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, str) and len(value) < 16:
            raise ValueError("must be at least 16 characters (certificates are signed with it)")
        return value

    def secret_value(self) -> str | None:
        return self.secret.get_secret_value() if self.secret else None

    @field_validator("telegram_base_url", mode="before")
    @classmethod
    def _blank_url_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("admins", mode="before")
    @classmethod
    def _admin_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]
            if not all(part.lstrip("-").isdigit() for part in parts):
                raise ValueError("must be Telegram user ids separated by commas, e.g. 12345,67890")
            return frozenset(int(part) for part in parts)
        return value

    @field_validator("log_format")
    @classmethod
    def _format(cls, value: str) -> str:
        if value.strip().lower() not in {"json", "text"}:
            raise ValueError("must be json or text")
        return value.strip().lower()

    @field_validator("health_port", mode="before")
    @classmethod
    def _health_off(cls, value: object) -> object:
        return None if isinstance(value, str) and value.strip().lower() in {"", "off", "none"} else value

    @field_validator("issuer", "ce_statement", "verify_url", mode="before")
    @classmethod
    def _blank_text_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("webhook_url", "webhook_secret", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("webhook_url")
    @classmethod
    def _https(cls, value: HttpUrl | None) -> HttpUrl | None:
        if value is not None and value.scheme != "https":
            raise ValueError("must be an https:// URL (Telegram only sends webhooks over HTTPS)")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", value.get_secret_value()):
            raise ValueError("must be 16-256 letters, digits, _ or - (Telegram's rule for secret tokens)")
        return value

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        if self.webhook_url is not None and self.webhook_secret is None:
            raise ValueError("COURSEBOT_WEBHOOK_SECRET must be set with COURSEBOT_WEBHOOK_URL")
        return self

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR")
        return level


_VARIABLES = {
    "telegram_bot_token": "TELEGRAM_BOT_TOKEN",
    "telegram_base_url": "TELEGRAM_BASE_URL",
    "db": "COURSEBOT_DB",
    "content": "COURSEBOT_CONTENT",
    "admins": "COURSEBOT_ADMINS",
    "log_level": "COURSEBOT_LOG_LEVEL",
    "retention_days": "COURSEBOT_RETENTION_DAYS",
    "secret": "COURSEBOT_SECRET",
    "log_format": "COURSEBOT_LOG_FORMAT",
    "webhook_url": "COURSEBOT_WEBHOOK_URL",
    "webhook_secret": "COURSEBOT_WEBHOOK_SECRET",
    "webhook_listen": "COURSEBOT_WEBHOOK_LISTEN",
    "webhook_port": "COURSEBOT_WEBHOOK_PORT",
    "issuer": "COURSEBOT_ISSUER",
    "ce_statement": "COURSEBOT_CE_STATEMENT",
    "verify_url": "COURSEBOT_VERIFY_URL",
    "health_listen": "COURSEBOT_HEALTH_LISTEN",
    "health_port": "COURSEBOT_HEALTH_PORT",
}


def load_settings() -> Settings:
    """Read the settings; raise SettingsError naming each bad variable (never showing a secret's value)."""
    try:
        return Settings()
    except ValidationError as err:
        problems = []
        for error in err.errors():
            field = str(error["loc"][0]) if error["loc"] else ""
            variable = _VARIABLES.get(field, field)
            problems.append(f"{variable}: {error['msg'].removeprefix('Value error, ')}")
        raise SettingsError("invalid settings:\n" + "\n".join(problems)) from None
