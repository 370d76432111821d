"""The daily question: /question and /history (its buttons are the exchanges')."""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from couplebot.cogs._shared import FeatureCog, guarded, message_for
from couplebot.domain.questions import THEMES
from couplebot.ui import render
from couplebot.ui.components import ComponentClick, Handler
from couplebot.ui.errors import reply_privately
from couplebot.ui.names import display_name

log = logging.getLogger(__name__)


class DailyCog(FeatureCog, name="Daily"):
    question = app_commands.Group(
        name="question", description="Today's question and your rotation", guild_only=True
    )

    def handlers(self) -> dict[str, Handler]:
        return {
            "history": self.on_history_click,
        }

    # /question

    @question.command(name="now", description="Bring today's question now")
    async def question_now(self, interaction: discord.Interaction[Any]) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        result = await self.services.daily.today(interaction.guild_id, interaction.user.id)
        link = _jump_url(interaction.guild_id, result.round.message_id, interaction.channel_id)
        if result.created:
            text = f"Today's question is up: {link}"
        else:
            text = f"Today's question is already here: {link}"
        await interaction.followup.send(text, ephemeral=True)

    @question.command(name="skip", description="Swap today's question while nobody has answered")
    async def question_skip(self, interaction: discord.Interaction[Any]) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self.services.daily.skip(interaction.guild_id, interaction.user.id)
        await interaction.followup.send(
            "Swapped. The new question is in the channel.", ephemeral=True
        )

    @question.command(name="add", description="Add a question of your own to the rotation")
    @app_commands.describe(text="Your question, up to 300 characters")
    async def question_add(
        self, interaction: discord.Interaction[Any], text: app_commands.Range[str, 1, 300]
    ) -> None:
        await self.services.couples.add_question(
            interaction.guild_id,
            interaction.user.id,
            text,
            list(self.services.content.questions),
        )
        await interaction.response.send_message(
            "Added to your rotation. It will come up on one of the next mornings.", ephemeral=True
        )

    @question.command(name="decks", description="Choose which themes your questions come from")
    async def question_decks(self, interaction: discord.Interaction[Any]) -> None:
        settings = await self.services.couples.settings(interaction.guild_id, interaction.user.id)
        view = ThemePicker(self, settings.couple.themes)
        await interaction.response.send_message(
            "Pick the themes you'd like questions from.", view=view, ephemeral=True
        )

    @question.command(name="deep-days", description="Choose the days for deeper questions")
    @app_commands.describe(days="Day names like 'wed, sat', or 'none'")
    async def question_deep_days(
        self, interaction: discord.Interaction[Any], days: app_commands.Range[str, 1, 60]
    ) -> None:
        chosen = await self.services.couples.set_deep_days(
            interaction.guild_id, interaction.user.id, days
        )
        names = ", ".join(render.WEEKDAY_NAMES[d] for d in sorted(chosen))
        text = (
            f"Deeper questions can come on {names}. Never two deep days in a row, so if two "
            "of them follow each other, the second one stays lighter."
            if chosen
            else "No deeper days, then. Every question stays light or medium."
        )
        await interaction.response.send_message(text, ephemeral=True)

    # /history

    @app_commands.command(name="history", description="Look back at questions you've both answered")
    @app_commands.guild_only()
    async def history_command(self, interaction: discord.Interaction[Any]) -> None:
        embeds, view = await self._history_page(interaction, 0)
        if view is None:
            await interaction.response.send_message(embeds=embeds, ephemeral=True)
        else:
            await interaction.response.send_message(embeds=embeds, view=view, ephemeral=True)

    async def _history_page(
        self, interaction: discord.Interaction[Any], page: int
    ) -> tuple[list[discord.Embed], discord.ui.View | None]:
        result = await self.services.daily.history(interaction.guild_id, interaction.user.id, page)
        names = {}
        if interaction.guild_id is not None:
            for answer in result.answers:
                names[answer.user_id] = await display_name(
                    self.bot, interaction.guild_id, answer.user_id
                )
        return render.history_message(
            result.round, result.answers, names, result.page, result.pages
        )

    # Components

    @guarded
    async def on_history_click(
        self, interaction: discord.Interaction[Any], click: ComponentClick
    ) -> None:
        embeds, view = await self._history_page(interaction, click.value)
        await interaction.response.edit_message(embeds=embeds, view=view)


class ThemePicker(discord.ui.View):
    def __init__(self, cog: DailyCog, enabled: frozenset[str]) -> None:
        super().__init__(timeout=600)
        self.cog = cog
        options = [
            discord.SelectOption(label=label, value=slug, default=slug in enabled)
            for slug, label in THEMES.items()
        ]
        self.themes: discord.ui.Select[ThemePicker] = discord.ui.Select(
            custom_id="cb:decks", min_values=1, max_values=len(options), options=options
        )
        self.themes.callback = self.chosen  # type: ignore[method-assign]
        self.add_item(self.themes)

    async def chosen(self, interaction: discord.Interaction[Any]) -> None:
        try:
            themes = await self.cog.services.couples.set_themes(
                interaction.guild_id, interaction.user.id, set(self.themes.values)
            )
        except Exception as exc:
            await reply_privately(interaction, message_for(exc))
            return
        labels = ", ".join(label for slug, label in THEMES.items() if slug in themes)
        await interaction.response.edit_message(content=f"Themes on: {labels}.", view=None)


def _jump_url(guild_id: int | None, message_id: int | None, channel_id: int | None) -> str:
    if guild_id is None or message_id is None or channel_id is None:
        return "see the channel"
    return f"https://discord.com/channels/{guild_id}/{channel_id}/{message_id}"


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(DailyCog(bot))
