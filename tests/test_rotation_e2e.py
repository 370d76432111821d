"""Your own questions, themes, deeper days, history and milestones, end to end."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import timedelta
from itertools import pairwise
from typing import Any

from couplebot.bot import CoupleBot
from couplebot.domain.questions import Depth
from couplebot.fake_discord import FakeDiscord, message_text

from .conftest import BotRunner, Couple, set_up
from .interaction_helpers import buttons, press
from .test_daily_e2e import answer, reveal_messages, round_messages


async def _mornings(runner: BotRunner, bot: CoupleBot, count: int) -> AsyncIterator[int]:
    """10:00 local on `count` days in a row, with the bot's tick run each morning."""
    runner.clock.advance(timedelta(hours=3))
    for day in range(count):
        if day:
            runner.clock.advance(timedelta(days=1))
        await bot.services.tick()
        yield day


async def _answer_both(fake: FakeDiscord, couple: Couple, day: int) -> None:
    await answer(fake, couple, couple.alex, f"Alex on day {day}.")
    await answer(fake, couple, couple.sam, f"Sam on day {day}.")


def _latest_round(fake: FakeDiscord, couple: Couple) -> dict[str, Any]:
    return round_messages(fake, couple)[-1]


async def test_own_question_comes_up_next(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    bot = await runner.start()
    await set_up(fake, couple)
    added = await fake.slash(
        couple.sam,
        "question add",
        {"text": "What is a tiny ritual of ours you never want to lose?"},
        guild=couple.guild,
    )
    await added.wait_response()
    assert "Added to your rotation" in added.text
    duplicate = await fake.slash(
        couple.alex,
        "question add",
        {"text": "what is a tiny ritual of ours you never want to lose?"},
        guild=couple.guild,
    )
    await duplicate.wait_response()
    assert duplicate.ephemeral and "already in your rotation" in duplicate.text
    runner.clock.advance(timedelta(hours=3))  # 10:00 local
    await bot.services.tick()
    assert "tiny ritual of ours" in message_text(_latest_round(fake, couple))
    assert "Your own question" in message_text(_latest_round(fake, couple))


async def test_a_new_couple_starts_with_the_welcoming_first_week(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    bot = await runner.start()
    await set_up(fake, couple)
    first_week = [q.text for q in bot.services.content.first_week]
    asked = []
    async for _ in _mornings(runner, bot, len(first_week) + 1):
        asked.append(_latest_round(fake, couple)["embeds"][0]["description"])
    assert asked[:-1] == first_week
    assert asked[-1] not in first_week  # then the rotation begins


def _rotation_only(runner: BotRunner) -> None:
    """These tests are about the rotation itself: start it from the first morning."""
    runner.content = dataclasses.replace(runner.content, first_week=())


async def test_themes_can_be_turned_off(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    _rotation_only(runner)
    bot = await runner.start()
    await set_up(fake, couple)
    decks = await fake.slash(couple.alex, "question decks", guild=couple.guild)
    await decks.wait_response()
    assert decks.ephemeral and decks.message is not None
    chosen = await fake.select(
        couple.alex, decks.message, "cb:decks", ["playful"], guild=couple.guild
    )
    await chosen.wait_response()
    assert "Themes on: Playful." in chosen.text
    playful = {q.text for q in bot.services.content.questions if q.theme == "playful"}
    async for _ in _mornings(runner, bot, 4):
        question = _latest_round(fake, couple)["embeds"][0]["description"]
        assert question in playful


async def test_deep_days_and_never_two_deep_in_a_row(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    _rotation_only(runner)
    bot = await runner.start()
    await set_up(fake, couple)
    deep = await fake.slash(
        couple.alex,
        "question deep-days",
        {"days": "mon, tue, wed, thu, fri, sat, sun"},
        guild=couple.guild,
    )
    await deep.wait_response()
    assert "Mon, Tue, Wed, Thu, Fri, Sat, Sun" in deep.text
    bad = await fake.slash(
        couple.alex, "question deep-days", {"days": "someday"}, guild=couple.guild
    )
    await bad.wait_response()
    assert bad.ephemeral and "don't know the day" in bad.text
    depths = []
    async for _ in _mornings(runner, bot, 6):
        footer = _latest_round(fake, couple)["embeds"][0]["footer"]["text"]
        depths.append(footer.split(" · ")[1])
    assert Depth.DEEP.value in depths
    assert all(not (a == b == "deep") for a, b in pairwise(depths))


async def test_history_pages_and_milestone(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    bot = await runner.start()
    await set_up(fake, couple)
    empty = await fake.slash(couple.alex, "history", guild=couple.guild)
    await empty.wait_response()
    assert "Nothing here yet" in empty.text
    async for day in _mornings(runner, bot, 7):
        await _answer_both(fake, couple, day)
        await fake.wait_until(lambda d=day: len(reveal_messages(fake, couple)) == d + 1)
    last_reveal = message_text(reveal_messages(fake, couple)[-1])
    assert "7 days you've answered together" in last_reveal
    assert "answered together" not in message_text(reveal_messages(fake, couple)[0])

    history = await fake.slash(couple.sam, "history", guild=couple.guild)
    await history.wait_response()
    assert history.ephemeral and history.message is not None
    assert "Alex on day 6." in history.text and "1 of 7" in history.text
    older = await press(fake, couple, couple.sam, history.message, "Older")
    assert "Alex on day 5." in older.text and "2 of 7" in older.text
    outsider = await press(fake, couple, couple.guest, history.message, "Older")
    assert outsider.ephemeral and "just for them" in outsider.text
    assert "Alex on day" not in outsider.text


async def test_a_locked_database_says_try_again_and_loses_nothing(
    fake: FakeDiscord, couple: Couple, bot: CoupleBot, runner: BotRunner
) -> None:
    import sqlite3

    await set_up(fake, couple)
    now = await fake.slash(couple.alex, "question now", guild=couple.guild)
    await now.wait_followup()
    await answer(fake, couple, couple.alex, "Saved before the lock.")
    blocker = sqlite3.connect(runner.database, timeout=0)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        message = _latest_round(fake, couple)
        click = await fake.click(
            couple.sam, message, buttons(message)["Answer"], guild=couple.guild
        )
        await click.wait_response(timeout=10)
        submit = None
        if click.modal is not None:
            submit = await fake.submit_modal(
                couple.sam, click, {"answer": "Hi."}, guild=couple.guild
            )
            await submit.wait_reply(timeout=10)
        final = submit or click
        assert final.ephemeral
        assert "could not save that just now" in final.text.lower() or "try again" in final.text
    finally:
        blocker.rollback()
        blocker.close()
    await answer(fake, couple, couple.sam, "Saved after the lock.")
    await fake.wait_until(lambda: len(reveal_messages(fake, couple)) == 1)
    reveal = message_text(reveal_messages(fake, couple)[0])
    assert "Saved before the lock." in reveal and "Saved after the lock." in reveal
