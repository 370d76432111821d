"""/checkin, /appreciate and /bid end to end against the fake Discord."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from typing import Any

from couplebot.bot import CoupleBot
from couplebot.fake_discord import FakeDiscord, FakeUser, message_text

from .conftest import BotRunner, Couple, set_up
from .interaction_helpers import buttons

NEED = "A long hug tonight, please, and ten quiet minutes."


def everything_seen(fake: FakeDiscord, couple: Couple, user: FakeUser) -> str:
    """Every message the user could see: the channel and their DMs."""
    messages = fake.channel_messages(couple.guild.channel_id) + fake.dm_messages(user.id)
    return "\n".join(message_text(m) for m in messages)


def reveals(fake: FakeDiscord, couple: Couple) -> list[dict[str, Any]]:
    return [
        m
        for m in fake.channel_messages(couple.guild.channel_id)
        if "You've both checked in" in message_text(m)
    ]


async def check_in(fake: FakeDiscord, couple: Couple, user: FakeUser, **options: Any) -> Any:
    interaction = await fake.slash(user, "checkin", options, guild=couple.guild)
    await interaction.wait_reply()
    assert interaction.ephemeral
    return interaction


async def stored(runner: BotRunner, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(runner.database)
    try:
        return list(conn.execute(sql))
    finally:
        conn.close()


async def test_private_check_in_is_never_shown_to_the_partner(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    bot = await runner.start()
    await set_up(fake, couple)
    before = len(fake.channel_messages(couple.guild.channel_id))
    reply = await check_in(fake, couple, couple.alex, mood=2, closeness=1, need=NEED)
    assert "just for you" in reply.text
    # Sam shares one: a private check-in is never paired or revealed.
    await check_in(fake, couple, couple.sam, mood=4, closeness=4, share=True)
    await bot.services.tick()
    assert len(fake.channel_messages(couple.guild.channel_id)) == before
    seen = everything_seen(fake, couple, couple.sam)
    assert "hug" not in seen and "heavy" not in seen and "far apart" not in seen
    # The need is encrypted at rest.
    assert b"hug tonight" not in runner.database.read_bytes()
    rows = await stored(runner, "SELECT mood, closeness, shared FROM checkins ORDER BY id")
    assert rows == [(2, 1, 0), (4, 4, 1)]


async def test_shared_check_ins_are_revealed_once_side_by_side_after_the_second(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    bot = await runner.start()
    await set_up(fake, couple)
    before = len(fake.channel_messages(couple.guild.channel_id))
    first = await check_in(fake, couple, couple.alex, mood=4, closeness=5, need=NEED, share=True)
    assert "sees nothing yet" in first.text
    await bot.services.tick()
    # A waiting shared check-in shows the partner nothing at all.
    assert len(fake.channel_messages(couple.guild.channel_id)) == before
    assert "hug" not in everything_seen(fake, couple, couple.sam)

    runner.clock.advance(timedelta(hours=20))
    second = await check_in(fake, couple, couple.sam, mood=3, closeness=2, share=True)
    assert "side by side" in second.text
    await fake.wait_until(lambda: len(reveals(fake, couple)) == 1)
    reveal = reveals(fake, couple)[0]
    fields = {f["name"]: f["value"] for f in reveal["embeds"][0]["fields"]}
    assert set(fields) == {"Alex", "Sam"}
    assert all(f.get("inline") for f in reveal["embeds"][0]["fields"])
    assert "5 · very close" in fields["Alex"] and NEED in fields["Alex"]
    assert "2 · a little distant" in fields["Sam"]
    assert reveal["mentions"] == []

    # Reveal once: ticks, a restart and a later lone check-in add nothing.
    await bot.services.tick()
    bot = await runner.restart()
    await bot.services.tick()
    await check_in(fake, couple, couple.alex, mood=5, closeness=5, share=True)
    await bot.services.tick()
    assert len(reveals(fake, couple)) == 1


async def test_shared_check_ins_more_than_a_day_apart_wait(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    bot = await runner.start()
    await set_up(fake, couple)
    await check_in(fake, couple, couple.alex, mood=4, closeness=4, share=True)
    runner.clock.advance(timedelta(hours=25))
    waiting = await check_in(fake, couple, couple.sam, mood=3, closeness=3, share=True)
    assert "sees nothing yet" in waiting.text
    await bot.services.tick()
    assert reveals(fake, couple) == []
    # Alex's latest one pairs with Sam's, which is still within the day.
    await check_in(fake, couple, couple.alex, mood=5, closeness=5, share=True)
    await fake.wait_until(lambda: len(reveals(fake, couple)) == 1)
    assert "5 · bright" in message_text(reveals(fake, couple)[0])


async def test_let_them_know_posts_one_gentle_line_without_content(
    fake: FakeDiscord, couple: Couple, bot: CoupleBot
) -> None:
    await set_up(fake, couple)
    first = await check_in(fake, couple, couple.alex, mood=1, closeness=2, need=NEED, share=True)
    assert first.latest_reply is not None
    custom_id = buttons(first.latest_reply)["Let them know"]

    outsider = await fake.click(couple.guest, first.latest_reply, custom_id, guild=couple.guild)
    await outsider.wait_reply()
    assert outsider.ephemeral and "just for them" in outsider.text
    partner = await fake.click(couple.sam, first.latest_reply, custom_id, guild=couple.guild)
    await partner.wait_reply()
    assert partner.ephemeral and "not here" in partner.text

    click = await fake.click(couple.alex, first.latest_reply, custom_id, guild=couple.guild)
    await click.wait_reply()
    assert click.ephemeral and "let them know" in click.text
    lines = lambda: [  # noqa: E731
        m
        for m in fake.channel_messages(couple.guild.channel_id)
        if "shared a check-in with you" in message_text(m)
    ]
    await fake.wait_until(lambda: len(lines()) == 1)
    text = message_text(lines()[0])
    assert "Alex shared a check-in" in text
    assert "hug" not in text and "heavy" not in text and "1" not in text.split("-#")[0]
    assert lines()[0]["mentions"] == []
    again = await fake.click(couple.alex, first.latest_reply, custom_id, guild=couple.guild)
    await again.wait_reply()
    assert "already" in again.text
    assert len(lines()) == 1


async def test_the_modal_path_records_a_check_in(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    await runner.start()
    await set_up(fake, couple)
    opened = await fake.slash(couple.alex, "checkin", {"share": True}, guild=couple.guild)
    await opened.wait_response()
    modal = opened.modal
    assert modal is not None
    assert '"type": 3' in json.dumps(modal) and "far apart" in json.dumps(modal)
    submit = await fake.submit_modal(
        couple.alex,
        opened,
        {"mood": "3", "closeness": "4", "need": "Tea and a walk.", "share": "yes"},
        guild=couple.guild,
    )
    await submit.wait_reply()
    assert submit.ephemeral and "sees nothing yet" in submit.text
    rows = await stored(runner, "SELECT mood, closeness, shared FROM checkins")
    assert rows == [(3, 4, 1)]


async def test_bad_input_gets_a_clear_error_and_stores_nothing(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    await runner.start()
    await set_up(fake, couple)
    opened = await fake.slash(couple.alex, "checkin", guild=couple.guild)
    await opened.wait_response()
    seven = await fake.submit_modal(
        couple.alex, opened, {"mood": "3", "closeness": "7"}, guild=couple.guild
    )
    await seven.wait_reply()
    assert seven.ephemeral and "Closeness must be a whole number from 1" in seven.text

    opened = await fake.slash(couple.alex, "checkin", guild=couple.guild)
    await opened.wait_response()
    assert opened.modal is not None
    # A forged form with a 600-character need (the real form caps it at 500).
    data = {
        "custom_id": opened.modal["custom_id"],
        "components": [
            {"type": 18, "component": {"type": 3, "custom_id": "mood", "values": ["3"]}},
            {"type": 18, "component": {"type": 3, "custom_id": "closeness", "values": ["3"]}},
            {"type": 18, "component": {"type": 4, "custom_id": "need", "value": "x" * 600}},
        ],
    }
    long_need = await fake.forge(couple.alex, 5, data, guild=couple.guild)
    await long_need.wait_reply()
    assert long_need.ephemeral and "up to 500 characters" in long_need.text
    assert await stored(runner, "SELECT COUNT(*) FROM checkins") == [(0,)]


async def test_a_third_member_is_refused_everywhere(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    await runner.start()
    await set_up(fake, couple)
    for command, options in (
        ("checkin", {"mood": 3, "closeness": 3}),
        ("appreciate", {"text": "Thanks for the soup."}),
        ("bid", {}),
        ("long-distance", {"on": True}),
        ("weekly-checkin", {"day": "mon"}),
    ):
        interaction = await fake.slash(couple.guest, command, options, guild=couple.guild)
        await interaction.wait_reply()
        assert interaction.ephemeral and "just for them" in interaction.text, command
    opened = await fake.slash(couple.guest, "checkin", guild=couple.guild)
    await opened.wait_response()
    assert opened.modal is not None  # opening the form reveals nothing; submitting is refused
    submit = await fake.submit_modal(
        couple.guest, opened, {"mood": "3", "closeness": "3"}, guild=couple.guild
    )
    await submit.wait_reply()
    assert "just for them" in submit.text

    bid = await fake.slash(couple.alex, "bid", guild=couple.guild)
    await bid.wait_reply()
    assert bid.latest_reply is not None
    for label in ("I'll do this", "Another"):
        click = await fake.click(
            couple.guest, bid.latest_reply, buttons(bid.latest_reply)[label], guild=couple.guild
        )
        await click.wait_reply()
        assert click.ephemeral and "just for them" in click.text, label
    counts = await stored(
        runner,
        "SELECT (SELECT COUNT(*) FROM checkins), (SELECT COUNT(*) FROM appreciations), "
        "(SELECT COUNT(*) FROM bids_made), (SELECT COUNT(*) FROM bid_offers)",
    )
    assert counts == [(0, 0, 0, 1)]


async def test_a_pairing_cut_short_by_a_stop_is_revealed_after_the_restart(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    bot = await runner.start()
    await set_up(fake, couple)
    await check_in(fake, couple, couple.alex, mood=4, closeness=4, share=True)

    async def stop_before_completing(*args: object) -> None:
        return None  # as if the bot stopped right after committing the pairing

    bot.services.checkins._complete = stop_before_completing  # type: ignore[method-assign]
    await check_in(fake, couple, couple.sam, mood=3, closeness=5, share=True)
    await bot.services.outbox.flush()
    assert reveals(fake, couple) == []
    bot = await runner.restart()
    await bot.services.tick()
    await fake.wait_until(lambda: len(reveals(fake, couple)) == 1)
    await bot.services.tick()
    assert len(reveals(fake, couple)) == 1
