"""/weekly-checkin: when the weekly "how are we?" comes (its buttons are the exchanges')."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from couplebot.cogs._shared import FeatureCog
from couplebot.services.weekly import describe_weekly


class WeeklyCog(FeatureCog, name="Weekly"):
    @app_commands.command(
        name="weekly-checkin", description='Choose when the weekly "how are we?" comes'
    )
    @app_commands.describe(
        day="A day of the week, like sunday or sun",
        time="The time, 24-hour HH:MM like 18:00",
        off="True turns the weekly check-in off",
    )
    @app_commands.guild_only()
    async def weekly_command(
        self,
        interaction: discord.Interaction[Any],
        day: app_commands.Range[str, 1, 20] | None = None,
        time: app_commands.Range[str, 1, 10] | None = None,
        off: bool = False,
    ) -> None:
        settings = await self.services.weekly.configure(
            interaction.guild_id, interaction.user.id, day=day, at=time, off=off
        )
        if not settings.weekly_on:
            text = "The weekly check-in is off. `/weekly-checkin day:sun` brings it back."
        else:
            text = f"The weekly check-in comes on {describe_weekly(settings)}, your time."
        await interaction.response.send_message(text, ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(WeeklyCog(bot))
