"""Embeds and views for what the bot posts. Pure rendering: no I/O, no services."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, time

import discord

from couplebot.domain.daily import DAILY
from couplebot.domain.models import Answer, Round, RoundState
from couplebot.domain.questions import THEMES
from couplebot.domain.reveal import EMBED_DESCRIPTION_LIMIT
from couplebot.ui.components import ExchangeButton, HistoryButton

WARM = discord.Colour(0xE07A5F)
CALM = discord.Colour(0x81B29A)
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

NO_MENTIONS = discord.AllowedMentions.none()


def status_line(round_: Round, answered: int) -> str:
    """How far the round is, never what anyone wrote."""
    if round_.state is RoundState.REVEALED:
        return "You've both answered. Your answers are below."
    if round_.state is RoundState.RESTING:
        return (
            "This one is resting today. Passing is always okay. "
            "If you wrote an answer, you can still share it."
        )
    if answered == 0:
        return "Answers stay private until you've both answered."
    return "One of you has written. Answers stay private until you've both answered."


def round_message(
    round_: Round, answered: int, theme_label: str, marker: str
) -> tuple[discord.Embed, discord.ui.View | None]:
    embed = discord.Embed(
        title=f"Today's question · {round_.local_date:%a %d %b}",
        description=round_.question_text,
        colour=WARM,
    )
    embed.add_field(name="Status", value=status_line(round_, answered), inline=False)
    embed.set_footer(text=f"{theme_label} · {round_.depth.value} · {marker}")
    return embed, exchange_view(DAILY.name, round_.id, round_.state)


def exchange_view(kind: str, exchange_id: int, state: str) -> discord.ui.View | None:
    """Answer and pass while open; share-my-answer once it rests; nothing once revealed."""
    if state == RoundState.REVEALED:
        return None
    view = discord.ui.View(timeout=None)
    if state == RoundState.OPEN:
        view.add_item(ExchangeButton(kind, "answer", exchange_id))
        view.add_item(ExchangeButton(kind, "pass", exchange_id))
    else:
        view.add_item(ExchangeButton(kind, "share", exchange_id))
    return view


def answer_embed(name: str, body: str) -> discord.Embed:
    embed = discord.Embed(description=body[:EMBED_DESCRIPTION_LIMIT], colour=CALM)
    embed.set_author(name=name[:256])
    return embed


def reveal_message(
    round_: Round,
    answers: list[tuple[str, str]],
    *,
    part: int,
    parts: int,
    follow_up: str | None,
    milestone: int | None,
    marker: str,
) -> list[discord.Embed]:
    embeds = []
    if part == 1:
        embeds.append(
            discord.Embed(
                title="You've both answered", description=round_.question_text, colour=WARM
            )
        )
    embeds.extend(answer_embed(name, body) for name, body in answers)
    closing = [line for line in (follow_up, _milestone_line(milestone)) if line]
    if closing:
        embeds.append(
            discord.Embed(title="Something to talk about", description="\n\n".join(closing))
        )
    suffix = f" · part {part} of {parts}" if parts > 1 else ""
    embeds[-1].set_footer(text=f"{marker}{suffix}")
    return embeds


def _milestone_line(milestone: int | None) -> str | None:
    if not milestone:
        return None
    return f"That makes {milestone} days you've answered together. Nice, you two."


def shared_message(name: str, round_: Round, body: str, marker: str) -> discord.Embed:
    embed = answer_embed(name, body)
    embed.title = "Shared after all"
    embed.set_footer(text=f"{round_.question_text[:200]} · {marker}")
    return embed


def reminder_text(jump_url: str) -> str:
    return f"Today's question is here whenever you're ready: {jump_url}"


def history_message(
    round_: Round | None,
    answers: tuple[Answer, ...],
    names: Mapping[int, str],
    page: int,
    pages: int,
) -> tuple[list[discord.Embed], discord.ui.View | None]:
    if round_ is None:
        empty = discord.Embed(
            description="Nothing here yet. Once you've both answered a question, it lives here.",
            colour=CALM,
        )
        return [empty], None
    head = discord.Embed(
        title=f"{round_.local_date:%A %d %B %Y}", description=round_.question_text, colour=WARM
    )
    head.set_footer(text=f"{page + 1} of {pages}")
    embeds = [head]
    # One message holds 6000 embed characters; long pairs show the first answer in full.
    budget = 6000 - len(round_.question_text) - 100
    for answer in answers:
        body = answer.body or ""
        room = max(0, min(EMBED_DESCRIPTION_LIMIT, budget - 300))
        if room < 50:
            break
        shown = body if len(body) <= room else body[: room - 40].rstrip() + "\n… (shortened here)"
        budget -= len(shown) + 300
        embeds.append(answer_embed(names.get(answer.user_id, "Partner"), shown))
    if pages == 1:
        return embeds, None
    view = discord.ui.View(timeout=None)
    view.add_item(HistoryButton(page + 1, label="Older", disabled=page + 1 >= pages))
    view.add_item(HistoryButton(max(page - 1, 0), label="Newer", disabled=page == 0))
    return embeds, view


def settings_embed(
    *,
    timezone: str,
    question_time: time,
    partner_lines: list[str],
    themes: frozenset[str],
    deep_days: frozenset[int],
    paused_until: date | None,
    custom_questions: int,
    gentle_notes: bool | None = None,
) -> discord.Embed:
    embed = discord.Embed(title="Your couplebot settings", colour=CALM)
    embed.add_field(
        name="Daily question", value=f"{question_time:%H:%M} in {timezone}", inline=False
    )
    embed.add_field(name="You two", value="\n".join(partner_lines), inline=False)
    on = [label for slug, label in THEMES.items() if slug in themes]
    embed.add_field(name="Themes on", value=", ".join(on) or "none", inline=False)
    deep = ", ".join(WEEKDAY_NAMES[d] for d in sorted(deep_days)) or "none"
    embed.add_field(name="Deeper questions on", value=deep, inline=True)
    embed.add_field(name="Your own questions", value=str(custom_questions), inline=True)
    if paused_until:
        embed.add_field(name="Paused", value=f"through {paused_until:%a %d %b}", inline=False)
    if gentle_notes is not None:
        embed.add_field(name="Gentle notes", value="on" if gentle_notes else "off", inline=True)
    return embed
