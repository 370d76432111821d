"""/reachout: say "I miss you" gently; preview privately; only "Send" delivers it."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from couplebot.cogs._shared import FeatureCog, guarded
from couplebot.domain.reachout import Delivery, Reply
from couplebot.services.errors import InvalidInputError
from couplebot.ui.components import ComponentClick, Handler, modal_values
from couplebot.ui.names import NEUTRAL_NAME, display_name
from couplebot.ui.reachout import (
    CANCELLED,
    DRAFT_MODAL_ID,
    NOTE_INPUT,
    PICK_TEXT,
    REACHOUT_ITEMS,
    WHERE_INPUT,
    DraftModal,
    delivery_of,
    draft_in,
    openers_view,
    preview,
    sent_copy,
    sent_text,
)

NO_PREVIEW = "That preview is no longer here. Start again with /reachout."


class ReachoutCog(FeatureCog, name="Reach out"):
    def handlers(self) -> dict[str, Handler]:
        return {
            "ro-pick": self.on_pick,
            "ro-edit": self.on_edit,
            "ro-send": self.on_send,
            "ro-cancel": self.on_cancel,
            "ro-thanks": self.on_thanks,
            "ro-talk": self.on_talk,
        }

    async def cog_load(self) -> None:
        await super().cog_load()
        for item in REACHOUT_ITEMS:
            self.bot.add_dynamic_items(item)

    async def _name(self, guild_id: int | None, user_id: int) -> str:
        if guild_id is None:
            return NEUTRAL_NAME
        return await display_name(self.bot, guild_id, user_id)

    @app_commands.command(name="reachout", description="Tell your partner you miss them, gently")
    @app_commands.guild_only()
    async def reachout(self, interaction: discord.Interaction[Any]) -> None:
        openers = await self.services.reachout.openers(interaction.guild_id, interaction.user.id)
        own = len(self.services.content.openers)  # an index past the pool: a blank page
        await interaction.response.send_message(
            PICK_TEXT, view=openers_view(openers, own), ephemeral=True
        )

    @guarded
    async def on_pick(self, interaction: discord.Interaction[Any], click: ComponentClick) -> None:
        service = self.services.reachout
        guild, user = interaction.guild_id, interaction.user.id
        text = await service.opener(guild, user, click.value)
        partner = await self._name(guild, await service.check(guild, user))
        await interaction.response.send_modal(DraftModal(partner, text, Delivery.CHANNEL))

    @guarded
    async def on_edit(self, interaction: discord.Interaction[Any], click: ComponentClick) -> None:
        guild, user = interaction.guild_id, interaction.user.id
        partner = await self._name(guild, await self.services.reachout.check(guild, user))
        text = draft_in(interaction.message)
        if text is None:
            raise InvalidInputError(NO_PREVIEW)
        await interaction.response.send_modal(DraftModal(partner, text, delivery_of(click.value)))

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        """The draft form is handled from the raw submit, so it still lands after a restart."""
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        data: dict[str, Any] = dict(interaction.data or {})
        if DRAFT_MODAL_ID.match(str(data.get("custom_id", ""))):
            await self._preview(interaction, modal_values(data))

    @guarded
    async def _preview(self, interaction: discord.Interaction[Any], values: dict[str, str]) -> None:
        draft = await self.services.reachout.draft(
            interaction.guild_id, interaction.user.id, values.get(NOTE_INPUT, "")
        )
        delivery = Delivery.DM if values.get(WHERE_INPUT) == Delivery.DM else Delivery.CHANNEL
        partner = await self._name(interaction.guild_id, draft.to_user_id)
        embed, view = preview(partner, draft.text, delivery)
        if interaction.message is not None:
            await interaction.response.edit_message(content=None, embed=embed, view=view)
        else:
            await interaction.response.send_message(embed=embed, view=view, ephemeral=True)

    @guarded
    async def on_send(self, interaction: discord.Interaction[Any], click: ComponentClick) -> None:
        text = draft_in(interaction.message)
        if text is None or interaction.message is None:
            raise InvalidInputError(NO_PREVIEW)
        delivery = delivery_of(click.value)
        sent = await self.services.reachout.send(
            interaction.guild_id, interaction.user.id, text, delivery, interaction.message.id
        )
        partner = await self._name(interaction.guild_id, sent.to_user_id)
        done = sent_text(partner, delivery) if sent.first else "This note was already sent."
        await interaction.response.edit_message(
            content=done, embed=sent_copy(partner, text.strip()), view=None
        )
        await self.services.reachout.deliver()

    @guarded
    async def on_cancel(self, interaction: discord.Interaction[Any], click: ComponentClick) -> None:
        await self.services.reachout.check(interaction.guild_id, interaction.user.id)
        await interaction.response.edit_message(content=CANCELLED, embed=None, view=None)

    async def on_thanks(self, interaction: discord.Interaction[Any], click: ComponentClick) -> None:
        await self._answer(interaction, click, Reply.THANKS)

    async def on_talk(self, interaction: discord.Interaction[Any], click: ComponentClick) -> None:
        await self._answer(interaction, click, Reply.TALK)

    @guarded
    async def _answer(
        self, interaction: discord.Interaction[Any], click: ComponentClick, reply: Reply
    ) -> None:
        answered = await self.services.reachout.answer(
            interaction.guild_id, interaction.user.id, click.value, reply
        )
        sender = await self._name(answered.guild_id, answered.sender_id)
        text = f"Sent to {sender}." if answered.first else f"You already told {sender} that."
        await interaction.response.send_message(text, ephemeral=True)
        await self.services.reachout.deliver()


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(ReachoutCog(bot))
