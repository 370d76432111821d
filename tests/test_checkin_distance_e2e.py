"""/checkin feeds the distance signals for real: two private check-ins far apart bring
one gentle note, and neither value shows; a long low stretch brings the pointer privately."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from couplebot.domain.notes import GAP_NOTES
from couplebot.fake_discord import FakeDiscord, FakeUser, message_text

from .conftest import BotRunner, Couple, set_up


async def check_in(fake: FakeDiscord, couple: Couple, user: FakeUser, closeness: int) -> None:
    done = await fake.slash(
        user, "checkin", {"mood": 3, "closeness": closeness}, guild=couple.guild
    )
    await done.wait_reply()
    assert done.ephemeral


async def test_real_private_check_ins_bring_a_gap_note_without_values(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    runner.clock.set(datetime(2026, 6, 1, 10, 0, tzinfo=UTC))
    bot = await runner.start()
    await set_up(fake, couple)
    await check_in(fake, couple, couple.alex, 5)
    runner.clock.advance(timedelta(hours=2))
    await check_in(fake, couple, couple.sam, 2)
    await bot.services.tick()
    notes = [
        m
        for m in fake.channel_messages(couple.guild.channel_id)
        if "A gentle note" in message_text(m)
    ]
    assert len(notes) == 1
    assert notes[0]["embeds"][0]["description"] in GAP_NOTES
    everything = " ".join(message_text(m) for m in fake.channel_messages(couple.guild.channel_id))
    assert "far apart" not in everything and "very close" not in everything


async def test_weeks_of_low_real_check_ins_bring_the_pointer_to_that_partner_only(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    runner.clock.set(datetime(2026, 6, 1, 10, 0, tzinfo=UTC))
    bot = await runner.start()
    await set_up(fake, couple)
    for days in (0, 7, 8):  # day 0, 7 and 15
        for _ in range(days):
            runner.clock.advance(timedelta(days=1))
            await bot.services.tick()
        await check_in(fake, couple, couple.alex, 1)
        await bot.services.tick()
    pointer = [m for m in fake.dm_messages(couple.alex.id) if "therapist" in message_text(m)]
    assert len(pointer) == 1
    assert not any("therapist" in message_text(m) for m in fake.dm_messages(couple.sam.id))
    assert not any(
        "therapist" in message_text(m) for m in fake.channel_messages(couple.guild.channel_id)
    )
