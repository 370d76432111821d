"""Date nights in Discord: idea cards, plan cards, the when-form and the reflection's look."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import discord

from couplebot.domain.dates import DATE_REFLECTION
from couplebot.domain.exchange import ExchangeState
from couplebot.services.ports import (
    NotePost,
    PromptPost,
    ReminderPost,
    RevealPost,
    SharedAnswerPost,
)
from couplebot.ui import render
from couplebot.ui.components import _ID, _dispatch, _TemplateButton
from couplebot.ui.kinds import REPLIES, register_view
from couplebot.ui.notes import Note, register_note

LIST_PAGE_SIZE = 8
WHEN_EXAMPLES = "Like 2026-06-13 19:30, tomorrow 19:30 or sat 19:30"
SECTION_TITLES = {"planned": "Planned", "saved": "Saved for later", "done": "Done together"}


class _ActionButton(_TemplateButton, template=r"cb:dates:(?P<action>x):" + _ID):
    """A button `cb:<prefix>:<action>:<id>`; subclasses name the prefix and actions."""

    prefix: ClassVar[str] = ""
    labels: ClassVar[dict[str, tuple[str, discord.ButtonStyle]]] = {}

    def __init__(self, action: str, value: int) -> None:
        label, style = self.labels[action]
        super().__init__(
            discord.ui.Button(
                label=label, style=style, custom_id=f"cb:{self.prefix}:{action}:{value}"
            )
        )
        self.action, self.value = action, value

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await _dispatch(self.prefix, interaction, self)


class IdeaButton(_ActionButton, template=r"cb:idea:(?P<action>do|another|save):" + _ID):
    prefix = "idea"
    labels: ClassVar[dict[str, tuple[str, discord.ButtonStyle]]] = {
        "do": ("Let's do this", discord.ButtonStyle.primary),
        "another": ("Another", discord.ButtonStyle.secondary),
        "save": ("Save", discord.ButtonStyle.secondary),
    }


class PlanButton(_ActionButton, template=r"cb:plan:(?P<action>ok|move|cancel):" + _ID):
    prefix = "plan"
    labels: ClassVar[dict[str, tuple[str, discord.ButtonStyle]]] = {
        "ok": ("Sounds good", discord.ButtonStyle.primary),
        "move": ("Another time", discord.ButtonStyle.secondary),
        "cancel": ("Cancel", discord.ButtonStyle.secondary),
    }


class DateListButton(_ActionButton, template=r"cb:datelist:(?P<action>page):" + _ID):
    prefix = "datelist"
    labels: ClassVar[dict[str, tuple[str, discord.ButtonStyle]]] = {
        "page": ("Page", discord.ButtonStyle.secondary)
    }


DATE_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (IdeaButton, PlanButton, DateListButton)
WHEN_MODAL_ID = re.compile(rf"^cb:dm:(?P<mode>pick|move):{_ID}$")


class WhenModal(discord.ui.Modal):
    """Asks when. Submits are handled from the raw interaction (see cogs.dates)."""

    def __init__(self, mode: str, value: int, title: str, zone: str) -> None:
        super().__init__(title="When shall we?", custom_id=f"cb:dm:{mode}:{value}")
        self.add_item(discord.ui.TextDisplay(f"**{title}**\nTimes are in {zone}."[:4000]))
        self.add_item(
            discord.ui.Label(
                text="Day and time",
                description=WHEN_EXAMPLES,
                component=discord.ui.TextInput(
                    custom_id="when",
                    style=discord.TextStyle.short,
                    max_length=40,
                    placeholder="sat 19:30",
                ),
            )
        )


def _name(names: Mapping[int, str], user_id: object) -> str:
    return names.get(int(user_id), "One of you") if isinstance(user_id, int) else "One of you"


def _facts(data: Mapping[str, Any]) -> str:
    return f"{data['setting']} · {data['budget']} · about {data['minutes']} minutes"


def idea_card(post: NotePost, names: Mapping[int, str], marker: str) -> Note:
    data = post.data
    embed = discord.Embed(title=data["title"], description=data["description"], colour=render.WARM)
    embed.add_field(name="What it takes", value=_facts(data), inline=False)
    if data.get("prompt"):
        embed.add_field(name="Something to talk about", value=data["prompt"], inline=False)
    lines = []
    if data.get("weekly"):
        lines.append("Your weekly date-night idea.")
    if data.get("new_cycle"):
        lines.append("You've seen every idea that fits these choices, so the list starts again.")
    if data.get("picked_by"):
        lines.append(f"{_name(names, data['picked_by'])} picked this one.")
    elif data.get("skipped_by"):
        lines.append(f"{_name(names, data['skipped_by'])} asked for another.")
    if data.get("saved_by"):
        lines.append(f"{_name(names, data['saved_by'])} saved it for later.")
    if lines:
        embed.add_field(name="Where it stands", value="\n".join(lines), inline=False)
    noun = "Date idea" if data["idea_kind"] == "date" else "Shared activity"
    embed.set_footer(text=f"{noun} · {marker}")
    view = None
    if not data.get("picked_by") and not data.get("skipped_by"):
        view = discord.ui.View(timeout=None)
        view.add_item(IdeaButton("do", int(data["card_id"])))
        view.add_item(IdeaButton("another", int(data["card_id"])))
        if not data.get("saved_by"):
            view.add_item(IdeaButton("save", int(data["card_id"])))
    return Note(embeds=[embed], view=view)


def plan_card(post: NotePost, names: Mapping[int, str], marker: str) -> Note:
    data = post.data
    embed = discord.Embed(title=f"Date planned: {data['title']}", colour=render.WARM)
    embed.description = f"**{data['when']}**\n{data['description']}"
    embed.add_field(name="What it takes", value=_facts(data), inline=False)
    if data.get("prompt"):
        embed.add_field(name="Something to talk about", value=data["prompt"], inline=False)
    status = data["status"]
    timed_by = _name(names, data["timed_by"])
    if status == "cancelled":
        line = f"{_name(names, data['status_by'])} cancelled this one. Another time, maybe."
    elif status != "planned":
        line = "This date is behind you now."
    elif data.get("agreed_by"):
        line = (
            f"{timed_by} chose the time and {_name(names, data['agreed_by'])} said it sounds good."
        )
    else:
        moved = "moved it to this time" if data.get("moved") else "planned this"
        line = f"{timed_by} {moved}. {_name(names, data['waiting_for'])}, does it work for you?"
    embed.add_field(name="Where it stands", value=line, inline=False)
    embed.set_footer(text=f"One reminder comes on the day · {marker}")
    view = None
    if status == "planned":
        view = discord.ui.View(timeout=None)
        if not data.get("agreed_by"):
            view.add_item(PlanButton("ok", int(data["plan_id"])))
        view.add_item(PlanButton("move", int(data["plan_id"])))
        view.add_item(PlanButton("cancel", int(data["plan_id"])))
    return Note(embeds=[embed], view=view)


def date_reminder(post: NotePost, names: Mapping[int, str], marker: str) -> Note:
    data = post.data
    both = " and ".join(_name(names, u) for u in data["partners"])
    lines = [f"{both}, today is your date: **{data['title']}**, at {data['at']}."]
    if data.get("prompt"):
        lines.append(f"Something to take along: {data['prompt']}")
    lines.append(f"-# {marker}")
    return Note(content="\n".join(lines))


def list_page(
    entries: Sequence[tuple[str, str, str]], page: int
) -> tuple[discord.Embed, discord.ui.View | None]:
    """entries: (section, title, detail). One ephemeral page of /date list."""
    embed = discord.Embed(title="Your dates", colour=render.CALM)
    if not entries:
        embed.description = (
            "Nothing here yet. `/date idea` suggests one, and Save keeps it here for later."
        )
        return embed, None
    pages = (len(entries) + LIST_PAGE_SIZE - 1) // LIST_PAGE_SIZE
    page = max(0, min(page, pages - 1))
    chunk = entries[page * LIST_PAGE_SIZE : (page + 1) * LIST_PAGE_SIZE]
    for section, heading in SECTION_TITLES.items():
        lines = [f"**{title}** · {detail}" for s, title, detail in chunk if s == section]
        if lines:
            embed.add_field(name=heading, value="\n".join(lines)[:1024], inline=False)
    if pages == 1:
        return embed, None
    embed.set_footer(text=f"Page {page + 1} of {pages}")
    view = discord.ui.View(timeout=None)
    newer = DateListButton("page", max(page - 1, 0))
    newer.item.label, newer.item.disabled = "Back", page == 0
    more = DateListButton("page", min(page + 1, pages - 1))
    more.item.label, more.item.disabled = "More", page + 1 >= pages
    view.add_item(newer)
    view.add_item(more)
    return embed, view


class ReflectionView:
    replies = REPLIES

    def prompt(self, post: PromptPost, marker: str) -> tuple[discord.Embed, discord.ui.View | None]:
        exchange = post.exchange
        embed = discord.Embed(
            title="After your date", description=exchange.prompt, colour=render.WARM
        )
        if exchange.state is ExchangeState.REVEALED:
            status = "You've both answered. Your answers are below."
        elif exchange.state is ExchangeState.RESTING:
            status = "This one can rest. If you wrote an answer, you can still share it."
        elif post.responded:
            status = "One of you has written. Answers stay private until you've both answered."
        else:
            status = "Answers stay private until you've both answered."
        embed.add_field(name="Status", value=status, inline=False)
        embed.set_footer(text=marker)
        return embed, render.exchange_view(DATE_REFLECTION.name, exchange.id, exchange.state)

    def reveal(self, post: RevealPost, names: list[str], marker: str) -> list[discord.Embed]:
        embeds = []
        if post.part == 1:
            embeds.append(
                discord.Embed(
                    title="You've both answered",
                    description=post.exchange.prompt,
                    colour=render.WARM,
                )
            )
        embeds.extend(
            render.answer_embed(name, answer.values.get("answer", ""))
            for name, answer in zip(names, post.answers, strict=True)
        )
        suffix = f" · part {post.part} of {post.parts}" if post.parts > 1 else ""
        embeds[-1].set_footer(text=f"{marker}{suffix}")
        return embeds

    def shared(self, post: SharedAnswerPost, name: str, marker: str) -> discord.Embed:
        embed = render.answer_embed(name, post.answer.values.get("answer", ""))
        embed.title = "Shared after all"
        embed.set_footer(text=f"{post.exchange.prompt[:200]} · {marker}")
        return embed

    def reminder(self, post: ReminderPost, jump_url: str) -> str:
        return f"The question about your date is here whenever you're ready: {jump_url}"


register_note("idea-card", idea_card)
register_note("date-plan", plan_card)
register_note("date-remind", date_reminder)
register_view(DATE_REFLECTION.name, ReflectionView())
