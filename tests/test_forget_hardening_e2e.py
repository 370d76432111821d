"""Forget, as a careless or hostile user would try it: no one-sided reveal, no trace of
their own question, no second reminder, nothing left in the WAL (issue 9: 1, 3, 4)."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from typing import Any

from couplebot.fake_discord import FakeDiscord, FakeUser, message_text

from .conftest import BotRunner, Couple, set_up
from .interaction_helpers import press
from .test_daily_e2e import answer, post_today, reveal_messages, round_messages


async def forget(fake: FakeDiscord, couple: Couple, user: FakeUser) -> None:
    ask = await fake.slash(user, "privacy forget", guild=couple.guild)
    await ask.wait_response()
    assert ask.message is not None
    confirm = await press(fake, couple, user, ask.message, "Delete my data")
    assert "deleted" in confirm.text


def channel_text(fake: FakeDiscord, couple: Couple) -> list[str]:
    return [message_text(m) for m in fake.channel_messages(couple.guild.channel_id)]


async def test_forget_while_a_reveal_waits_withdraws_it_and_says_so(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    bot = await runner.start()
    await set_up(fake, couple)
    await post_today(fake, couple)
    await answer(fake, couple, couple.alex, "Alex's words.")
    fake.fail_next("POST", "/channels/*/messages", status=503, times=50)  # Discord is down
    told = await answer(fake, couple, couple.sam, "Sam's words.")
    assert "in the channel" in told.text
    await forget(fake, couple, couple.alex)
    fake.clear_faults()  # Discord recovers
    await bot.services.outbox.flush()
    await fake.wait_until(lambda: any("won't be posted" in t for t in channel_text(fake, couple)))
    assert reveal_messages(fake, couple) == []
    assert not any("Sam's words." in t for t in channel_text(fake, couple))


async def test_forget_blanks_my_own_question_everywhere_and_empties_the_wal(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    await runner.start()
    await set_up(fake, couple)
    added = await fake.slash(
        couple.alex,
        "question add",
        {"text": "What do you hope I never stop doing?"},
        guild=couple.guild,
    )
    await added.wait_response()
    await post_today(fake, couple)
    assert "never stop doing" in message_text(round_messages(fake, couple)[-1])
    await answer(fake, couple, couple.alex, "A.")
    await answer(fake, couple, couple.sam, "B.")
    with sqlite3.connect(runner.database) as raw:
        secrets = [
            row[0].encode()
            for row in raw.execute(
                "SELECT value FROM response_fields WHERE user_id = ? "
                "UNION SELECT text FROM custom_questions",
                (couple.alex.id,),
            )
        ]
    assert len(secrets) == 2
    await forget(fake, couple, couple.alex)

    history = await fake.slash(couple.sam, "history", guild=couple.guild)
    await history.wait_response()
    assert "never stop doing" not in history.text and "since deleted" in history.text
    export = await fake.slash(couple.sam, "privacy export", guild=couple.guild)
    await export.wait_response()
    ((_, data),) = fake.attachments(export.latest_reply or {})
    assert b"never stop doing" not in data
    # Not even the ciphertext is left: not in the database pages, not in the WAL.
    for path in runner.database.parent.iterdir():
        if path.name.startswith(runner.database.name):
            assert not any(secret in path.read_bytes() for secret in secrets), path.name


async def test_forget_does_not_bring_the_days_reminder_back(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    bot = await runner.start()
    await set_up(fake, couple)
    runner.clock.advance(timedelta(hours=1, minutes=1))
    await bot.services.tick()
    await answer(fake, couple, couple.alex, "Morning.")
    runner.clock.advance(timedelta(hours=5))
    await bot.services.tick()

    def reminders() -> list[dict[str, Any]]:
        return [
            m for m in fake.dm_messages(couple.sam.id) if "whenever you're ready" in message_text(m)
        ]

    await fake.wait_until(lambda: len(reminders()) == 1)
    await forget(fake, couple, couple.sam)
    for _ in range(3):
        runner.clock.advance(timedelta(minutes=30))
        await bot.services.tick()
    await runner.restart()
    assert len(reminders()) == 1
