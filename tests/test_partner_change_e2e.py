"""Changing partner: an accepted partner names someone else in /setup; that person must
accept; until then nothing changes; once accepted, the old couple ends as /couple end
ends one (deleted after the grace period) and the new couple starts fresh, seeing none
of the old couple's history."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from couplebot.bot import CoupleBot
from couplebot.fake_discord import FakeDiscord, FakeUser

from .conftest import BotRunner, Couple, set_up
from .test_daily_e2e import answer, buttons, post_today, reveal_messages

SECRETS = ("Your laugh at breakfast.", "The long walk home.")


async def ask_for(fake: FakeDiscord, couple: Couple, new: FakeUser, **options: Any) -> Any:
    values: dict[str, Any] = {"partner": new, "timezone": "Europe/Berlin", "time": "09:00"}
    values.update(options)
    setup = await fake.slash(couple.alex, "setup", values, guild=couple.guild)
    await setup.wait_response()
    return setup


async def press(fake: FakeDiscord, couple: Couple, user: FakeUser, message: Any, label: str) -> Any:
    click = await fake.click(user, message, buttons(message)[label], guild=couple.guild)
    await click.wait_response()
    return click


async def run(fake: FakeDiscord, couple: Couple, user: FakeUser, name: str) -> Any:
    interaction = await fake.slash(user, name, guild=couple.guild)
    await interaction.wait_reply()
    return interaction


async def with_history(fake: FakeDiscord, couple: Couple) -> dict[str, Any]:
    await set_up(fake, couple)
    prompt = await post_today(fake, couple)
    await answer(fake, couple, couple.alex, SECRETS[0])
    await answer(fake, couple, couple.sam, SECRETS[1])
    await fake.wait_until(lambda: len(reveal_messages(fake, couple)) == 1)
    return prompt


async def test_a_new_partner_must_accept_and_then_sees_none_of_the_old_history(
    fake: FakeDiscord, couple: Couple, runner: BotRunner, bot: CoupleBot
) -> None:
    old_prompt = await with_history(fake, couple)
    old_answer_id = buttons(old_prompt)["Answer"]
    robin = couple.guest
    request = await ask_for(fake, couple, robin)
    assert not request.ephemeral
    assert "instead of" in request.text and "press **Accept**" in request.text
    assert set(buttons(request.message)) == {"Accept", "Not now"}
    mentioned = {u["id"] for u in request.message["mentions"]}
    assert mentioned == {str(robin.id), str(couple.sam.id)}  # Sam is told in the channel

    # Until Robin accepts, the couple runs unchanged.
    settings = await run(fake, couple, couple.sam, "settings")
    assert "08:00 in Europe/Berlin" in settings.text
    assert "just for them" in (await run(fake, couple, robin, "settings")).text
    for someone in (couple.sam, couple.alex):
        refused = await press(fake, couple, someone, request.message, "Accept")
        assert refused.ephemeral and "Only the partner named" in refused.text

    accepted = await press(fake, couple, robin, request.message, "Accept")
    assert "All set, Alex and Robin" in accepted.text and "starting fresh" in accepted.text
    assert "09:00 in Europe/Berlin" in (await run(fake, couple, couple.alex, "settings")).text
    assert "just for them" in (await run(fake, couple, couple.sam, "settings")).text

    # Robin sees nothing of what Alex and Sam shared: not in /history, not in an export,
    # not through the old question's buttons.
    history = await run(fake, couple, robin, "history")
    assert not any(secret in history.text for secret in SECRETS)
    for user in (robin, couple.alex):
        export = await bot.services.privacy.export(couple.guild.id, user.id)
        assert not any(secret.encode() in export for secret in SECRETS)
        assert json.loads(export)["your_answers"] == []
    # The old question's Answer button (gone after the reveal; a stale client may have it).
    data = {"custom_id": old_answer_id, "component_type": 2}
    old_answer = await fake.forge(robin, 3, data, guild=couple.guild, message=old_prompt)
    await old_answer.wait_response()
    assert old_answer.modal is None and old_answer.ephemeral

    # The old couple's data is kept for the grace period, then deleted.
    async with bot.store.read() as tx:
        old_ids = await tx.privacy.couples_of(couple.sam.id)
    assert len(old_ids) == 1
    runner.clock.advance(timedelta(days=6))
    await bot.services.privacy.purge_left()
    async with bot.store.read() as tx:
        assert await tx.couples.get(old_ids[0]) is not None
    runner.clock.advance(timedelta(days=2))
    await bot.services.privacy.purge_left()
    async with bot.store.read() as tx:
        assert await tx.couples.get(old_ids[0]) is None
        assert await tx.privacy.couples_of(couple.sam.id) == []
        assert len(await tx.privacy.couples_of(couple.alex.id)) == 1


async def test_not_now_or_a_lapse_leaves_the_couple_as_it_was(
    fake: FakeDiscord, couple: Couple, runner: BotRunner, bot: CoupleBot
) -> None:
    await with_history(fake, couple)
    robin = couple.guest
    first = await ask_for(fake, couple, robin)
    declined = await press(fake, couple, robin, first.message, "Not now")
    assert "everything stays as it was" in declined.text
    assert "08:00 in Europe/Berlin" in (await run(fake, couple, couple.sam, "settings")).text

    second = await ask_for(fake, couple, robin)
    runner.clock.advance(timedelta(days=8))
    lapsed = await press(fake, couple, robin, second.message, "Accept")
    assert lapsed.ephemeral and "lapsed" in lapsed.text
    assert "just for them" in (await run(fake, couple, robin, "settings")).text
    history = await run(fake, couple, couple.sam, "history")
    assert SECRETS[0] in history.text  # Alex and Sam keep everything


async def test_a_partner_change_still_refuses_outsiders_and_bots(
    fake: FakeDiscord, couple: Couple, bot: CoupleBot
) -> None:
    await set_up(fake, couple)
    outsider = fake.add_user("Kim")
    refused = await ask_for(fake, couple, outsider)
    assert refused.ephemeral and "isn't a member of this server" in refused.text
    updated = await ask_for(fake, couple, couple.sam, time="10:00")  # times only
    assert "Updated" in updated.text and "Accept" not in updated.text


def themes_on(settings: Any) -> str:
    return next(line for line in settings.text.splitlines() if line.startswith("Themes on:"))


async def test_a_new_partner_in_another_time_zone_starts_with_long_distance(
    fake: FakeDiscord, couple: Couple, bot: CoupleBot
) -> None:
    await set_up(fake, couple)  # both in Europe/Berlin
    assert "Long distance" not in themes_on(await run(fake, couple, couple.alex, "settings"))
    request = await ask_for(fake, couple, couple.guest, partner_timezone="America/New_York")
    await press(fake, couple, couple.guest, request.message, "Accept")
    settings = await run(fake, couple, couple.alex, "settings")
    assert "America/New_York" in settings.text
    assert "Long distance" in themes_on(settings)  # the theme, as a new /setup turns it on
