"""Settings from the environment and an optional .env file. The only place reading env."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Literal
from urllib.parse import urlparse

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


class SettingsError(Exception):
    """A setting is missing or wrong; the message is one sentence for the user."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="COUPLEBOT_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    discord_token: SecretStr | None = Field(default=None, validation_alias="DISCORD_TOKEN")
    database: Path = Path("couplebot.db")
    content_dir: Path | None = None
    log_level: LogLevel = "INFO"
    discord_api_base: str | None = None
    discord_gateway_url: str | None = None
    secret_key: SecretStr | None = None
    discord_spec: Path | None = None  # for the fake Discord of tests and the demo
    shards: int | None = Field(default=None, ge=1)  # None: as many as Discord recommends

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_log_level(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("discord_api_base")
    @classmethod
    def _check_api_base(cls, value: str | None) -> str | None:
        return _check_url(value, ("http", "https"))

    @field_validator("discord_gateway_url")
    @classmethod
    def _check_gateway(cls, value: str | None) -> str | None:
        return _check_url(value, ("ws", "wss"))

    @field_validator("discord_token", mode="before")
    @classmethod
    def _blank_token_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value


def _check_url(value: str | None, schemes: tuple[str, ...]) -> str | None:
    if value is None or not value.strip():
        return None
    parsed = urlparse(value.strip())
    if parsed.scheme not in schemes or not parsed.netloc:
        raise ValueError(f"must be a {' or '.join(schemes)} URL like {schemes[0]}://127.0.0.1:8080")
    return value.strip().rstrip("/")


def load_settings(**overrides: object) -> Settings:
    """Read settings, turning a validation error into one clear sentence."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        error = exc.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else "settings"
        name = field.upper()
        if name not in {"DISCORD_TOKEN", "SETTINGS"}:
            name = f"COUPLEBOT_{name}"
        message = error["msg"].removeprefix("Value error, ")
        if field == "log_level":
            message = "must be one of DEBUG, INFO, WARNING, ERROR or CRITICAL"
        raise SettingsError(f"{name} {message}.") from None


def check_database_path(path: Path) -> None:
    """Fail early, in one sentence, if the database file cannot be created or written."""
    folder = path.resolve().parent
    if not folder.is_dir():
        raise SettingsError(f"COUPLEBOT_DATABASE points into {folder}, which does not exist.")
    target = path if path.exists() else folder
    if not os.access(target, os.W_OK):
        raise SettingsError(f"COUPLEBOT_DATABASE {path} is not writable by this user.")


def configure_logging(level: LogLevel) -> None:
    logging.basicConfig(
        level=getattr(logging, level),
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
    )
    logging.getLogger("discord").setLevel(max(getattr(logging, level), logging.INFO))
