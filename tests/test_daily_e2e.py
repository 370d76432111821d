"""The daily question end to end: post, answer privately, reveal exactly once."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from couplebot.bot import CoupleBot
from couplebot.fake_discord import FakeDiscord, FakeUser, message_text

from .conftest import BotRunner, Couple, set_up
from .interaction_helpers import answer_on, buttons, press


def round_messages(fake: FakeDiscord, couple: Couple) -> list[dict[str, Any]]:
    return [
        m
        for m in fake.channel_messages(couple.guild.channel_id)
        if any("Today's question" in (e.get("title") or "") for e in m.get("embeds", []))
    ]


def reveal_messages(fake: FakeDiscord, couple: Couple) -> list[dict[str, Any]]:
    return [
        m
        for m in fake.channel_messages(couple.guild.channel_id)
        if any("#reveal." in ((e.get("footer") or {}).get("text") or "") for e in m["embeds"])
    ]


async def post_today(fake: FakeDiscord, couple: Couple) -> dict[str, Any]:
    interaction = await fake.slash(couple.alex, "question now", guild=couple.guild)
    await interaction.wait_followup()
    messages = round_messages(fake, couple)
    assert len(messages) == 1, messages
    return messages[0]


async def answer(fake: FakeDiscord, couple: Couple, user: FakeUser, text: str) -> Any:
    return await answer_on(fake, couple, user, round_messages(fake, couple)[-1], text)


async def test_full_loop(fake: FakeDiscord, couple: Couple, bot: CoupleBot) -> None:
    await set_up(fake, couple)
    message = await post_today(fake, couple)
    assert set(buttons(message)) == {"Answer", "Not this one"}
    assert "private until you've both answered" in message_text(message)

    first = await answer(fake, couple, couple.alex, "Your laugh at breakfast.")
    assert first.ephemeral
    assert "Saved" in first.text
    await fake.wait_until(
        lambda: "One of you has written" in message_text(round_messages(fake, couple)[0])
    )
    assert "breakfast" not in message_text(round_messages(fake, couple)[0])
    assert reveal_messages(fake, couple) == []

    # Editing before the reveal: the modal comes back with the saved draft.
    message = round_messages(fake, couple)[0]
    click = await press(fake, couple, couple.alex, message, "Answer")
    assert "Your laugh at breakfast." in str(click.modal)
    edited = await fake.submit_modal(
        couple.alex, click, {"answer": "Your laugh at breakfast, again."}, guild=couple.guild
    )
    await edited.wait_reply()
    assert "Updated" in edited.text

    second = await answer(fake, couple, couple.sam, "The walk home in the rain.")
    assert "You've both answered" in second.text
    await fake.wait_until(lambda: len(reveal_messages(fake, couple)) == 1)
    reveal = message_text(reveal_messages(fake, couple)[0])
    assert "Your laugh at breakfast, again." in reveal
    assert "The walk home in the rain." in reveal
    assert "Something to talk about" in reveal
    authors = {
        (e.get("author") or {}).get("name") for e in reveal_messages(fake, couple)[0]["embeds"]
    }
    assert {"Alex", "Sam"} <= authors
    await fake.wait_until(lambda: buttons(round_messages(fake, couple)[0]) == {})


async def test_outsider_click_is_refused(fake: FakeDiscord, couple: Couple, bot: CoupleBot) -> None:
    await set_up(fake, couple)
    message = await post_today(fake, couple)
    for label in ("Answer", "Not this one"):
        click = await press(fake, couple, couple.guest, message, label)
        assert click.ephemeral and "just for them" in click.text
    assert "One of you has written" not in message_text(round_messages(fake, couple)[0])
    assert "resting" not in message_text(round_messages(fake, couple)[0])


async def test_simultaneous_answers_reveal_once(
    fake: FakeDiscord, couple: Couple, bot: CoupleBot
) -> None:
    await set_up(fake, couple)
    message = await post_today(fake, couple)
    clicks = await asyncio.gather(
        *(
            fake.click(u, message, buttons(message)["Answer"], guild=couple.guild)
            for u in (couple.alex, couple.sam)
        )
    )
    await asyncio.gather(*(c.wait_response() for c in clicks))
    submits = await asyncio.gather(
        fake.submit_modal(couple.alex, clicks[0], {"answer": "A"}, guild=couple.guild),
        fake.submit_modal(couple.sam, clicks[1], {"answer": "B"}, guild=couple.guild),
    )
    await asyncio.gather(*(s.wait_reply() for s in submits))
    await fake.wait_until(lambda: len(reveal_messages(fake, couple)) == 1)
    await bot.services.outbox.flush()
    await asyncio.sleep(0.2)
    assert len(reveal_messages(fake, couple)) == 1


async def test_long_answers_with_mentions_reveal_intact(
    fake: FakeDiscord, couple: Couple, bot: CoupleBot
) -> None:
    await set_up(fake, couple)
    await post_today(fake, couple)
    long_a = ("@everyone 🌧️ **bold** ```code``` " * 200)[:3999] + "A"
    long_b = ("<@&123> @here _soft_ ✨ " * 300)[:3999] + "B"
    await answer(fake, couple, couple.alex, long_a)
    await answer(fake, couple, couple.sam, long_b)
    await fake.wait_until(lambda: len(reveal_messages(fake, couple)) == 2)
    parts = reveal_messages(fake, couple)
    descriptions = [e.get("description") for m in parts for e in m["embeds"]]
    assert long_a.strip() in descriptions
    assert long_b.strip() in descriptions
    posts = [r for r in fake.requests if r.method == "POST" and r.path.endswith("/messages")]
    assert posts
    for request in posts:
        assert request.json["allowed_mentions"]["parse"] == []


async def test_restart_between_every_step(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    await runner.start()
    await set_up(fake, couple)
    await runner.restart()
    await post_today(fake, couple)
    await runner.restart()
    await answer(fake, couple, couple.alex, "Before the restart.")
    await runner.restart()
    # A button on a message sent before two restarts still works.
    await answer(fake, couple, couple.sam, "After the restart.")
    await fake.wait_until(lambda: len(reveal_messages(fake, couple)) == 1)
    await runner.restart()
    assert len(round_messages(fake, couple)) == 1
    assert len(reveal_messages(fake, couple)) == 1
    reveal = message_text(reveal_messages(fake, couple)[0])
    assert "Before the restart." in reveal and "After the restart." in reveal


async def test_scheduled_round_and_catch_up(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    bot = await runner.start()
    await set_up(fake, couple)  # 08:00 Europe/Berlin = 06:00 UTC in June
    await bot.services.tick()  # 07:00 local: too early
    assert round_messages(fake, couple) == []

    # Down through the morning; back at 11:30 local: today's round is posted once, late.
    await runner.stop()
    runner.clock.advance(timedelta(hours=4, minutes=30))
    bot = await runner.start()
    await bot.services.tick()
    await bot.services.tick()
    assert len(round_messages(fake, couple)) == 1

    # A day missed entirely is never posted later.
    await runner.stop()
    runner.clock.advance(timedelta(days=1, hours=12))  # next day 23:30 local
    bot = await runner.start()
    await bot.services.tick()
    assert len(round_messages(fake, couple)) == 1


async def test_pause_stops_rounds(fake: FakeDiscord, couple: Couple, runner: BotRunner) -> None:
    bot = await runner.start()
    await set_up(fake, couple)
    pause = await fake.slash(couple.sam, "pause", {"days": 2}, guild=couple.guild)
    await pause.wait_response()
    assert "Paused through" in pause.text
    for _ in range(2):
        runner.clock.advance(timedelta(hours=3))
        await bot.services.tick()
        runner.clock.advance(timedelta(hours=21))
    assert round_messages(fake, couple) == []
    runner.clock.advance(timedelta(hours=3))
    await bot.services.tick()
    assert len(round_messages(fake, couple)) == 1


async def test_one_gentle_reminder(fake: FakeDiscord, couple: Couple, runner: BotRunner) -> None:
    bot = await runner.start()
    await set_up(fake, couple)
    runner.clock.advance(timedelta(hours=1, minutes=1))  # 08:01 local
    await bot.services.tick()
    await answer(fake, couple, couple.alex, "Early bird.")
    for _ in range(12):  # through the day, every hour
        runner.clock.advance(timedelta(hours=1))
        await bot.services.tick()
    reminders = fake.dm_messages(couple.sam.id)
    assert len(reminders) == 1
    text = reminders[0]["content"]
    assert "whenever you're ready" in text
    assert "Early bird" not in text
    assert fake.dm_messages(couple.alex.id) == []


async def test_no_reminder_in_quiet_hours(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    bot = await runner.start()
    await set_up(fake, couple)
    quiet = await fake.slash(
        couple.sam, "quiet", {"start": "10:00", "end": "23:00"}, guild=couple.guild
    )
    await quiet.wait_response()
    runner.clock.advance(timedelta(hours=1, minutes=1))
    await bot.services.tick()
    await answer(fake, couple, couple.alex, "Hello.")
    for _ in range(18):
        runner.clock.advance(timedelta(hours=1))
        await bot.services.tick()
    assert fake.dm_messages(couple.sam.id) == []


async def test_pass_rests_and_author_may_share(
    fake: FakeDiscord, couple: Couple, bot: CoupleBot
) -> None:
    await set_up(fake, couple)
    message = await post_today(fake, couple)
    await answer(fake, couple, couple.alex, "Something I wanted to say.")
    passed = await press(fake, couple, couple.sam, message, "Not this one")
    assert "can rest" in passed.text
    await fake.wait_until(lambda: "resting" in message_text(round_messages(fake, couple)[0]))
    assert reveal_messages(fake, couple) == []
    channel_text = "\n".join(
        message_text(m) for m in fake.channel_messages(couple.guild.channel_id)
    )
    assert "Something I wanted to say." not in channel_text

    rested = round_messages(fake, couple)[0]
    nothing = await press(fake, couple, couple.sam, rested, "Share my answer")
    assert nothing.ephemeral and "no answer here to share" in nothing.text
    await press(fake, couple, couple.alex, rested, "Share my answer")
    await fake.wait_until(
        lambda: any(
            "Something I wanted to say." in message_text(m)
            for m in fake.channel_messages(couple.guild.channel_id)
        )
    )


async def test_skip_swaps_until_someone_answers(
    fake: FakeDiscord, couple: Couple, bot: CoupleBot
) -> None:
    await set_up(fake, couple)
    before = message_text(await post_today(fake, couple))
    skip = await fake.slash(couple.sam, "question skip", guild=couple.guild)
    await skip.wait_followup()
    await fake.wait_until(lambda: message_text(round_messages(fake, couple)[0]) != before)
    await answer(fake, couple, couple.alex, "Answered.")
    again = await fake.slash(couple.sam, "question skip", guild=couple.guild)
    await again.wait_followup()
    assert again.ephemeral and "already has an answer" in again.text


async def test_question_now_twice_points_to_the_same_round(
    fake: FakeDiscord, couple: Couple, bot: CoupleBot
) -> None:
    await set_up(fake, couple)
    await post_today(fake, couple)
    again = await fake.slash(couple.sam, "question now", guild=couple.guild)
    await again.wait_followup()
    assert "already here" in again.text
    assert len(round_messages(fake, couple)) == 1


async def test_the_scheduler_posts_on_start_after_downtime(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    await runner.start()
    await set_up(fake, couple)
    await runner.stop()
    runner.clock.advance(timedelta(hours=3))  # 10:00 local, two hours after the round was due
    await runner.start(tick_seconds=0.2)
    await fake.wait_until(lambda: len(round_messages(fake, couple)) == 1)
    await asyncio.sleep(0.5)  # a few more ticks
    assert len(round_messages(fake, couple)) == 1


async def test_no_user_id_in_any_post_footer_or_marker(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    """Markers find posts again; they never carry a partner's Discord id."""
    bot = await runner.start()
    await set_up(fake, couple)
    await post_today(fake, couple)
    await answer(fake, couple, couple.alex, "Mine.")
    runner.clock.advance(timedelta(hours=6))
    await bot.services.tick()
    message = round_messages(fake, couple)[-1]
    await press(fake, couple, couple.sam, message, "Not this one")
    await fake.wait_until(lambda: "Share my answer" in buttons(fake.message(message["id"])))
    message = fake.message(message["id"])
    await press(fake, couple, couple.alex, message, "Share my answer")
    await fake.wait_until(
        lambda: any(
            "Shared after all" in str(m) for m in fake.channel_messages(couple.guild.channel_id)
        )
    )
    posts = fake.channel_messages(couple.guild.channel_id) + fake.dm_messages(couple.sam.id)
    assert any("whenever you're ready" in message_text(m) for m in fake.dm_messages(couple.sam.id))
    for user in (couple.alex, couple.sam):
        assert all(str(user.id) not in message_text(m) for m in posts)
