"""How check-ins, appreciations, bids and the weekly check-in look in Discord."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import discord

from couplebot.domain.checkin_exchanges import CHECKIN, WEEKLY
from couplebot.domain.checkins import (
    CLOSENESS_LABELS,
    MAX_NEED_LENGTH,
    MOOD_LABELS,
    NEED_LABEL,
    WEEKLY_CLOSE_MOMENT_LABEL,
    WEEKLY_MORE_OF_LABEL,
    WEEKLY_REMINDER,
    let_them_know_line,
)
from couplebot.domain.exchange import ExchangeState, Outcome
from couplebot.services.ports import (
    NotePost,
    PromptPost,
    ReminderPost,
    RevealPost,
    SharedAnswerPost,
)
from couplebot.ui.components import ExchangeButton, _IdButton
from couplebot.ui.kinds import register_view
from couplebot.ui.notes import Note, register_note
from couplebot.ui.render import CALM, WARM, answer_embed

CHECKIN_MODAL_ID = "cb:checkin-modal"
SHARE_CHOICES = {"no": "Keep it private", "yes": "Share with my partner"}


def scale_line(value: str | int, labels: Mapping[int, str]) -> str:
    number = int(value)
    return f"{number} · {labels.get(number, '')}"


# Buttons (persistent: the custom_id carries the row id only)


class LetThemKnowButton(_IdButton, template=r"cb:ck-know:(?P<value>[0-9]{1,19})"):
    kind = "ck-know"

    def __init__(self, checkin_id: int) -> None:
        super().__init__(checkin_id, label="Let them know", style=discord.ButtonStyle.secondary)


class TakeBidButton(_IdButton, template=r"cb:bid-take:(?P<value>[0-9]{1,19})"):
    kind = "bid-take"

    def __init__(self, offer_id: int) -> None:
        super().__init__(offer_id, label="I'll do this", style=discord.ButtonStyle.primary)


class AnotherBidButton(_IdButton, template=r"cb:bid-next:(?P<value>[0-9]{1,19})"):
    kind = "bid-next"

    def __init__(self, offer_id: int) -> None:
        super().__init__(offer_id, label="Another", style=discord.ButtonStyle.secondary)


CHECKIN_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (
    LetThemKnowButton,
    TakeBidButton,
    AnotherBidButton,
)


def let_them_know_view(checkin_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(LetThemKnowButton(checkin_id))
    return view


def bid_message(text: str, offer_id: int) -> tuple[discord.Embed, discord.ui.View]:
    embed = discord.Embed(title="A small idea for today", description=text, colour=WARM)
    embed.set_footer(text="Only you see this. Nothing is sent to your partner.")
    view = discord.ui.View(timeout=None)
    view.add_item(TakeBidButton(offer_id))
    view.add_item(AnotherBidButton(offer_id))
    return embed, view


# The /checkin form


def _scale_select(
    custom_id: str, labels: Mapping[int, str], chosen: int | None
) -> discord.ui.Select[Any]:
    return discord.ui.Select(
        custom_id=custom_id,
        required=True,
        options=[
            discord.SelectOption(label=scale_line(n, labels), value=str(n), default=n == chosen)
            for n in labels
        ],
    )


class CheckinModal(discord.ui.Modal):
    """Mood and closeness as select menus, the need as a paragraph, share as a choice.
    The submit is handled from the raw interaction (cogs.checkins)."""

    def __init__(self, mood: int | None, closeness: int | None, share: bool) -> None:
        super().__init__(title="Check in", custom_id=CHECKIN_MODAL_ID)
        self.add_item(
            discord.ui.Label(
                text="My mood right now", component=_scale_select("mood", MOOD_LABELS, mood)
            )
        )
        self.add_item(
            discord.ui.Label(
                text="How close I feel to you right now",
                component=_scale_select("closeness", CLOSENESS_LABELS, closeness),
            )
        )
        self.add_item(
            discord.ui.Label(
                text=NEED_LABEL,
                component=discord.ui.TextInput(
                    custom_id="need",
                    style=discord.TextStyle.paragraph,
                    required=False,
                    max_length=MAX_NEED_LENGTH,
                ),
            )
        )
        share_select: discord.ui.Select[Any] = discord.ui.Select(
            custom_id="share",
            required=True,
            options=[
                discord.SelectOption(label=label, value=value, default=(value == "yes") == share)
                for value, label in SHARE_CHOICES.items()
            ],
        )
        self.add_item(discord.ui.Label(text="Who sees it", component=share_select))


# Exchange views

CHECKIN_REPLIES: dict[Outcome, str] = {
    Outcome.SAVED: "Saved.",
    Outcome.UPDATED: "Updated.",
    Outcome.REVEALED: "You've both shared, so your check-ins are side by side in the channel.",
    Outcome.PASSED: "Okay, this one can rest.",
    Outcome.SHARED: "Shared in your channel.",
}


def _checkin_lines(values: Mapping[str, str]) -> str:
    lines = [
        f"Mood: {scale_line(values.get('mood', '3'), MOOD_LABELS)}",
        f"Closeness: {scale_line(values.get('closeness', '3'), CLOSENESS_LABELS)}",
    ]
    if values.get("need"):
        lines.append(f"What I need: {values['need']}")
    return "\n".join(lines)


class CheckinView:
    """A pair of shared check-ins: never a prompt post, only the side-by-side reveal."""

    replies = CHECKIN_REPLIES

    def prompt(self, post: PromptPost, marker: str) -> tuple[discord.Embed, discord.ui.View | None]:
        embed = discord.Embed(title=post.label, colour=CALM)
        embed.set_footer(text=marker)
        return embed, None

    def reveal(self, post: RevealPost, names: list[str], marker: str) -> list[discord.Embed]:
        embed = discord.Embed(
            title="You've both checked in",
            description="Here is where each of you is right now.",
            colour=WARM,
        )
        for name, answer in zip(names, post.answers, strict=True):
            embed.add_field(name=name[:256], value=_checkin_lines(answer.values)[:1024])
        embed.set_footer(text=marker)
        return [embed]

    def shared(self, post: SharedAnswerPost, name: str, marker: str) -> discord.Embed:
        embed = discord.Embed(
            title=f"{name}'s check-in", description=_checkin_lines(post.answer.values)
        )
        embed.set_footer(text=marker)
        return embed

    def reminder(self, post: ReminderPost, jump_url: str) -> str:
        return jump_url


WEEKLY_REPLIES: dict[Outcome, str] = {
    Outcome.SAVED: "Saved. Your answers stay private until you've both checked in.",
    Outcome.UPDATED: "Updated. It stays private until you've both checked in.",
    Outcome.REVEALED: "Saved. You've both checked in, so your answers are in the channel now.",
    Outcome.PASSED: "Okay, this week can rest. No need to explain.",
    Outcome.SHARED: "Shared in your channel.",
}


def _weekly_body(values: Mapping[str, str]) -> str:
    lines = [f"Closeness: {scale_line(values.get('closeness', '3'), CLOSENESS_LABELS)}"]
    if values.get("close_moment"):
        lines.append(f"**{WEEKLY_CLOSE_MOMENT_LABEL}:** {values['close_moment']}")
    if values.get("more_of"):
        lines.append(f"**{WEEKLY_MORE_OF_LABEL}:** {values['more_of']}")
    return "\n\n".join(lines)


class WeeklyView:
    replies = WEEKLY_REPLIES

    def prompt(self, post: PromptPost, marker: str) -> tuple[discord.Embed, discord.ui.View | None]:
        exchange = post.exchange
        embed = discord.Embed(title="How are we?", description=exchange.prompt[:4096], colour=CALM)
        status = {
            ExchangeState.OPEN: "One of you has checked in"
            if post.responded
            else "Answers stay private until you've both checked in",
            ExchangeState.REVEALED: "You've both checked in",
            ExchangeState.RESTING: "This week is resting",
        }[exchange.state]
        embed.set_footer(text=f"{status} · {marker}")
        if exchange.state is ExchangeState.REVEALED:
            return embed, None
        view = discord.ui.View(timeout=None)
        if exchange.state is ExchangeState.OPEN:
            check_in = ExchangeButton(WEEKLY.name, "answer", exchange.id)
            check_in.item.label = "Check in"
            view.add_item(check_in)
            view.add_item(ExchangeButton(WEEKLY.name, "pass", exchange.id))
        else:
            view.add_item(ExchangeButton(WEEKLY.name, "share", exchange.id))
        return embed, view

    def reveal(self, post: RevealPost, names: list[str], marker: str) -> list[discord.Embed]:
        embeds = []
        if post.part == 1:
            embeds.append(discord.Embed(title="How you both are this week", colour=WARM))
        embeds.extend(
            answer_embed(name, _weekly_body(answer.values))
            for name, answer in zip(names, post.answers, strict=True)
        )
        if post.follow_up:
            embeds.append(
                discord.Embed(title="Something to talk about", description=post.follow_up)
            )
        suffix = f" · part {post.part} of {post.parts}" if post.parts > 1 else ""
        embeds[-1].set_footer(text=f"{marker}{suffix}")
        return embeds

    def shared(self, post: SharedAnswerPost, name: str, marker: str) -> discord.Embed:
        embed = answer_embed(name, _weekly_body(post.answer.values))
        embed.title = "Shared after all"
        embed.set_footer(text=marker)
        return embed

    def reminder(self, post: ReminderPost, jump_url: str) -> str:
        return f"{WEEKLY_REMINDER} {jump_url}"


# Notes


def _let_them_know_note(post: NotePost, names: Mapping[int, str], marker: str) -> Note:
    name = names.get(int(post.data["user_id"]), "Your partner")
    return Note(content=f"{let_them_know_line(name)}\n-# {marker}")


def _appreciation_note(post: NotePost, names: Mapping[int, str], marker: str) -> Note:
    author = names.get(int(post.data["from"]), "Your partner")
    embed = discord.Embed(
        title=f"A note from {author}"[:256], description=post.data["text"], colour=WARM
    )
    embed.set_footer(text=marker)
    return Note(content=f"<@{int(post.data['to'])}>", embeds=[embed])


register_view(CHECKIN.name, CheckinView())
register_view(WEEKLY.name, WeeklyView())
register_note("checkin-know", _let_them_know_note)
register_note("appreciation", _appreciation_note)

__all__ = ["CHECKIN_ITEMS", "CHECKIN_MODAL_ID", "CheckinModal", "bid_message", "let_them_know_view"]
