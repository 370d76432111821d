"""A slow Discord does not block start-up: the bot connects first and answers while it
catches up in the background (issue 9: 8)."""

from __future__ import annotations

import asyncio

from couplebot.fake_discord import FakeDiscord

from .conftest import BotRunner, Couple, set_up


async def test_help_is_answered_while_a_slow_catch_up_runs(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    await runner.start()
    await set_up(fake, couple)
    fake.fail_next("POST", "/channels/*/messages", status=503, times=100)  # Discord is down
    now = await fake.slash(couple.alex, "question now", guild=couple.guild)
    await now.wait_followup()
    await runner.stop()
    fake.clear_faults()
    # Back up, but every post takes 8 s: the catch-up has a question to send.
    fake.stall_next("POST", "/channels/*/messages", seconds=8, times=10)
    started = asyncio.get_running_loop().time()
    bot = await runner.start(caught_up=False)
    help_ = await fake.slash(couple.sam, "help", guild=couple.guild)
    await help_.wait_response(timeout=6)
    # Ready and answering well before the 8 s post finishes: it did not wait for it.
    assert asyncio.get_running_loop().time() - started < 6
    assert help_.ephemeral and "Answer" in help_.text
    assert bot.catch_up_task is not None and not bot.catch_up_task.done()  # still catching up
