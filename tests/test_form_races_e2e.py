"""A form answers the question it was opened for; a refused submit gives the text back
(issue 9: 11), and odd input is refused kindly (issue 9: 12)."""

from __future__ import annotations

from couplebot.bot import CoupleBot
from couplebot.fake_discord import FakeDiscord, message_text

from .conftest import Couple, set_up
from .test_daily_e2e import buttons, post_today, reveal_messages, round_messages


async def open_form(fake: FakeDiscord, couple: Couple, user):  # type: ignore[no-untyped-def]
    message = round_messages(fake, couple)[-1]
    click = await fake.click(user, message, buttons(message)["Answer"], guild=couple.guild)
    await click.wait_response()
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
    passed = await fake.click(
        couple.alex, message, buttons(message)["Not this one"], guild=couple.guild
    )
    await passed.wait_response()
    submit = await fake.submit_modal(
        couple.sam, form, {"answer": "Still mine to keep."}, guild=couple.guild
    )
    await submit.wait_reply()
    assert "resting" in submit.text and "Still mine to keep." in submit.text
    assert reveal_messages(fake, couple) == []
