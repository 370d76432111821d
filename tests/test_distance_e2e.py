"""Noticing distance end to end: gentle notes, the therapist pointer, /insights, the switch.

The real bot against the fake Discord. /checkin is another feature's, so check-ins
come from a test-only history provider fed here, and the test calls
`distance.checked_in(couple_id)` as /checkin does once a check-in is committed.
"""

from __future__ import annotations

import json
import struct
from datetime import UTC, datetime, timedelta
from typing import Any

from couplebot.bot import CoupleBot
from couplebot.domain.insights import INSIGHTS_CAPTION, NOT_ENOUGH_DATA_TEXT
from couplebot.domain.models import Couple as StoredCouple
from couplebot.domain.notes import GAP_NOTES, THERAPIST_POINTER
from couplebot.domain.signals import CheckinPoint
from couplebot.fake_discord import FakeDiscord, FakeUser, message_text
from couplebot.services.history import HistoryPoints
from couplebot.store import Tx

from .conftest import BotRunner, Couple, set_up

NOON_BERLIN = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)


class FedCheckins:
    """A stand-in for the check-in repository: the test appends check-ins."""

    def __init__(self) -> None:
        self.checkins: list[CheckinPoint] = []

    async def points(self, tx: Tx, couple: StoredCouple, since: datetime) -> HistoryPoints:
        return HistoryPoints(checkins=[c for c in self.checkins if c.at >= since])


class Distance:
    def __init__(self, fake: FakeDiscord, couple: Couple, runner: BotRunner, bot: CoupleBot):
        self.fake, self.couple, self.runner, self.bot = fake, couple, runner, bot
        self.fed = FedCheckins()
        bot.services.distance.add_source(self.fed)

    async def couple_id(self) -> int:
        async with self.bot.store.read() as tx:
            stored = await tx.couples.by_guild(self.couple.guild.id)
        assert stored is not None
        return stored.id

    async def check_in(self, user: FakeUser, closeness: int, *, shared: bool = False) -> None:
        now = self.runner.clock.now()
        self.fed.checkins.append(CheckinPoint(user.id, now, 3, closeness, shared))
        await self.bot.services.distance.checked_in(await self.couple_id())
        await self.bot.services.tick()

    async def days_pass(self, days: int) -> None:
        """Move the clock a day at a time, doing the due work (the daily look) each day."""
        for _ in range(days):
            self.runner.clock.advance(timedelta(days=1))
            await self.bot.services.tick()

    def notes(self) -> list[dict[str, Any]]:
        return [
            m
            for m in self.fake.channel_messages(self.couple.guild.channel_id)
            if "A gentle note" in message_text(m)
        ]

    def dms(self, user: FakeUser) -> list[dict[str, Any]]:
        return self.fake.dm_messages(user.id)


async def started(fake: FakeDiscord, couple: Couple, runner: BotRunner, bot: CoupleBot) -> Distance:
    runner.clock.set(NOON_BERLIN)
    await set_up(fake, couple)
    return Distance(fake, couple, runner, bot)


def description(message: dict[str, Any]) -> str:
    return str(message["embeds"][0]["description"])


async def test_a_perception_gap_prompt_fires_once_and_shows_neither_value(
    fake: FakeDiscord, couple: Couple, runner: BotRunner, bot: CoupleBot
) -> None:
    d = await started(fake, couple, runner, bot)
    await d.check_in(couple.alex, 2)
    assert d.notes() == []
    runner.clock.advance(timedelta(hours=3))
    await d.check_in(couple.sam, 5)
    notes = d.notes()
    assert len(notes) == 1
    assert description(notes[0]) in GAP_NOTES  # the words only: no value, no name
    text = message_text(notes[0])
    for shown in ("2", "5", "Alex", "Sam", "far apart", "very close"):
        assert shown not in text.split("#")[0]
    assert notes[0]["mentions"] == []
    assert d.dms(couple.alex) == [] and d.dms(couple.sam) == []
    # Another wide gap the next day: at most one such prompt a week.
    await d.days_pass(1)
    await d.check_in(couple.alex, 1)
    await d.check_in(couple.sam, 5)
    await d.days_pass(2)
    assert len(d.notes()) == 1


async def test_a_gap_found_in_quiet_hours_waits_until_they_end(
    fake: FakeDiscord, couple: Couple, runner: BotRunner, bot: CoupleBot
) -> None:
    d = await started(fake, couple, runner, bot)
    runner.clock.set(datetime(2026, 6, 1, 20, 30, tzinfo=UTC))  # 22:30 in Berlin: quiet
    await d.check_in(couple.alex, 1)
    await d.check_in(couple.sam, 4)
    runner.clock.set(datetime(2026, 6, 2, 5, 59, tzinfo=UTC))  # 07:59, still quiet
    await bot.services.tick()
    assert d.notes() == []
    runner.clock.set(datetime(2026, 6, 2, 6, 0, tzinfo=UTC))  # 08:00: quiet hours end
    await bot.services.tick()
    assert len(d.notes()) == 1


async def test_nothing_comes_while_paused_and_notes_return_after(
    fake: FakeDiscord, couple: Couple, runner: BotRunner, bot: CoupleBot
) -> None:
    d = await started(fake, couple, runner, bot)
    paused = await fake.slash(couple.alex, "pause", {"days": 2}, guild=couple.guild)
    await paused.wait_reply()
    await d.check_in(couple.alex, 1)
    await d.check_in(couple.sam, 5)
    await d.days_pass(1)
    assert d.notes() == []
    await d.days_pass(1)  # the pause is over
    await d.check_in(couple.alex, 2)
    await d.check_in(couple.sam, 5)
    assert len(d.notes()) == 1


async def test_sustained_low_closeness_brings_the_pointer_to_that_partner_only_once(
    fake: FakeDiscord, couple: Couple, runner: BotRunner, bot: CoupleBot
) -> None:
    d = await started(fake, couple, runner, bot)
    for gap in (0, 7, 8):  # day 0, day 7, day 15
        await d.days_pass(gap)
        await d.check_in(couple.alex, 1)
    pointers = [m for m in d.dms(couple.alex) if description(m) == THERAPIST_POINTER]
    assert len(pointers) == 1
    assert "Just for you" in message_text(pointers[0])
    assert d.dms(couple.sam) == []
    channel = texts_of(fake, couple)
    assert not any("therapist" in t or "ICEEFT" in t for t in channel)
    # Still low a few days later, and the daily looks go on: no second pointer.
    await d.days_pass(3)
    await d.check_in(couple.alex, 2)
    await d.days_pass(5)
    assert len(d.dms(couple.alex)) == 1
    # The export tells Alex about it; forgetting removes it.
    export = json.loads(await bot.services.privacy.export(couple.guild.id, couple.alex.id))
    assert len(export["your_gentle_notes"]["private_notes_to_you"]) == 1
    sams = json.loads(await bot.services.privacy.export(couple.guild.id, couple.sam.id))
    assert sams["your_gentle_notes"]["private_notes_to_you"] == []
    await bot.services.privacy.forget(couple.guild.id, couple.alex.id)
    export = json.loads(await bot.services.privacy.export(couple.guild.id, couple.alex.id))
    assert export["your_gentle_notes"]["private_notes_to_you"] == []


async def test_a_stable_couple_across_the_same_days_gets_nothing(
    fake: FakeDiscord, couple: Couple, runner: BotRunner, bot: CoupleBot
) -> None:
    d = await started(fake, couple, runner, bot)
    for gap, alex, sam in ((0, 4, 4), (3, 3, 4), (4, 4, 5), (4, 4, 4), (4, 3, 3)):
        await d.days_pass(gap)
        await d.check_in(couple.alex, alex)
        await d.check_in(couple.sam, sam)
    await d.days_pass(3)
    assert d.notes() == []
    assert d.dms(couple.alex) == [] and d.dms(couple.sam) == []


async def test_with_gentle_notes_off_nothing_is_sent(
    fake: FakeDiscord, couple: Couple, runner: BotRunner, bot: CoupleBot
) -> None:
    d = await started(fake, couple, runner, bot)
    off = await fake.slash(couple.sam, "gentle-notes", {"on": False}, guild=couple.guild)
    await off.wait_reply()
    assert off.ephemeral and "off" in off.text
    settings = await fake.slash(couple.alex, "settings", guild=couple.guild)
    await settings.wait_reply()
    assert "Gentle notes: off" in settings.text
    for gap in (0, 7, 8):
        await d.days_pass(gap)
        await d.check_in(couple.alex, 1)
        await d.check_in(couple.sam, 5)
    assert d.notes() == []
    assert d.dms(couple.alex) == [] and d.dms(couple.sam) == []
    outsider = await fake.slash(couple.guest, "gentle-notes", {"on": True}, guild=couple.guild)
    await outsider.wait_reply()
    assert "just for them" in outsider.text
    assert await bot.services.distance.gentle_notes_on(couple.guild.id, couple.alex.id) is False


async def test_insights_sends_a_kind_text_first_then_a_png_and_refuses_a_third_member(
    fake: FakeDiscord, couple: Couple, runner: BotRunner, bot: CoupleBot
) -> None:
    d = await started(fake, couple, runner, bot)
    early = await fake.slash(couple.alex, "insights", guild=couple.guild)
    await early.wait_reply()
    assert early.callbacks[0]["type"] == 5  # deferred first
    assert early.ephemeral and early.text == NOT_ENOUGH_DATA_TEXT
    assert fake.attachments(early.latest_reply or {}) == []

    for day in range(3):
        await d.days_pass(min(day, 1))
        await d.check_in(couple.alex, 4, shared=True)
        await d.check_in(couple.sam, 3, shared=True)
    chart = await fake.slash(couple.sam, "insights", guild=couple.guild)
    reply = await chart.wait_reply()
    assert chart.ephemeral and INSIGHTS_CAPTION in chart.text
    files = fake.attachments(reply)
    assert len(files) == 1
    name, png = files[0]
    assert name.endswith(".png") and png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", png[16:24])  # the IHDR chunk
    assert width >= 800 and height >= 500

    outsider = await fake.slash(couple.guest, "insights", guild=couple.guild)
    await outsider.wait_reply()
    assert "just for them" in outsider.text
    assert fake.attachments(outsider.latest_reply or {}) == []


def texts_of(fake: FakeDiscord, couple: Couple) -> list[str]:
    return [message_text(m) for m in fake.channel_messages(couple.guild.channel_id)]
