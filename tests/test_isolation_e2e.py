"""One couple's broken data never stops another couple's morning (issue 9: 6)."""

from __future__ import annotations

import logging
import sqlite3
from datetime import timedelta

import pytest

from couplebot.fake_discord import FakeDiscord, message_text

from .conftest import BotRunner, Couple, accept


async def test_a_broken_couple_among_healthy_ones_stops_nobody(
    fake: FakeDiscord, couple: Couple, runner: BotRunner, caplog: pytest.LogCaptureFixture
) -> None:
    bot = await runner.start()
    others = []
    for n in range(3):
        a, b = fake.add_user(f"A{n}"), fake.add_user(f"B{n}")
        guild = fake.add_guild(f"Couple {n}", [a, b])
        others.append((guild, a, b))
    await fake.wait_until(lambda: len(bot.guilds) == 4)
    for guild, a, b in others:
        setup = await fake.slash(
            a, "setup", {"partner": b, "timezone": "Europe/Berlin", "time": "08:00"}, guild=guild
        )
        await setup.wait_response()
        await accept(fake, Couple(guild, a, b, a), setup)
    broken_guild, broken_a, _ = others[0]
    added = await fake.slash(
        broken_a, "question add", {"text": "Something only we would ask?"}, guild=broken_guild
    )
    await added.wait_response()
    with sqlite3.connect(runner.database) as raw:  # its own question can no longer be read
        raw.execute("UPDATE custom_questions SET text = 'not-a-fernet-token'")

    caplog.set_level(logging.INFO, logger="couplebot")
    runner.clock.advance(timedelta(hours=1, minutes=1))  # 08:01 Berlin: all four are due
    for _ in range(3):
        await bot.services.tick()

    def posted(guild_channel: int) -> bool:
        return any(
            "Today's question" in message_text(m) for m in fake.channel_messages(guild_channel)
        )

    for guild, _, _ in others[1:]:
        assert posted(guild.channel_id)
    assert not posted(broken_guild.channel_id)
    failures = [r.getMessage() for r in caplog.records if "failed" in r.getMessage()]
    assert len(failures) == 1 and "couple" in failures[0]  # logged once, with ids
    assert "only we would ask" not in "\n".join(r.getMessage() for r in caplog.records)
