"""`couplebot demo`: the real bot against the built-in fake Discord, playing a couple's morning."""

from __future__ import annotations

import asyncio
import logging
import re
import tempfile
import textwrap
from datetime import timedelta
from pathlib import Path
from typing import Any

from couplebot.bot import CoupleBot, point_discord_at
from couplebot.clock import ManualClock, SystemClock
from couplebot.content import Content
from couplebot.demo_dates import date_night as _date_night
from couplebot.fake_discord import FakeDiscord, FakeGuild, FakeInteraction, FakeUser
from couplebot.store import Store

WIDTH = 78
MENTION = re.compile(r"<@!?(\d+)>")


class Transcript:
    def __init__(self, fake: FakeDiscord, guild: FakeGuild) -> None:
        self.fake = fake
        self.guild = guild
        self.shown: set[str] = set()

    def names(self, text: str) -> str:
        """Mentions as a person reads them in Discord: <@123> -> @Sam."""
        members = {str(member.id): member.name for member in self.guild.members}
        return MENTION.sub(lambda m: "@" + members.get(m[1], "someone"), text)

    def say(self, who: str, text: str) -> None:
        text = self.names(text)
        lines = textwrap.wrap(text, WIDTH - len(who) - 3, break_long_words=False) or [""]
        print(f"{who} › {lines[0]}")
        for line in lines[1:]:
            print(" " * (len(who) + 3) + line)

    def reply(self, interaction: FakeInteraction, who: str) -> None:
        private = f" (only {who} sees this)" if interaction.ephemeral else ""
        self.say(f"couplebot{private}", interaction.text)

    def new_posts(self) -> None:
        """Print channel messages not shown yet, and ones edited since."""
        for message in self.fake.channel_messages(self.guild.channel_id):
            key = f"{message['id']}:{message.get('edited_timestamp')}"
            if key in self.shown:
                continue
            self.shown.add(key)
            edited = " (updated)" if message.get("edited_timestamp") else ""
            print(f"\n#{self.fake.channels[self.guild.channel_id]['name']} · couplebot{edited}")
            for line in _render(message):
                print(f"  │ {self.names(line)}")
        print()


def _render(message: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    if message.get("content"):
        lines += textwrap.wrap(message["content"], WIDTH - 6)
    for embed in message.get("embeds", []):
        if embed.get("author"):
            lines.append(f"{embed['author']['name']}:")
        if embed.get("title"):
            lines.append(f"** {embed['title']} **")
        if embed.get("description"):
            lines += textwrap.wrap(embed["description"], WIDTH - 6)
        for field in embed.get("fields", []):
            lines += textwrap.wrap(f"{field['name']}: {field['value']}", WIDTH - 6)
    labels = [
        f"[{c['label']}]"
        for row in message.get("components", [])
        for c in row.get("components", [])
        if c.get("type") == 2
    ]
    if labels:
        lines.append(" ".join(labels))
    return lines


def _button(message: dict[str, Any], label: str) -> str:
    for row in message.get("components", []):
        for component in row.get("components", []):
            if component.get("label") == label:
                return str(component["custom_id"])
    raise LookupError(label)


async def _answer(
    fake: FakeDiscord, guild: FakeGuild, show: Transcript, user: FakeUser, text: str
) -> None:
    message = fake.channel_messages(guild.channel_id)[-1]
    for candidate in fake.channel_messages(guild.channel_id):
        if any("Today's question" in (e.get("title") or "") for e in candidate["embeds"]):
            message = candidate
    show.say(user.name, "[clicks Answer]")
    click = await fake.click(user, message, _button(message, "Answer"), guild=guild)
    await click.wait_response()
    show.say(user.name, f"[writes privately] {text}")
    submit = await fake.submit_modal(user, click, {"answer": text}, guild=guild)
    await submit.wait_reply()
    show.reply(submit, user.name)


async def _between_questions(
    fake: FakeDiscord, guild: FakeGuild, show: Transcript, alex: FakeUser, sam: FakeUser
) -> None:
    """Later that day: a private check-in, then a note of thanks in the channel."""
    show.say("Sam", "/checkin mood:2 closeness:4 need:An early night together.")
    options = {"mood": 2, "closeness": 4, "need": "An early night together."}
    checkin = await fake.slash(sam, "checkin", options, guild=guild)
    await checkin.wait_reply()
    show.reply(checkin, "Sam")
    thanks = "Thank you for the soup when I came home tired. It was exactly right."
    show.say("Alex", f"/appreciate text:{thanks}")
    appreciate = await fake.slash(alex, "appreciate", {"text": thanks}, guild=guild)
    await appreciate.wait_reply()
    show.reply(appreciate, "Alex")
    await fake.wait_until(
        lambda: any(
            "A note from" in str(m["embeds"]) for m in fake.channel_messages(guild.channel_id)
        )
    )
    show.new_posts()


async def _reach_out(
    fake: FakeDiscord, guild: FakeGuild, show: Transcript, alex: FakeUser, sam: FakeUser
) -> None:
    """Alex reaches out with an opener made their own; Sam answers with one press."""
    show.say("Alex", "/reachout")
    command = await fake.slash(alex, "reachout", guild=guild)
    await command.wait_response()
    show.reply(command, "Alex")
    assert command.message is not None
    opener = next(
        c["label"]
        for row in command.message["components"]
        for c in row["components"]
        if c["label"] != "Write my own"
    )
    show.say("Alex", f"[picks] {opener}")
    pick = await fake.click(alex, command.message, _button(command.message, opener), guild=guild)
    await pick.wait_response()
    text = f"{opener} Maybe a slow walk after dinner?"
    show.say("Alex", f"[makes it their own] {text}")
    draft = await fake.submit_modal(alex, pick, {"note": text}, guild=guild)
    await draft.wait_reply()
    show.reply(draft, "Alex")
    show.say("Alex", "[clicks Send]")
    preview = fake.message(command.message["id"])
    sent = await fake.click(alex, preview, _button(preview, "Send"), guild=guild)
    await sent.wait_response()
    show.reply(sent, "Alex")
    await fake.wait_until(
        lambda: any("Let's talk tonight" in str(m) for m in fake.channel_messages(guild.channel_id))
    )
    show.new_posts()
    note = next(
        m for m in fake.channel_messages(guild.channel_id) if "Let's talk tonight" in str(m)
    )
    show.say("Sam", "[clicks Let's talk tonight]")
    talk = await fake.click(sam, note, _button(note, "Let's talk tonight"), guild=guild)
    await talk.wait_response()
    show.reply(talk, "Sam")
    await fake.wait_until(
        lambda: any("talk tonight." in str(m) for m in fake.channel_messages(guild.channel_id))
    )
    show.new_posts()


def default_chart_path() -> Path:
    return Path(tempfile.gettempdir()) / "couplebot-demo-insights.png"


async def run_demo(
    content: Content,
    *,
    quiet: bool = False,
    spec: Path | None = None,
    chart_path: Path | None = None,
) -> int:
    for noisy in ("discord", "couplebot", "apscheduler", "aiohttp"):
        logging.getLogger(noisy).setLevel(logging.ERROR if quiet else logging.WARNING)
    logging.getLogger("discord.client").setLevel(logging.ERROR)
    fake = FakeDiscord(spec_path=spec or "default")
    await fake.start()
    try:
        with tempfile.TemporaryDirectory(prefix="couplebot-demo-") as folder:
            chart = chart_path or default_chart_path()
            return await _play(fake, content, Path(folder) / "demo.db", chart)
    finally:
        await fake.close()


async def _ready(bot: CoupleBot, runner: asyncio.Task[None]) -> None:
    """Wait until the bot is ready; if it stopped instead, raise what stopped it."""
    ready = asyncio.create_task(bot.wait_until_ready())
    done, _ = await asyncio.wait({ready, runner}, timeout=15, return_when="FIRST_COMPLETED")
    if runner in done:
        ready.cancel()
        runner.result()
        raise RuntimeError("the bot stopped before it was ready")
    if ready not in done:
        ready.cancel()
        raise TimeoutError("the bot was not ready within 15 seconds")


async def _play(fake: FakeDiscord, content: Content, database: Path, chart: Path) -> int:
    point_discord_at(fake.api_base, fake.gateway_url)
    alex, sam = fake.add_user("Alex"), fake.add_user("Sam")
    guild = fake.add_guild("Alex & Sam", [alex, sam])
    store = await Store.open(database)
    clock = ManualClock(SystemClock().now())  # the demo moves it on to show a few days
    bot = CoupleBot(
        store=store, content=content, clock=clock, tick_seconds=None, guild_ready_timeout=0.05
    )
    # Entering the client first sets up its ready event: since Python 3.12, wait_for() runs
    # wait_until_ready() at once, before the start() task has had a chance to.
    await bot.__aenter__()
    runner = asyncio.create_task(bot.start(fake.token))
    try:
        await _ready(bot, runner)
        show = Transcript(fake, guild)
        print("couplebot demo: the real bot, a fake Discord on 127.0.0.1, a temporary database.")
        print("=" * WIDTH)

        show.say("Alex", "/setup partner:@Sam timezone:Europe/Berlin time:08:00")
        setup = await fake.slash(
            alex,
            "setup",
            {"partner": sam, "timezone": "Europe/Berlin", "time": "08:00"},
            guild=guild,
        )
        await setup.wait_reply()
        show.reply(setup, "Alex")
        show.new_posts()
        assert setup.message is not None
        show.say("Sam", "[clicks Accept]")
        accepted = await fake.click(
            sam, setup.message, _button(setup.message, "Accept"), guild=guild
        )
        await accepted.wait_response()
        show.new_posts()

        own_question = "What is a small thing I did lately that made you feel close to me?"
        show.say("Sam", f"/question add text:{own_question}")
        added = await fake.slash(sam, "question add", {"text": own_question}, guild=guild)
        await added.wait_reply()
        show.reply(added, "Sam")

        show.say("Sam", "/question now")
        now = await fake.slash(sam, "question now", guild=guild)
        await now.wait_reply()
        show.reply(now, "Sam")
        show.new_posts()

        await _answer(
            fake,
            guild,
            show,
            alex,
            "The way you hum when you cook. I noticed it again "
            "last night and it made the whole kitchen feel like home.",
        )
        await fake.wait_until(
            lambda: any(
                "One of you has written" in str(m) for m in fake.channel_messages(guild.channel_id)
            )
        )
        show.new_posts()
        await _answer(
            fake,
            guild,
            show,
            sam,
            "When you sent me that photo of the sky on my hard "
            "day. You didn't say much, and you didn't need to.",
        )
        await fake.wait_until(
            lambda: any(
                "Something to talk about" in str(m["embeds"])
                for m in fake.channel_messages(guild.channel_id)
            )
        )
        show.new_posts()
        await _between_questions(fake, guild, show, alex, sam)
        await _reach_out(fake, guild, show, alex, sam)
        await _insights(fake, guild, show, clock=clock, partners=(alex, sam), chart=chart)
        await _date_night(fake, guild, show, bot, clock, (alex, sam))
        print("=" * WIDTH)
        print(
            "That was one morning, two more in a blink, and one date night. "
            "Set DISCORD_TOKEN and `couplebot run` serves the real thing."
        )
        return 0
    finally:
        await bot.close()
        await asyncio.wait({runner}, timeout=10)
        await store.close()


async def _insights(
    fake: FakeDiscord,
    guild: FakeGuild,
    show: Transcript,
    *,
    clock: ManualClock,
    partners: tuple[FakeUser, FakeUser],
    chart: Path,
) -> None:
    """Two more mornings answered together, then /insights: the chart, saved to a file."""
    alex, sam = partners
    answers = (
        (alex, "Our walk after dinner, when neither of us looked at a phone."),
        (sam, "You saved me the last slice and didn't make a thing of it."),
    )
    for _ in range(2):
        clock.advance(timedelta(days=1))
        asked = await fake.slash(sam, "question now", guild=guild)
        await asked.wait_reply()
        for user, text in answers:
            message = [
                m
                for m in fake.channel_messages(guild.channel_id)
                if any("Today's question" in (e.get("title") or "") for e in m["embeds"])
            ][-1]
            click = await fake.click(user, message, _button(message, "Answer"), guild=guild)
            await click.wait_response()
            submit = await fake.submit_modal(user, click, {"answer": text}, guild=guild)
            await submit.wait_reply()
    show.say("…", "Two more mornings pass; both of you answer each day.")
    show.say("Alex", "/insights")
    insights = await fake.slash(alex, "insights", guild=guild)
    reply = await insights.wait_reply()
    show.reply(insights, "Alex")
    for _name, data in fake.attachments(reply):
        await asyncio.to_thread(chart.write_bytes, data)
        print(f"The insights chart Alex sees is saved at {chart}")
