"""Sent views and opened forms are not kept in memory: nothing piles up per couple."""

from __future__ import annotations

from couplebot.bot import CoupleBot
from couplebot.fake_discord import FakeDiscord

from .conftest import Couple, set_up
from .interaction_helpers import press
from .test_daily_e2e import answer, post_today, reveal_messages, round_messages


async def test_views_and_forms_are_not_stored(
    fake: FakeDiscord, couple: Couple, bot: CoupleBot
) -> None:
    await set_up(fake, couple)
    await post_today(fake, couple)
    # Forms opened and closed without a submit (they never time out in discord.py).
    for user in (couple.sam, couple.alex, couple.sam):
        message = round_messages(fake, couple)[0]
        click = await press(fake, couple, user, message, "Answer")
        assert click.modal is not None
    store = bot._connection._view_store
    assert store._modals == {}
    assert store._views == {}
    assert store._synced_message_views == {}
    # The forms and buttons still work without anything stored.
    await answer(fake, couple, couple.alex, "The bakery at dawn.")
    await answer(fake, couple, couple.sam, "Your humming.")
    await fake.wait_until(lambda: len(reveal_messages(fake, couple)) == 1)
    assert store._modals == {}
