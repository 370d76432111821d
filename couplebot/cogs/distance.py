"""/insights and /gentle-notes: the couple's weeks as a chart, and the gentle notes switch."""

from __future__ import annotations

import asyncio
import io
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

import couplebot.ui.gentle  # noqa: F401 - registers the gentle note renderer
from couplebot.cogs._shared import FeatureCog
from couplebot.domain.insights import INSIGHTS_CAPTION, NOT_ENOUGH_DATA_TEXT, enough_data
from couplebot.ui.names import display_name

CHART_FILENAME = "couplebot-insights.png"
GENTLE_ON = (
    "Gentle notes are on. Now and then, when your check-ins or days together suggest it, "
    "I may share a question to talk about or a small idea. Never a score, never a verdict."
)
GENTLE_OFF = "Gentle notes are off. I won't send any. `/gentle-notes on:true` brings them back."


class DistanceCog(FeatureCog, name="Distance"):
    @app_commands.command(name="insights", description="A chart of your last weeks together")
    @app_commands.guild_only()
    async def insights_command(self, interaction: discord.Interaction[Any]) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        summary = await self.services.distance.insights(interaction.guild_id, interaction.user.id)
        if not enough_data(summary):
            await interaction.followup.send(NOT_ENOUGH_DATA_TEXT, ephemeral=True)
            return
        guild_id = interaction.guild_id or 0
        first, second = summary.partners
        names = (
            await display_name(self.bot, guild_id, first),
            await display_name(self.bot, guild_id, second),
        )
        # matplotlib takes most of a second to import: only the first chart pays for it
        from couplebot.ui.chart import render_insights_chart  # noqa: PLC0415

        png = await asyncio.to_thread(render_insights_chart, summary, names)
        await interaction.followup.send(
            INSIGHTS_CAPTION,
            file=discord.File(io.BytesIO(png), filename=CHART_FILENAME),
            ephemeral=True,
        )

    @app_commands.command(name="gentle-notes", description="Turn gentle notes on or off")
    @app_commands.describe(on="True: gentle notes on (the default). False: none at all")
    @app_commands.guild_only()
    async def gentle_notes_command(self, interaction: discord.Interaction[Any], on: bool) -> None:
        now_on = await self.services.distance.set_gentle_notes(
            interaction.guild_id, interaction.user.id, on
        )
        await interaction.response.send_message(GENTLE_ON if now_on else GENTLE_OFF, ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(DistanceCog(bot))
