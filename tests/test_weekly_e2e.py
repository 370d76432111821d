"""The weekly "how are we?" check-in end to end: posted by itself once, answered, revealed once."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from couplebot.bot import CoupleBot
from couplebot.fake_discord import FakeDiscord, FakeUser, message_text

from .conftest import BotRunner, Couple, set_up
from .interaction_helpers import buttons, press, privacy_export
from .test_checkin_e2e import stored

# 2026-06-07 is a Sunday; 18:00 in Berlin (summer time) is 16:00 UTC.
SUNDAY_SIX_PM = datetime(2026, 6, 7, 16, 0, tzinfo=UTC)
THANKS = "Thank you for waiting up for me on Wednesday."


def weekly_posts(fake: FakeDiscord, couple: Couple) -> list[dict[str, Any]]:
    return [
        m
        for m in fake.channel_messages(couple.guild.channel_id)
        if any(e.get("title") == "How are we?" for e in m.get("embeds", []))
    ]


def weekly_reveals(fake: FakeDiscord, couple: Couple) -> list[dict[str, Any]]:
    return [
        m
        for m in fake.channel_messages(couple.guild.channel_id)
        if "How you both are this week" in message_text(m)
    ]


async def answer_weekly(
    fake: FakeDiscord, couple: Couple, user: FakeUser, values: dict[str, str]
) -> Any:
    message = weekly_posts(fake, couple)[-1]
    click = await press(fake, couple, user, message, "Check in")
    assert click.modal is not None, click.text
    submit = await fake.submit_modal(user, click, values, guild=couple.guild)
    await submit.wait_reply()
    assert submit.ephemeral
    return submit


async def posted_sunday(fake: FakeDiscord, couple: Couple, runner: BotRunner) -> CoupleBot:
    bot = await runner.start()
    await set_up(fake, couple)
    runner.clock.set(datetime(2026, 6, 3, 18, 0, tzinfo=UTC))
    sent = await fake.slash(couple.alex, "appreciate", {"text": THANKS}, guild=couple.guild)
    await sent.wait_reply()
    await bot.services.tick()
    assert weekly_posts(fake, couple) == []
    runner.clock.set(SUNDAY_SIX_PM - timedelta(minutes=1))
    await bot.services.tick()
    assert weekly_posts(fake, couple) == []
    runner.clock.set(SUNDAY_SIX_PM)
    await bot.services.tick()
    assert len(weekly_posts(fake, couple)) == 1
    return bot


async def test_weekly_is_posted_once_by_itself_answered_and_revealed_once(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    bot = await posted_sunday(fake, couple, runner)
    post = weekly_posts(fake, couple)[0]
    text = message_text(post)
    assert "How are we?" in text and THANKS in text and "What you thanked each other" in text
    assert set(buttons(post)) == {"Check in", "Not this one"}
    assert post["mentions"] == []
    assert THANKS.encode() not in runner.database.read_bytes()

    await bot.services.tick()
    bot = await runner.restart()
    runner.clock.advance(timedelta(minutes=30))
    await bot.services.tick()
    assert len(weekly_posts(fake, couple)) == 1

    first = await answer_weekly(
        fake,
        couple,
        couple.alex,
        {"closeness": "4", "close_moment": "Cooking together on Friday.", "more_of": "Walks."},
    )
    assert "private until you've both" in first.text
    await fake.wait_until(
        lambda: "One of you has checked in" in message_text(weekly_posts(fake, couple)[0])
    )
    assert "Cooking" not in message_text(weekly_posts(fake, couple)[0])
    assert weekly_reveals(fake, couple) == []

    second = await answer_weekly(fake, couple, couple.sam, {"closeness": "5"})
    assert "You've both checked in" in second.text
    await fake.wait_until(lambda: len(weekly_reveals(fake, couple)) == 1)
    reveal = message_text(weekly_reveals(fake, couple)[0])
    assert "Cooking together on Friday." in reveal and "Walks." in reveal
    assert "4 · close" in reveal and "5 · very close" in reveal
    assert "Something to talk about" in reveal
    assert any(f in reveal for f in bot.services.content.weekly_follow_ups)
    authors = {
        (e.get("author") or {}).get("name") for e in weekly_reveals(fake, couple)[0]["embeds"]
    }
    assert {"Alex", "Sam"} <= authors
    assert b"Cooking together" not in runner.database.read_bytes()

    await bot.services.tick()
    bot = await runner.restart()
    await bot.services.tick()
    assert len(weekly_reveals(fake, couple)) == 1
    # Next week's comes a week later, once.
    runner.clock.set(SUNDAY_SIX_PM + timedelta(days=7))
    await bot.services.tick()
    assert len(weekly_posts(fake, couple)) == 2


async def test_one_gentle_reminder_the_next_day_then_the_week_rests(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    bot = await posted_sunday(fake, couple, runner)
    await answer_weekly(fake, couple, couple.alex, {"closeness": "3"})
    runner.clock.set(SUNDAY_SIX_PM + timedelta(hours=4))  # Sunday 22:00 in Berlin
    await bot.services.tick()
    reminders = lambda: [  # noqa: E731
        m for m in fake.dm_messages(couple.sam.id) if "still here" in message_text(m)
    ]
    assert reminders() == []
    runner.clock.set(datetime(2026, 6, 8, 7, 30, tzinfo=UTC))  # Monday 09:30 in Berlin
    await bot.services.tick()
    await fake.wait_until(lambda: len(reminders()) == 1)
    assert fake.dm_messages(couple.alex.id) == []
    runner.clock.set(datetime(2026, 6, 9, 7, 30, tzinfo=UTC))
    await bot.services.tick()
    bot = await runner.restart()
    await bot.services.tick()
    assert len(reminders()) == 1


async def test_passing_rests_the_week_and_shows_nothing(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    bot = await posted_sunday(fake, couple, runner)
    await answer_weekly(fake, couple, couple.alex, {"closeness": "2", "more_of": "Time alone."})
    post = weekly_posts(fake, couple)[0]
    passed = await fake.click(couple.sam, post, buttons(post)["Not this one"], guild=couple.guild)
    await passed.wait_reply()
    assert passed.ephemeral and "rest" in passed.text
    await bot.services.tick()
    assert weekly_reveals(fake, couple) == []
    assert "Time alone." not in "\n".join(
        message_text(m) for m in fake.channel_messages(couple.guild.channel_id)
    )


async def test_weekly_settings_change_turn_off_and_refuse_bad_input(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    bot = await runner.start()
    await set_up(fake, couple)
    bad = await fake.slash(couple.alex, "weekly-checkin", {"day": "someday"}, guild=couple.guild)
    await bad.wait_reply()
    assert bad.ephemeral and '"someday" is not a day of the week' in bad.text
    bad_time = await fake.slash(
        couple.alex, "weekly-checkin", {"time": "25:00"}, guild=couple.guild
    )
    await bad_time.wait_reply()
    assert bad_time.ephemeral
    assert await stored(runner, "SELECT COUNT(*) FROM checkin_settings") == [(0,)]

    moved = await fake.slash(
        couple.alex, "weekly-checkin", {"day": "wed", "time": "19:30"}, guild=couple.guild
    )
    await moved.wait_reply()
    assert "Wednesdays at 19:30" in moved.text
    settings = await fake.slash(couple.sam, "settings", guild=couple.guild)
    await settings.wait_reply()
    assert "Weekly check-in: Wednesdays at 19:30" in settings.text
    runner.clock.set(datetime(2026, 6, 3, 17, 30, tzinfo=UTC))  # Wednesday 19:30 in Berlin
    await bot.services.tick()
    assert len(weekly_posts(fake, couple)) == 1

    off = await fake.slash(couple.alex, "weekly-checkin", {"off": True}, guild=couple.guild)
    await off.wait_reply()
    assert "off" in off.text
    runner.clock.set(datetime(2026, 6, 10, 17, 30, tzinfo=UTC))
    await bot.services.tick()
    assert len(weekly_posts(fake, couple)) == 1
    settings = await fake.slash(couple.sam, "settings", guild=couple.guild)
    await settings.wait_reply()
    assert "Weekly check-in: off" in settings.text


async def test_weekly_bad_closeness_and_outsiders_store_nothing(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    await posted_sunday(fake, couple, runner)
    post = weekly_posts(fake, couple)[0]
    for label in ("Check in", "Not this one"):
        click = await press(fake, couple, couple.guest, post, label)
        assert click.modal is None and "just for them" in click.text
    click = await press(fake, couple, couple.alex, post, "Check in")
    seven = await fake.submit_modal(couple.alex, click, {"closeness": "7"}, guild=couple.guild)
    await seven.wait_reply()
    assert seven.ephemeral and "1 to 5" in seven.text
    assert await stored(runner, "SELECT COUNT(*) FROM responses") == [(0,)]


async def test_an_export_holds_each_weekly_answer_once(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    await posted_sunday(fake, couple, runner)
    await answer_weekly(fake, couple, couple.alex, {"closeness": "4", "more_of": "Slow mornings."})
    document = await privacy_export(fake, couple, couple.alex)
    assert json.dumps(document, ensure_ascii=False).count("Slow mornings.") == 1
    assert len(document["your_weekly_check_ins"]) == 1
    assert [r for r in document["your_other_responses"] if r["kind"] == "weekly"] == []


async def test_weekly_answers_are_exported_and_forgotten_with_the_quotes(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    bot = await posted_sunday(fake, couple, runner)
    await answer_weekly(fake, couple, couple.alex, {"closeness": "4", "more_of": "Slow mornings."})
    document = await privacy_export(fake, couple, couple.alex)
    weekly = document["your_weekly_check_ins"]
    assert weekly == [
        {
            "week_of": "2026-06-07",
            "answer": {"closeness": "4", "more_of": "Slow mornings."},
            "passed": False,
            "revealed": False,
        }
    ]
    ask = await fake.slash(couple.alex, "privacy forget", guild=couple.guild)
    await ask.wait_response()
    assert ask.message is not None
    confirm = await fake.click(
        couple.alex, ask.message, buttons(ask.message)["Delete my data"], guild=couple.guild
    )
    await confirm.wait_reply()
    document = await privacy_export(fake, couple, couple.alex)
    assert document["your_weekly_check_ins"] == []
    # The stored weekly prompt no longer quotes the forgotten appreciation.
    async with bot.store.read() as tx:
        stored_couple = await tx.couples.by_guild(couple.guild.id)
        assert stored_couple is not None
        exchange = await tx.exchanges.latest(stored_couple.id, "weekly")
    assert exchange is not None and THANKS not in exchange.prompt
    assert exchange.details["appreciations"] == []
