"""Renderers for the feature posts that are not exchanges (NotePost), by kind.

A feature registers one renderer per note kind: (post, names, marker) -> Note. The
marker must appear in the footer or the last line, so an unsure send can be found.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import discord

from couplebot.services.ports import NotePost
from couplebot.services.privacy import WITHDRAWN_NOTE


@dataclass(frozen=True)
class Note:
    content: str | None = None
    embeds: list[discord.Embed] = field(default_factory=list)
    view: discord.ui.View | None = None
    file: tuple[str, bytes] | None = None  # (filename, data)


NoteRenderer = Callable[[NotePost, Mapping[int, str], str], Note]

RENDERERS: dict[str, NoteRenderer] = {}


def register_note(kind: str, renderer: NoteRenderer) -> None:
    RENDERERS[kind] = renderer


def render_note(post: NotePost, names: Mapping[int, str], marker: str) -> Note:
    return RENDERERS[post.kind](post, names, marker)


def _withdrawn(post: NotePost, names: Mapping[int, str], marker: str) -> Note:
    embed = discord.Embed(
        description=(
            "One of you deleted their answers before they were shown, so this time the "
            "answers won't be posted. Nothing else changes; tomorrow's question comes as usual."
        )
    )
    embed.set_footer(text=marker)
    return Note(embeds=[embed])


register_note(WITHDRAWN_NOTE, _withdrawn)
