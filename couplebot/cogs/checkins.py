"""/checkin, /appreciate, /bid and /long-distance, and their buttons and form."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from couplebot.cogs._shared import FeatureCog, guarded
from couplebot.domain.checkins import CLOSENESS_LABELS, MAX_NEED_LENGTH, MOOD_LABELS
from couplebot.services.checkins import MAX_APPRECIATION_LENGTH, CheckinResult
from couplebot.services.errors import InvalidInputError
from couplebot.ui.checkins import (
    CHECKIN_ITEMS,
    CHECKIN_MODAL_ID,
    CheckinModal,
    bid_message,
    let_them_know_view,
    scale_line,
)
from couplebot.ui.components import ComponentClick, Handler, modal_values

PRIVATE_SAVED = "Saved, just for you. Your partner won't see this check-in."
SHARED_WAITING = (
    "Saved. Your partner sees nothing yet, not even that it's waiting. Once they share "
    "a check-in too, within a day, I'll put both side by side in the channel."
)
SHARED_REVEALED = "Saved. You've both shared, so your check-ins are side by side in the channel."


def _choices(labels: dict[int, str]) -> list[app_commands.Choice[int]]:
    return [app_commands.Choice(name=scale_line(n, labels), value=n) for n in labels]


def _score(values: dict[str, str], key: str, what: str) -> int:
    raw = values.get(key, "")
    if not raw.isdigit():
        raise InvalidInputError(f"Pick your {what} from the list.")
    return int(raw)


class CheckinsCog(FeatureCog, name="Check-ins"):
    def handlers(self) -> dict[str, Handler]:
        return {
            "ck-know": self.on_let_them_know,
            "bid-take": self.on_take_bid,
            "bid-next": self.on_another_bid,
        }

    async def cog_load(self) -> None:
        await super().cog_load()
        self.bot.add_dynamic_items(*CHECKIN_ITEMS)

    # /checkin

    @app_commands.command(name="checkin", description="Say where you are right now")
    @app_commands.describe(
        mood="How you feel right now",
        closeness="How close you feel to your partner right now",
        need="What you need from your partner right now (optional)",
        share="Share it with your partner once they share one too (default: private)",
    )
    @app_commands.choices(mood=_choices(MOOD_LABELS), closeness=_choices(CLOSENESS_LABELS))
    @app_commands.guild_only()
    async def checkin_command(
        self,
        interaction: discord.Interaction[Any],
        mood: int | None = None,
        closeness: int | None = None,
        need: app_commands.Range[str, 1, MAX_NEED_LENGTH] | None = None,
        share: bool = False,
    ) -> None:
        if mood is None or closeness is None:
            await interaction.response.send_modal(CheckinModal(mood, closeness, share))
            return
        await self._record(interaction, mood, closeness, need, share)

    async def _record(
        self,
        interaction: discord.Interaction[Any],
        mood: int,
        closeness: int,
        need: str | None,
        share: bool,
    ) -> None:
        result = await self.services.checkins.check_in(
            interaction.guild_id, interaction.user.id, mood, closeness, need, share
        )
        await self._reply(interaction, result)
        await self.services.checkins.settle()
        await self.services.distance.checked_in(result.check_in.couple_id)

    async def _reply(self, interaction: discord.Interaction[Any], result: CheckinResult) -> None:
        if not result.check_in.shared:
            await interaction.response.send_message(PRIVATE_SAVED, ephemeral=True)
        elif result.revealed:
            await interaction.response.send_message(SHARED_REVEALED, ephemeral=True)
        else:
            await interaction.response.send_message(
                SHARED_WAITING, view=let_them_know_view(result.check_in.id), ephemeral=True
            )

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        """The /checkin form, handled here so a submit still lands after a restart."""
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        data: dict[str, Any] = dict(interaction.data or {})
        if data.get("custom_id") != CHECKIN_MODAL_ID:
            return
        await self._submit(interaction, modal_values(data))

    @guarded
    async def _submit(self, interaction: discord.Interaction[Any], values: dict[str, str]) -> None:
        mood = _score(values, "mood", "mood")
        closeness = _score(values, "closeness", "closeness")
        await self._record(
            interaction, mood, closeness, values.get("need") or None, values.get("share") == "yes"
        )

    @guarded
    async def on_let_them_know(
        self, interaction: discord.Interaction[Any], click: ComponentClick
    ) -> None:
        await self.services.checkins.let_them_know(
            interaction.guild_id, interaction.user.id, click.value
        )
        await interaction.response.send_message(
            "I've let them know, gently, without saying what you wrote.", ephemeral=True
        )

    # /appreciate

    @app_commands.command(name="appreciate", description="Send your partner a note of thanks")
    @app_commands.describe(text="What you appreciate about them, up to 500 characters")
    @app_commands.guild_only()
    async def appreciate_command(
        self,
        interaction: discord.Interaction[Any],
        text: app_commands.Range[str, 1, MAX_APPRECIATION_LENGTH],
    ) -> None:
        await self.services.checkins.appreciate(interaction.guild_id, interaction.user.id, text)
        await interaction.response.send_message(
            "Sent. Your note is in the channel for them.", ephemeral=True
        )
        await self.services.checkins.settle()

    # /bid

    @app_commands.command(name="bid", description="One small gesture for your partner today")
    @app_commands.guild_only()
    async def bid_command(self, interaction: discord.Interaction[Any]) -> None:
        offer, text = await self.services.checkins.suggest_bid(
            interaction.guild_id, interaction.user.id
        )
        embed, view = bid_message(text, offer.id)
        await interaction.response.send_message(embed=embed, view=view, ephemeral=True)

    @guarded
    async def on_take_bid(
        self, interaction: discord.Interaction[Any], click: ComponentClick
    ) -> None:
        text = await self.services.checkins.take_bid(
            interaction.guild_id, interaction.user.id, click.value
        )
        await interaction.response.edit_message(
            content=f"Lovely. Today you'll do this: {text}", embed=None, view=None
        )

    @guarded
    async def on_another_bid(
        self, interaction: discord.Interaction[Any], click: ComponentClick
    ) -> None:
        offer, text = await self.services.checkins.suggest_bid(
            interaction.guild_id, interaction.user.id, after_offer=click.value
        )
        embed, view = bid_message(text, offer.id)
        await interaction.response.edit_message(embed=embed, view=view)

    # /long-distance

    @app_commands.command(
        name="long-distance", description="Tell couplebot whether you two live apart"
    )
    @app_commands.describe(on="True if you live apart, so ideas work at a distance")
    @app_commands.guild_only()
    async def long_distance_command(self, interaction: discord.Interaction[Any], on: bool) -> None:
        await self.services.checkins.set_long_distance(
            interaction.guild_id, interaction.user.id, on
        )
        text = (
            "Noted: you live apart. Ideas from /bid will work at a distance."
            if on
            else "Noted. Ideas from /bid will be for when you're together, unless your "
            "time zones differ."
        )
        await interaction.response.send_message(text, ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(CheckinsCog(bot))
