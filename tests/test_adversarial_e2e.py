"""Only the couple gets in: outsiders, other servers, DMs, and forged payloads (fuzzed)."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from couplebot.bot import CoupleBot
from couplebot.fake_discord import FakeDiscord, message_text
from tests.daily_store import DailyStore

from .conftest import Couple, set_up
from .interaction_helpers import buttons
from .test_daily_e2e import answer, post_today, reveal_messages, round_messages

COMMANDS: list[tuple[str, dict[str, Any]]] = [
    ("settings", {}),
    ("question now", {}),
    ("question skip", {}),
    ("question add", {"text": "What is a song you would like to share with me?"}),
    ("question decks", {}),
    ("question deep-days", {"days": "mon"}),
    ("history", {}),
    ("pause", {"days": 3}),
    ("quiet", {"start": "01:00", "end": "02:00"}),
    ("privacy export", {}),
    ("privacy forget", {}),
]


async def _state(bot: CoupleBot, couple: Couple) -> tuple[Any, ...]:
    async with DailyStore(bot.store).read() as tx:
        stored = await tx.couple_by_guild(couple.guild.id)
        assert stored is not None
        round_ = await tx.latest_round(stored.id)
        answers = await tx.answers(round_.id) if round_ else []
        return (
            stored,
            round_,
            answers,
            await tx.custom_questions(stored.id),
            await tx.pauses(stored.id),
        )


async def test_every_command_refuses_a_third_member(
    fake: FakeDiscord, couple: Couple, bot: CoupleBot
) -> None:
    await set_up(fake, couple)
    await post_today(fake, couple)
    before = await _state(bot, couple)
    posted = len(fake.channel_messages(couple.guild.channel_id))
    for name, options in COMMANDS:
        interaction = await fake.slash(couple.guest, name, options, guild=couple.guild)
        reply = await interaction.wait_reply()
        assert reply["flags"] & 64, name
        assert "just for them" in interaction.text, (name, interaction.text)
    assert await _state(bot, couple) == before
    assert len(fake.channel_messages(couple.guild.channel_id)) == posted


async def test_another_server_and_dms_are_refused(
    fake: FakeDiscord, couple: Couple, bot: CoupleBot
) -> None:
    await set_up(fake, couple)
    other = fake.add_guild("Elsewhere", [couple.alex, couple.guest])
    await fake.wait_until(lambda: bot.get_guild(other.id) is not None)
    for name, options in COMMANDS:
        elsewhere = await fake.slash(couple.alex, name, options, guild=other)
        await elsewhere.wait_reply()
        assert elsewhere.ephemeral
        assert "no couple set up yet" in elsewhere.text, (name, elsewhere.text)
    dm = await fake.slash(couple.alex, "settings", guild=None)
    await dm.wait_reply()
    assert dm.ephemeral
    assert "inside your couple's server" in dm.text


async def test_a_button_from_another_couple_reveals_nothing(
    fake: FakeDiscord, couple: Couple, bot: CoupleBot
) -> None:
    await set_up(fake, couple)
    await post_today(fake, couple)
    await answer(fake, couple, couple.alex, "For Sam's eyes only.")
    jo, kim = fake.add_user("Jo"), fake.add_user("Kim")
    theirs = fake.add_guild("Jo & Kim", [jo, kim])
    await fake.wait_until(lambda: bot.get_guild(theirs.id) is not None)
    setup = await fake.slash(
        jo, "setup", {"partner": kim, "timezone": "UTC", "time": "09:00"}, guild=theirs
    )
    await setup.wait_response()
    # Jo replays Alex & Sam's Answer button inside Jo's own server.
    message = round_messages(fake, couple)[0]
    data = {"custom_id": buttons(message)["Answer"], "component_type": 2}
    forged = await fake.forge(jo, 3, data, guild=theirs, message=message)
    await forged.wait_response()
    assert forged.ephemeral
    assert forged.modal is None
    assert "For Sam's eyes only." not in str(forged.callbacks)


FORGED_IDS = st.one_of(
    st.text(max_size=120),
    st.from_regex(r"\Acb:(answer|pass|share|history|forget|decks):[0-9-]{0,25}\Z"),
    st.builds(
        lambda kind, n: f"cb:{kind}:{n}",
        st.sampled_from(["answer", "pass", "share", "history", "forget"]),
        st.integers(min_value=-(2**70), max_value=2**70),
    ),
)
MODAL_VALUES = st.one_of(
    st.none(),
    st.text(max_size=50),
    st.integers(),
    st.lists(st.dictionaries(st.sampled_from(["custom_id", "value", "type"]), st.text(max_size=5))),
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(custom_id=FORGED_IDS, modal_value=MODAL_VALUES, as_partner=st.booleans())
async def test_forged_payloads_never_crash_or_leak(
    fake: FakeDiscord,
    couple: Couple,
    bot: CoupleBot,
    caplog: pytest.LogCaptureFixture,
    custom_id: str,
    modal_value: Any,
    as_partner: bool,
) -> None:
    if not fake.commands or not round_messages(fake, couple):
        await set_up(fake, couple)
        await post_today(fake, couple)
        await answer(fake, couple, couple.alex, "A secret kept until the reveal.")
    caplog.clear()
    user = couple.sam if as_partner else couple.guest
    message = round_messages(fake, couple)[0]
    before = await _state(bot, couple)
    posted = len(fake.channel_messages(couple.guild.channel_id))

    click = await fake.forge(
        user, 3, {"custom_id": custom_id, "component_type": 2}, guild=couple.guild, message=message
    )
    modal = await fake.forge(
        couple.guest,
        5,
        {
            "custom_id": f"cb:answer-modal:{custom_id[-20:]}",
            "components": [
                {
                    "type": 1,
                    "components": [{"type": 4, "custom_id": "answer", "value": modal_value}],
                }
            ]
            if not isinstance(modal_value, list)
            else modal_value,
        },
        guild=couple.guild,
    )
    for interaction in (click, modal):
        try:
            await interaction.wait_response(timeout=0.15)
        except AssertionError:
            continue  # an unknown custom_id is ignored, as discord.py does
        assert "A secret kept until the reveal." not in str(interaction.callbacks)

    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    if not as_partner:
        assert await _state(bot, couple) == before
    assert reveal_messages(fake, couple) == []
    assert len(fake.channel_messages(couple.guild.channel_id)) == posted
    assert "A secret kept" not in "\n".join(
        message_text(m) for m in fake.channel_messages(couple.guild.channel_id)
    )


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    command=st.sampled_from(["setup", "quiet", "question deep-days", "question add", "pause"]),
    text=st.text(min_size=1, max_size=80),
    number=st.integers(min_value=-(2**40), max_value=2**40),
)
async def test_malformed_options_get_a_kind_reply(
    fake: FakeDiscord,
    couple: Couple,
    bot: CoupleBot,
    caplog: pytest.LogCaptureFixture,
    command: str,
    text: str,
    number: int,
) -> None:
    if not fake.commands or not round_messages(fake, couple):
        await set_up(fake, couple)
        await post_today(fake, couple)
    caplog.clear()
    options: dict[str, Any] = {
        "setup": {"partner": couple.sam, "timezone": text, "time": text[:10]},
        "quiet": {"start": text, "end": text[::-1]},
        "question deep-days": {"days": text},
        "question add": {"text": text},
        "pause": {"days": number},
    }[command]
    interaction = await fake.slash(couple.alex, command, options, guild=couple.guild)
    reply = await interaction.wait_reply()
    assert interaction.text.strip(), reply
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    if "Something went wrong" in interaction.text:
        pytest.fail(f"{command} {options!r} fell through to the generic error")
