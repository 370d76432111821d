"""Shared fixtures: the fake Discord, a couple's server, and the real bot against it."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

import discord
import pytest

from couplebot.bot import CoupleBot, point_discord_at
from couplebot.clock import ManualClock
from couplebot.config import load_settings
from couplebot.content import Content, default_content_dir, load_content
from couplebot.fake_discord import (
    FakeDiscord,
    FakeGuild,
    FakeUser,
    default_spec_path,
    message_text,
)
from couplebot.fake_discord._spec import VALIDATION_AVAILABLE
from couplebot.store import Store
from couplebot.store.bulk import NewCouple, write_accepted_couples

TEST_KEY = "ilQ59BLUQNN-xiqFY8hCn2IOJwD63rYtPLcx3FhQtIE="


async def store_with_couples(database: Path, count: int, *, created: datetime) -> Store:
    """An open store of `count` accepted couples (ids 1 to count, questions at 08:00),
    written in bulk as a hosted bot's import would."""
    await (await Store.open(database, secret_key=TEST_KEY)).close()  # migrates
    couples = [NewCouple(1000 + i, 2000 + i, (3000 + 2 * i, 3001 + 2 * i)) for i in range(count)]
    write_accepted_couples(database, couples, question_time=time(8, 0), created=created)
    return await Store.open(database, secret_key=TEST_KEY)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say at the end whether the fake Discord checked requests against Discord's spec (a
    clone without ../shared runs every test, unchecked)."""
    spec = Path(load_settings().discord_spec or default_spec_path())
    if not VALIDATION_AVAILABLE:
        note = "jsonschema is not installed: requests were NOT checked against Discord's spec"
    elif not spec.is_file():
        note = f"no Discord API spec at {spec}: requests were NOT checked against it"
    else:
        note = f"every request was checked against {spec}"
    terminalreporter.write_line(f"fake Discord: {note}")


@pytest.fixture(scope="session")
def content() -> Content:
    return load_content(default_content_dir())


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    original = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
    server = FakeDiscord(spec_path=load_settings().discord_spec or "default")
    await server.start()
    try:
        yield server
    finally:
        await server.close()
        discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = original
    assert server.violations == [], "\n".join(server.violations)


@dataclass
class Couple:
    guild: FakeGuild
    alex: FakeUser
    sam: FakeUser
    guest: FakeUser


@pytest.fixture
def couple(fake: FakeDiscord) -> Couple:
    alex, sam, guest = fake.add_user("Alex"), fake.add_user("Sam"), fake.add_user("Robin")
    guild = fake.add_guild("Alex & Sam", [alex, sam, guest])
    return Couple(guild, alex, sam, guest)


class BotRunner:
    """Starts and stops the real CoupleBot against the fake, on a database that outlives it."""

    def __init__(self, fake: FakeDiscord, database: Path, content: Content) -> None:
        self.fake = fake
        self.database = database
        self.content = content
        self.clock = ManualClock(datetime(2026, 6, 1, 5, 0, tzinfo=UTC))
        self.bot: CoupleBot | None = None
        self.store: Store | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(
        self,
        *,
        seed: int = 7,
        tick_seconds: float | None = None,
        caught_up: bool = True,
        **options: Any,
    ) -> CoupleBot:
        point_discord_at(self.fake.api_base, self.fake.gateway_url)
        self.store = await Store.open(self.database, secret_key=TEST_KEY)
        self.bot = CoupleBot(
            store=self.store,
            content=self.content,
            clock=self.clock,
            rng=random.Random(seed),
            tick_seconds=tick_seconds,
            guild_ready_timeout=0.05,
            **options,
        )
        await self.bot.__aenter__()  # sets up the ready event before anyone waits on it
        self._task = asyncio.create_task(self.bot.start(self.fake.token))
        ready = asyncio.create_task(self.bot.wait_until_ready())
        done, _ = await asyncio.wait({ready, self._task}, timeout=10, return_when="FIRST_COMPLETED")
        if self._task in done:
            self._task.result()
        assert ready in done, "the bot did not become ready"
        if caught_up and self.bot.catch_up_task is not None:  # most tests start caught up
            await asyncio.wait({self.bot.catch_up_task}, timeout=10)
        return self.bot

    async def stop(self) -> None:
        if self.bot is not None:
            await self.bot.close()
        if self._task is not None:
            await asyncio.wait({self._task}, timeout=10)
        if self.store is not None:
            await self.store.close()
        self.bot = self.store = self._task = None

    async def restart(self) -> CoupleBot:
        await self.stop()
        return await self.start()

    def stored_bytes(self) -> bytes:
        """The database file and its write-ahead log: what lies on disk (after stop())."""
        wal = self.database.with_name(self.database.name + "-wal")
        return self.database.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


@pytest.fixture
async def runner(fake: FakeDiscord, tmp_path: Path, content: Content) -> AsyncIterator[BotRunner]:
    bot_runner = BotRunner(fake, tmp_path / "couplebot.db", content)
    try:
        yield bot_runner
    finally:
        await bot_runner.stop()


@pytest.fixture
async def bot(runner: BotRunner) -> CoupleBot:
    return await runner.start()


async def set_up(fake: FakeDiscord, couple: Couple, **options: Any) -> Any:
    """Run /setup as Alex with sensible defaults, and Sam accepts. Returns the accept."""
    values: dict[str, Any] = {"partner": couple.sam, "timezone": "Europe/Berlin", "time": "08:00"}
    values.update(options)
    interaction = await fake.slash(couple.alex, "setup", values, guild=couple.guild)
    await interaction.wait_response()
    if "Accept" not in str(interaction.message):
        return interaction  # refused, or an update of a couple that exists
    return await accept(fake, couple, interaction)


async def accept(fake: FakeDiscord, couple: Couple, setup: Any, user: Any = None) -> Any:
    """The named partner presses Accept on the setup message."""
    message = setup.message
    custom_id = next(
        c["custom_id"]
        for row in message["components"]
        for c in row["components"]
        if c.get("label") == "Accept"
    )
    click = await fake.click(user or couple.sam, message, custom_id, guild=couple.guild)
    await click.wait_response()
    return click


def texts(messages: list[dict[str, Any]]) -> list[str]:
    return [message_text(m) for m in messages]
