"""Discord misbehaving: rate limits, server errors, a dropped gateway. Nothing lost or doubled."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from couplebot.bot import CoupleBot
from couplebot.fake_discord import FakeDiscord
from couplebot.services import outbox
from tests.daily_store import DailyStore

from .conftest import BotRunner, Couple, set_up
from .interaction_helpers import press
from .test_daily_e2e import answer, post_today, reveal_messages, round_messages


async def test_rate_limits_are_honoured(fake: FakeDiscord, couple: Couple, bot: CoupleBot) -> None:
    await set_up(fake, couple)
    fake.fail_next("POST", "/channels/*/messages", status=429, retry_after=0.2)
    fake.fail_next("POST", "/channels/*/messages", status=429, retry_after=0.1, is_global=True)
    await post_today(fake, couple)
    assert len(round_messages(fake, couple)) == 1


async def test_server_errors_are_retried_without_duplicates(
    fake: FakeDiscord, couple: Couple, bot: CoupleBot
) -> None:
    await set_up(fake, couple)
    await post_today(fake, couple)
    await answer(fake, couple, couple.alex, "One.")
    fake.fail_next("POST", "/channels/*/messages", status=502, times=2)
    await answer(fake, couple, couple.sam, "Two.")
    await fake.wait_until(lambda: len(reveal_messages(fake, couple)) == 1, timeout=15)
    await bot.services.outbox.flush()
    assert len(reveal_messages(fake, couple)) == 1


async def test_a_post_that_keeps_failing_is_sent_once_later(
    fake: FakeDiscord, couple: Couple, bot: CoupleBot
) -> None:
    await set_up(fake, couple)
    await post_today(fake, couple)
    await answer(fake, couple, couple.alex, "Still here?")
    fake.fail_next("POST", "/channels/*/messages", status=503, times=50)
    await answer(fake, couple, couple.sam, "Still here.")
    async with DailyStore(bot.store).read() as tx:
        pending = await tx.pending_posts()
    assert [item.kind for item in pending] == ["reveal"]
    assert reveal_messages(fake, couple) == []

    fake.clear_faults()
    await bot.services.outbox.flush()
    await bot.services.outbox.flush()
    assert len(reveal_messages(fake, couple)) == 1
    async with DailyStore(bot.store).read() as tx:
        assert await tx.pending_posts() == []


async def test_a_failed_post_is_tried_again_soon_not_at_the_safety_tick(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    bot = await runner.start(tick_seconds=3600, retry_seconds=0.2)
    await set_up(fake, couple)
    await post_today(fake, couple)
    await answer(fake, couple, couple.alex, "Soon?")
    fake.fail_next("POST", "/channels/*/messages", status=503, times=1000)
    await answer(fake, couple, couple.sam, "Soon.")
    await asyncio.sleep(1)  # whatever the answer woke is over; retries failed on
    async with DailyStore(bot.store).read() as tx:
        assert [item.kind for item in await tx.pending_posts()] == ["reveal"]
    fake.clear_faults()
    await fake.wait_until(lambda: len(reveal_messages(fake, couple)) == 1, timeout=5)
    for _ in range(100):  # its sent mark is committed a moment after the post
        async with DailyStore(bot.store).read() as tx:
            if not await tx.pending_posts():
                break
        await asyncio.sleep(0.02)
    else:
        pytest.fail("the reveal stayed pending after it was sent")
    assert len(reveal_messages(fake, couple)) == 1


async def test_a_dropped_gateway_loses_no_answer(
    fake: FakeDiscord, couple: Couple, bot: CoupleBot
) -> None:
    await set_up(fake, couple)
    message = await post_today(fake, couple)
    click = await press(fake, couple, couple.alex, message, "Answer")
    await fake.drop_gateway()
    submit = await fake.submit_modal(
        couple.alex, click, {"answer": "Sent mid-drop."}, guild=couple.guild
    )
    await submit.wait_reply(timeout=15)
    assert "Saved" in submit.text
    assert fake.resume_count >= 1
    await answer(fake, couple, couple.sam, "After the drop.")
    await fake.wait_until(lambda: len(reveal_messages(fake, couple)) == 1)
    assert "Sent mid-drop." in str(reveal_messages(fake, couple)[0])


async def test_closed_dms_mean_no_reminder_and_no_retry_loop(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    bot = await runner.start()
    await set_up(fake, couple)
    runner.clock.advance(timedelta(hours=1, minutes=1))
    await bot.services.tick()
    await answer(fake, couple, couple.alex, "Morning.")
    fake.fail_next("POST", "/channels/*/messages", status=403, times=1)
    runner.clock.advance(timedelta(hours=5))
    await bot.services.tick()
    tries = len([r for r in fake.requests if r.method == "POST" and r.status == 403])
    assert tries == 1
    for _ in range(3):
        runner.clock.advance(timedelta(hours=1))
        await bot.services.tick()
    assert len([r for r in fake.requests if r.method == "POST" and r.status == 403]) == 1
    assert fake.dm_messages(couple.sam.id) == []
    async with DailyStore(bot.store).read() as tx:
        assert await tx.pending_posts() == []


async def test_a_send_that_timed_out_but_happened_is_not_repeated(
    fake: FakeDiscord, couple: Couple, bot: CoupleBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(outbox, "SEND_TIMEOUT_SECONDS", 0.3)
    await set_up(fake, couple)
    fake.stall_next("POST", "/channels/*/messages", seconds=1.0)
    now = await fake.slash(couple.alex, "question now", guild=couple.guild)
    await now.wait_followup(timeout=10)
    async with DailyStore(bot.store).read() as tx:
        assert [item.kind for item in await tx.pending_posts()] == ["question"]
    await bot.services.outbox.flush()
    assert len(round_messages(fake, couple)) == 1
    async with DailyStore(bot.store).read() as tx:
        assert await tx.pending_posts() == []
    message = round_messages(fake, couple)[0]
    await answer(fake, couple, couple.alex, "Still works.")
    await fake.wait_until(lambda: "One of you has written" in str(fake.message(message["id"])))


async def test_reveal_parts_keep_their_order_through_failures(
    fake: FakeDiscord, couple: Couple, bot: CoupleBot
) -> None:
    await set_up(fake, couple)
    await post_today(fake, couple)
    await answer(fake, couple, couple.alex, "a" * 3500)
    fake.fail_next("POST", "/channels/*/messages", status=503, times=1)  # part 1 only
    await answer(fake, couple, couple.sam, "b" * 3500)
    await fake.wait_until(lambda: any(r.status == 503 for r in fake.requests))
    await bot.services.outbox.flush()
    parts = reveal_messages(fake, couple)
    assert len(parts) == 2
    assert "part 1 of 2" in str(parts[0]["embeds"])
    assert "part 2 of 2" in str(parts[1]["embeds"])
    tries = [  # every attempt at a part, in the order the fake received them
        ("part 1" if "part 1 of 2" in str(r.json) else "part 2", r.status)
        for r in fake.requests
        if r.method == "POST" and "part " in str(r.json)
    ]
    assert tries[0] == ("part 1", 503)
    first_good = next(i for i, (part, status) in enumerate(tries) if status < 300)
    assert tries[first_good][0] == "part 1"  # part 2 was not tried before part 1 got through
