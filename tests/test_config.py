"""Settings: read from the environment and .env, checked, and never showing secrets."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from couplebot.config import SettingsError, check_database_path, load_settings
from couplebot.fake_discord import SPEC_ENV_VAR

TOKEN = "MTIz.secret-token-never-printed.4242"
SECRET_KEY = "secret-key-never-printed"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No couplebot setting in the environment, and an empty working directory."""
    for name in list(os.environ):
        if name.upper() == "DISCORD_TOKEN" or name.upper().startswith("COUPLEBOT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return monkeypatch


def test_defaults(env: pytest.MonkeyPatch) -> None:
    settings = load_settings()
    assert settings.discord_token is None
    assert settings.database == Path("couplebot.db")
    assert settings.content_dir is None
    assert settings.log_level == "INFO"
    assert settings.discord_api_base is None
    assert settings.discord_gateway_url is None
    assert settings.secret_key is None
    assert settings.guild_ready_timeout == 2.0


def test_values_are_read_and_tidied(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env.setenv("DISCORD_TOKEN", TOKEN)
    env.setenv("COUPLEBOT_LOG_LEVEL", " debug ")
    env.setenv("COUPLEBOT_DISCORD_API_BASE", " http://127.0.0.1:8080/api/v10/ ")
    env.setenv("COUPLEBOT_DISCORD_GATEWAY_URL", "wss://gateway.example/")
    env.setenv("COUPLEBOT_DATABASE", str(tmp_path / "bot.db"))
    env.setenv("COUPLEBOT_CONTENT_DIR", str(tmp_path / "decks"))
    env.setenv("COUPLEBOT_GUILD_READY_TIMEOUT", " 0.25 ")
    settings = load_settings()
    assert settings.discord_token is not None
    assert settings.discord_token.get_secret_value() == TOKEN
    assert settings.log_level == "DEBUG"
    assert settings.discord_api_base == "http://127.0.0.1:8080/api/v10"
    assert settings.discord_gateway_url == "wss://gateway.example"
    assert settings.database == tmp_path / "bot.db"
    assert settings.content_dir == tmp_path / "decks"
    assert settings.guild_ready_timeout == 0.25


@pytest.mark.parametrize("blank", ["", "   "])
def test_blank_values_mean_unset(env: pytest.MonkeyPatch, blank: str) -> None:
    env.setenv("DISCORD_TOKEN", blank)
    env.setenv("COUPLEBOT_DISCORD_API_BASE", blank)
    env.setenv("COUPLEBOT_DISCORD_GATEWAY_URL", blank)
    settings = load_settings()
    assert settings.discord_token is None
    assert settings.discord_api_base is None
    assert settings.discord_gateway_url is None


def test_unknown_couplebot_variables_are_ignored(env: pytest.MonkeyPatch) -> None:
    env.setenv(SPEC_ENV_VAR, "/somewhere/openapi.json")  # the fake's, set in test runs
    env.setenv("COUPLEBOT_SOMETHING_ELSE", "1")
    assert load_settings().log_level == "INFO"


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("COUPLEBOT_LOG_LEVEL", "bogus", "must be one of DEBUG, INFO, WARNING, ERROR or CRITICAL"),
        ("COUPLEBOT_DISCORD_API_BASE", "not a url", "must be a http or https URL"),
        ("COUPLEBOT_DISCORD_API_BASE", "ftp://x", "must be a http or https URL"),
        ("COUPLEBOT_DISCORD_API_BASE", "http://", "must be a http or https URL"),
        ("COUPLEBOT_DISCORD_GATEWAY_URL", "http://127.0.0.1:9/gateway", "must be a ws or wss URL"),
        ("COUPLEBOT_DISCORD_GATEWAY_URL", "localhost:9", "must be a ws or wss URL"),
        ("COUPLEBOT_GUILD_READY_TIMEOUT", "-1", "must be a number of seconds from 0 to 60"),
        ("COUPLEBOT_GUILD_READY_TIMEOUT", "soon", "must be a number of seconds from 0 to 60"),
    ],
)
def test_a_bad_value_is_one_sentence_naming_the_variable(
    env: pytest.MonkeyPatch, name: str, value: str, expected: str
) -> None:
    env.setenv("DISCORD_TOKEN", TOKEN)
    env.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert message.startswith(f"{name} {expected}"), message
    assert message.endswith(".") and "\n" not in message
    assert "Value error" not in message
    assert TOKEN not in message


def test_dotenv_in_the_working_directory_is_read(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        f"DISCORD_TOKEN={TOKEN}\nCOUPLEBOT_LOG_LEVEL=warning\n", encoding="utf-8"
    )
    settings = load_settings()
    assert settings.discord_token is not None
    assert settings.discord_token.get_secret_value() == TOKEN
    assert settings.log_level == "WARNING"


def test_the_environment_wins_over_dotenv(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("COUPLEBOT_LOG_LEVEL=bogus\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="COUPLEBOT_LOG_LEVEL"):
        load_settings()
    env.setenv("COUPLEBOT_LOG_LEVEL", "error")
    assert load_settings().log_level == "ERROR"


def test_dotenv_elsewhere_is_not_read(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"DISCORD_TOKEN={TOKEN}\n", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env.chdir(elsewhere)
    assert load_settings().discord_token is None


def test_secrets_never_show_in_settings_or_their_errors(env: pytest.MonkeyPatch) -> None:
    env.setenv("DISCORD_TOKEN", TOKEN)
    env.setenv("COUPLEBOT_SECRET_KEY", SECRET_KEY)
    settings = load_settings()
    assert settings.discord_token is not None and settings.secret_key is not None
    for shown in (repr(settings), str(settings), settings.model_dump_json()):
        assert TOKEN not in shown
        assert SECRET_KEY not in shown
    assert settings.secret_key.get_secret_value() == SECRET_KEY  # read, only hidden

    env.setenv("COUPLEBOT_DISCORD_API_BASE", TOKEN)  # pasted into the wrong variable
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value).startswith("COUPLEBOT_DISCORD_API_BASE")
    assert TOKEN not in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_check_database_path_accepts_a_new_or_existing_file(tmp_path: Path) -> None:
    check_database_path(tmp_path / "new.db")
    existing = tmp_path / "existing.db"
    existing.touch()
    check_database_path(existing)


def test_check_database_path_names_a_missing_folder(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder"
    with pytest.raises(SettingsError) as caught:
        check_database_path(missing / "couplebot.db")
    message = str(caught.value)
    assert message == f"COUPLEBOT_DATABASE points into {missing}, which does not exist."


@pytest.mark.skipif(os.geteuid() == 0, reason="root bypasses file permissions")
def test_check_database_path_refuses_a_read_only_place(tmp_path: Path) -> None:
    folder = tmp_path / "read-only"
    folder.mkdir()
    existing = folder / "existing.db"
    existing.touch()
    existing.chmod(0o444)
    folder.chmod(0o555)
    try:
        with pytest.raises(SettingsError, match="is not writable"):
            check_database_path(folder / "new.db")
        with pytest.raises(SettingsError, match="is not writable"):
            check_database_path(existing)
    finally:
        folder.chmod(0o755)


def test_check_database_path_asks_about_the_file_or_else_its_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Runs as root too: os.access is asked for write access to the right path."""
    asked: list[Path] = []

    def no_write_access(path: os.PathLike[str] | str, mode: int) -> bool:
        asked.append(Path(path))
        return mode != os.W_OK

    monkeypatch.setattr(os, "access", no_write_access)
    existing = tmp_path / "existing.db"
    existing.touch()
    with pytest.raises(SettingsError) as caught:
        check_database_path(existing)
    assert str(caught.value) == f"COUPLEBOT_DATABASE {existing} is not writable by this user."
    with pytest.raises(SettingsError, match="is not writable"):
        check_database_path(tmp_path / "new.db")
    assert asked == [existing, tmp_path.resolve()]
