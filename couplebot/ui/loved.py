"""The private "what makes me feel loved" list: its message, buttons, form and idea note."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import discord

from couplebot.domain.checkins import MAX_LOVED_ITEMS, MAX_LOVED_LENGTH, loved_idea_line
from couplebot.domain.loved_ideas import loved_token
from couplebot.services.ports import NotePost
from couplebot.ui.components import _ID, _IdButton
from couplebot.ui.notes import Note, register_note

IDEA_NOTE = "loved-idea"
LOVED_MODAL_ID = re.compile(rf"^cb:lovedm:(?:add|edit:{_ID})$")
ITEM_INPUT = "item"
IDEA_FOOTNOTE = "A small idea from couplebot, only for you."


class LovedAddButton(_IdButton, template=rf"cb:loved-add:{_ID}"):
    kind = "loved-add"

    def __init__(self) -> None:
        super().__init__(0, label="Add", style=discord.ButtonStyle.primary)


class LovedEditButton(_IdButton, template=rf"cb:loved-edit:{_ID}"):
    kind = "loved-edit"

    def __init__(self, token: int, number: int) -> None:
        super().__init__(token, label=f"Edit {number}", style=discord.ButtonStyle.secondary)


class LovedRemoveButton(_IdButton, template=rf"cb:loved-del:{_ID}"):
    kind = "loved-del"

    def __init__(self, token: int, number: int) -> None:
        super().__init__(token, label=f"Remove {number}", style=discord.ButtonStyle.secondary)


LOVED_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (
    LovedAddButton,
    LovedEditButton,
    LovedRemoveButton,
)


def loved_message(
    items: Sequence[str], partner: str, *, share: bool, by_dm: bool, note: str | None = None
) -> tuple[str, discord.ui.View]:
    """The list as only its author sees it, with Add, Edit n and Remove n."""
    lines = [f"-# {note}"] if note else []
    lines.append("**What makes me feel loved** · only you can see this list")
    if items:
        lines += [f"{n}. {discord.utils.escape_markdown(item)}" for n, item in enumerate(items, 1)]
    else:
        lines.append("Nothing here yet. Add a few small things: a word, a gesture, a habit.")
    if share:
        lines.append(
            f"\nAt most once a week, {partner} may get one of these privately, as an idea. "
            "`/loved share:false` stops that."
        )
    else:
        lines.append(f"\nThis list stays with you: {partner} is not offered any of it.")
    lines.append(
        f"Ideas from {partner}'s list come to you "
        + ("by private message." if by_dm else "quietly, next time you use couplebot.")
    )
    view = discord.ui.View(timeout=None)
    view.add_item(LovedAddButton())
    for number, item in enumerate(items, 1):
        edit = LovedEditButton(loved_token(number - 1, item), number)
        edit.item.row = 1 + (number - 1) // 5
        view.add_item(edit)
    for number, item in enumerate(items, 1):
        remove = LovedRemoveButton(loved_token(number - 1, item), number)
        remove.item.row = 3 + (number - 1) // 5
        view.add_item(remove)
    return "\n".join(lines), view


class LovedModal(discord.ui.Modal):
    """Add an item (token None) or edit one; handled from the raw submit in the cog."""

    def __init__(self, token: int | None = None, current: str | None = None) -> None:
        custom_id = "cb:lovedm:add" if token is None else f"cb:lovedm:edit:{token}"
        title = "Add to your list" if token is None else "Change this item"
        super().__init__(title=title, custom_id=custom_id)
        self.add_item(
            discord.ui.Label(
                text="Something that makes you feel loved",
                description=f"Up to {MAX_LOVED_LENGTH} characters. Only you see your list.",
                component=discord.ui.TextInput(
                    custom_id=ITEM_INPUT,
                    style=discord.TextStyle.short,
                    max_length=MAX_LOVED_LENGTH,
                    min_length=1,
                    default=current,
                    placeholder="When you make me tea without asking",
                ),
            )
        )


def full_text() -> str:
    return f"Your list holds up to {MAX_LOVED_ITEMS} things; edit or remove one to make room."


def idea_text(owner: str, item: str) -> str:
    return loved_idea_line(owner, discord.utils.escape_markdown(item))


def _render_idea(post: NotePost, names: Mapping[int, str], marker: str) -> Note:
    owner = names.get(int(post.data["owner"]), "Your partner")
    return Note(
        content=f"{idea_text(owner, str(post.data['item']))}\n-# {IDEA_FOOTNOTE} · {marker}"
    )


register_note(IDEA_NOTE, _render_idea)
