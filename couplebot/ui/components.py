"""Persistent components: custom_ids carry only ids; the DB holds the state.

The callbacks hand the click to a handler the feature's cog registers on the bot,
so the UI layer needs no service and buttons keep working after a restart.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

import discord

from couplebot.ui.errors import reply_privately

Handler = Callable[[discord.Interaction[Any], "ComponentClick"], Awaitable[None]]


class ComponentClick(Protocol):
    @property
    def value(self) -> int: ...


def _handlers(interaction: discord.Interaction[Any]) -> Mapping[str, Handler]:
    handlers: Mapping[str, Handler] = getattr(interaction.client, "component_handlers", {})
    return handlers


async def _dispatch(kind: str, interaction: discord.Interaction[Any], item: ComponentClick) -> None:
    handler = _handlers(interaction).get(kind)
    if handler is None:
        await reply_privately(interaction, "I'm still waking up. Try again in a moment.")
        return
    await handler(interaction, item)


_ID = r"(?P<value>[0-9]{1,19})"


class _IdButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=rf"cb:button:{_ID}"):
    """A button whose custom_id is `cb:<kind>:<number>`; never registered itself."""

    kind: str = ""

    def __init__(self, value: int, *, label: str, style: discord.ButtonStyle) -> None:
        super().__init__(
            discord.ui.Button(label=label, style=style, custom_id=f"cb:{self.kind}:{value}")
        )
        self.value = value

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> _IdButton:
        assert isinstance(item, discord.ui.Button)
        button = cls.__new__(cls)
        discord.ui.DynamicItem.__init__(button, item)
        button.value = int(match["value"])
        return button

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await _dispatch(self.kind, interaction, self)


class AnswerButton(_IdButton, template=rf"cb:answer:{_ID}"):
    kind = "answer"

    def __init__(self, round_id: int) -> None:
        super().__init__(round_id, label="Answer", style=discord.ButtonStyle.primary)


class PassButton(_IdButton, template=rf"cb:pass:{_ID}"):
    kind = "pass"

    def __init__(self, round_id: int) -> None:
        super().__init__(round_id, label="Not this one", style=discord.ButtonStyle.secondary)


class ShareButton(_IdButton, template=rf"cb:share:{_ID}"):
    kind = "share"

    def __init__(self, round_id: int) -> None:
        super().__init__(round_id, label="Share my answer", style=discord.ButtonStyle.secondary)


class HistoryButton(_IdButton, template=rf"cb:history:{_ID}"):
    kind = "history"

    def __init__(self, page: int, *, label: str, disabled: bool = False) -> None:
        super().__init__(page, label=label, style=discord.ButtonStyle.secondary)
        self.item.disabled = disabled


class ForgetButton(_IdButton, template=rf"cb:forget:{_ID}"):
    """Confirms /privacy forget; carries the id of the partner who asked."""

    kind = "forget"

    def __init__(self, user_id: int) -> None:
        super().__init__(user_id, label="Delete my data", style=discord.ButtonStyle.danger)


PERSISTENT_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (
    AnswerButton,
    PassButton,
    ShareButton,
    HistoryButton,
    ForgetButton,
)

ANSWER_MODAL_PREFIX = "cb:answer-modal:"
ANSWER_MODAL_ID = re.compile(rf"^cb:answer-modal:{_ID}$")


class AnswerModal(discord.ui.Modal):
    """Sent to one partner; the submit is handled from the raw interaction (see cogs.daily),
    so a submit that arrives after a restart still lands."""

    def __init__(self, round_id: int, question: str, draft: str) -> None:
        super().__init__(title="Your answer", custom_id=f"{ANSWER_MODAL_PREFIX}{round_id}")
        self.answer: discord.ui.TextInput[Any] = discord.ui.TextInput(
            custom_id="answer",
            style=discord.TextStyle.paragraph,
            max_length=4000,
            min_length=1,
            default=draft or None,
            placeholder="Only you can see this until you have both answered.",
        )
        self.add_item(
            discord.ui.Label(
                text="Today's question",
                description=_shorten(question, 100),
                component=self.answer,
            )
        )


def modal_values(data: Mapping[str, Any]) -> dict[str, str]:
    """custom_id -> value for every text input in a MODAL_SUBMIT payload."""
    values: dict[str, str] = {}

    def walk(components: Any) -> None:
        if not isinstance(components, list):
            return
        for component in components:
            if not isinstance(component, dict):
                continue
            if isinstance(component.get("custom_id"), str) and isinstance(
                component.get("value"), str
            ):
                values[component["custom_id"]] = component["value"]
            walk(component.get("components"))
            if isinstance(component.get("component"), dict):
                walk([component["component"]])

    walk(data.get("components"))
    return values


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
