"""Persistent components: custom_ids carry only ids; the DB holds the state.

The callbacks hand the click to a handler the feature's cog registers on the bot,
so the UI layer needs no service and buttons keep working after a restart.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, Self

import discord

from couplebot.domain.exchange import ExchangeKind, FieldStyle, ResponseField
from couplebot.ui.errors import reply_privately

Handler = Callable[[discord.Interaction[Any], "ComponentClick"], Awaitable[None]]


class ComponentClick(Protocol):
    @property
    def value(self) -> int: ...


class ExchangeClick(ComponentClick, Protocol):
    @property
    def kind(self) -> str: ...

    @property
    def action(self) -> str: ...


@dataclass(frozen=True)
class _Click:
    kind: str
    action: str
    value: int


def _handlers(interaction: discord.Interaction[Any]) -> Mapping[str, Handler]:
    handlers: Mapping[str, Handler] = getattr(interaction.client, "component_handlers", {})
    return handlers


async def _dispatch(kind: str, interaction: discord.Interaction[Any], item: ComponentClick) -> None:
    handler = _handlers(interaction).get(kind)
    if not 0 <= item.value <= MAX_ID:  # forged: no row has such an id
        await reply_privately(interaction, "That is no longer here.")
        return
    if handler is None:
        await reply_privately(interaction, "I'm still waking up. Try again in a moment.")
        return
    await handler(interaction, item)
    after = getattr(interaction.client, "after_interaction", None)
    if after is not None:  # e.g. a notice couplebot owes this person (see bot.py)
        await after(interaction)


_ID = r"(?P<value>[0-9]{1,19})"
_KIND = r"[a-z][a-z0-9-]{0,23}"
MAX_ID = 2**63 - 1  # SQLite's INTEGER; a forged larger number is refused quietly


class _TemplateButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"cb:base"):
    """A button rebuilt from its custom_id: each named group of the subclass's template
    becomes an attribute of that name (`value` as an int). Never registered itself."""

    value: int

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> Self:
        assert isinstance(item, discord.ui.Button)
        button = cls.__new__(cls)
        discord.ui.DynamicItem.__init__(button, item)
        for name, text in match.groupdict().items():
            setattr(button, name, int(text) if name == "value" else text)
        return button


class _IdButton(_TemplateButton, template=rf"cb:button:{_ID}"):
    """A button whose custom_id is `cb:<kind>:<number>`; never registered itself."""

    kind: str = ""

    def __init__(self, value: int, *, label: str, style: discord.ButtonStyle) -> None:
        super().__init__(
            discord.ui.Button(label=label, style=style, custom_id=f"cb:{self.kind}:{value}")
        )
        self.value = value

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await _dispatch(self.kind, interaction, self)


class ExchangeButton(
    _TemplateButton,
    template=rf"cb:x:(?P<kind>{_KIND}):(?P<action>answer|pass|share):{_ID}",
):
    """Answer, pass or share on an exchange of any kind: `cb:x:<kind>:<action>:<id>`."""

    LABELS: ClassVar[dict[str, tuple[str, discord.ButtonStyle]]] = {
        "answer": ("Answer", discord.ButtonStyle.primary),
        "pass": ("Not this one", discord.ButtonStyle.secondary),
        "share": ("Share my answer", discord.ButtonStyle.secondary),
    }

    def __init__(self, kind: str, action: str, exchange_id: int) -> None:
        label, style = self.LABELS[action]
        super().__init__(
            discord.ui.Button(
                label=label, style=style, custom_id=f"cb:x:{kind}:{action}:{exchange_id}"
            )
        )
        self.kind, self.action, self.value = kind, action, exchange_id

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await _dispatch("exchange", interaction, self)


class _LegacyDailyButton(_IdButton, template=rf"cb:legacy:{_ID}"):
    """Buttons posted before exchanges had kinds: `cb:answer:<round id>` and so on."""

    action = ""

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await _dispatch("exchange", interaction, _Click("daily", self.action, self.value))


class LegacyAnswerButton(_LegacyDailyButton, template=rf"cb:answer:{_ID}"):
    action = "answer"


class LegacyPassButton(_LegacyDailyButton, template=rf"cb:pass:{_ID}"):
    action = "pass"


class LegacyShareButton(_LegacyDailyButton, template=rf"cb:share:{_ID}"):
    action = "share"


class HistoryButton(_IdButton, template=rf"cb:history:{_ID}"):
    kind = "history"

    def __init__(self, page: int, *, label: str, disabled: bool = False) -> None:
        super().__init__(page, label=label, style=discord.ButtonStyle.secondary)
        self.item.disabled = disabled


class AcceptButton(_IdButton, template=rf"cb:accept:{_ID}"):
    """The partner named in /setup accepts; carries the couple's id."""

    kind = "accept"

    def __init__(self, couple_id: int) -> None:
        super().__init__(couple_id, label="Accept", style=discord.ButtonStyle.primary)


class DeclineButton(_IdButton, template=rf"cb:decline:{_ID}"):
    """Turns down a requested partner change; carries the couple's id."""

    kind = "decline"

    def __init__(self, couple_id: int) -> None:
        super().__init__(couple_id, label="Not now", style=discord.ButtonStyle.secondary)


class EndButton(_IdButton, template=rf"cb:end:{_ID}"):
    """Confirms /couple end; carries the id of the partner who asked."""

    kind = "end"

    def __init__(self, user_id: int) -> None:
        super().__init__(user_id, label="End our couple", style=discord.ButtonStyle.danger)


class ForgetButton(_IdButton, template=rf"cb:forget:{_ID}"):
    """Confirms /privacy forget; carries the id of the partner who asked."""

    kind = "forget"

    def __init__(self, user_id: int) -> None:
        super().__init__(user_id, label="Delete my data", style=discord.ButtonStyle.danger)


PERSISTENT_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (
    ExchangeButton,
    LegacyAnswerButton,
    LegacyPassButton,
    LegacyShareButton,
    HistoryButton,
    AcceptButton,
    DeclineButton,
    EndButton,
    ForgetButton,
)

TEXT_DISPLAY_LIMIT = 4000
EXCHANGE_MODAL_ID = re.compile(rf"^cb:xm:(?P<kind>{_KIND}):{_ID}(?::(?P<topic>[0-9a-f]{{8}}))?$")
LEGACY_ANSWER_MODAL_ID = re.compile(rf"^cb:answer-modal:{_ID}$")  # before kinds: daily


class ExchangeModal(discord.ui.Modal):
    """One partner's response form for any kind. The submit is handled from the raw
    interaction (see cogs.exchange), so a submit that arrives after a restart still lands."""

    def __init__(
        self,
        kind: ExchangeKind,
        exchange_id: int,
        prompt: str,
        draft: Mapping[str, str],
        topic_tag: str,
    ) -> None:
        # The form names what it answers, so a submit after the prompt changed is caught.
        custom_id = f"cb:xm:{kind.name}:{exchange_id}:{topic_tag}"
        super().__init__(title=kind.modal_title, custom_id=custom_id)
        if prompt:  # the whole prompt, never cut (a label's description holds only 100)
            self.add_item(discord.ui.TextDisplay(prompt[:TEXT_DISPLAY_LIMIT]))
        for field in kind.fields:
            self.add_item(_field_label(field, None, draft.get(field.id)))


def _field_label(
    field: ResponseField, description: str | None, draft: str | None
) -> discord.ui.Label[Any]:
    component: discord.ui.Item[Any]
    if field.style is FieldStyle.SCALE:
        component = discord.ui.Select(
            custom_id=field.id,
            required=field.required,
            options=[
                discord.SelectOption(label=str(n), value=str(n), default=draft == str(n))
                for n in range(1, 6)
            ],
        )
    else:
        component = discord.ui.TextInput(
            custom_id=field.id,
            style=(
                discord.TextStyle.paragraph
                if field.style is FieldStyle.PARAGRAPH
                else discord.TextStyle.short
            ),
            max_length=field.max_length,
            min_length=1 if field.required else 0,
            required=field.required,
            default=draft or None,
            placeholder=field.placeholder,
        )
    return discord.ui.Label(text=field.label, description=description, component=component)


def modal_values(data: Mapping[str, Any]) -> dict[str, str]:
    """custom_id -> value for every text input (and first pick of a select) in a MODAL_SUBMIT."""
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
            picked = component.get("values")
            if isinstance(component.get("custom_id"), str) and isinstance(picked, list) and picked:
                values[component["custom_id"]] = str(picked[0])
            walk(component.get("components"))
            if isinstance(component.get("component"), dict):
                walk([component["component"]])

    walk(data.get("components"))
    return values


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
