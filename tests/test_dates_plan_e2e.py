"""Planning a date end to end: by the card's form and by command, one reminder on the day
(exactly once, across a restart), the morning-after reflection revealed once, then done."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from couplebot.bot import CoupleBot
from couplebot.domain.dates import PlanStatus
from couplebot.fake_discord import FakeDiscord, message_text

from .conftest import BotRunner, Couple, set_up
from .dates_helpers import cards, plan_cards, plan_from_card, press, suggest, title
from .interaction_helpers import answer_on, buttons

# The runner's clock starts on Monday 1 June 2026, 05:00 UTC: 07:00 in Berlin.
TUESDAY_MORNING = datetime(2026, 6, 2, 6, 0, tzinfo=UTC)  # 08:00 in Berlin


def reminders(fake: FakeDiscord, couple: Couple) -> list[dict[str, Any]]:
    return [
        m
        for m in fake.channel_messages(couple.guild.channel_id)
        if "#date-remind." in (m.get("content") or "")
    ]


def reflections(fake: FakeDiscord, couple: Couple) -> list[dict[str, Any]]:
    return [
        m
        for m in fake.channel_messages(couple.guild.channel_id)
        if any(e.get("title") == "After your date" for e in m["embeds"])
    ]


def revealed(fake: FakeDiscord, couple: Couple) -> list[dict[str, Any]]:
    return [
        m
        for m in fake.channel_messages(couple.guild.channel_id)
        if any("#reveal." in ((e.get("footer") or {}).get("text") or "") for e in m["embeds"])
    ]


async def plans(bot: CoupleBot, couple: Couple) -> list[Any]:
    async with bot.store.read() as tx:
        stored = await tx.couples.by_guild(couple.guild.id)
        assert stored is not None
        return await tx.dates.plans(stored.id, list(PlanStatus))


async def test_pick_and_plan_by_the_form_then_the_partner_agrees(
    fake: FakeDiscord, couple: Couple, bot: CoupleBot
) -> None:
    await set_up(fake, couple)
    await suggest(fake, couple)
    card = cards(fake, couple)[0]
    submit = await plan_from_card(fake, couple, couple.alex, card, "tomorrow 19:30")
    assert submit.callbacks[0]["type"] == 7, submit.callbacks
    edited = fake.message(card["id"])
    assert "Alex picked this one" in message_text(edited) and buttons(edited) == {}
    await fake.wait_until(lambda: len(plan_cards(fake, couple)) == 1)
    posted = plan_cards(fake, couple)[0]
    assert title(card) in message_text(posted)
    assert "Tuesday 2 June 2026, 19:30" in message_text(posted)
    assert "Sam, does it work for you?" in message_text(posted)
    assert posted["mentions"] == []
    assert set(buttons(posted)) == {"Sounds good", "Another time", "Cancel"}

    mine = await press(fake, couple, couple.alex, posted, "Sounds good")
    assert mine.ephemeral and "for your partner" in mine.text
    agreed = await press(fake, couple, couple.sam, posted, "Sounds good")
    assert agreed.callbacks[0]["type"] == 7
    assert "Sam said it sounds good" in message_text(fake.message(posted["id"]))
    # Posted once: a flush finds nothing more to send.
    await bot.services.tick()
    assert len(plan_cards(fake, couple)) == 1


async def test_plan_by_command_with_autocomplete(
    fake: FakeDiscord, couple: Couple, bot: CoupleBot
) -> None:
    await set_up(fake, couple)
    await suggest(fake, couple)
    saved_title = title(cards(fake, couple)[0])
    await press(fake, couple, couple.sam, cards(fake, couple)[0], "Save")
    choices = await fake.autocomplete(
        couple.alex, "date plan", {"idea": ""}, "idea", guild=couple.guild
    )
    assert choices[0]["name"] == saved_title and len(choices) <= 25
    narrowed = await fake.autocomplete(
        couple.alex, "date plan", {"idea": "picnic"}, "idea", guild=couple.guild
    )
    assert narrowed and all("picnic" in c["name"].casefold() for c in narrowed)
    reply = await fake.slash(
        couple.alex,
        "date plan",
        {"idea": narrowed[0]["value"], "when": "sat 19:30"},
        guild=couple.guild,
    )
    await reply.wait_reply()
    assert reply.ephemeral and "Planned" in reply.text
    await fake.wait_until(lambda: len(plan_cards(fake, couple)) == 1)
    assert "Saturday 6 June 2026, 19:30" in message_text(plan_cards(fake, couple)[0])


async def test_a_bad_or_past_time_is_refused_and_nothing_is_stored(
    fake: FakeDiscord, couple: Couple, bot: CoupleBot
) -> None:
    await set_up(fake, couple)
    await suggest(fake, couple)
    card = cards(fake, couple)[0]
    for when in ("someday soon", "2026-05-01 19:30", "today 06:00", "25:00 tomorrow"):
        submit = await plan_from_card(fake, couple, couple.alex, card, when)
        await submit.wait_reply()
        assert submit.ephemeral, when
        assert "19:30" in submit.text and "tomorrow" in submit.text, submit.text
    reply = await fake.slash(
        couple.alex, "date plan", {"idea": "nope", "when": "sat 19:30"}, guild=couple.guild
    )
    await reply.wait_reply()
    assert reply.ephemeral and "don't know that idea" in reply.text
    reply = await fake.slash(
        couple.alex,
        "date plan",
        {"idea": cards(fake, couple)[0]["embeds"][0]["title"], "when": "last week"},
        guild=couple.guild,
    )
    await reply.wait_reply()
    assert reply.ephemeral
    assert await plans(bot, couple) == []
    assert plan_cards(fake, couple) == []
    assert set(buttons(fake.message(card["id"]))) == {"Let's do this", "Another", "Save"}


async def test_move_and_cancel_from_the_plan_card(
    fake: FakeDiscord, couple: Couple, bot: CoupleBot
) -> None:
    await set_up(fake, couple)
    await suggest(fake, couple)
    await plan_from_card(fake, couple, couple.alex, cards(fake, couple)[0], "tomorrow 19:30")
    await fake.wait_until(lambda: len(plan_cards(fake, couple)) == 1)
    posted = plan_cards(fake, couple)[0]
    click = await press(fake, couple, couple.sam, posted, "Another time")
    assert click.modal is not None
    bad = await fake.submit_modal(couple.sam, click, {"when": "whenever"}, guild=couple.guild)
    await bad.wait_reply()
    assert bad.ephemeral and "Try" in bad.text
    click = await press(fake, couple, couple.sam, posted, "Another time")
    moved = await fake.submit_modal(couple.sam, click, {"when": "fri 20:00"}, guild=couple.guild)
    await moved.wait_response()
    text = message_text(fake.message(posted["id"]))
    assert "Friday 5 June 2026, 20:00" in text and "Sam moved it to this time" in text
    assert "Alex, does it work for you?" in text
    [plan] = await plans(bot, couple)
    assert plan.version == 2 and plan.date_at == datetime(2026, 6, 5, 18, 0, tzinfo=UTC)

    await press(fake, couple, couple.alex, posted, "Cancel")
    text = message_text(fake.message(posted["id"]))
    assert "Alex cancelled this one" in text and buttons(fake.message(posted["id"])) == {}
    [plan] = await plans(bot, couple)
    assert plan.status is PlanStatus.CANCELLED
    runner_clock = bot.clock
    assert runner_clock.now() < plan.date_at
    async with bot.store.read() as tx:
        stored = await tx.couples.by_guild(couple.guild.id)
        assert stored is not None
        due = await tx.due.of(stored.id)
    assert "date-remind" not in due and "date-reflect" not in due
    await bot.services.tick()
    assert len(plan_cards(fake, couple)) == 1


async def test_one_reminder_across_a_restart_then_the_reflection_revealed_once(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    bot = await runner.start()
    await set_up(fake, couple)
    await suggest(fake, couple)
    card = cards(fake, couple)[0]
    idea_title = title(card)
    await plan_from_card(fake, couple, couple.alex, card, "tomorrow 19:30")
    await fake.wait_until(lambda: len(plan_cards(fake, couple)) == 1)

    runner.clock.set(TUESDAY_MORNING - timedelta(minutes=1))
    await bot.services.tick()
    assert reminders(fake, couple) == []
    runner.clock.set(TUESDAY_MORNING + timedelta(minutes=1))
    await bot.services.tick()
    assert len(reminders(fake, couple)) == 1
    text = message_text(reminders(fake, couple)[0])
    assert "Alex and Sam, today is your date" in text and "19:30" in text
    assert idea_title in text and reminders(fake, couple)[0]["mentions"] == []

    bot = await runner.restart()
    runner.clock.set(TUESDAY_MORNING + timedelta(hours=3))
    await bot.services.tick()
    assert len(reminders(fake, couple)) == 1
    assert reflections(fake, couple) == []  # not before the morning after

    runner.clock.set(TUESDAY_MORNING + timedelta(days=1, minutes=1))
    await bot.services.tick()
    [reflection] = reflections(fake, couple)
    prompt = reflection["embeds"][0]["description"]
    assert prompt.startswith("What was your favourite moment of")
    assert idea_title.split(" ", 1)[1] in prompt
    assert set(buttons(reflection)) == {"Answer", "Not this one"}
    bot = await runner.restart()
    await bot.services.tick()
    assert len(reflections(fake, couple)) == 1

    first = await answer_on(
        fake, couple, couple.sam, reflections(fake, couple)[-1], "Your face when the rain started."
    )
    assert first.ephemeral and "private" in first.text
    assert revealed(fake, couple) == []
    [plan] = await plans(bot, couple)
    assert plan.status is PlanStatus.REFLECTING
    await answer_on(
        fake, couple, couple.alex, reflections(fake, couple)[-1], "Running for the tram together."
    )
    await fake.wait_until(lambda: len(revealed(fake, couple)) == 1)
    shown = message_text(revealed(fake, couple)[0])
    assert "Your face when the rain started." in shown and "Running for the tram" in shown
    await bot.services.tick()
    assert len(revealed(fake, couple)) == 1
    [plan] = await plans(bot, couple)
    assert plan.status is PlanStatus.DONE

    listing = await fake.slash(couple.sam, "date list", guild=couple.guild)
    await listing.wait_reply()
    assert listing.ephemeral and "Done together" in listing.text and idea_title in listing.text


async def test_a_reminder_already_past_when_planned_is_skipped(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    bot = await runner.start()
    await set_up(fake, couple)
    await suggest(fake, couple)
    # 07:00 in Berlin now; the date is at 08:30, so its reminder (06:30) has passed.
    await plan_from_card(fake, couple, couple.alex, cards(fake, couple)[0], "today 08:30")
    await fake.wait_until(lambda: len(plan_cards(fake, couple)) == 1)
    runner.clock.set(runner.clock.now() + timedelta(minutes=20))
    await bot.services.tick()
    assert reminders(fake, couple) == []
