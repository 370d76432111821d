"""Reaching out: the opener buttons, the form, the private preview and the partner's note."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import discord

from couplebot.domain.checkins import Opener
from couplebot.domain.reachout import MAX_REACHOUT_LENGTH, Delivery, Reply
from couplebot.services.ports import NotePost
from couplebot.ui.components import _ID, _IdButton
from couplebot.ui.notes import Note, register_note

NOTE_KIND = "reachout"
REPLY_KIND = "reachout-reply"
DRAFT_MODAL_ID = re.compile(r"^cb:ro-draft$")
NOTE_INPUT = "note"
WHERE_INPUT = "where"
DELIVERIES = (Delivery.CHANNEL, Delivery.DM)  # button values 0 and 1
REPLY_LABELS = {Reply.THANKS: "Thank you for telling me", Reply.TALK: "Let's talk tonight"}

PICK_TEXT = (
    'Saying "I miss you" can be hard. Pick a way to start; you can change every word, '
    "and nothing is sent until you press **Send**. Only you can see this."
)
CANCELLED = "Cancelled. Nothing was sent, and nothing was kept."


class OpenerButton(_IdButton, template=rf"cb:ro-pick:{_ID}"):
    kind = "ro-pick"

    def __init__(self, index: int, label: str, *, own: bool = False) -> None:
        style = discord.ButtonStyle.secondary if own else discord.ButtonStyle.primary
        super().__init__(index, label=label, style=style)


class SendButton(_IdButton, template=rf"cb:ro-send:{_ID}"):
    kind = "ro-send"

    def __init__(self, delivery: Delivery) -> None:
        super().__init__(
            DELIVERIES.index(delivery), label="Send", style=discord.ButtonStyle.success
        )


class EditButton(_IdButton, template=rf"cb:ro-edit:{_ID}"):
    kind = "ro-edit"

    def __init__(self, delivery: Delivery) -> None:
        super().__init__(
            DELIVERIES.index(delivery), label="Edit", style=discord.ButtonStyle.secondary
        )


class CancelButton(_IdButton, template=rf"cb:ro-cancel:{_ID}"):
    kind = "ro-cancel"

    def __init__(self) -> None:
        super().__init__(0, label="Cancel", style=discord.ButtonStyle.secondary)


class ThanksButton(_IdButton, template=rf"cb:ro-thanks:{_ID}"):
    kind = "ro-thanks"

    def __init__(self, reachout_id: int) -> None:
        label = REPLY_LABELS[Reply.THANKS]
        super().__init__(reachout_id, label=label, style=discord.ButtonStyle.primary)


class TalkButton(_IdButton, template=rf"cb:ro-talk:{_ID}"):
    kind = "ro-talk"

    def __init__(self, reachout_id: int) -> None:
        label = REPLY_LABELS[Reply.TALK]
        super().__init__(reachout_id, label=label, style=discord.ButtonStyle.secondary)


REACHOUT_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (
    OpenerButton,
    SendButton,
    EditButton,
    CancelButton,
    ThanksButton,
    TalkButton,
)


def delivery_of(value: int) -> Delivery:
    return DELIVERIES[value] if 0 <= value < len(DELIVERIES) else Delivery.CHANNEL


def openers_view(openers: Sequence[tuple[int, Opener]], own_index: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for index, opener in openers:
        view.add_item(OpenerButton(index, opener.text))
    view.add_item(OpenerButton(own_index, "Write my own", own=True))
    return view


class DraftModal(discord.ui.Modal):
    """The note in the sender's own words; the draft lives only in this form."""

    def __init__(self, partner: str, text: str, delivery: Delivery) -> None:
        super().__init__(title="Reach out", custom_id="cb:ro-draft")
        self.add_item(
            discord.ui.Label(
                text="Your note",
                description=f"Make it yours. {partner} sees it only after you press Send.",
                component=discord.ui.TextInput(
                    custom_id=NOTE_INPUT,
                    style=discord.TextStyle.paragraph,
                    max_length=MAX_REACHOUT_LENGTH,
                    min_length=1,
                    default=text or None,
                ),
            )
        )
        self.add_item(
            discord.ui.Label(
                text="How should it reach them?",
                component=discord.ui.Select(
                    custom_id=WHERE_INPUT,
                    required=False,
                    options=[
                        discord.SelectOption(
                            label=f"In our channel, addressed to {partner}"[:100],
                            value=Delivery.CHANNEL.value,
                            default=delivery is Delivery.CHANNEL,
                        ),
                        discord.SelectOption(
                            label=f"As a private message to {partner}"[:100],
                            value=Delivery.DM.value,
                            default=delivery is Delivery.DM,
                        ),
                    ],
                ),
            )
        )


def preview(partner: str, text: str, delivery: Delivery) -> tuple[discord.Embed, discord.ui.View]:
    """The sender's private preview. Its description IS the draft that "Send" sends."""
    embed = discord.Embed(title=f"Your note to {partner}", description=text)
    how = (
        f"As a private message to {partner}."
        if delivery is Delivery.DM
        else f"In your channel, addressed to {partner} (only {partner} is pinged)."
    )
    embed.add_field(name="How it goes", value=how, inline=False)
    embed.set_footer(text="Only you can see this. Nothing is sent until you press Send.")
    view = discord.ui.View(timeout=None)
    view.add_item(SendButton(delivery))
    view.add_item(EditButton(delivery))
    view.add_item(CancelButton())
    return embed, view


def draft_in(message: discord.Message | None) -> str | None:
    """The draft a preview carries, if this is a preview."""
    if message is None or not message.embeds:
        return None
    return message.embeds[0].description


def sent_copy(partner: str, text: str) -> discord.Embed:
    """What stays on the sender's screen after Send: their own copy, no buttons."""
    embed = discord.Embed(title=f"Your note to {partner}", description=text)
    embed.set_footer(text="Sent. Only you can see this copy.")
    return embed


def sent_text(partner: str, delivery: Delivery) -> str:
    if delivery is Delivery.DM:
        return f"Sent to {partner} as a private message. Reaching out takes courage."
    return f"Sent to {partner} in your channel. Reaching out takes courage."


def _render_note(post: NotePost, names: Mapping[int, str], marker: str) -> Note:
    sender = names.get(int(post.data["from"]), "Your partner")
    embed = discord.Embed(
        title=f"A note from {sender}", description=str(post.data["body"]), colour=0xE07A5F
    )
    embed.set_footer(text=f"Answer with a button, or in your own words · {marker}")
    view = discord.ui.View(timeout=None)
    view.add_item(ThanksButton(int(post.data["id"])))
    view.add_item(TalkButton(int(post.data["id"])))
    content = None if post.dm_user_id else f"<@{post.ping_user_id}>"
    return Note(content=content, embeds=[embed], view=view)


def reply_line(name: str, reply: str) -> str:
    if reply == Reply.TALK:
        return f"{name} read your note and would like to talk tonight."
    return f"{name} read your note and wants you to know: thank you for telling me."


def _render_reply(post: NotePost, names: Mapping[int, str], marker: str) -> Note:
    name = names.get(int(post.data["from"]), "Your partner")
    line = reply_line(name, str(post.data["reply"]))
    mention = "" if post.dm_user_id else f"<@{post.ping_user_id}> "
    return Note(content=f"{mention}{line}\n-# {marker}")


register_note(NOTE_KIND, _render_note)
register_note(REPLY_KIND, _render_reply)
