"""A new kind of exchange needs no engine change: a kind name, one field, a render.

This test adds a throwaway "gratitude" kind in the test suite only and drives it end
to end with the real client against the fake Discord: post, private answers, reveal once.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import discord

from couplebot.bot import CoupleBot
from couplebot.domain.exchange import Exchange, ExchangeKind, ResponseField
from couplebot.domain.models import Couple as StoredCouple
from couplebot.domain.schedule import round_due_at
from couplebot.fake_discord import FakeDiscord, message_text
from couplebot.services.ports import PromptPost, ReminderPost, RevealPost, SharedAnswerPost
from couplebot.store import Tx
from couplebot.ui.kinds import REPLIES, register_view
from couplebot.ui.render import exchange_view

from .conftest import BotRunner, Couple, set_up
from .interaction_helpers import buttons, press

GRATITUDE = ExchangeKind(
    name="gratitude",
    fields=(ResponseField(id="thanks", label="One thing you're grateful for", max_length=300),),
    modal_title="Grateful",
)


class GratitudeView:
    replies = REPLIES

    def prompt(self, post: PromptPost, marker: str) -> tuple[discord.Embed, Any]:
        embed = discord.Embed(title="Gratitude", description=post.exchange.prompt)
        embed.set_footer(text=f"{post.responded} written · {marker}")
        return embed, exchange_view(GRATITUDE.name, post.exchange.id, post.exchange.state)

    def reveal(self, post: RevealPost, names: list[str], marker: str) -> list[discord.Embed]:
        lines = [f"{n}: {a.values['thanks']}" for n, a in zip(names, post.answers, strict=True)]
        embed = discord.Embed(title="Grateful together", description="\n".join(lines))
        embed.set_footer(text=marker)
        return [embed]

    def shared(self, post: SharedAnswerPost, name: str, marker: str) -> discord.Embed:
        return discord.Embed(description=f"{name}: {post.answer.values['thanks']} · {marker}")

    def reminder(self, post: ReminderPost, jump_url: str) -> str:
        return jump_url


async def start_gratitude(bot: CoupleBot, guild_id: int) -> Exchange:
    from couplebot.services.exchanges import KindPolicy

    class Gratitude(KindPolicy):
        spec = GRATITUDE

    bot.services.exchanges.add_kind(Gratitude())
    register_view(GRATITUDE.name, GratitudeView())
    async with bot.store.write() as tx:
        couple = await tx.couples.by_guild(guild_id)
        assert couple is not None
        exchange, created = await bot.services.exchanges.start(
            tx, couple, GRATITUDE.name, "2026-06-01", topic_id="g-1", prompt="What are you glad of?"
        )
    assert created
    await bot.services.outbox.flush()
    return exchange


async def test_a_new_kind_posts_answers_and_reveals_once(
    fake: FakeDiscord, couple: Couple, bot: CoupleBot
) -> None:
    await set_up(fake, couple)
    await start_gratitude(bot, couple.guild.id)
    posted = [
        m for m in fake.channel_messages(couple.guild.channel_id) if "Gratitude" in message_text(m)
    ]
    assert len(posted) == 1 and set(buttons(posted[0])) == {"Answer", "Not this one"}

    outsider = await press(fake, couple, couple.guest, posted[0], "Answer")
    assert outsider.modal is None and "just for them" in outsider.text

    for user, text in ((couple.alex, "Your patience."), (couple.sam, "Slow Sundays.")):
        message = fake.message(posted[0]["id"])
        click = await press(fake, couple, user, message, "Answer")
        assert click.modal is not None and "One thing you're grateful for" in str(click.modal)
        submit = await fake.submit_modal(user, click, {"thanks": text}, guild=couple.guild)
        await submit.wait_reply()
        assert submit.ephemeral
    reveals = lambda: [  # noqa: E731
        m
        for m in fake.channel_messages(couple.guild.channel_id)
        if "Grateful together" in message_text(m)
    ]
    await fake.wait_until(lambda: len(reveals()) == 1)
    text = message_text(reveals()[0])
    assert "Alex: Your patience." in text and "Sam: Slow Sundays." in text
    await bot.services.outbox.flush()
    assert len(reveals()) == 1


async def _plan_at(tx: Tx, couple: StoredCouple, now: datetime) -> dict[str, datetime | None]:
    """A second kind's planner: a gratitude prompt every day at 02:30 in the couple's zone."""
    day = now.astimezone(couple.zone).date()
    due = round_due_at(day, time(2, 30), couple.zone)
    return {
        "gratitude": due
        if due > now
        else round_due_at(day + timedelta(days=1), time(2, 30), couple.zone)
    }


async def test_due_instants_follow_dst_for_two_kinds(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    # Europe/Berlin springs forward on 2026-03-29 (02:00 -> 03:00) and falls back on 10-25.
    runner.clock.set(datetime(2026, 3, 28, 21, 0, tzinfo=UTC))  # today's 02:30 is missed
    bot = await runner.start()
    await set_up(fake, couple, time="02:30")
    bot.services.due.register(_plan_at, {})
    berlin = ZoneInfo("Europe/Berlin")
    async with bot.store.write() as tx:
        stored = await tx.couples.by_guild(couple.guild.id)
        assert stored is not None
        await bot.services.due.plan(tx, stored)
        due = await tx.due.of(stored.id)
    # 02:30 does not exist on the 29th: both kinds are due at the next valid minute, 03:00.
    assert due["daily"].astimezone(berlin) == datetime(2026, 3, 29, 3, 0, tzinfo=berlin)
    assert due["gratitude"] == due["daily"]

    runner.clock.set(datetime(2026, 10, 24, 21, 0, tzinfo=UTC))
    await bot.services.due.replan(stored.id)
    async with bot.store.read() as tx:
        due = await tx.due.of(stored.id)
    # 02:30 happens twice on the 25th: the first occurrence (summer time, UTC+2) counts.
    assert due["daily"] == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert due["gratitude"] == due["daily"]


async def test_every_kind_of_response_is_in_the_export(
    fake: FakeDiscord, couple: Couple, bot: CoupleBot
) -> None:
    import json

    await set_up(fake, couple)
    exchange = await start_gratitude(bot, couple.guild.id)
    await bot.services.exchanges.answer(
        couple.guild.id, GRATITUDE.name, exchange.id, couple.alex.id, {"thanks": "Tea in bed."}
    )
    export = await fake.slash(couple.alex, "privacy export", guild=couple.guild)
    await export.wait_response()
    ((_, data),) = fake.attachments(export.latest_reply or {})
    mine = json.loads(data)["your_other_responses"]
    assert mine == [
        {
            "kind": "gratitude",
            "when": "2026-06-01",
            "asked": "What are you glad of?",
            "your_response": {"thanks": "Tea in bed."},
            "passed": False,
            "revealed": False,
            "written_at": mine[0]["written_at"],
        }
    ]
