"""/reachout end to end: openers, the private preview, Send / Edit / Cancel, the partner's
two buttons, who may press what, bad input, encryption, export and forget."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from datetime import timedelta
from typing import Any

from couplebot.bot import CoupleBot
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

NOTE = "I miss you. Could we have dinner together on Friday, just us?"


def notes(fake: FakeDiscord, couple: Couple) -> list[dict[str, Any]]:
    return [
        m
        for m in fake.channel_messages(couple.guild.channel_id)
        if "A note from" in message_text(m)
    ]


def channel_with(fake: FakeDiscord, couple: Couple, text: str) -> list[dict[str, Any]]:
    return [m for m in fake.channel_messages(couple.guild.channel_id) if text in message_text(m)]


async def open_reachout(fake: FakeDiscord, couple: Couple, user: FakeUser) -> FakeInteraction:
    command = await fake.slash(user, "reachout", guild=couple.guild)
    await command.wait_response()
    return command


async def preview_of(
    fake: FakeDiscord, couple: Couple, text: str = NOTE, where: str | None = None
) -> dict[str, Any]:
    """Alex picks the first opener, writes `text` and gets the private preview."""
    command = await open_reachout(fake, couple, couple.alex)
    assert command.ephemeral and command.message is not None
    labels = [label for label in buttons(command.message) if label != "Write my own"]
    pick = await press(fake, couple, couple.alex, command.message, labels[0])
    assert pick.modal is not None
    values = {"note": text} if where is None else {"note": text, "where": where}
    submit = await fake.submit_modal(couple.alex, pick, values, guild=couple.guild)
    await submit.wait_reply()
    assert submit.ephemeral and set(buttons(submit.latest_reply or {})) == {
        "Send",
        "Edit",
        "Cancel",
    }, submit.text
    return fake.message(command.message["id"])


def row_count(runner: BotRunner, table: str) -> int:
    with sqlite3.connect(runner.database) as raw:
        return int(raw.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


async def test_three_openers_each_open_a_prefilled_form(
    fake: FakeDiscord, couple: Couple, bot: CoupleBot
) -> None:
    await set_up(fake, couple)
    command = await open_reachout(fake, couple, couple.alex)
    assert command.ephemeral and "nothing is sent until you press **Send**" in command.text
    assert command.message is not None
    offered = [label for label in buttons(command.message) if label != "Write my own"]
    known = {opener.text for opener in bot.services.content.openers}
    assert len(offered) == 3 and set(offered) <= known
    tags = {o.tag for o in bot.services.content.openers if o.text in offered}
    assert len(tags) == 3  # three different ways to start
    pick = await press(fake, couple, couple.alex, command.message, offered[1])
    assert pick.modal is not None and offered[1] in json.dumps(pick.modal)
    assert notes(fake, couple) == []


async def test_send_delivers_exactly_one_note_pinging_only_the_partner(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    bot = await runner.start()
    await set_up(fake, couple)
    preview = await preview_of(fake, couple)
    assert NOTE in message_text(preview)
    assert notes(fake, couple) == [] and fake.dm_messages(couple.sam.id) == []
    assert row_count(runner, "reachouts") == 0  # nothing stored before "Send"

    sent = await press(fake, couple, couple.alex, preview, "Send")
    assert "Sent to Sam" in sent.text and buttons(sent.latest_reply or {}) == {}
    await fake.wait_until(lambda: len(notes(fake, couple)) == 1)
    note = notes(fake, couple)[0]
    assert NOTE in message_text(note) and "A note from Alex" in message_text(note)
    assert [m["id"] for m in note["mentions"]] == [str(couple.sam.id)]
    body = next(
        r.json
        for r in fake.requests
        if r.method == "POST" and isinstance(r.json, dict) and "A note from" in json.dumps(r.json)
    )
    assert body["allowed_mentions"]["users"] in ([str(couple.sam.id)], [couple.sam.id])
    assert not body["allowed_mentions"].get("parse")
    assert set(buttons(note)) == {"Thank you for telling me", "Let's talk tonight"}

    # Pressing Send again on the same preview (a double click) sends nothing more.
    again = await forged_press(fake, couple, couple.alex, preview, buttons(preview)["Send"])
    assert "already sent" in again.text
    await bot.services.tick()
    await asyncio.sleep(0.1)
    assert len(notes(fake, couple)) == 1

    async with bot.store.read() as tx:
        stored = await tx.couples.by_guild(couple.guild.id)
        assert stored is not None
        bids = await tx.reachouts.reachouts(stored.id, runner.clock.now() - timedelta(hours=1))
        later = await tx.reachouts.reachouts(stored.id, runner.clock.now() + timedelta(hours=1))
    assert [user for user, _ in bids] == [couple.alex.id] and later == []


async def test_cancel_delivers_nothing_and_keeps_nothing(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    bot = await runner.start()
    await set_up(fake, couple)
    preview = await preview_of(fake, couple)
    cancel = await press(fake, couple, couple.alex, preview, "Cancel")
    assert "Nothing was sent" in cancel.text and buttons(cancel.latest_reply or {}) == {}
    assert NOTE not in cancel.text
    await bot.services.tick()
    await asyncio.sleep(0.1)
    assert notes(fake, couple) == [] and fake.dm_messages(couple.sam.id) == []
    assert row_count(runner, "reachouts") == 0


async def test_edit_reopens_the_form_with_the_text(
    fake: FakeDiscord, couple: Couple, bot: CoupleBot
) -> None:
    await set_up(fake, couple)
    preview = await preview_of(fake, couple)
    edit = await press(fake, couple, couple.alex, preview, "Edit")
    assert edit.modal is not None and NOTE in json.dumps(edit.modal)
    rewritten = "I miss you, love. Dinner on Friday? I'll cook."
    submit = await fake.submit_modal(couple.alex, edit, {"note": rewritten}, guild=couple.guild)
    await submit.wait_reply()
    preview = fake.message(preview["id"])
    assert rewritten in message_text(preview) and NOTE not in message_text(preview)
    assert notes(fake, couple) == []
    await press(fake, couple, couple.alex, preview, "Send")
    await fake.wait_until(lambda: len(notes(fake, couple)) == 1)
    assert rewritten in message_text(notes(fake, couple)[0])


async def test_a_note_can_go_as_a_private_message(
    fake: FakeDiscord, couple: Couple, bot: CoupleBot
) -> None:
    await set_up(fake, couple)
    preview = await preview_of(fake, couple, where="dm")
    assert "private message to Sam" in message_text(preview)
    await press(fake, couple, couple.alex, preview, "Send")
    await fake.wait_until(lambda: len(fake.dm_messages(couple.sam.id)) == 1)
    dm = fake.dm_messages(couple.sam.id)[0]
    assert NOTE in message_text(dm) and notes(fake, couple) == []
    thanks = await press(fake, couple, couple.sam, dm, "Thank you for telling me")
    assert "Sent to Alex" in thanks.text
    await fake.wait_until(lambda: len(fake.dm_messages(couple.alex.id)) == 1)
    assert "thank you for telling me" in message_text(fake.dm_messages(couple.alex.id)[0])
    assert channel_with(fake, couple, "read your note") == []


async def test_the_partners_two_buttons(fake: FakeDiscord, couple: Couple, bot: CoupleBot) -> None:
    await set_up(fake, couple)
    await press(fake, couple, couple.alex, await preview_of(fake, couple), "Send")
    await fake.wait_until(lambda: len(notes(fake, couple)) == 1)
    note = notes(fake, couple)[0]

    for stranger, expected in ((couple.alex, "for your partner"), (couple.guest, "just for them")):
        for label in ("Thank you for telling me", "Let's talk tonight"):
            refused = await press(fake, couple, stranger, note, label)
            assert refused.ephemeral and expected in refused.text
    assert channel_with(fake, couple, "read your note") == []

    thanks = await press(fake, couple, couple.sam, note, "Thank you for telling me")
    assert thanks.ephemeral and "Sent to Alex" in thanks.text
    await fake.wait_until(lambda: len(channel_with(fake, couple, "read your note")) == 1)
    ack = channel_with(fake, couple, "read your note")[0]
    assert "Sam read your note and wants you to know: thank you for telling me." in ack["content"]
    assert [m["id"] for m in ack["mentions"]] == [str(couple.alex.id)]

    again = await press(fake, couple, couple.sam, note, "Thank you for telling me")
    assert "already" in again.text
    talk = await press(fake, couple, couple.sam, note, "Let's talk tonight")
    assert "Sent to Alex" in talk.text
    await fake.wait_until(lambda: len(channel_with(fake, couple, "read your note")) == 2)
    assert channel_with(fake, couple, "would like to talk tonight")
    await bot.services.tick()
    await asyncio.sleep(0.1)
    assert len(channel_with(fake, couple, "read your note")) == 2


async def test_a_third_member_is_refused_everywhere(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    await runner.start()
    await set_up(fake, couple)
    command = await open_reachout(fake, couple, couple.guest)
    assert command.ephemeral and "just for them" in command.text
    assert buttons(command.latest_reply or {}) == {}

    mine = await open_reachout(fake, couple, couple.alex)
    assert mine.message is not None
    opener = next(iter(buttons(mine.message).values()))
    pick = await fake.click(couple.guest, mine.message, opener, guild=couple.guild)
    await pick.wait_response()
    assert pick.modal is None and "just for them" in pick.text

    preview = await preview_of(fake, couple)
    for label in ("Send", "Edit", "Cancel"):
        refused = await press(fake, couple, couple.guest, preview, label)
        assert refused.modal is None and "just for them" in refused.text
    submit = await forged_submit(
        fake, couple, couple.guest, text_form("cb:ro-draft", note="Let me in."), preview
    )
    assert "just for them" in submit.text
    await asyncio.sleep(0.1)
    assert notes(fake, couple) == [] and row_count(runner, "reachouts") == 0
    assert set(buttons(fake.message(preview["id"]))) == {"Send", "Edit", "Cancel"}


async def test_bad_input_is_explained_and_nothing_is_kept(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    await runner.start()
    await set_up(fake, couple)
    command = await open_reachout(fake, couple, couple.alex)
    assert command.message is not None
    pick = await press(fake, couple, couple.alex, command.message, "Write my own")
    assert pick.modal is not None
    empty = await fake.submit_modal(couple.alex, pick, {"note": "   \n  "}, guild=couple.guild)
    await empty.wait_reply()
    assert empty.ephemeral and "Write a few words first" in empty.text

    too_long = await forged_submit(
        fake, couple, couple.alex, text_form("cb:ro-draft", note="x" * 1001)
    )
    assert too_long.ephemeral
    assert "up to 1000 characters, and this is 1001" in too_long.text

    # A preview whose text was blanked (or forged) is refused at "Send" too.
    preview = await preview_of(fake, couple)
    forged = {**preview, "embeds": [{**preview["embeds"][0], "description": " "}]}
    send = await forged_press(fake, couple, couple.alex, forged, buttons(preview)["Send"])
    assert "Write a few words first" in send.text
    await asyncio.sleep(0.1)
    assert notes(fake, couple) == [] and row_count(runner, "reachouts") == 0


async def test_encrypted_at_rest_exported_and_forgotten(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    await runner.start()
    await set_up(fake, couple)
    await press(fake, couple, couple.alex, await preview_of(fake, couple), "Send")
    await fake.wait_until(lambda: len(notes(fake, couple)) == 1)

    document = await privacy_export(fake, couple, couple.alex)
    assert [n["text"] for n in document["your_reach_outs"]] == [NOTE]
    assert document["your_reach_outs"][0]["sent_as"] == "in your channel"
    partner = await fake.slash(couple.sam, "privacy export", guild=couple.guild)
    await partner.wait_response()
    assert NOTE not in fake.attachments(partner.latest_reply or {})[0][1].decode()

    await runner.stop()
    raw = runner.stored_bytes()
    assert b"dinner together" not in raw

    await runner.start()
    ask = await fake.slash(couple.alex, "privacy forget", guild=couple.guild)
    await ask.wait_response()
    assert ask.message is not None
    confirm = await press(fake, couple, couple.alex, ask.message, "Delete my data")
    assert "deleted" in confirm.text
    assert (await privacy_export(fake, couple, couple.alex))["your_reach_outs"] == []
    assert row_count(runner, "reachouts") == 0
