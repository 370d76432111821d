"""Date nights and shared activities: /date, /activity, the idea and plan cards' buttons."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.app_commands import Choice
from discord.ext import commands

from couplebot.cogs._shared import FeatureCog, guarded
from couplebot.domain.ideas import Budget, Energy, IdeaFilters, IdeaKind, Setting
from couplebot.domain.schedule import parse_hhmm
from couplebot.domain.weekly import WEEKDAY_NAMES
from couplebot.services.date_notes import Rendered
from couplebot.services.errors import InvalidInputError
from couplebot.ui.components import ComponentClick, Handler, modal_values
from couplebot.ui.dates import DATE_ITEMS, WHEN_MODAL_ID, WhenModal, list_page
from couplebot.ui.names import display_name
from couplebot.ui.notes import render_note

SETTINGS = [
    Choice(name="At home", value="home"),
    Choice(name="Out", value="out"),
    Choice(name="Outdoors", value="outdoors"),
    Choice(name="Apart (a call, the post, a shared screen)", value="apart"),
]
BUDGETS = [
    Choice(name="Free", value="free"),
    Choice(name="Low cost at most", value="low"),
    Choice(name="Medium cost at most", value="medium"),
    Choice(name="Any budget", value="high"),
]
ENERGIES = [Choice(name="Calm", value="calm"), Choice(name="Active", value="active")]
DATE_MINUTES = [
    Choice(name=f"Up to {label}", value=m)
    for m, label in (
        (45, "45 minutes"),
        (60, "an hour"),
        (90, "an hour and a half"),
        (120, "two hours"),
        (180, "three hours"),
        (300, "five hours"),
    )
]
ACTIVITY_MINUTES = [Choice(name=f"Up to {m} minutes", value=m) for m in (5, 10, 15, 30, 45, 60)]
WEEKDAYS = [Choice(name=name, value=name[:3].lower()) for name in WEEKDAY_NAMES]


def _value(choice: Choice[Any] | None) -> Any:
    return None if choice is None else choice.value


def _clicked(
    interaction: discord.Interaction[Any], click: ComponentClick
) -> tuple[int | None, int, int]:
    """(guild, user, the card's or plan's id): what the services take for a click."""
    return interaction.guild_id, interaction.user.id, click.value


class DatesCog(FeatureCog, name="Dates"):
    date = app_commands.Group(
        name="date", description="Date-night ideas, plans and what you remember", guild_only=True
    )

    async def cog_load(self) -> None:
        await super().cog_load()
        self.bot.add_dynamic_items(*DATE_ITEMS)

    def handlers(self) -> dict[str, Handler]:
        return {
            "idea": self.on_idea_click,
            "plan": self.on_plan_click,
            "datelist": self.on_list_click,
        }

    # Suggesting

    @date.command(name="idea", description="Suggest a date-night idea")
    @app_commands.describe(
        budget="The most you'd like to spend",
        setting="Where you'd like to be",
        minutes="How much time you have",
        energy="Calm, or up and moving",
    )
    @app_commands.choices(budget=BUDGETS, setting=SETTINGS, energy=ENERGIES)
    @app_commands.choices(minutes=DATE_MINUTES)
    async def date_idea(
        self,
        interaction: discord.Interaction[Any],
        budget: Choice[str] | None = None,
        setting: Choice[str] | None = None,
        minutes: Choice[int] | None = None,
        energy: Choice[str] | None = None,
    ) -> None:
        await self._suggest(
            interaction, IdeaKind.DATE, setting, minutes, budget=budget, energy=energy
        )

    @app_commands.command(name="activity", description="Suggest a shared activity, 5 to 60 minutes")
    @app_commands.guild_only()
    @app_commands.describe(minutes="How much time you have", setting="Where you'd like to be")
    @app_commands.choices(minutes=ACTIVITY_MINUTES)
    @app_commands.choices(setting=SETTINGS)
    async def activity(
        self,
        interaction: discord.Interaction[Any],
        minutes: Choice[int] | None = None,
        setting: Choice[str] | None = None,
    ) -> None:
        await self._suggest(interaction, IdeaKind.ACTIVITY, setting, minutes)

    async def _suggest(
        self,
        interaction: discord.Interaction[Any],
        kind: IdeaKind,
        setting: Choice[str] | None,
        minutes: Choice[int] | None,
        *,
        budget: Choice[str] | None = None,
        energy: Choice[str] | None = None,
    ) -> None:
        filters = IdeaFilters(
            kind=kind,
            budget=Budget(budget.value) if budget else None,
            setting=Setting(setting.value) if setting else None,
            max_minutes=_value(minutes),
            energy=Energy(energy.value) if energy else None,
        )
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self.services.dates.suggest(interaction.guild_id, interaction.user.id, filters)
        await interaction.followup.send("Here's one, in the channel.", ephemeral=True)

    # Planning by command

    @date.command(name="plan", description="Plan a date: pick an idea and a time")
    @app_commands.describe(
        idea="Start typing; saved ideas come first",
        when="Like sat 19:30, tomorrow 19:30 or 2026-06-13 19:30",
    )
    async def date_plan(
        self,
        interaction: discord.Interaction[Any],
        idea: app_commands.Range[str, 1, 100],
        when: app_commands.Range[str, 1, 40],
    ) -> None:
        plan = await self.services.date_plans.plan(
            interaction.guild_id, interaction.user.id, idea, when
        )
        await interaction.response.send_message(
            f"Planned. It's in the channel, plan #{plan.id}.", ephemeral=True
        )

    @date_plan.autocomplete("idea")
    async def _idea_choices(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[Choice[str]]:
        try:
            found = await self.services.dates.idea_choices(
                interaction.guild_id, interaction.user.id, current
            )
        except Exception:
            return []
        return [Choice(name=title[:100], value=idea_id) for title, idea_id in found]

    # /date list, /date add, /date weekly

    @date.command(name="list", description="Your planned, saved and done dates")
    async def date_list(self, interaction: discord.Interaction[Any]) -> None:
        embed, view = await self._list(interaction, 0)
        if view is None:
            await interaction.response.send_message(embed=embed, ephemeral=True)
        else:
            await interaction.response.send_message(embed=embed, view=view, ephemeral=True)

    async def _list(
        self, interaction: discord.Interaction[Any], page: int
    ) -> tuple[discord.Embed, discord.ui.View | None]:
        entries = await self.services.date_plans.entries(interaction.guild_id, interaction.user.id)
        return list_page([(e.section, e.title, e.detail) for e in entries], page)

    @date.command(name="add", description="Add a date idea of your own to your suggestions")
    @app_commands.describe(
        title="A short name for it, up to 60 characters",
        setting="Where it happens",
        description="What you'd do, in a sentence or two",
        minutes="About how long it takes (20 to 720)",
        budget="About what it costs",
    )
    @app_commands.choices(
        setting=SETTINGS, budget=[*BUDGETS[:3], Choice(name="Higher cost", value="high")]
    )
    async def date_add(  # noqa: PLR0917 - the command's options
        self,
        interaction: discord.Interaction[Any],
        title: app_commands.Range[str, 1, 60],
        setting: Choice[str],
        description: app_commands.Range[str, 1, 400] | None = None,
        minutes: app_commands.Range[int, 20, 720] | None = None,
        budget: Choice[str] | None = None,
    ) -> None:
        idea = await self.services.dates.add_idea(
            interaction.guild_id,
            interaction.user.id,
            title,
            Setting(setting.value),
            description,
            minutes,
            Budget(budget.value) if budget else None,
        )
        await interaction.response.send_message(
            f"Added “{idea.title}” to your date ideas. It can come up with `/date idea`, "
            "and `/date plan` finds it.",
            ephemeral=True,
        )

    @date.command(
        name="weekly", description="A date-night idea each week, on a day and time you choose"
    )
    @app_commands.describe(day="Which day", time="What time, HH:MM", off="Turn the weekly idea off")
    @app_commands.choices(day=WEEKDAYS)
    async def date_weekly(
        self,
        interaction: discord.Interaction[Any],
        day: Choice[str] | None = None,
        time: app_commands.Range[str, 1, 5] | None = None,
        off: bool = False,
    ) -> None:
        at = None
        if time is not None and not off:
            try:
                at = parse_hhmm(time)
            except ValueError as exc:
                raise InvalidInputError(str(exc)) from None
        chosen = await self.services.date_plans.set_weekly(
            interaction.guild_id, interaction.user.id, _value(day), at, off
        )
        if chosen is None:
            text = "The weekly date-night idea is off."
        else:
            day_name = WEEKDAY_NAMES[chosen[0]]
            text = f"A date-night idea will come every {day_name} at {chosen[1]:%H:%M}."
        await interaction.response.send_message(text, ephemeral=True)

    # Buttons

    async def _note(self, rendered: Rendered) -> tuple[list[discord.Embed], discord.ui.View | None]:
        post = rendered.post
        names = {u: await display_name(self.bot, post.guild_id, u) for u in post.names}
        note = render_note(post, names, rendered.marker)
        return note.embeds, note.view

    async def _show(self, interaction: discord.Interaction[Any], rendered: Rendered) -> None:
        """Edit the clicked card or plan in place to show it as it is now."""
        embeds, view = await self._note(rendered)
        await interaction.response.edit_message(embeds=embeds, view=view)

    async def _ask_when(
        self, interaction: discord.Interaction[Any], mode: str, value: int, title: str
    ) -> None:
        zone = await self.services.date_plans.zone_of(interaction.guild_id, interaction.user.id)
        await interaction.response.send_modal(WhenModal(mode, value, title, zone))

    @guarded
    async def on_idea_click(
        self, interaction: discord.Interaction[Any], click: ComponentClick
    ) -> None:
        dates, action = self.services.dates, getattr(click, "action", "")
        if action == "do":
            card = await self.services.date_plans.check_pick(*_clicked(interaction, click))
            rendered = await dates.rendered_card(card.id)
            title = str(rendered.post.data["title"]) if rendered else "Your date"
            await self._ask_when(interaction, "pick", card.id, title)
        else:
            edit = dates.another if action == "another" else dates.save
            await self._show(interaction, await edit(*_clicked(interaction, click)))

    @guarded
    async def on_plan_click(
        self, interaction: discord.Interaction[Any], click: ComponentClick
    ) -> None:
        plans, action = self.services.date_plans, getattr(click, "action", "")
        if action == "move":
            plan = await plans.check_move(*_clicked(interaction, click))
            await self._ask_when(interaction, "move", plan.id, "A new time")
        else:
            edit = plans.agree if action == "ok" else plans.cancel
            await self._show(interaction, await edit(*_clicked(interaction, click)))

    @guarded
    async def on_list_click(
        self, interaction: discord.Interaction[Any], click: ComponentClick
    ) -> None:
        embed, view = await self._list(interaction, click.value)
        await interaction.response.edit_message(embed=embed, view=view)

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        """The when-form, handled from the raw interaction so a submit lands after a restart."""
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        data: dict[str, Any] = dict(interaction.data or {})
        match = WHEN_MODAL_ID.match(str(data.get("custom_id", "")))
        if match is not None:
            await self._when_submitted(
                interaction, match["mode"], int(match["value"]), modal_values(data).get("when", "")
            )

    @guarded
    async def _when_submitted(
        self, interaction: discord.Interaction[Any], mode: str, value: int, when: str
    ) -> None:
        plans, user, guild = self.services.date_plans, interaction.user.id, interaction.guild_id
        if mode == "pick":
            _, rendered = await plans.plan_card(guild, user, value, when)
        else:
            rendered = await plans.move(guild, user, value, when)
        if interaction.message is not None:
            await self._show(interaction, rendered)
        else:
            await interaction.response.send_message("Done. It's in the channel.", ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(DatesCog(bot))
