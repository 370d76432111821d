"""What a partner does in the end-to-end tests: press a button, answer a form, send a
slash command, or forge a click or a submit the real client would never send."""

from __future__ import annotations

import json
from typing import Any

from couplebot.fake_discord import FakeDiscord, FakeInteraction, FakeUser

from .conftest import Couple

BUTTON_CLICK = 3  # interaction types
MODAL_SUBMIT = 5


def buttons(message: dict[str, Any]) -> dict[str, str]:
    """label -> custom_id of the message's buttons."""
    found = {}
    for row in message.get("components", []):
        for component in row.get("components", []):
            if component.get("type") == 2:
                found[component["label"]] = component["custom_id"]
    return found


async def press(
    fake: FakeDiscord, couple: Couple, user: FakeUser, message: dict[str, Any], label: str
) -> FakeInteraction:
    """`user` presses the button labelled `label` on `message` (as given, even if stale)."""
    click = await fake.click(user, message, buttons(message)[label], guild=couple.guild)
    await click.wait_response()
    return click


async def answer_on(
    fake: FakeDiscord, couple: Couple, user: FakeUser, message: dict[str, Any], text: str
) -> FakeInteraction:
    """`user` presses Answer on `message` and submits `text` in the form."""
    click = await press(fake, couple, user, message, "Answer")
    assert click.modal is not None, click.text
    submit = await fake.submit_modal(user, click, {"answer": text}, guild=couple.guild)
    await submit.wait_reply()
    return submit


async def slash(
    fake: FakeDiscord, couple: Couple, user: FakeUser, name: str, **options: Any
) -> FakeInteraction:
    interaction = await fake.slash(user, name, options, guild=couple.guild)
    await interaction.wait_reply()
    return interaction


async def forged_press(
    fake: FakeDiscord, couple: Couple, user: FakeUser, message: dict[str, Any], custom_id: str
) -> FakeInteraction:
    """A click on `custom_id` sent as if from `message`, whatever that message shows now."""
    click = await fake.forge(
        user,
        BUTTON_CLICK,
        {"custom_id": custom_id, "component_type": 2},
        guild=couple.guild,
        message=message,
    )
    await click.wait_response()
    return click


def text_form(custom_id: str, **values: str) -> dict[str, Any]:
    """A MODAL_SUBMIT's data: the form `custom_id` with one text input per value."""
    return {
        "custom_id": custom_id,
        "components": [
            {"type": 18, "id": n, "component": {"type": 4, "custom_id": key, "value": value}}
            for n, (key, value) in enumerate(values.items(), start=1)
        ],
    }


async def forged_submit(
    fake: FakeDiscord,
    couple: Couple,
    user: FakeUser,
    data: dict[str, Any],
    message: dict[str, Any] | None = None,
) -> FakeInteraction:
    """A form submit built by hand (no form was opened), for values the real form caps."""
    submit = await fake.forge(user, MODAL_SUBMIT, data, guild=couple.guild, message=message)
    await submit.wait_response()
    return submit


async def privacy_export(fake: FakeDiscord, couple: Couple, user: FakeUser) -> dict[str, Any]:
    """`user` runs /privacy export: the JSON document it attaches, privately."""
    interaction = await fake.slash(user, "privacy export", guild=couple.guild)
    await interaction.wait_response()
    assert interaction.ephemeral
    assert interaction.latest_reply is not None
    files = fake.attachments(interaction.latest_reply)
    assert [name for name, _ in files] == ["couplebot-export.json"]
    document: dict[str, Any] = json.loads(files[0][1])
    return document
