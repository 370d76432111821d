"""A form answers the question it was opened for; a refused submit gives the text back
(issue 9: 11), and odd input is refused kindly (issue 9: 12)."""

from __future__ import annotations

import copy

from couplebot.bot import CoupleBot
from couplebot.fake_discord import FakeDiscord, message_text

from .conftest import Couple, set_up
from .interaction_helpers import press
from .test_daily_e2e import post_today, reveal_messages, round_messages


async def open_form(fake: FakeDiscord, couple: Couple, user):  # type: ignore[no-untyped-def]
    message = round_messages(fake, couple)[-1]
    click = await press(fake, couple, user, message, "Answer")
    assert click.modal is not None
    return click


async def test_an_answer_for_a_swapped_question_is_refused_and_given_back(
    fake: FakeDiscord, couple: Couple, bot: CoupleBot
) -> None:
    await set_up(fake, couple)
    await post_today(fake, couple)
    before = message_text(round_messages(fake, couple)[-1])
    form = await open_form(fake, couple, couple.sam)
    skip = await fake.slash(couple.alex, "question skip", guild=couple.guild)
    await skip.wait_followup()
    await fake.wait_until(lambda: message_text(round_messages(fake, couple)[-1]) != before)
    submit = await fake.submit_modal(
        couple.sam, form, {"answer": "Words I typed for a while."}, guild=couple.guild
    )
    await submit.wait_reply()
    assert submit.ephemeral and "changed while you were writing" in submit.text
    assert "Words I typed for a while." in submit.text
    fresh = await open_form(fake, couple, couple.sam)  # the new question's form is empty
    assert "Words I typed" not in str(fresh.modal)


async def test_a_submit_after_the_partner_passed_gives_the_text_back(
    fake: FakeDiscord, couple: Couple, bot: CoupleBot
) -> None:
    await set_up(fake, couple)
    await post_today(fake, couple)
    form = await open_form(fake, couple, couple.sam)
    message = round_messages(fake, couple)[-1]
    await press(fake, couple, couple.alex, message, "Not this one")
    submit = await fake.submit_modal(
        couple.sam, form, {"answer": "Still mine to keep."}, guild=couple.guild
    )
    await submit.wait_reply()
    assert "resting" in submit.text and "Still mine to keep." in submit.text
    assert reveal_messages(fake, couple) == []


async def test_odd_input_is_refused_kindly(
    fake: FakeDiscord, couple: Couple, bot: CoupleBot
) -> None:
    await set_up(fake, couple)
    days = await fake.slash(
        couple.alex, "question deep-days", {"days": "satan, sunshine"}, guild=couple.guild
    )
    await days.wait_response()
    assert days.ephemeral and "don't know the day `satan`" in days.text
    settings = await fake.slash(couple.alex, "settings", guild=couple.guild)
    await settings.wait_response()
    assert "Wed, Sat" in settings.text  # unchanged: the default deep days
    blank = await fake.slash(
        couple.alex, "question add", {"text": "\u200b" * 40}, guild=couple.guild
    )
    await blank.wait_response()
    assert blank.ephemeral and "a little short" in blank.text
    fine = await fake.slash(
        couple.alex, "question add", {"text": "What do you love about Sundays?"}, guild=couple.guild
    )
    await fine.wait_response()
    assert "Added" in fine.text
    await post_today(fake, couple)
    message = round_messages(fake, couple)[-1]
    for custom_id in ("cb:x:daily:answer:9999999999999999999", "cb:history:9999999999999999999"):
        data = {"custom_id": custom_id, "component_type": 2}
        tampered = copy.deepcopy(message)  # a button on the message carries the forged id
        tampered["components"][0]["components"][0]["custom_id"] = custom_id
        forged = await fake.forge(couple.alex, 3, data, guild=couple.guild, message=tampered)
        await forged.wait_response()
        assert forged.ephemeral and "no longer here" in forged.text
