"""The fake Discord driven by the real discord.py client."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import discord
import pytest
from discord import app_commands
from discord.ext import commands
from discord.http import Route

from couplebot.fake_discord import (
    FakeDiscord,
    FakeGuild,
    FakeUser,
    default_spec_path,
    point_discord_py_at,
)

SPEC_PRESENT = default_spec_path().is_file()


class AnswerModal(discord.ui.Modal, title="Your answer"):
    answer: discord.ui.TextInput[AnswerModal] = discord.ui.TextInput(
        label="Answer", custom_id="answer", style=discord.TextStyle.paragraph, max_length=4000
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(
            f"saved {len(self.answer.value)} chars", ephemeral=True
        )


class LabelledModal(discord.ui.Modal, title="Check-in"):
    mood: discord.ui.Label[LabelledModal] = discord.ui.Label(
        text="Mood",
        component=discord.ui.TextInput(custom_id="mood", max_length=100),
    )
    need: discord.ui.Label[LabelledModal] = discord.ui.Label(
        text="What do you need?",
        component=discord.ui.TextInput(custom_id="need", required=False),
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        mood = self.mood.component
        need = self.need.component
        assert isinstance(mood, discord.ui.TextInput)
        assert isinstance(need, discord.ui.TextInput)
        await interaction.response.send_message(f"mood={mood.value} need={need.value or '-'}")


class Buttons(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Answer", custom_id="t:answer")
    async def answer(
        self, interaction: discord.Interaction, button: discord.ui.Button[Buttons]
    ) -> None:
        await interaction.response.send_modal(AnswerModal())

    @discord.ui.button(label="Check in", custom_id="t:checkin")
    async def checkin(
        self, interaction: discord.Interaction, button: discord.ui.Button[Buttons]
    ) -> None:
        await interaction.response.send_modal(LabelledModal())

    @discord.ui.select(
        custom_id="t:mood",
        options=[discord.SelectOption(label="calm"), discord.SelectOption(label="tired")],
    )
    async def mood(
        self, interaction: discord.Interaction, select: discord.ui.Select[Buttons]
    ) -> None:
        await interaction.response.send_message(f"mood {select.values[0]}", ephemeral=True)

    @discord.ui.button(label="Done", custom_id="t:done")
    async def done(
        self, interaction: discord.Interaction, button: discord.ui.Button[Buttons]
    ) -> None:
        await interaction.response.edit_message(content="all done", view=None)


@app_commands.command(name="pair", description="Pair with your partner")
@app_commands.describe(partner="Your partner", note="A note")
async def pair(interaction: discord.Interaction, partner: discord.Member, note: str) -> None:
    await interaction.response.send_message(
        f"paired with {partner.display_name}: {note}", ephemeral=True, view=Buttons()
    )


@pair.autocomplete("note")
async def note_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    ideas = ["cake", "camping", "movie night"]
    return [app_commands.Choice(name=i, value=i) for i in ideas if i.startswith(current)]


@app_commands.command(name="hello", description="Say hello")
async def hello(interaction: discord.Interaction) -> None:
    await interaction.response.send_message(f"hello {interaction.user.name}")


question = app_commands.Group(name="question", description="Daily question")


@question.command(name="now", description="Ask now")
async def question_now(interaction: discord.Interaction) -> None:
    await interaction.response.defer(thinking=True)
    await interaction.followup.send(
        embed=discord.Embed(title="Today", description="What made you smile?")
    )


@question.command(name="export", description="Export answers")
async def question_export(interaction: discord.Interaction) -> None:
    await interaction.response.defer(ephemeral=True, thinking=True)
    data = io.BytesIO(json.dumps({"answers": ["yes"]}).encode())
    await interaction.followup.send("here", file=discord.File(data, "export.json"), ephemeral=True)


class MiniBot(commands.Bot):
    def __init__(self, guild_id: int) -> None:
        super().__init__(
            command_prefix="!", intents=discord.Intents.default(), guild_ready_timeout=0.05
        )
        self.guild_id = guild_id

    async def setup_hook(self) -> None:
        self.tree.add_command(pair)
        self.tree.add_command(hello)
        self.tree.add_command(question)
        self.add_view(Buttons())
        await self.tree.sync()
        guild = discord.Object(self.guild_id)
        self.tree.copy_global_to(guild=guild)
        await self.tree.sync(guild=guild)


@dataclass
class Env:
    fake: FakeDiscord
    bot: MiniBot
    guild: FakeGuild
    alice: FakeUser
    bob: FakeUser

    def channel(self) -> discord.TextChannel:
        channel = self.bot.get_channel(self.guild.channel_id)
        assert isinstance(channel, discord.TextChannel)
        return channel


@pytest.fixture
async def env() -> AsyncIterator[Env]:
    fake = FakeDiscord()
    await fake.start()
    undo = point_discord_py_at(fake)
    alice, bob = fake.add_user("alice"), fake.add_user("bob")
    guild = fake.add_guild("Us", [alice, bob])
    bot = MiniBot(guild.id)
    task = asyncio.create_task(bot.start(fake.token))
    try:
        await fake.wait_until(lambda: bot.is_ready() or task.done())
        assert bot.is_ready(), task.exception()
        yield Env(fake, bot, guild, alice, bob)
    finally:
        await bot.close()
        await task
        undo()
        await fake.close()
    assert fake.violations == []


async def test_login_ready_and_command_sync(env: Env) -> None:
    fake, bot = env.fake, env.bot
    assert fake.validating == SPEC_PRESENT
    assert bot.user is not None
    assert bot.user.id == fake.bot_user.id
    assert bot.application_id == fake.application_id
    guild = bot.get_guild(env.guild.id)
    assert guild is not None
    assert guild.member_count == 3  # without the members intent only the bot is cached
    assert guild.default_role.id == guild.id
    assert guild.me.guild_permissions.send_messages
    paths = [(r.method, r.path) for r in fake.requests]
    assert ("GET", "/oauth2/applications/@me") in paths
    assert ("GET", "/users/@me") in paths
    names = sorted((c["name"], c.get("guild_id", "")) for c in fake.commands)
    assert names == sorted(
        [(n, "") for n in ("hello", "pair", "question")]
        + [(n, str(env.guild.id)) for n in ("hello", "pair", "question")]
    )
    assert all(int(c["id"]) > 0 for c in fake.commands)


async def test_slash_with_user_and_string_options(env: Env) -> None:
    interaction = await env.fake.slash(
        env.alice, "pair", {"partner": env.bob, "note": "hi"}, guild=env.guild
    )
    response = await interaction.wait_response()
    assert response["type"] == 4
    assert interaction.text == "paired with bob: hi"
    assert interaction.ephemeral
    assert interaction.message is not None
    assert env.fake.channel_messages(env.guild.channel_id) == []  # ephemeral stays private
    assert not env.fake.has_messages(env.guild.channel_id)


async def test_slash_unknown_option_is_a_test_error(env: Env) -> None:
    with pytest.raises(ValueError, match="no option 'nope'"):
        await env.fake.slash(env.alice, "pair", {"nope": 1}, guild=env.guild)


async def test_button_updates_message(env: Env) -> None:
    slash = await env.fake.slash(
        env.alice, "pair", {"partner": env.bob, "note": "x"}, guild=env.guild
    )
    await slash.wait_response()
    assert slash.message is not None
    click = await env.fake.click(env.alice, slash.message, "t:done", guild=env.guild)
    response = await click.wait_response()
    assert response["type"] == 7
    assert click.text == "all done"
    assert env.fake.message(slash.message["id"])["components"] == []


async def test_string_select(env: Env) -> None:
    slash = await env.fake.slash(
        env.alice, "pair", {"partner": env.bob, "note": "x"}, guild=env.guild
    )
    await slash.wait_response()
    assert slash.message is not None
    chosen = await env.fake.select(env.alice, slash.message, "t:mood", ["tired"], guild=env.guild)
    await chosen.wait_response()
    assert chosen.text == "mood tired"
    with pytest.raises(ValueError, match="not options"):
        await env.fake.select(env.alice, slash.message, "t:mood", ["angry"], guild=env.guild)


async def test_modal_round_trip_with_action_rows(env: Env) -> None:
    slash = await env.fake.slash(
        env.alice, "pair", {"partner": env.bob, "note": "x"}, guild=env.guild
    )
    await slash.wait_response()
    assert slash.message is not None
    click = await env.fake.click(env.alice, slash.message, "t:answer", guild=env.guild)
    await click.wait_response()
    assert click.modal is not None
    assert click.modal["title"] == "Your answer"
    submit = await env.fake.submit_modal(env.alice, click, {"answer": "é" * 4000}, guild=env.guild)
    await submit.wait_response()
    assert submit.text == "saved 4000 chars"
    assert submit.ephemeral


async def test_modal_round_trip_with_labels(env: Env) -> None:
    slash = await env.fake.slash(
        env.alice, "pair", {"partner": env.bob, "note": "x"}, guild=env.guild
    )
    await slash.wait_response()
    assert slash.message is not None
    click = await env.fake.click(env.alice, slash.message, "t:checkin", guild=env.guild)
    await click.wait_response()
    assert click.modal is not None
    assert [c["type"] for c in click.modal["components"]] == [18, 18]
    submit = await env.fake.submit_modal(env.alice, click, {"mood": "calm"}, guild=env.guild)
    await submit.wait_response()
    assert submit.text == "mood=calm need=-"
    assert not submit.ephemeral
    with pytest.raises(ValueError, match="required"):
        await env.fake.submit_modal(env.alice, click, {"need": "a hug"}, guild=env.guild)


async def test_autocomplete(env: Env) -> None:
    choices = await env.fake.autocomplete(
        env.alice, "pair", {"partner": env.bob, "note": "ca"}, "note", guild=env.guild
    )
    assert [c["name"] for c in choices] == ["cake", "camping"]


async def test_subcommand_defer_then_followup(env: Env) -> None:
    interaction = await env.fake.slash(env.alice, "question now", guild=env.guild)
    assert (await interaction.wait_response())["type"] == 5
    followup = await interaction.wait_followup()
    assert followup["embeds"][0]["title"] == "Today"
    assert "What made you smile?" in interaction.text
    # The first followup after a deferral replaces the "thinking" message.
    [posted] = env.fake.channel_messages(env.guild.channel_id)
    assert env.fake.has_messages(env.guild.channel_id)
    assert interaction.message is not None
    assert posted["id"] == followup["id"] == interaction.message["id"]
    assert posted["embeds"][0]["description"] == "What made you smile?"
    assert not posted["flags"] & 128


async def test_followup_with_attached_file(env: Env) -> None:
    interaction = await env.fake.slash(env.alice, "question export", guild=env.guild)
    followup = await interaction.wait_followup()
    assert followup["flags"] & 64
    [(name, data)] = env.fake.attachments(followup)
    assert name == "export.json"
    assert json.loads(data) == {"answers": ["yes"]}


async def test_dm_slash_goes_to_dm_channel(env: Env) -> None:
    interaction = await env.fake.slash(env.alice, "hello", guild=None)
    await interaction.wait_response()
    assert interaction.text == "hello alice"
    assert [m["content"] for m in env.fake.dm_messages(env.alice.id)] == ["hello alice"]


async def test_bot_dm_and_history_edit_delete(env: Env) -> None:
    user = await env.bot.fetch_user(env.bob.id)
    await user.send("thinking of you")
    assert [m["content"] for m in env.fake.dm_messages(env.bob.id)] == ["thinking of you"]
    channel = env.channel()
    sent = [await channel.send(f"m{i}") for i in range(3)]
    newest = [m.content async for m in channel.history(limit=2)]
    assert newest == ["m2", "m1"]
    after = [m.content async for m in channel.history(after=sent[0], oldest_first=True)]
    assert after == ["m1", "m2"]
    await sent[1].edit(content="edited")
    await sent[2].delete()
    stored = env.fake.channel_messages(env.guild.channel_id)
    assert [m["content"] for m in stored] == ["m0", "edited"]
    assert stored[1]["edited_timestamp"] is not None
    assert sent[0].created_at.year >= 2024


async def test_spec_and_limit_violations_are_recorded(env: Env) -> None:
    fake = env.fake
    route = Route("POST", "/channels/{channel_id}/messages", channel_id=env.guild.channel_id)
    if SPEC_PRESENT:
        with pytest.raises(discord.HTTPException) as bad_type:
            await env.bot.http.request(route, json={"content": 5})
        assert bad_type.value.status == 400
        assert bad_type.value.code == 50035
        assert "content" in fake.violations[-1]
        with pytest.raises(discord.HTTPException):
            await env.bot.http.request(route, json={"content": "x", "colour": 1})
        assert "unknown key 'colour'" in fake.violations[-1]
    with pytest.raises(discord.HTTPException, match="2000"):
        await env.channel().send("x" * 2001)
    with pytest.raises(discord.HTTPException):
        await env.bot.http.bulk_upsert_global_commands(
            fake.application_id, [{"name": "Bad Name", "description": "x", "type": 1}]
        )
    assert "Bad Name" in fake.violations[-1]
    with pytest.raises(discord.NotFound):
        await env.bot.http.request(Route("GET", "/guilds/{guild_id}/bans", guild_id=env.guild.id))
    assert "not implemented" in fake.violations[-1]
    assert len(fake.violations) == (5 if SPEC_PRESENT else 3)
    assert fake.channel_messages(env.guild.channel_id) == []
    fake.violations.clear()


async def test_nonce_dedupes_a_resend(env: Env) -> None:
    channel = env.channel()
    first = await channel.send("question", nonce="question:1")
    again = await channel.send("question", nonce="question:1")
    assert again.id == first.id
    assert len(env.fake.channel_messages(env.guild.channel_id)) == 1
    env.fake.nonce_window_seconds = 0
    later = await channel.send("question", nonce="question:1")
    assert later.id != first.id


async def test_rate_limit_is_retried(env: Env) -> None:
    env.fake.fail_next("POST", "/channels/*/messages", status=429, retry_after=0.05)
    message = await env.channel().send("after a 429")
    statuses = [r.status for r in env.fake.requests if r.path.endswith("/messages")]
    assert statuses == [429, 200]
    assert message.content == "after a 429"


async def test_server_error_is_retried(env: Env) -> None:
    env.fake.fail_next("POST", "/channels/*/messages", status=500)
    await env.channel().send("after a 500")
    statuses = [r.status for r in env.fake.requests if r.path.endswith("/messages")]
    assert statuses == [500, 200]


async def test_interaction_during_gateway_drop_arrives_after_resume(env: Env) -> None:
    resumed = asyncio.Event()

    async def on_resumed() -> None:
        resumed.set()

    env.bot.add_listener(on_resumed)
    await env.fake.drop_gateway()
    interaction = await env.fake.slash(env.alice, "hello", guild=env.guild)
    await interaction.wait_response()
    assert interaction.text == "hello alice"
    await asyncio.wait_for(resumed.wait(), 5)
    assert env.fake.resume_count == 1
    assert env.fake.identify_count == 1


async def test_missing_spec_runs_unvalidated_and_warns_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    missing = tmp_path / "openapi.json"
    assert not FakeDiscord(spec_path=missing).validating
    assert not FakeDiscord(spec_path=missing).validating
    warnings = [r for r in caplog.records if "without validation" in r.getMessage()]
    assert len(warnings) == 1
    assert not FakeDiscord(spec_path=None).validating


async def test_resume_replays_missed_dispatches_raw_socket() -> None:
    fake = FakeDiscord(spec_path=None)
    await fake.start()
    try:
        fake.add_guild("Us", [fake.add_user("alice")])
        async with aiohttp.ClientSession() as session:
            ws = await session.ws_connect(fake.gateway_url)
            assert (await ws.receive_json())["op"] == 10
            await ws.send_json({"op": 2, "d": {"token": fake.token, "intents": 0}})
            ready = await ws.receive_json()
            session_id = ready["d"]["session_id"]
            assert [ready["t"], (await ws.receive_json())["t"]] == ["READY", "GUILD_CREATE"]
            await fake.dispatch("TYPING_START", {"n": 1})
            assert (await ws.receive_json())["s"] == 3
            await ws.close()
            await fake.dispatch("TYPING_START", {"n": 2})  # queued while disconnected

            ws = await session.ws_connect(fake.gateway_url)
            await ws.receive_json()
            await ws.send_json(
                {"op": 6, "d": {"token": fake.token, "session_id": session_id, "seq": 2}}
            )
            frames = [await ws.receive_json() for _ in range(3)]
            assert [(f["t"], f["s"]) for f in frames] == [
                ("TYPING_START", 3),
                ("TYPING_START", 4),
                ("RESUMED", 5),
            ]
            await ws.send_json({"op": 1, "d": 5})
            assert (await ws.receive_json())["op"] == 11
            await ws.close()

            ws = await session.ws_connect(fake.gateway_url)
            await ws.receive_json()
            await ws.send_json(
                {"op": 6, "d": {"token": fake.token, "session_id": "nope", "seq": 1}}
            )
            assert await ws.receive_json() == {"op": 9, "d": False, "s": None, "t": None}
            await ws.close()
    finally:
        await fake.close()


async def test_callback_errors_have_discord_shape() -> None:
    fake = FakeDiscord()
    await fake.start()
    try:
        alice = fake.add_user("alice")
        fake.global_commands.append({"id": "1", "name": "hello", "type": 1, "options": []})
        interaction = await fake.slash(alice, "hello", guild=None)  # queued: nobody connected
        url = f"{fake.api_base}/interactions/{interaction.id}/{interaction.token}/callback"
        async with aiohttp.ClientSession() as session:
            body = {"type": 4, "data": {"content": "hi"}}
            async with session.post(url + "?with_response=1", json=body) as first:
                assert first.headers["Content-Type"] == "application/json"
                reply = await first.json()
            assert reply["resource"]["message"]["content"] == "hi"
            async with session.post(url, json=body) as second:
                assert second.status == 400
                assert (await second.json())["code"] == 40060
            bad = f"{fake.api_base}/interactions/{interaction.id}/wrong/callback"
            async with session.post(bad, json=body) as unknown:
                assert unknown.status == 404
                assert (await unknown.json())["code"] == 10062
        assert interaction.text == "hi"
        assert [m["content"] for m in fake.dm_messages(alice.id)] == ["hi"]
        assert fake.violations == []
    finally:
        await fake.close()


def test_spec_path_can_point_elsewhere(tmp_path: Path) -> None:
    assert default_spec_path().name == "openapi.json"
    assert not FakeDiscord(spec_path=tmp_path / "elsewhere.json").validating
