"""One way to tell a person something went wrong, whatever state the interaction is in."""

from __future__ import annotations

import logging
from typing import Any

import discord

log = logging.getLogger(__name__)

GENERIC_ERROR = (
    "Something went wrong on my side, so this step did not go through. What you saved "
    "earlier is still there; anything typed just now was not saved, so please try again."
)


async def reply_privately(
    interaction: discord.Interaction[Any],
    message: str,
    *,
    embeds: list[discord.Embed] | None = None,
) -> None:
    """An ephemeral reply, sent the right way if the interaction was answered or deferred."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(message, embeds=embeds or [], ephemeral=True)
        else:
            await interaction.response.send_message(message, embeds=embeds or [], ephemeral=True)
    except discord.HTTPException:
        log.warning("could not tell the user about an error (interaction %s)", interaction.id)


def typed_back(values: dict[str, str]) -> list[discord.Embed]:
    """What a person typed into a form that was not saved, to copy and keep."""
    text = "\n\n".join(v for v in values.values() if v.strip())
    if not text:
        return []
    embed = discord.Embed(title="What you wrote (not saved)", description=text[:4000])
    return [embed]
