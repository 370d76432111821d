"""/setup, /settings and /help end to end: real discord.py client, fake Discord."""

from __future__ import annotations

from datetime import timedelta

from couplebot.fake_discord import FakeDiscord, message_text

from .conftest import BotRunner, Couple, accept, set_up


async def test_commands_are_registered(fake: FakeDiscord, bot: object) -> None:
    names = {command["name"] for command in fake.commands}
    assert {"setup", "settings", "help", "question", "history", "pause", "quiet"} <= names


async def test_setup_registers_the_couple(fake: FakeDiscord, couple: Couple, bot: object) -> None:
    interaction = await set_up(fake, couple)
    assert not interaction.ephemeral
    assert "All set, Alex and Sam" in interaction.text
    assert "08:00 (Europe/Berlin)" in interaction.text

    settings = await fake.slash(couple.sam, "settings", guild=couple.guild)
    await settings.wait_response()
    assert settings.ephemeral
    assert "08:00 in Europe/Berlin" in settings.text


async def test_setup_with_partner_timezone_turns_on_long_distance(
    fake: FakeDiscord, couple: Couple, bot: object
) -> None:
    await set_up(fake, couple, partner_timezone="America/New_York")
    settings = await fake.slash(couple.alex, "settings", guild=couple.guild)
    await settings.wait_response()
    assert "America/New_York" in settings.text
    assert "Long distance" in settings.text


async def test_settings_persist_across_a_restart(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    await runner.start()
    await set_up(fake, couple, time="07:15", timezone="Asia/Tokyo")
    await runner.restart()
    settings = await fake.slash(couple.alex, "settings", guild=couple.guild)
    await settings.wait_response()
    assert "07:15 in Asia/Tokyo" in settings.text


async def test_running_setup_again_updates(fake: FakeDiscord, couple: Couple, bot: object) -> None:
    await set_up(fake, couple)
    again = await fake.slash(
        couple.sam,
        "setup",
        {"partner": couple.alex, "timezone": "Europe/Lisbon", "time": "6:45"},
        guild=couple.guild,
    )
    await again.wait_response()
    assert "Updated" in again.text
    assert "06:45 (Europe/Lisbon)" in again.text


async def _refused(
    fake: FakeDiscord,
    couple: Couple,
    user: object,
    options: dict[str, object],
    expected: str,
    *,
    guild: object = "default",
) -> None:
    target = couple.guild if guild == "default" else guild
    interaction = await fake.slash(user, "setup", options, guild=target)  # type: ignore[arg-type]
    await interaction.wait_response()
    assert interaction.ephemeral, interaction.text
    assert expected in interaction.text


async def test_bad_setup_input_is_refused_and_stores_nothing(
    fake: FakeDiscord, couple: Couple, bot: object
) -> None:
    base = {"partner": couple.sam, "timezone": "Europe/Berlin", "time": "08:00"}
    await _refused(
        fake, couple, couple.alex, {**base, "partner": couple.alex}, "rather than yourself"
    )
    helper = fake.add_user("Helper", bot=True)
    await _refused(fake, couple, couple.alex, {**base, "partner": helper}, "bot account")
    await _refused(
        fake, couple, couple.alex, {**base, "timezone": "Mars/Olympus"}, "not a time zone"
    )
    await _refused(fake, couple, couple.alex, {**base, "time": "8am"}, "HH:MM")
    await _refused(fake, couple, couple.alex, {**base, "time": "24:00"}, "HH:MM")
    await _refused(fake, couple, couple.alex, base, "inside your couple's server", guild=None)

    settings = await fake.slash(couple.alex, "settings", guild=couple.guild)
    await settings.wait_response()
    assert "no couple set up yet" in settings.text


async def test_a_third_member_cannot_take_over(
    fake: FakeDiscord, couple: Couple, bot: object
) -> None:
    await set_up(fake, couple)
    await _refused(
        fake,
        couple,
        couple.guest,
        {"partner": couple.alex, "timezone": "UTC", "time": "09:00"},
        "already has a couple",
    )
    settings = await fake.slash(couple.guest, "settings", guild=couple.guild)
    await settings.wait_response()
    assert settings.ephemeral
    assert "just for them" in settings.text
    mine = await fake.slash(couple.alex, "settings", guild=couple.guild)
    await mine.wait_response()
    assert "08:00 in Europe/Berlin" in mine.text


async def test_timezone_autocomplete(fake: FakeDiscord, couple: Couple, bot: object) -> None:
    choices = await fake.autocomplete(
        couple.alex, "setup", {"timezone": "berl"}, "timezone", guild=couple.guild
    )
    assert choices[0]["value"] == "Europe/Berlin"


async def test_help_is_warm_and_private(fake: FakeDiscord, couple: Couple, bot: object) -> None:
    interaction = await fake.slash(couple.guest, "help", guild=couple.guild)
    await interaction.wait_response()
    assert interaction.ephemeral
    assert "Answer" in interaction.text
    assert "therapist" in interaction.text


async def test_help_covers_every_command(fake: FakeDiscord, couple: Couple, bot: object) -> None:
    interaction = await fake.slash(couple.alex, "help", guild=couple.guild)
    await interaction.wait_response()
    names = []
    for command in fake.commands:
        subs = [o for o in command.get("options", []) if o.get("type") == 1]
        names += [f"/{command['name']} {s['name']}" for s in subs] or [f"/{command['name']}"]
    assert "/question deep-days" in names and "/privacy forget" in names
    for name in names:
        assert f"`{name}`" in interaction.text, name


async def test_a_value_that_cannot_be_read_names_its_option(
    fake: FakeDiscord, couple: Couple, bot: object
) -> None:
    command = next(c for c in fake.commands if c["name"] == "setup")
    data = {
        "id": command["id"],
        "name": "setup",
        "type": 1,
        "options": [
            {"name": "partner", "type": 6, "value": "123456789012345678"},  # not resolved
            {"name": "timezone", "type": 3, "value": "Europe/Berlin"},
            {"name": "time", "type": 3, "value": "08:00"},
        ],
        "resolved": {},
    }
    interaction = await fake.forge(couple.alex, 2, data, guild=couple.guild)
    await interaction.wait_response()
    assert interaction.ephemeral
    assert "`partner`" in interaction.text


def test_the_option_behind_a_bad_value_is_found_in_subcommands_too() -> None:
    from types import SimpleNamespace

    from couplebot.bot import _option_named

    data = {
        "options": [{"name": "deep-days", "type": 1, "options": [{"name": "days", "value": "x"}]}]
    }
    assert _option_named(SimpleNamespace(data=data), "x") == "days"  # type: ignore[arg-type]
    assert _option_named(SimpleNamespace(data={}), "x") is None  # type: ignore[arg-type]


async def test_the_named_partner_must_accept_before_anything_starts(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    bot = await runner.start()
    options = {"partner": couple.sam, "timezone": "Europe/Berlin", "time": "08:00"}
    setup = await fake.slash(couple.alex, "setup", options, guild=couple.guild)
    await setup.wait_response()
    assert "press **Accept**" in setup.text and not setup.ephemeral
    early = await fake.slash(couple.alex, "settings", guild=couple.guild)
    await early.wait_response()
    assert early.ephemeral and "Accept" in early.text
    runner.clock.advance(timedelta(hours=4))  # past 08:00 Berlin: nothing is scheduled yet
    await bot.services.tick()
    assert not any(
        "Today's question" in message_text(m)
        for m in fake.channel_messages(couple.guild.channel_id)
    )
    for stranger in (couple.guest, couple.alex):
        refused = await accept(fake, couple, setup, stranger)
        assert refused.ephemeral and "Only the partner named" in refused.text
    accepted = await accept(fake, couple, setup)
    assert "All set" in accepted.text
    now = await fake.slash(couple.alex, "question now", guild=couple.guild)
    await now.wait_followup()
    assert "Today's question is" in now.text


async def test_a_third_member_cannot_take_the_server_over(
    fake: FakeDiscord, couple: Couple, bot: object
) -> None:
    grab = await fake.slash(
        couple.guest,
        "setup",
        {"partner": couple.alex, "timezone": "UTC", "time": "09:00"},
        guild=couple.guild,
    )
    await grab.wait_response()
    assert "press **Accept**" in grab.text  # a request only; Alex never accepts it
    await set_up(fake, couple)  # the couple sets up anyway: the request is replaced
    settings = await fake.slash(couple.sam, "settings", guild=couple.guild)
    await settings.wait_response()
    assert "08:00 in Europe/Berlin" in settings.text
    mine = await fake.slash(couple.guest, "settings", guild=couple.guild)
    await mine.wait_response()
    assert "just for them" in mine.text


async def test_a_partner_who_is_not_a_member_is_refused(
    fake: FakeDiscord, couple: Couple, bot: object
) -> None:
    outsider = fake.add_user("Kim")  # not in the couple's server
    refused = await fake.slash(
        couple.alex,
        "setup",
        {"partner": outsider, "timezone": "UTC", "time": "09:00"},
        guild=couple.guild,
    )
    await refused.wait_response()
    assert refused.ephemeral and "isn't a member of this server" in refused.text
