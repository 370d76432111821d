"""/appreciate, /bid and /long-distance end to end, and privacy for every check-in table."""

from __future__ import annotations

import json
from typing import Any

from couplebot.fake_discord import FakeDiscord, message_text

from .conftest import BotRunner, Couple, set_up
from .interaction_helpers import buttons, press, privacy_export
from .test_checkin_e2e import check_in, stored

THANKS = "Thank you for fixing my bike without being asked."


def notes(fake: FakeDiscord, couple: Couple) -> list[dict[str, Any]]:
    return [
        m
        for m in fake.channel_messages(couple.guild.channel_id)
        if "A note from" in message_text(m)
    ]


async def test_appreciate_pings_only_the_partner(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    await runner.start()
    await set_up(fake, couple)
    sent = await fake.slash(couple.alex, "appreciate", {"text": THANKS}, guild=couple.guild)
    await sent.wait_reply()
    assert sent.ephemeral and "Sent" in sent.text
    await fake.wait_until(lambda: len(notes(fake, couple)) == 1)
    note = notes(fake, couple)[0]
    assert THANKS in message_text(note) and "A note from Alex" in message_text(note)
    assert [u["id"] for u in note["mentions"]] == [str(couple.sam.id)]
    posted = [
        r
        for r in fake.requests
        if r.method == "POST"
        and r.path.endswith("/messages")
        and "A note from" in json.dumps(r.json)
    ]
    assert len(posted) == 1
    mentions = posted[0].json["allowed_mentions"]
    assert [str(u) for u in mentions["users"]] == [str(couple.sam.id)]
    assert mentions["parse"] == []  # no @everyone, no roles, nobody else
    assert THANKS.encode() not in runner.database.read_bytes()
    assert await stored(runner, "SELECT source FROM bids_made") == [("appreciation",)]

    too_long = await fake.slash(couple.alex, "appreciate", {"text": "x" * 500}, guild=couple.guild)
    await too_long.wait_reply()
    assert await stored(runner, "SELECT COUNT(*) FROM appreciations") == [(2,)]
    blank = await fake.slash(couple.alex, "appreciate", {"text": "   "}, guild=couple.guild)
    await blank.wait_reply()
    assert blank.ephemeral and "a few words" in blank.text
    assert await stored(runner, "SELECT COUNT(*) FROM appreciations") == [(2,)]


async def test_bid_never_repeats_until_the_pool_runs_out(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    bot = await runner.start()
    await set_up(fake, couple)
    together = [b for b in bot.services.content.bids if "together" in b.settings]
    first = await fake.slash(couple.alex, "bid", guild=couple.guild)
    await first.wait_reply()
    assert first.ephemeral and first.latest_reply is not None
    message = first.latest_reply
    seen = [message["embeds"][0]["description"]]
    for _ in range(len(together) - 1):
        click = await press(fake, couple, couple.alex, message, "Another")
        await fake.wait_until(lambda c=click: c.latest_reply is not None)
        message = fake.message(message["id"])
        seen.append(message["embeds"][0]["description"])
    assert len(seen) == len(set(seen)) == len(together)
    assert set(seen) == {b.text for b in together}
    # The pool ran out: a new cycle starts, never with the bid on screen.
    click = await press(fake, couple, couple.alex, message, "Another")
    message = fake.message(message["id"])
    assert message["embeds"][0]["description"] != seen[-1]

    before = len(fake.channel_messages(couple.guild.channel_id))
    await press(fake, couple, couple.alex, message, "I'll do this")
    assert "Lovely" in message_text(fake.message(message["id"]))
    assert await stored(runner, "SELECT source FROM bids_made") == [("bid",)]
    await bot.services.tick()
    assert len(fake.channel_messages(couple.guild.channel_id)) == before  # nothing to Sam


async def test_long_distance_couples_get_bids_that_work_apart(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    bot = await runner.start()
    await set_up(fake, couple)
    apart = {b.text for b in bot.services.content.bids if "apart" in b.settings}
    marked = await fake.slash(couple.alex, "long-distance", {"on": True}, guild=couple.guild)
    await marked.wait_reply()
    settings = await fake.slash(couple.sam, "settings", guild=couple.guild)
    await settings.wait_reply()
    assert "Long distance: yes" in settings.text
    assert "Weekly check-in: Sundays at 18:00" in settings.text
    for _ in range(5):
        bid = await fake.slash(couple.alex, "bid", guild=couple.guild)
        await bid.wait_reply()
        assert bid.latest_reply is not None
        assert bid.latest_reply["embeds"][0]["description"] in apart


async def test_export_includes_and_forget_removes_check_in_data(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    await runner.start()
    await set_up(fake, couple)
    await check_in(fake, couple, couple.alex, mood=2, closeness=3, need="Some quiet tonight.")
    await check_in(fake, couple, couple.sam, mood=4, closeness=4, need="Sam's own need.")
    sent = await fake.slash(couple.alex, "appreciate", {"text": THANKS}, guild=couple.guild)
    await sent.wait_reply()
    bid = await fake.slash(couple.alex, "bid", guild=couple.guild)
    await bid.wait_reply()

    document = await privacy_export(fake, couple, couple.alex)
    assert document["your_check_ins"][0]["need"] == "Some quiet tonight."  # type: ignore[index]
    assert document["your_appreciations"][0]["text"] == THANKS  # type: ignore[index]
    assert len(document["your_bids"]) == 1  # type: ignore[arg-type]
    assert "Sam's own need." not in json.dumps(document)

    ask = await fake.slash(couple.alex, "privacy forget", guild=couple.guild)
    await ask.wait_response()
    assert ask.message is not None
    confirm = await fake.click(
        couple.alex, ask.message, buttons(ask.message)["Delete my data"], guild=couple.guild
    )
    await confirm.wait_reply()
    rows = await stored(
        runner,
        "SELECT (SELECT COUNT(*) FROM checkins), (SELECT COUNT(*) FROM appreciations), "
        "(SELECT COUNT(*) FROM bids_made), (SELECT COUNT(*) FROM bid_offers)",
    )
    assert rows == [(1, 0, 0, 0)]  # only Sam's check-in stays
    document = await privacy_export(fake, couple, couple.alex)
    assert document["your_check_ins"] == document["your_appreciations"] == []
