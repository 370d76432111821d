"""Settings from the environment and an optional .env file. The only place reading env."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Literal
from urllib.parse import urlparse

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
LogFormat = Literal["text", "json"]

# Libraries whose INFO lines are noise to an operator. discord.py never goes below INFO
# (its DEBUG lines carry request and event payloads, so private text); aiosqlite never
# below WARNING (its DEBUG lines carry SQL parameters, so ciphertext).
_QUIET_LIBRARIES = ("discord", "apscheduler", "aiohttp", "asyncio")
_NEVER_DEBUG = {"discord": logging.INFO, "aiosqlite": logging.WARNING}


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
    log_format: LogFormat = "text"
    log_file: Path | None = None
    discord_api_base: str | None = None
    discord_gateway_url: str | None = None
    secret_key: SecretStr | None = None
    discord_spec: Path | None = None  # for the fake Discord of tests and the demo
    shards: int | None = Field(default=None, ge=1)  # None: as many as Discord recommends
    # seconds discord.py waits after the last server arrives at login before it is ready
    guild_ready_timeout: float = Field(default=2.0, ge=0, le=60)

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_log_level(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("log_format", mode="before")
    @classmethod
    def _lower_log_format(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("log_file", "secret_key", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

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
        elif field == "log_format":
            message = "must be text or json"
        elif field == "guild_ready_timeout":
            message = "must be a number of seconds from 0 to 60"
        raise SettingsError(f"{name} {message}.") from None


def secret_of(settings: Settings) -> str | None:
    """COUPLEBOT_SECRET_KEY's value, if set."""
    return settings.secret_key.get_secret_value() if settings.secret_key else None


def check_database_path(path: Path) -> None:
    """Fail early, in one sentence, if the database file cannot be created or written."""
    folder = path.resolve().parent
    if not folder.is_dir():
        raise SettingsError(f"COUPLEBOT_DATABASE points into {folder}, which does not exist.")
    target = path if path.exists() else folder
    if not os.access(target, os.W_OK):
        raise SettingsError(f"COUPLEBOT_DATABASE {path} is not writable by this user.")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message (and the traceback, if any)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(
    level: LogLevel, log_format: LogFormat = "text", log_file: Path | None = None
) -> None:
    """Log to standard error (and log_file, created owner-only), in text or JSON lines."""
    formatter: logging.Formatter = (
        JsonFormatter()
        if log_format == "json"
        else logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s")
    )
    handlers: list[logging.Handler] = [logging.StreamHandler()]
    if log_file is not None:
        handlers.append(_owner_only_file_handler(log_file))
    for handler in handlers:
        handler.setFormatter(formatter)
    logging.basicConfig(level=getattr(logging, level), handlers=handlers)
    threshold = getattr(logging, level)
    for name in _QUIET_LIBRARIES:  # their INFO is noise, their DEBUG is for debugging
        library = threshold if threshold <= logging.DEBUG else max(threshold, logging.WARNING)
        logging.getLogger(name).setLevel(library)
    for name, lowest in _NEVER_DEBUG.items():
        logger = logging.getLogger(name)
        logger.setLevel(max(logger.level, lowest))


def _owner_only_file_handler(path: Path) -> logging.Handler:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    except OSError as exc:
        raise SettingsError(
            f"COUPLEBOT_LOG_FILE {path} cannot be opened for writing ({exc.strerror})."
        ) from None
    os.fchmod(fd, 0o600)
    return logging.StreamHandler(os.fdopen(fd, "a", encoding="utf-8"))
