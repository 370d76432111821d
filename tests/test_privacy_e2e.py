"""Privacy end to end: export, forget, leaving a server, and nothing private in logs."""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from datetime import timedelta

import pytest

from couplebot.bot import CoupleBot
from couplebot.fake_discord import FakeDiscord
from tests.daily_store import DailyStore

from .conftest import BotRunner, Couple, set_up
from .interaction_helpers import buttons, press, privacy_export
from .test_daily_e2e import answer, post_today, reveal_messages


async def _revealed_day(fake: FakeDiscord, couple: Couple) -> None:
    await set_up(fake, couple)
    await post_today(fake, couple)
    await answer(fake, couple, couple.alex, "Alex's private words.")
    await answer(fake, couple, couple.sam, "Sam's private words.")
    await fake.wait_until(lambda: len(reveal_messages(fake, couple)) == 1)


async def test_export_holds_my_data_and_not_my_partners(
    fake: FakeDiscord, couple: Couple, bot: CoupleBot
) -> None:
    await _revealed_day(fake, couple)
    added = await fake.slash(
        couple.alex,
        "question add",
        {"text": "What made you smile on the way home?"},
        guild=couple.guild,
    )
    await added.wait_response()
    document = await privacy_export(fake, couple, couple.alex)
    assert document["user_id"] == str(couple.alex.id)
    answers = document["your_answers"]
    assert isinstance(answers, list)
    assert [a["answer"] for a in answers] == ["Alex's private words."]
    assert document["your_questions"] == ["What made you smile on the way home?"]
    assert "Sam's private words." not in json.dumps(document)


async def test_outsider_cannot_export(fake: FakeDiscord, couple: Couple, bot: CoupleBot) -> None:
    await _revealed_day(fake, couple)
    interaction = await fake.slash(couple.guest, "privacy export", guild=couple.guild)
    await interaction.wait_response()
    assert interaction.ephemeral
    assert "just for them" in interaction.text
    assert fake.attachments(interaction.latest_reply or {}) == []


async def test_forget_explains_then_deletes(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    await runner.start()
    await _revealed_day(fake, couple)
    ask = await fake.slash(couple.alex, "privacy forget", guild=couple.guild)
    await ask.wait_response()
    assert ask.ephemeral
    assert "What stays" in ask.text
    assert ask.message is not None
    custom_id = buttons(ask.message)["Delete my data"]

    stranger = await fake.click(couple.sam, ask.message, custom_id, guild=couple.guild)
    await stranger.wait_response()
    assert "Only the person who asked" in stranger.text

    confirm = await fake.click(couple.alex, ask.message, custom_id, guild=couple.guild)
    await confirm.wait_response()
    assert "deleted" in confirm.text

    document = await privacy_export(fake, couple, couple.alex)
    assert document["your_answers"] == []
    partner = await privacy_export(fake, couple, couple.sam)
    assert [a["answer"] for a in partner["your_answers"]] == ["Sam's private words."]  # type: ignore[index, union-attr]

    await runner.stop()
    with sqlite3.connect(runner.database) as raw:
        rows = raw.execute(
            "SELECT COUNT(*) FROM responses WHERE user_id = ?", (couple.alex.id,)
        ).fetchone()
    assert rows == (0,)


async def test_answers_are_encrypted_at_rest(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    await runner.start()
    await _revealed_day(fake, couple)
    await runner.stop()
    raw = runner.stored_bytes()
    assert b"private words" not in raw


async def _until_marked_left(bot: CoupleBot, guild_id: int) -> None:
    for _ in range(500):
        async with bot.store.read() as tx:
            if guild_id in await tx.privacy.left_guild_ids():
                return
        await asyncio.sleep(0.01)
    raise AssertionError(f"server {guild_id} was never marked as left")


async def test_data_is_deleted_after_the_bot_leaves_a_server(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    bot = await runner.start()
    await set_up(fake, couple)
    await fake.dispatch("GUILD_DELETE", {"id": str(couple.guild.id)})
    await fake.wait_until(lambda: bot.get_guild(couple.guild.id) is None)
    await _until_marked_left(bot, couple.guild.id)  # the listener writes after the cache drops it
    runner.clock.advance(timedelta(days=6))
    await bot.tick()
    async with DailyStore(bot.store).read() as tx:
        assert await tx.couple_by_guild(couple.guild.id) is not None
    runner.clock.advance(timedelta(days=2))
    await bot.tick()
    async with DailyStore(bot.store).read() as tx:
        assert await tx.couple_by_guild(couple.guild.id) is None


async def test_removal_while_offline_is_noticed_and_a_return_keeps_data(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    bot = await runner.start()
    await set_up(fake, couple)
    await bot.services.privacy.reconcile_guilds(set())
    async with DailyStore(bot.store).read() as tx:
        assert await tx.guild_ids() == set()
    await bot.services.privacy.guild_joined(couple.guild.id)
    runner.clock.advance(timedelta(days=30))
    await bot.tick()
    async with DailyStore(bot.store).read() as tx:
        assert await tx.couple_by_guild(couple.guild.id) is not None


async def test_no_answer_text_in_logs(
    fake: FakeDiscord, couple: Couple, bot: CoupleBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="couplebot")
    caplog.set_level(logging.INFO, logger="discord")
    await _revealed_day(fake, couple)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "round" in logged  # the bot did log its work
    assert "private words" not in logged
    assert fake.token not in logged


async def test_the_partner_who_stays_can_end_the_couple_after_the_other_left(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    bot = await runner.start()
    await _revealed_day(fake, couple)
    early = await fake.slash(couple.alex, "couple end", guild=couple.guild)
    await early.wait_response()
    assert early.ephemeral and "still a member" in early.text
    outsider = await fake.slash(couple.guest, "couple end", guild=couple.guild)
    await outsider.wait_response()
    assert "just for them" in outsider.text

    couple.guild.members.remove(couple.sam)  # Sam leaves the server
    ask = await fake.slash(couple.alex, "couple end", guild=couple.guild)
    await ask.wait_response()
    assert ask.ephemeral and "Before you decide" in ask.text and ask.message is not None
    confirm = await press(fake, couple, couple.alex, ask.message, "End our couple")
    assert "stopped here" in confirm.text
    after = await fake.slash(couple.alex, "settings", guild=couple.guild)
    await after.wait_response()
    assert "no couple set up" in after.text
    runner.clock.advance(timedelta(days=2))
    await bot.services.tick()  # nothing is posted for an ended couple
    questions = [m for m in fake.channel_messages(couple.guild.channel_id) if "Today's" in str(m)]
    assert len(questions) == 1  # only the one from before the end
    runner.clock.advance(timedelta(days=6))
    await bot.tick()
    with sqlite3.connect(runner.database) as raw:
        assert raw.execute("SELECT COUNT(*) FROM responses").fetchone() == (0,)
        assert raw.execute("SELECT COUNT(*) FROM couples").fetchone() == (0,)


async def test_an_operator_can_forget_one_person_from_the_command_line(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    from .conftest import TEST_KEY
    from .test_cli import couplebot

    await runner.start()
    await _revealed_day(fake, couple)
    await runner.stop()
    done = couplebot(
        runner.database.parent,
        "forget",
        "--user",
        str(couple.alex.id),
        COUPLEBOT_DATABASE=str(runner.database),
        COUPLEBOT_SECRET_KEY=TEST_KEY,
    )
    assert done.returncode == 0, done.stderr
    assert "Deleted what couplebot kept about user" in done.stdout
    with sqlite3.connect(runner.database) as raw:
        count = "SELECT COUNT(*) FROM responses WHERE user_id = ?"
        assert raw.execute(count, (couple.alex.id,)).fetchone() == (0,)
        assert raw.execute(count, (couple.sam.id,)).fetchone() == (1,)
