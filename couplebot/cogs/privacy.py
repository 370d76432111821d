"""/privacy export and /privacy forget, and cleaning up when the bot leaves a server."""

from __future__ import annotations

import io
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from couplebot.cogs._shared import FeatureCog, guarded
from couplebot.services.privacy import LEFT_GUILD_GRACE
from couplebot.ui.components import ComponentClick, EndButton, ForgetButton, Handler

FORGET_EXPLAINED = (
    "**Before you decide**\n"
    "This deletes what couplebot keeps about you: every answer you wrote, the questions "
    "you added, and your own time zone and quiet hours.\n\n"
    "What stays: your partner's answers (they are theirs), and the shared setup, so new "
    "questions keep coming. Answers already revealed in your channel are Discord messages; "
    "you can delete those in Discord. `/privacy export` gives you a copy first.\n\n"
    "To stop couplebot here for both of you, remove the bot from the server: everything "
    f"is then deleted after {LEFT_GUILD_GRACE.days} days."
)


END_EXPLAINED = (
    "**Before you decide**\n"
    "Your partner has left this server. Ending the couple stops every question and "
    "note here, and everything couplebot keeps about the two of you (both of your "
    f"answers too) is deleted after {LEFT_GUILD_GRACE.days} days. `/privacy export` gives "
    "you a copy of yours first. Afterwards `/setup` can start again."
)


class PrivacyCog(FeatureCog, name="Privacy"):
    privacy = app_commands.Group(
        name="privacy", description="See or delete what couplebot keeps about you", guild_only=True
    )

    couple = app_commands.Group(
        name="couple", description="When one of you has left this server", guild_only=True
    )

    def handlers(self) -> dict[str, Handler]:
        return {"forget": self.on_forget_confirmed, "end": self.on_end_confirmed}

    @couple.command(name="end", description="End the couple after your partner left the server")
    async def end(self, interaction: discord.Interaction[Any]) -> None:
        await self._partner_here(interaction)  # refuses outsiders and a partner still here
        view = discord.ui.View(timeout=None)
        view.add_item(EndButton(interaction.user.id))
        await interaction.response.send_message(END_EXPLAINED, view=view, ephemeral=True)

    async def _partner_here(self, interaction: discord.Interaction[Any]) -> None:
        settings = await self.services.couples.settings(interaction.guild_id, interaction.user.id)
        other = settings.couple.other(interaction.user.id).user_id
        here = True
        if interaction.guild is not None:
            try:
                await interaction.guild.fetch_member(other)
            except discord.NotFound:
                here = False
        if here:
            await self.services.privacy.end_couple(interaction.guild_id, interaction.user.id, True)

    @guarded
    async def on_end_confirmed(
        self, interaction: discord.Interaction[Any], click: ComponentClick
    ) -> None:
        if click.value != interaction.user.id:
            await interaction.response.send_message(
                "Only the person who asked can confirm this.", ephemeral=True
            )
            return
        await self._partner_here(interaction)
        await self.services.privacy.end_couple(interaction.guild_id, interaction.user.id, False)
        await interaction.response.edit_message(
            content=(
                "Done. couplebot has stopped here. Everything it kept about the two of you is "
                f"deleted in {LEFT_GUILD_GRACE.days} days."
            ),
            view=None,
        )

    @privacy.command(name="export", description="Get a file of everything stored about you")
    async def export(self, interaction: discord.Interaction[Any]) -> None:
        data = await self.services.privacy.export(interaction.guild_id, interaction.user.id)
        await interaction.response.send_message(
            "Here is everything couplebot keeps about you. Only you can see this.",
            file=discord.File(io.BytesIO(data), filename="couplebot-export.json"),
            ephemeral=True,
        )

    @privacy.command(name="forget", description="Delete your answers and settings")
    async def forget(self, interaction: discord.Interaction[Any]) -> None:
        await self.services.couples.settings(interaction.guild_id, interaction.user.id)
        view = discord.ui.View(timeout=None)
        view.add_item(ForgetButton(interaction.user.id))
        await interaction.response.send_message(FORGET_EXPLAINED, view=view, ephemeral=True)

    @guarded
    async def on_forget_confirmed(
        self, interaction: discord.Interaction[Any], click: ComponentClick
    ) -> None:
        if click.value != interaction.user.id:
            await interaction.response.send_message(
                "Only the person who asked can confirm this.", ephemeral=True
            )
            return
        await self.services.privacy.forget(interaction.guild_id, interaction.user.id)
        await interaction.response.edit_message(
            content="Done. Your answers, your questions and your settings are deleted.",
            view=None,
        )

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        await self.services.privacy.guild_left(guild.id)

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        await self.services.privacy.guild_joined(guild.id)

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        await self.services.privacy.reconcile_guilds({guild.id for guild in self.bot.guilds})

    @commands.Cog.listener()
    async def on_guild_available(self, guild: discord.Guild) -> None:
        await self.services.privacy.guild_joined(guild.id)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(PrivacyCog(bot))
