"""/loved: a private list of what makes me feel loved, and the weekly idea to the partner."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from couplebot.cogs._shared import FeatureCog, guarded
from couplebot.store.loved import LovedList
from couplebot.ui.components import ComponentClick, Handler, modal_values
from couplebot.ui.loved import (
    ITEM_INPUT,
    LOVED_ITEMS,
    LOVED_MODAL_ID,
    LovedModal,
    idea_text,
    loved_message,
)
from couplebot.ui.names import NEUTRAL_NAME, display_name

log = logging.getLogger(__name__)

# An idea rides along only on a reply that is a visible message (not a form or a
# "thinking…" placeholder a later followup would replace).
IDEA_AFTER = (
    discord.InteractionResponseType.channel_message,
    discord.InteractionResponseType.message_update,
)
RESPONSE_WAIT_SECONDS = 3.0


class LovedCog(FeatureCog, name="Loved"):
    def handlers(self) -> dict[str, Handler]:
        return {"loved-add": self.on_add, "loved-edit": self.on_edit, "loved-del": self.on_remove}

    async def cog_load(self) -> None:
        await super().cog_load()
        for item in LOVED_ITEMS:
            self.bot.add_dynamic_items(item)

    @app_commands.command(
        name="loved", description="Your private list of what makes you feel loved"
    )
    @app_commands.describe(
        share="Let couplebot offer your partner one item as an idea, at most once a week",
        dm="Get ideas from your partner's list by private message",
    )
    @app_commands.guild_only()
    async def loved(
        self,
        interaction: discord.Interaction[Any],
        share: bool | None = None,
        dm: bool | None = None,
    ) -> None:
        loved_service = self.services.loved
        user, guild = interaction.user.id, interaction.guild_id
        note = None
        if share is None and dm is None:
            loved = await loved_service.mine(guild, user)
        else:
            loved = await loved_service.set_options(guild, user, share=share, dm=dm)
            note = "Saved."
        await self._show(interaction, loved, note, edit=False)

    async def _show(
        self,
        interaction: discord.Interaction[Any],
        loved: LovedList,
        note: str | None,
        *,
        edit: bool,
    ) -> None:
        partner = NEUTRAL_NAME
        if interaction.guild_id is not None:
            settings = await self.services.couples.settings(
                interaction.guild_id, interaction.user.id
            )
            other = settings.couple.other(interaction.user.id).user_id
            partner = await display_name(self.bot, interaction.guild_id, other)
        text, view = loved_message(
            loved.items, partner, share=loved.share, by_dm=loved.ideas_by_dm, note=note
        )
        if edit and interaction.message is not None:
            await interaction.response.edit_message(content=text, view=view)
        else:
            await interaction.response.send_message(text, view=view, ephemeral=True)

    @guarded
    async def on_add(self, interaction: discord.Interaction[Any], click: ComponentClick) -> None:
        await self.services.loved.check_room(interaction.guild_id, interaction.user.id)
        await interaction.response.send_modal(LovedModal())

    @guarded
    async def on_edit(self, interaction: discord.Interaction[Any], click: ComponentClick) -> None:
        current = await self.services.loved.item(
            interaction.guild_id, interaction.user.id, click.value
        )
        await interaction.response.send_modal(LovedModal(click.value, current))

    @guarded
    async def on_remove(self, interaction: discord.Interaction[Any], click: ComponentClick) -> None:
        loved = await self.services.loved.remove(
            interaction.guild_id, interaction.user.id, click.value
        )
        await self._show(interaction, loved, "Removed.", edit=True)

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        data: dict[str, Any] = dict(interaction.data or {})
        custom_id = str(data.get("custom_id", ""))
        if interaction.type is discord.InteractionType.modal_submit:
            match = LOVED_MODAL_ID.match(custom_id)
            if match is not None:
                token = int(match["value"]) if match["value"] else None
                await self._submit(interaction, token, modal_values(data).get(ITEM_INPUT, ""))
        await self._maybe_offer_idea(interaction)

    @guarded
    async def _submit(
        self, interaction: discord.Interaction[Any], token: int | None, text: str
    ) -> None:
        user, guild = interaction.user.id, interaction.guild_id
        if token is None:
            loved = await self.services.loved.add(guild, user, text)
        else:
            loved = await self.services.loved.edit(guild, user, token, text)
        await self._show(interaction, loved, "Added." if token is None else "Changed.", edit=True)

    async def _maybe_offer_idea(self, interaction: discord.Interaction[Any]) -> None:
        """After this partner's reply is out, add the idea waiting for them (ephemeral)."""
        if interaction.guild_id is None or interaction.type is discord.InteractionType.ping:
            return
        try:
            async with asyncio.timeout(RESPONSE_WAIT_SECONDS):
                # discord.py has no event for "answered"; a short poll it is, backing off
                # (under load hundreds wait at once: a fixed 20 ms would flood the loop).
                pause = 0.02
                while not interaction.response.is_done():
                    await asyncio.sleep(pause)
                    pause = min(pause * 2, 0.32)
        except TimeoutError:
            return
        if interaction.response.type not in IDEA_AFTER:
            return
        try:
            idea = await self.services.loved.claim_idea(interaction.guild_id, interaction.user.id)
            if idea is None:
                return
            owner = await display_name(self.bot, interaction.guild_id, idea.owner_id)
            try:
                await interaction.followup.send(
                    f"{idea_text(owner, idea.item)}\n-# A small idea, only for you.",
                    ephemeral=True,
                )
            except discord.HTTPException:
                await self.services.loved.release_idea(idea.idea_id)
        except Exception:
            log.exception("could not offer a loved idea; it waits for the next interaction")


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(LovedCog(bot))
