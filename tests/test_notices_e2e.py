"""Notices owed to a partner, shown once, privately, on their next command: a channel
permission couplebot lost (its posts wait and go out once it is back), and a therapist
pointer their closed DMs refused (shown to that partner alone, never in the channel)."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

from couplebot.bot import HANDLER_TASKS, CoupleBot
from couplebot.domain.notes import THERAPIST_POINTER
from couplebot.fake_discord import FakeDiscord, FakeUser, message_text
from couplebot.fake_discord._state import MEMBER_PERMISSIONS

from .conftest import BotRunner, Couple, set_up
from .test_daily_e2e import round_messages
from .test_distance_e2e import Distance, started

SEND_MESSAGES = 1 << 11
VIEW_CHANNEL = 1 << 10
HEADS_UP = "I couldn't post in"


async def command(fake: FakeDiscord, couple: Couple, user: FakeUser) -> list[str]:
    """Run /help as `user`; the private follow-ups that came with it."""
    interaction = await fake.slash(user, "help", guild=couple.guild)
    await interaction.wait_response()
    await fake.wait_until(lambda: not _running(fake))
    assert interaction.ephemeral
    return [message_text(f) for f in interaction.followups if f.get("flags", 0) & 64]


def _running(fake: FakeDiscord) -> bool:
    """Whether the bot still runs a handler (the command, or what follows it)."""
    return any(
        task.get_name().startswith(HANDLER_TASKS) and not task.done()
        for task in asyncio.all_tasks()
    )


def refused_posts(fake: FakeDiscord) -> int:
    return sum(1 for r in fake.requests if r.method == "POST" and r.status == 403)


async def refused_morning(
    fake: FakeDiscord, couple: Couple, runner: BotRunner, permissions: int
) -> CoupleBot:
    """A set-up couple whose channel gives couplebot only `permissions` this morning."""
    bot = await runner.start()
    await set_up(fake, couple)
    fake.app_permissions = permissions
    runner.clock.advance(timedelta(hours=3))  # 05:00 UTC + 3 h: past 08:00 in Berlin
    await bot.services.tick()
    return bot


async def test_a_lost_permission_is_told_once_and_the_post_waits_for_it(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    bot = await refused_morning(fake, couple, runner, MEMBER_PERMISSIONS & ~SEND_MESSAGES)
    assert refused_posts(fake) == 1 and round_messages(fake, couple) == []
    await bot.services.tick()  # no loop: the refused channel is not tried on every tick
    bot = await runner.restart()  # the DB remembers, not the process
    await bot.services.tick()
    assert refused_posts(fake) == 1

    told = await command(fake, couple, couple.sam)
    assert len(told) == 1, told
    assert "missing Send Messages" in told[0]
    assert "is kept, and I'll send it" in told[0]
    assert "Server Settings → Channels" in told[0] and "Permissions → couplebot" in told[0]
    assert await command(fake, couple, couple.sam) == []
    assert await command(fake, couple, couple.alex) == []  # once, to whoever came first
    assert round_messages(fake, couple) == []

    fake.app_permissions = MEMBER_PERMISSIONS  # they grant it; a command here shows it
    assert await command(fake, couple, couple.alex) == []
    await fake.wait_until(lambda: len(round_messages(fake, couple)) == 1)
    await bot.services.tick()
    assert len(round_messages(fake, couple)) == 1
    assert refused_posts(fake) == 1


async def test_held_posts_are_tried_again_later_and_a_success_clears_the_hold(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    bot = await refused_morning(fake, couple, runner, MEMBER_PERMISSIONS & ~VIEW_CHANNEL)
    runner.clock.advance(timedelta(minutes=30))
    await bot.services.tick()
    assert refused_posts(fake) == 1
    runner.clock.advance(timedelta(minutes=31))  # an hour on: tried again, still refused
    await bot.services.tick()
    assert refused_posts(fake) == 2 and round_messages(fake, couple) == []
    fake.app_permissions = MEMBER_PERMISSIONS  # fixed, and nobody runs a command
    runner.clock.advance(timedelta(hours=1, minutes=1))
    await bot.services.tick()
    assert len(round_messages(fake, couple)) == 1
    async with bot.store.read() as tx:
        assert await tx.notices.holds() == {}
    assert await command(fake, couple, couple.alex) == []  # fixed: nothing left to tell


async def test_away_from_the_channel_the_notice_names_what_the_refused_post_needed(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    await refused_morning(fake, couple, runner, MEMBER_PERMISSIONS & ~VIEW_CHANNEL)
    fake.app_permissions = MEMBER_PERMISSIONS  # all there in the other channel
    elsewhere = couple.guild.channel_id + 1  # another channel of their server
    ours = fake.channels[couple.guild.channel_id]
    fake.channels[elsewhere] = {**ours, "id": str(elsewhere), "name": "elsewhere"}
    interaction = await fake.slash(couple.sam, "help", guild=couple.guild, channel_id=elsewhere)
    await interaction.wait_response()
    await fake.wait_until(lambda: not _running(fake))
    told = [message_text(f) for f in interaction.followups]
    assert len(told) == 1 and "missing View Channel there" in told[0]


async def test_a_pointer_refused_by_closed_dms_is_shown_to_that_partner_alone(
    fake: FakeDiscord, couple: Couple, runner: BotRunner, bot: CoupleBot
) -> None:
    d: Distance = await started(fake, couple, runner, bot)
    fake.closed_dms.add(couple.alex.id)
    for gap in (0, 7, 8):  # sustained low closeness: the pointer is due for Alex
        await d.days_pass(gap)
        await d.check_in(couple.alex, 1)
    assert any(r.status == 403 and r.method == "POST" for r in fake.requests)
    assert d.dms(couple.alex) == []
    channel = [message_text(m) for m in fake.channel_messages(couple.guild.channel_id)]
    assert not any("therapist" in t for t in channel)
    export = json.loads(await bot.services.privacy.export(couple.guild.id, couple.alex.id))
    assert [n["kind"] for n in export["your_pending_notices"]] == ["therapist-pointer"]

    assert await command(fake, couple, couple.sam) == []  # never to the other partner
    told = await command(fake, couple, couple.alex)
    assert len(told) == 1 and THERAPIST_POINTER in told[0]
    assert "direct messages are closed" in told[0]
    assert await command(fake, couple, couple.alex) == []
    channel = [message_text(m) for m in fake.channel_messages(couple.guild.channel_id)]
    assert not any("therapist" in t for t in channel)


async def test_forget_removes_a_notice_waiting_for_that_partner(
    fake: FakeDiscord, couple: Couple, runner: BotRunner, bot: CoupleBot
) -> None:
    d: Distance = await started(fake, couple, runner, bot)
    fake.closed_dms.add(couple.alex.id)
    for gap in (0, 7, 8):
        await d.days_pass(gap)
        await d.check_in(couple.alex, 1)
    await bot.services.privacy.forget(couple.guild.id, couple.alex.id)
    assert await command(fake, couple, couple.alex) == []
