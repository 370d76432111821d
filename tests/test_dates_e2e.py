"""Date nights end to end: suggesting idea cards, Another, Save, and who may press them."""

from __future__ import annotations

import random
from itertools import product

import pytest

from couplebot.bot import CoupleBot
from couplebot.content import Content
from couplebot.domain.ideas import (
    Budget,
    Energy,
    IdeaFilters,
    IdeaHistory,
    IdeaKind,
    NoMatch,
    Setting,
    choose_idea,
    matching,
)
from couplebot.fake_discord import FakeDiscord, message_text

from .conftest import Couple, set_up
from .dates_helpers import cards, idea_of, press, suggest, title
from .interaction_helpers import buttons


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
    assert posted[0]["mentions"] == [] and "@" not in text
    again = await press(fake, couple, couple.sam, posted[0], "Another")
    assert again.callbacks[0]["type"] == 7, again.callbacks
    await fake.wait_until(lambda: len(cards(fake, couple)) == 2)
    old = fake.message(posted[0]["id"])
    assert "Sam asked for another" in message_text(old) and buttons(old) == {}
    assert title(cards(fake, couple)[1]) != title(posted[0])

    saved = await press(fake, couple, couple.alex, cards(fake, couple)[1], "Save")
    assert saved.callbacks[0]["type"] == 7
    card = fake.message(cards(fake, couple)[1]["id"])
    assert "Alex saved it for later" in message_text(card)
    assert set(buttons(card)) == {"Let's do this", "Another"}


@pytest.mark.parametrize(
    ("command", "options", "accepts"),
    [
        ("date idea", {"budget": "free"}, lambda i: i.budget is Budget.FREE),
        ("date idea", {"budget": "low"}, lambda i: i.budget in {Budget.FREE, Budget.LOW}),
        ("date idea", {"setting": "outdoors"}, lambda i: i.setting is Setting.OUTDOORS),
        ("date idea", {"minutes": 60}, lambda i: i.minutes <= 60),
        ("date idea", {"energy": "active"}, lambda i: i.energy is Energy.ACTIVE),
        ("activity", {}, lambda i: i.kind is IdeaKind.ACTIVITY),
        ("activity", {"minutes": 10}, lambda i: i.minutes <= 10),
        ("activity", {"setting": "apart"}, lambda i: i.setting is Setting.APART),
    ],
)
async def test_each_filter_is_kept_over_several_cards(
    fake: FakeDiscord,
    couple: Couple,
    bot: CoupleBot,
    content: Content,
    command: str,
    options: dict[str, object],
    accepts: object,
) -> None:
    await set_up(fake, couple)
    await suggest(fake, couple, options, command)
    for _ in range(3):
        await press(fake, couple, couple.alex, cards(fake, couple)[-1], "Another")
    shown = [idea_of(content, card) for card in cards(fake, couple)]
    assert len(shown) == 4
    wanted = IdeaKind.ACTIVITY if command == "activity" else IdeaKind.DATE
    assert all(idea.kind is wanted and accepts(idea) for idea in shown)  # type: ignore[operator]
    shown_text = message_text(cards(fake, couple)[0])
    assert f"about {shown[0].minutes} minutes" in shown_text


async def test_no_repeat_over_twenty_presses_of_another(
    fake: FakeDiscord, couple: Couple, bot: CoupleBot
) -> None:
    await set_up(fake, couple)
    await suggest(fake, couple)
    for n in range(20):
        await press(
            fake, couple, couple.alex if n % 2 else couple.sam, cards(fake, couple)[-1], "Another"
        )
    titles = [title(card) for card in cards(fake, couple)]
    assert len(titles) == 21 and len(set(titles)) == 21


def _small_activity_filter(content: Content) -> tuple[dict[str, object], int]:
    for minutes, setting in product((5, 10, 15, 30), list(Setting)):
        filters = IdeaFilters(kind=IdeaKind.ACTIVITY, max_minutes=minutes, setting=setting)
        count = len(matching(content.ideas, filters))
        if 2 <= count <= 6:
            return {"minutes": minutes, "setting": setting.value}, count
    raise AssertionError("no small activity filter")


async def test_when_the_pool_runs_out_it_says_so_and_starts_again(
    fake: FakeDiscord, couple: Couple, bot: CoupleBot, content: Content
) -> None:
    await set_up(fake, couple)
    options, count = _small_activity_filter(content)
    await suggest(fake, couple, options, "activity")
    for _ in range(count):
        await press(fake, couple, couple.alex, cards(fake, couple)[-1], "Another")
    posted = cards(fake, couple)
    first_round = [title(card) for card in posted[:count]]
    assert len(set(first_round)) == count
    assert not any("starts again" in message_text(card) for card in posted[:count])
    assert "the list starts again" in message_text(posted[count])
    assert title(posted[count]) != title(posted[count - 1])


def _empty_date_filter(content: Content) -> tuple[dict[str, object], str]:
    for budget, setting, minutes, energy in product(
        list(Budget), list(Setting), (45, 60, 90), list(Energy)
    ):
        filters = IdeaFilters(
            kind=IdeaKind.DATE, budget=budget, setting=setting, max_minutes=minutes, energy=energy
        )
        result = choose_idea(
            pool=content.ideas,
            filters=filters,
            history=IdeaHistory(),
            long_distance=False,
            rng=random.Random(1),
        )
        if isinstance(result, NoMatch) and len(result.loosen) == 1:
            options = {"budget": budget.value, "setting": setting.value}
            return options | {"minutes": minutes, "energy": energy.value}, result.message
    raise AssertionError("every combination matches")


async def test_a_filter_that_matches_nothing_names_what_to_loosen(
    fake: FakeDiscord, couple: Couple, bot: CoupleBot, content: Content
) -> None:
    await set_up(fake, couple)
    options, message = _empty_date_filter(content)
    reply = await suggest(fake, couple, options)
    assert reply.ephemeral and reply.text == message
    assert "Try" in message and any(name in message for name in options)
    assert cards(fake, couple) == []


async def test_a_long_distance_couple_gets_apart_ideas_first(
    fake: FakeDiscord, couple: Couple, bot: CoupleBot, content: Content
) -> None:
    await set_up(fake, couple, partner_timezone="America/New_York")
    await suggest(fake, couple)
    for _ in range(4):
        await press(fake, couple, couple.sam, cards(fake, couple)[-1], "Another")
    assert all(idea_of(content, c).setting is Setting.APART for c in cards(fake, couple))
    assert "Apart" in message_text(cards(fake, couple)[0])
    # A setting filter still wins.
    await suggest(fake, couple, {"setting": "home"})
    assert idea_of(content, cards(fake, couple)[-1]).setting is Setting.HOME


async def test_a_couple_close_by_gets_together_ideas_first(
    fake: FakeDiscord, couple: Couple, bot: CoupleBot, content: Content
) -> None:
    await set_up(fake, couple)
    await suggest(fake, couple)
    for _ in range(4):
        await press(fake, couple, couple.sam, cards(fake, couple)[-1], "Another")
    assert all(idea_of(content, c).setting is not Setting.APART for c in cards(fake, couple))
