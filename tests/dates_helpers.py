"""Helpers for the date-night end-to-end tests."""

from __future__ import annotations

from typing import Any

from couplebot.content import Content
from couplebot.domain.ideas import Idea
from couplebot.fake_discord import FakeDiscord, FakeUser

from . import interaction_helpers
from .conftest import Couple


def cards(fake: FakeDiscord, couple: Couple) -> list[dict[str, Any]]:
    return [
        m
        for m in fake.channel_messages(couple.guild.channel_id)
        if any("#idea-card." in ((e.get("footer") or {}).get("text") or "") for e in m["embeds"])
    ]


def plan_cards(fake: FakeDiscord, couple: Couple) -> list[dict[str, Any]]:
    return [
        m
        for m in fake.channel_messages(couple.guild.channel_id)
        if any("#date-plan." in ((e.get("footer") or {}).get("text") or "") for e in m["embeds"])
    ]


def title(message: dict[str, Any]) -> str:
    return str(message["embeds"][0]["title"])


async def suggest(
    fake: FakeDiscord,
    couple: Couple,
    options: dict[str, Any] | None = None,
    command: str = "date idea",
) -> Any:
    interaction = await fake.slash(couple.alex, command, options or {}, guild=couple.guild)
    await interaction.wait_reply()
    return interaction


async def press(
    fake: FakeDiscord, couple: Couple, user: FakeUser, message: dict[str, Any], label: str
) -> Any:
    """Like interaction_helpers.press, on the message as it is now."""
    current = fake.message(message["id"])
    return await interaction_helpers.press(fake, couple, user, current, label)


async def plan_from_card(
    fake: FakeDiscord, couple: Couple, user: FakeUser, card: dict[str, Any], when: str
) -> Any:
    click = await press(fake, couple, user, card, "Let's do this")
    assert click.modal is not None, click.text
    submit = await fake.submit_modal(user, click, {"when": when}, guild=couple.guild)
    await submit.wait_response()
    return submit


def idea_of(content: Content, message: dict[str, Any]) -> Idea:
    return next(i for i in content.ideas if i.title == title(message))
