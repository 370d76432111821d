"""How a gentle note looks: the note's words in a calm embed, the marker in its footer."""

from __future__ import annotations

from collections.abc import Mapping

import discord

from couplebot.services.distance import NOTE_KIND
from couplebot.services.ports import NotePost
from couplebot.ui.notes import Note, register_note
from couplebot.ui.render import CALM


def gentle_note(post: NotePost, names: Mapping[int, str], marker: str) -> Note:
    embed = discord.Embed(description=str(post.data["text"]), colour=CALM)
    footer = "Just for you" if post.data.get("private") else "A gentle note"
    embed.set_footer(text=f"{footer} · {marker}")
    return Note(embeds=[embed])


register_note(NOTE_KIND, gentle_note)
