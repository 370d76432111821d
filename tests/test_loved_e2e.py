"""/loved end to end: the private list (add, edit, remove, limits), the weekly gentle
idea to the other partner only, share:false, who may press what, bad input, privacy."""

from __future__ import annotations

import asyncio
import copy
import json
from datetime import UTC, datetime

from couplebot.fake_discord import FakeDiscord, FakeInteraction, FakeUser, message_text

from .conftest import BotRunner, Couple, set_up
from .interaction_helpers import (
    buttons,
    forged_press,
    forged_submit,
    press,
    privacy_export,
    text_form,
)

LOVED_LINE = "Alex once said this makes them feel loved:"
# The fixture clock starts Monday 2026-06-01 05:00 UTC (07:00 in Berlin).
MONDAY = datetime(2026, 6, 1, tzinfo=UTC)


async def show_list(fake: FakeDiscord, couple: Couple, user: FakeUser) -> FakeInteraction:
    command = await fake.slash(user, "loved", guild=couple.guild)
    await command.wait_response()
    return command


async def add_item(fake: FakeDiscord, couple: Couple, user: FakeUser, text: str) -> FakeInteraction:
    shown = await show_list(fake, couple, user)
    assert shown.message is not None
    click = await press(fake, couple, user, shown.message, "Add")
    if click.modal is None:
        return click
    submit = await fake.submit_modal(user, click, {"item": text}, guild=couple.guild)
    await submit.wait_reply()
    return submit


async def ideas_after_an_interaction(
    fake: FakeDiscord, couple: Couple, user: FakeUser
) -> list[str]:
    """The user does something (opens /loved); what rides along as a loved idea."""
    command = await show_list(fake, couple, user)
    await asyncio.sleep(0.3)  # the idea follows the reply, if one waits
    return [message_text(m) for m in command.followups if "feel loved" in message_text(m)]


async def a_quiet_one_oclock(runner: BotRunner, day: int) -> None:
    """June `day`: the morning question goes out at 08:01 Berlin, then 13:00 comes quietly."""
    assert runner.bot is not None
    runner.clock.set(MONDAY.replace(day=day, hour=6, minute=1))
    await runner.bot.services.tick()
    runner.clock.set(MONDAY.replace(day=day, hour=11, minute=0))
    await runner.bot.services.tick()


async def test_add_edit_remove_and_limits(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    await runner.start()
    await set_up(fake, couple)
    empty = await show_list(fake, couple, couple.alex)
    assert empty.ephemeral and "Nothing here yet" in empty.text

    added = await add_item(fake, couple, couple.alex, "Tea  made without asking")
    assert added.ephemeral and "1. Tea made without asking" in added.text
    assert "Sam may get one of these privately" in added.text

    message = added.latest_reply
    assert message is not None
    edit = await press(fake, couple, couple.alex, message, "Edit 1")
    assert edit.modal is not None and "Tea made without asking" in json.dumps(edit.modal)
    changed = await fake.submit_modal(
        couple.alex, edit, {"item": "A cup of tea I didn't ask for"}, guild=couple.guild
    )
    await changed.wait_reply()
    assert "1. A cup of tea I didn't ask for" in changed.text and "Tea made" not in changed.text

    for n in range(2, 11):
        result = await add_item(fake, couple, couple.alex, f"Small thing number {n}")
        assert f"{n}. Small thing number {n}" in result.text
    full = await add_item(fake, couple, couple.alex, "One too many")
    assert full.modal is None and full.ephemeral and "holds up to 10 things" in full.text

    shown = (await show_list(fake, couple, couple.alex)).message
    assert shown is not None
    listed = copy.deepcopy(shown)  # as it was before the removal below
    removed = await press(fake, couple, couple.alex, listed, "Remove 1")
    assert "Removed." in removed.text and "cup of tea" not in removed.text
    assert "1. Small thing number 2" in removed.text
    # A button from before the change names an item that moved: refused, nothing changes.
    stale = await forged_press(fake, couple, couple.alex, listed, buttons(listed)["Remove 3"])
    assert "changed since you opened it" in stale.text
    assert "9. Small thing number 10" in (await show_list(fake, couple, couple.alex)).text

    repeat = await add_item(fake, couple, couple.alex, "small thing NUMBER 2")
    assert "already on your list" in repeat.text


async def test_bad_input_is_explained_and_nothing_is_stored(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    await runner.start()
    await set_up(fake, couple)
    blank = await add_item(fake, couple, couple.alex, "   ")
    assert blank.ephemeral and "Write a few words" in blank.text
    long = await forged_submit(
        fake, couple, couple.alex, text_form("cb:lovedm:add", item="x" * 101)
    )
    assert long.ephemeral and "up to 100 characters, and this is 101" in long.text
    assert "Nothing here yet" in (await show_list(fake, couple, couple.alex)).text


async def test_a_third_member_is_refused_everywhere(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    await runner.start()
    await set_up(fake, couple)
    mine = await add_item(fake, couple, couple.alex, "Being asked about my day")
    for options in ({}, {"share": False}, {"dm": True}):
        command = await fake.slash(couple.guest, "loved", options, guild=couple.guild)
        await command.wait_response()
        assert command.ephemeral and "just for them" in command.text
        assert "Being asked" not in command.text
    message = mine.latest_reply
    assert message is not None
    for label in ("Add", "Edit 1", "Remove 1"):
        click = await press(fake, couple, couple.guest, message, label)
        assert click.modal is None and "just for them" in click.text
    submit = await forged_submit(
        fake, couple, couple.guest, text_form("cb:lovedm:add", item="Mine now")
    )
    assert "just for them" in submit.text
    assert "1. Being asked about my day" in (await show_list(fake, couple, couple.alex)).text
    assert "Nothing here yet" in (await show_list(fake, couple, couple.sam)).text


async def test_the_weekly_idea_goes_to_the_other_partner_once_a_week(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    bot = await runner.start()
    await set_up(fake, couple)
    await add_item(fake, couple, couple.alex, "Being asked about my day")
    await add_item(fake, couple, couple.alex, "A hand on my back in a crowd")
    runner.clock.set(MONDAY.replace(hour=6, minute=1))  # 08:01 Berlin: the question goes out
    await bot.services.tick()
    assert await ideas_after_an_interaction(fake, couple, couple.sam) == []  # not before 13:00

    runner.clock.set(MONDAY.replace(hour=11, minute=0))  # 13:00 Berlin, a quiet moment
    await bot.services.tick()
    assert await ideas_after_an_interaction(fake, couple, couple.alex) == []  # never the author
    first = await ideas_after_an_interaction(fake, couple, couple.sam)
    assert len(first) == 1 and first[0].startswith(LOVED_LINE)
    item = first[0].removeprefix(LOVED_LINE).split("\n")[0].strip()
    assert item in {"Being asked about my day", "A hand on my back in a crowd"}
    assert not any(
        "feel loved" in message_text(m) for m in fake.channel_messages(couple.guild.channel_id)
    )
    assert fake.dm_messages(couple.sam.id) == []
    assert await ideas_after_an_interaction(fake, couple, couple.sam) == []  # shown once

    for day, restart in ((2, False), (3, True), (7, False)):  # Tue, Wed after a restart, Sun
        if restart:
            bot = await runner.restart()
        await a_quiet_one_oclock(runner, day)
        assert await ideas_after_an_interaction(fake, couple, couple.sam) == []

    await a_quiet_one_oclock(runner, 8)  # the next Monday
    second = await ideas_after_an_interaction(fake, couple, couple.sam)
    assert len(second) == 1 and item not in second[0]  # the other item: rotation

    stop = await fake.slash(couple.alex, "loved", {"share": False}, guild=couple.guild)
    await stop.wait_response()
    assert "is not offered any of it" in stop.text
    for day in (15, 16, 22):
        await a_quiet_one_oclock(runner, day)
        assert await ideas_after_an_interaction(fake, couple, couple.sam) == []


async def test_a_busy_day_waits_and_dm_only_with_consent(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    bot = await runner.start()
    await set_up(fake, couple)
    await add_item(fake, couple, couple.alex, "Being asked about my day")
    consent = await fake.slash(couple.sam, "loved", {"dm": True}, guild=couple.guild)
    await consent.wait_response()
    assert "come to you by private message" in consent.text
    # 13:00 Berlin, but the question was only just recorded: not a quiet moment.
    runner.clock.set(MONDAY.replace(hour=11, minute=0))
    await bot.services.tick()
    assert fake.dm_messages(couple.sam.id) == []
    await a_quiet_one_oclock(runner, 2)  # Tuesday is quiet
    await fake.wait_until(lambda: len(fake.dm_messages(couple.sam.id)) == 1)
    assert LOVED_LINE in message_text(fake.dm_messages(couple.sam.id)[0])
    assert await ideas_after_an_interaction(fake, couple, couple.sam) == []  # not twice
    await a_quiet_one_oclock(runner, 3)
    assert len(fake.dm_messages(couple.sam.id)) == 1


async def test_encrypted_at_rest_exported_and_forgotten(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    await runner.start()
    await set_up(fake, couple)
    await add_item(fake, couple, couple.alex, "Being asked about my day")
    await runner.stop()
    raw = runner.stored_bytes()
    assert b"asked about my day" not in raw

    await runner.start()
    document = await privacy_export(fake, couple, couple.alex)
    assert document["your_loved_list"]["items"] == ["Being asked about my day"]
    assert document["your_loved_list"]["offered_to_partner_as_ideas"] is True
    partner = await fake.slash(couple.sam, "privacy export", guild=couple.guild)
    await partner.wait_response()
    assert "asked about my day" not in fake.attachments(partner.latest_reply or {})[0][1].decode()

    ask = await fake.slash(couple.alex, "privacy forget", guild=couple.guild)
    await ask.wait_response()
    assert ask.message is not None
    await press(fake, couple, couple.alex, ask.message, "Delete my data")
    document = await privacy_export(fake, couple, couple.alex)
    assert document["your_loved_list"]["items"] == []
    assert "Nothing here yet" in (await show_list(fake, couple, couple.alex)).text
