"""Date nights: the weekly suggestion, your own ideas, privacy, and only the couple acts."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Any

from couplebot.domain.dates import PlanStatus
from couplebot.fake_discord import FakeDiscord, message_text

from .conftest import BotRunner, Couple, set_up
from .dates_helpers import cards, plan_cards, plan_from_card, press, suggest, title
from .interaction_helpers import buttons, privacy_export, slash

# Wednesday 3 June 2026, 18:00 in Berlin.
WEDNESDAY_EVENING = datetime(2026, 6, 3, 16, 0, tzinfo=UTC)


def weekly_cards(fake: FakeDiscord, couple: Couple) -> list[dict[str, Any]]:
    return [c for c in cards(fake, couple) if "weekly date-night idea" in message_text(c)]


async def test_the_weekly_suggestion_comes_once_on_its_day_and_stops_when_off(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    bot = await runner.start()
    await set_up(fake, couple)
    await bot.services.tick()
    runner.clock.set(WEDNESDAY_EVENING + timedelta(minutes=1))
    await bot.services.tick()
    assert weekly_cards(fake, couple) == []  # off by default

    runner.clock.set(datetime(2026, 6, 1, 5, 0, tzinfo=UTC))
    bad = await slash(fake, couple, couple.sam, "date weekly", day="wed")
    assert bad.ephemeral and "Give a day and a time" in bad.text
    bad = await slash(fake, couple, couple.sam, "date weekly", day="wed", time="25:99")
    assert bad.ephemeral
    on = await slash(fake, couple, couple.sam, "date weekly", day="wed", time="18:00")
    assert on.ephemeral and "every Wednesday at 18:00" in on.text

    runner.clock.set(WEDNESDAY_EVENING - timedelta(minutes=1))
    await bot.services.tick()
    assert weekly_cards(fake, couple) == []
    runner.clock.set(WEDNESDAY_EVENING + timedelta(minutes=1))
    await bot.services.tick()
    assert len(weekly_cards(fake, couple)) == 1
    assert set(buttons(weekly_cards(fake, couple)[0])) == {"Let's do this", "Another", "Save"}
    bot = await runner.restart()
    await bot.services.tick()
    assert len(weekly_cards(fake, couple)) == 1

    runner.clock.set(WEDNESDAY_EVENING + timedelta(days=7, minutes=1))
    await bot.services.tick()
    assert len(weekly_cards(fake, couple)) == 2

    off = await slash(fake, couple, couple.alex, "date weekly", off=True)
    assert "off" in off.text
    runner.clock.set(WEDNESDAY_EVENING + timedelta(days=14, minutes=1))
    await bot.services.tick()
    assert len(weekly_cards(fake, couple)) == 2


async def test_an_idea_of_your_own_joins_the_pool_encrypted(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    await runner.start()
    await set_up(fake, couple)
    added = await slash(
        fake,
        couple,
        couple.alex,
        "date add",
        title="Pancakes at the lighthouse cafe",
        setting="out",
        description="The place from our first summer.",
    )
    assert added.ephemeral and "Added" in added.text
    again = await slash(
        fake, couple, couple.sam, "date add", title="pancakes at the lighthouse cafe", setting="out"
    )
    assert "already" in again.text
    choices = await fake.autocomplete(
        couple.sam, "date plan", {"idea": "lighthouse"}, "idea", guild=couple.guild
    )
    assert [c["name"] for c in choices] == ["Pancakes at the lighthouse cafe"]
    seen = []
    await suggest(fake, couple, {"setting": "out"})
    for _ in range(40):
        seen.append(title(cards(fake, couple)[-1]))
        if seen[-1] == "Pancakes at the lighthouse cafe":
            break
        await press(fake, couple, couple.alex, cards(fake, couple)[-1], "Another")
    assert "Pancakes at the lighthouse cafe" in seen
    await runner.stop()
    raw = runner.stored_bytes()
    assert b"lighthouse" not in raw and b"first summer" not in raw


async def test_export_and_forget_cover_ideas_plans_and_saves(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    await runner.start()
    await set_up(fake, couple)
    await slash(
        fake, couple, couple.alex, "date add", title="Our bench by the canal", setting="outdoors"
    )
    await suggest(fake, couple)
    await press(fake, couple, couple.alex, cards(fake, couple)[0], "Save")
    await plan_from_card(fake, couple, couple.alex, cards(fake, couple)[0], "sat 19:30")
    mine = (await privacy_export(fake, couple, couple.alex))["your_dates"]
    assert [i["title"] for i in mine["ideas_you_added"]] == ["Our bench by the canal"]
    assert [p["when"] for p in mine["dates_you_planned"]] == ["Saturday 6 June 2026, 19:30"]
    assert mine["ideas_you_saved"] == [title(cards(fake, couple)[0])]
    theirs = (await privacy_export(fake, couple, couple.sam))["your_dates"]
    assert theirs == {"ideas_you_added": [], "dates_you_planned": [], "ideas_you_saved": []}

    ask = await fake.slash(couple.alex, "privacy forget", guild=couple.guild)
    await ask.wait_response()
    assert ask.message is not None
    confirm = await fake.click(
        couple.alex, ask.message, buttons(ask.message)["Delete my data"], guild=couple.guild
    )
    await confirm.wait_response()
    mine = (await privacy_export(fake, couple, couple.alex))["your_dates"]
    assert mine == {"ideas_you_added": [], "dates_you_planned": [], "ideas_you_saved": []}
    await runner.stop()
    with sqlite3.connect(runner.database) as raw:
        counts = [
            raw.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in ("own_ideas", "date_plans", "saved_ideas")
        ]
        named = raw.execute(
            "SELECT COUNT(*) FROM idea_cards "
            "WHERE ? IN (asked_by, picked_by, saved_by, skipped_by)",
            (couple.alex.id,),
        ).fetchone()[0]
    assert counts == [0, 0, 0] and named == 0


async def test_a_third_member_is_refused_on_every_button_and_command(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    bot = await runner.start()
    await set_up(fake, couple)
    await suggest(fake, couple)
    card = cards(fake, couple)[0]
    await plan_from_card(fake, couple, couple.alex, card, "sat 19:30")
    await fake.wait_until(lambda: len(plan_cards(fake, couple)) == 1)
    await suggest(fake, couple)
    open_card = cards(fake, couple)[-1]
    guest = couple.guest
    for message, label in [
        (open_card, "Let's do this"),
        (open_card, "Another"),
        (open_card, "Save"),
        (plan_cards(fake, couple)[0], "Sounds good"),
        (plan_cards(fake, couple)[0], "Another time"),
        (plan_cards(fake, couple)[0], "Cancel"),
    ]:
        click = await press(fake, couple, guest, message, label)
        await click.wait_reply()
        assert click.modal is None and click.ephemeral and "just for them" in click.text, label
    for name, options in [
        ("date idea", {}),
        ("activity", {}),
        ("date plan", {"idea": card["embeds"][0]["title"], "when": "sat 20:00"}),
        ("date list", {}),
        ("date add", {"title": "Not mine to add", "setting": "home"}),
        ("date weekly", {"day": "mon", "time": "18:00"}),
    ]:
        reply = await slash(fake, couple, guest, name, **options)
        assert reply.ephemeral and "just for them" in reply.text, name
    assert (
        await fake.autocomplete(guest, "date plan", {"idea": ""}, "idea", guild=couple.guild) == []
    )
    assert len(cards(fake, couple)) == 2 and len(plan_cards(fake, couple)) == 1
    assert buttons(fake.message(open_card["id"])) == buttons(open_card)
    # A forged when-form from the guest changes nothing either.
    click = await press(fake, couple, couple.sam, open_card, "Let's do this")
    forged = await fake.submit_modal(guest, click, {"when": "sun 19:00"}, guild=couple.guild)
    await forged.wait_reply()
    assert "just for them" in forged.text
    async with bot.store.read() as tx:
        stored = await tx.couples.by_guild(couple.guild.id)
        assert stored is not None
        assert len(await tx.dates.plans(stored.id, list(PlanStatus))) == 1
