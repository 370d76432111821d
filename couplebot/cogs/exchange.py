"""The buttons and the form every kind of exchange shares: answer, pass, share."""

from __future__ import annotations

from typing import Any

import discord
from discord.ext import commands

from couplebot.cogs._shared import FeatureCog, guarded, message_for
from couplebot.services.errors import InvalidInputError
from couplebot.ui.components import (
    EXCHANGE_MODAL_ID,
    LEGACY_ANSWER_MODAL_ID,
    MAX_ID,
    ComponentClick,
    ExchangeModal,
    Handler,
    modal_values,
)
from couplebot.ui.errors import reply_privately, typed_back
from couplebot.ui.kinds import view_for


class ExchangeCog(FeatureCog, name="Exchanges"):
    def handlers(self) -> dict[str, Handler]:
        return {"exchange": self.on_click}

    @guarded
    async def on_click(self, interaction: discord.Interaction[Any], click: ComponentClick) -> None:
        kind, action = getattr(click, "kind", ""), getattr(click, "action", "")
        engine = self.services.exchanges
        user, guild = interaction.user.id, interaction.guild_id
        if action == "answer":
            exchange, draft = await engine.draft(guild, kind, click.value, user)
            spec = engine.kind(kind).spec
            await interaction.response.send_modal(
                ExchangeModal(spec, exchange.id, exchange.prompt, draft, exchange.topic_tag)
            )
            return
        if action == "pass":
            result = await engine.pass_(guild, kind, click.value, user)
        else:
            result = await engine.share(guild, kind, click.value, user)
        await interaction.response.send_message(
            view_for(kind).replies[result.outcome], ephemeral=True
        )
        await engine.settle(result.exchange.id)

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        """Response forms are handled here, so a submit still lands after a restart."""
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        data: dict[str, Any] = dict(interaction.data or {})
        custom_id = str(data.get("custom_id", ""))
        match = EXCHANGE_MODAL_ID.match(custom_id)
        kind, topic = (match["kind"], match["topic"]) if match else ("daily", None)
        match = match or LEGACY_ANSWER_MODAL_ID.match(custom_id)
        if match is None:
            return
        await self._submit(interaction, kind, int(match["value"]), topic, modal_values(data))

    async def _submit(
        self,
        interaction: discord.Interaction[Any],
        kind: str,
        exchange_id: int,
        topic: str | None,
        values: dict[str, str],
    ) -> None:
        engine = self.services.exchanges
        try:
            if exchange_id > MAX_ID:
                raise InvalidInputError("That is no longer here.")
            result = await engine.answer(
                interaction.guild_id,
                kind,
                exchange_id,
                interaction.user.id,
                values,
                topic_tag=topic,
            )
        except Exception as exc:  # refused: give back what they typed, so nothing is lost
            await reply_privately(interaction, message_for(exc), embeds=typed_back(values))
            return
        await interaction.response.send_message(
            view_for(kind).replies[result.outcome], ephemeral=True
        )
        await engine.settle(exchange_id)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(ExchangeCog(bot))
