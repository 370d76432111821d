"""The channel permissions couplebot needs, and the sentence that says what is missing."""

from __future__ import annotations

import discord

from couplebot.services.notices import listed

NEEDED = (
    ("view_channel", "View Channel"),
    ("send_messages", "Send Messages"),
    ("embed_links", "Embed Links"),
    ("read_message_history", "Read Message History"),
)


def missing_names(granted: discord.Permissions) -> tuple[str, ...]:
    """What the bot lacks of what it needs in this channel, by their names in Discord."""
    return tuple(name for flag, name in NEEDED if not getattr(granted, flag))


def missing_permissions(granted: discord.Permissions) -> str | None:
    """None if the bot has everything it needs in this channel, else one kind sentence."""
    missing = missing_names(granted)
    if not missing:
        return None
    return (
        f"I can't work in this channel yet: I'm missing {listed(missing)}. In the channel's "
        "settings, open Permissions, add couplebot (or its role) and allow "
        f"{'it' if len(missing) == 1 else 'them'}; then run /setup again."
    )
