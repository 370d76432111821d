"""Date nights end to end: suggest, another, save, plan, remind, reflect."""

from __future__ import annotations

from couplebot.bot import CoupleBot
from couplebot.fake_discord import FakeDiscord, message_text

from .conftest import Couple, set_up
from .dates_helpers import cards, press, suggest, title
from .test_daily_e2e import buttons


async def test_a_card_is_posted_with_its_buttons(
    fake: FakeDiscord, couple: Couple, bot: CoupleBot
) -> None:
    await set_up(fake, couple)
    reply = await suggest(fake, couple)
    assert reply.ephemeral, reply.text
    posted = cards(fake, couple)
    assert len(posted) == 1
    assert set(buttons(posted[0])) == {"Let's do this", "Another", "Save"}
    text = message_text(posted[0])
    assert "minutes" in text and "Something to talk about" in text
    again = await press(fake, couple, couple.sam, posted[0], "Another")
    assert again.callbacks[0]["type"] == 7, again.callbacks
    await fake.wait_until(lambda: len(cards(fake, couple)) == 2)
    assert "Sam asked for another" in message_text(fake.message(posted[0]["id"]))
    assert title(cards(fake, couple)[1]) != title(posted[0])
