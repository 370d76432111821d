"""/setup, /settings, /pause, /quiet and /help: how the couple tunes the bot."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from couplebot.cogs._shared import FeatureCog, guarded
from couplebot.domain.schedule import timezone_suggestions
from couplebot.services.couples import (
    MAX_PAUSE_DAYS,
    PARTNER_CHANGE_LAPSES,
    SetupOutcome,
    SetupRequest,
)
from couplebot.services.privacy import LEFT_GUILD_GRACE
from couplebot.ui import render
from couplebot.ui.components import AcceptButton, ComponentClick, DeclineButton, Handler
from couplebot.ui.names import display_name
from couplebot.ui.permissions import missing_permissions

HELP_TEXT = (
    "**couplebot** is a small daily ritual for the two of you.\n\n"
    "Each morning I post one question here. You each answer privately with the "
    "**Answer** button, and your answers appear together once you've both written. "
    "Not in the mood for a question? **Not this one** lets it rest, no explanation needed.\n\n"
    "I'm not a therapist, and I don't judge. If distance between you lasts, talking "
    "with a couples therapist (for example one trained in emotionally focused therapy) "
    "is a strong, hopeful step."
)


def command_list(tree: app_commands.CommandTree[Any]) -> str:
    """Every slash command with its description, so /help never misses one."""
    lines = []
    for command in tree.walk_commands():
        if isinstance(command, app_commands.Command):
            lines.append(f"`/{command.qualified_name}` {command.description}")
    return "\n".join(sorted(lines))


async def _timezones(
    interaction: discord.Interaction[Any], current: str
) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=z, value=z) for z in timezone_suggestions(current)]


class CoupleCog(FeatureCog, name="Couple"):
    def handlers(self) -> dict[str, Handler]:
        return {"accept": self.on_accept, "decline": self.on_decline}

    @app_commands.command(name="setup", description="Set up the daily question for you two")
    @app_commands.describe(
        partner="Your partner's account",
        timezone="Your time zone, like Europe/Berlin",
        time="When the daily question arrives, 24-hour HH:MM like 07:30",
        partner_timezone="Your partner's time zone, if it differs from yours",
    )
    @app_commands.autocomplete(timezone=_timezones, partner_timezone=_timezones)
    @app_commands.guild_only()
    async def setup_command(
        self,
        interaction: discord.Interaction[Any],
        partner: discord.User | discord.Member,
        timezone: str,
        time: str,
        partner_timezone: str | None = None,
    ) -> None:
        if not isinstance(partner, discord.User | discord.Member):  # Discord sent no user
            await interaction.response.send_message(
                "I couldn't find the `partner` you picked. Pick your partner from the list.",
                ephemeral=True,
            )
            return
        missing = missing_permissions(interaction.app_permissions)
        if missing:
            await interaction.response.send_message(missing, ephemeral=True)
            return
        result = await self.services.couples.setup(
            SetupRequest(
                guild_id=interaction.guild_id,
                channel_id=interaction.channel_id or 0,
                caller_id=interaction.user.id,
                partner_id=partner.id,
                partner_is_bot=partner.bot,
                partner_is_member=isinstance(partner, discord.Member),
                timezone=timezone,
                time=time,
                partner_timezone=partner_timezone,
            )
        )
        couple = result.couple
        when = f"{couple.question_time:%H:%M} ({couple.timezone})"
        if result.outcome is SetupOutcome.UPDATED:
            await interaction.response.send_message(
                f"Updated. Your daily question arrives here at {when}.",
                allowed_mentions=render.NO_MENTIONS,
            )
            return
        view = discord.ui.View(timeout=None)
        view.add_item(AcceptButton(couple.id))
        if result.replaced_user_id is not None:
            view.add_item(DeclineButton(couple.id))
            await interaction.response.send_message(
                await self._change_request(interaction, partner, result.replaced_user_id),
                view=view,
                allowed_mentions=discord.AllowedMentions(
                    everyone=False,
                    roles=False,
                    users=[discord.Object(partner.id), discord.Object(result.replaced_user_id)],
                ),
            )
            return
        await interaction.response.send_message(
            f"{interaction.user.display_name} would like to use couplebot here with "
            f"{partner.mention}: a daily question at {when}, answered privately and "
            f"revealed together. {partner.display_name}, press **Accept** when you're "
            "ready (only you can).",
            view=view,
            allowed_mentions=discord.AllowedMentions(
                everyone=False, roles=False, users=[discord.Object(partner.id)]
            ),
        )

    async def _change_request(
        self,
        interaction: discord.Interaction[Any],
        partner: discord.User | discord.Member,
        replaced: int,
    ) -> str:
        asker = interaction.user.display_name
        old = await display_name(self.bot, interaction.guild_id or 0, replaced)
        return (
            f"{asker} would like to use couplebot here with {partner.mention} from now on, "
            f"instead of with <@{replaced}>. {partner.display_name}, press **Accept** if "
            "you'd like that (only you can); **Not now** leaves everything as it is.\n\n"
            f"Until then nothing changes for {asker} and {old}. If it goes ahead, "
            f"{asker} and {partner.display_name} start fresh: nothing {asker} and {old} "
            f"shared here is shown to {partner.display_name}, and it is deleted "
            f"{LEFT_GUILD_GRACE.days} days later. Posts already in this channel stay visible "
            "to whoever can read it, so a new channel may feel kinder; run `/setup` there.\n"
            f"-# This request lapses after {PARTNER_CHANGE_LAPSES.days} days. Until it is "
            "accepted, `/privacy export` gives each of you a copy of your own answers."
        )

    @guarded
    async def on_accept(self, interaction: discord.Interaction[Any], click: ComponentClick) -> None:
        result = await self.services.couples.accept(
            interaction.guild_id, click.value, interaction.user.id
        )
        couple = result.couple
        first, second = couple.partners
        names = [await display_name(self.bot, couple.guild_id, p.user_id) for p in (first, second)]
        when = f"{couple.question_time:%H:%M} ({couple.timezone})"
        where = (
            "here" if couple.channel_id == interaction.channel_id else f"in <#{couple.channel_id}>"
        )
        fresh = ""
        if result.replaced_user_id is not None:
            old = await display_name(self.bot, couple.guild_id, result.replaced_user_id)
            fresh = (
                f"You're starting fresh together. {old}, what you shared here with "
                f"{names[0]} is no longer used and is deleted in {LEFT_GUILD_GRACE.days} "
                "days. Thank you for the time you spent here.\n"
            )
        await interaction.response.edit_message(
            content=(
                f"All set, {names[0]} and {names[1]}. Your daily question will arrive "
                f"{where} at {when}. `/help` explains how it works.\n{fresh}"
                "-# The Intimacy and Long distance themes go on and off with `/question decks`."
            ),
            view=None,
            allowed_mentions=render.NO_MENTIONS,
        )

    @guarded
    async def on_decline(
        self, interaction: discord.Interaction[Any], click: ComponentClick
    ) -> None:
        await self.services.couples.decline(interaction.guild_id, click.value, interaction.user.id)
        await interaction.response.edit_message(
            content="No change, then: everything stays as it was.",
            view=None,
            allowed_mentions=render.NO_MENTIONS,
        )

    @app_commands.command(name="settings", description="See how couplebot is set up for you two")
    @app_commands.guild_only()
    async def settings_command(self, interaction: discord.Interaction[Any]) -> None:
        settings = await self.services.couples.settings(interaction.guild_id, interaction.user.id)
        couple = settings.couple
        lines = []
        for partner in couple.partners:
            zone = partner.timezone or couple.timezone
            lines.append(
                f"<@{partner.user_id}>: {zone}, quiet "
                f"{partner.quiet_start:%H:%M}–{partner.quiet_end:%H:%M}"
            )
        embed = render.settings_embed(
            timezone=couple.timezone,
            question_time=couple.question_time,
            partner_lines=lines,
            themes=couple.themes,
            deep_days=couple.deep_days,
            paused_until=settings.paused_until,
            custom_questions=settings.custom_questions,
            gentle_notes=await self.services.distance.gentle_notes_on(
                interaction.guild_id, interaction.user.id
            ),
        )
        for name, value in await self.services.weekly.settings_lines(
            interaction.guild_id, interaction.user.id
        ):
            embed.add_field(name=name, value=value, inline=True)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="pause", description="Take a break from daily questions")
    @app_commands.describe(days="How many days, starting today (0 resumes now)")
    @app_commands.guild_only()
    async def pause_command(
        self,
        interaction: discord.Interaction[Any],
        days: app_commands.Range[int, 0, MAX_PAUSE_DAYS],
    ) -> None:
        last = await self.services.couples.pause(interaction.guild_id, interaction.user.id, days)
        if last is None:
            text = "Daily questions are back on. The next one comes at your usual time."
        else:
            text = (
                f"Paused through {last:%a %d %b}. No questions and no reminders until then. "
                "`/pause days:0` brings them back sooner."
            )
        await interaction.response.send_message(text, allowed_mentions=render.NO_MENTIONS)

    @app_commands.command(name="quiet", description="Set your quiet hours for reminders")
    @app_commands.describe(start="When quiet starts, HH:MM", end="When quiet ends, HH:MM")
    @app_commands.guild_only()
    async def quiet_command(
        self, interaction: discord.Interaction[Any], start: str, end: str
    ) -> None:
        quiet_start, quiet_end = await self.services.couples.set_quiet_hours(
            interaction.guild_id, interaction.user.id, start, end
        )
        text = (
            "No quiet hours, then. I still send at most one gentle reminder a day."
            if quiet_start == quiet_end
            else f"Got it. I won't remind you between {quiet_start:%H:%M} and {quiet_end:%H:%M}."
        )
        await interaction.response.send_message(text, ephemeral=True)

    @app_commands.command(name="help", description="What couplebot does and how to use it")
    async def help_command(self, interaction: discord.Interaction[Any]) -> None:
        commands_embed = discord.Embed(
            title="Commands", description=command_list(self.bot.tree), colour=render.CALM
        )
        await interaction.response.send_message(HELP_TEXT, embed=commands_embed, ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(CoupleCog(bot))
