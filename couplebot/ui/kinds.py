"""How each kind of exchange looks in Discord. A new kind registers one ExchangeView."""

from __future__ import annotations

from typing import Protocol

import discord

from couplebot.domain.daily import DAILY, round_of
from couplebot.domain.exchange import Outcome
from couplebot.services.ports import PromptPost, ReminderPost, RevealPost, SharedAnswerPost
from couplebot.ui import render

REPLIES: dict[Outcome, str] = {
    Outcome.SAVED: "Saved. Your answer stays private until you've both answered.",
    Outcome.UPDATED: "Updated. It stays private until you've both answered.",
    Outcome.REVEALED: "Saved. You've both answered, so your answers are in the channel now.",
    Outcome.PASSED: "Okay, this one can rest. No need to explain.",
    Outcome.SHARED: "Shared in your channel.",
}


class ExchangeView(Protocol):
    replies: dict[Outcome, str]

    def prompt(
        self, post: PromptPost, marker: str
    ) -> tuple[discord.Embed, discord.ui.View | None]: ...

    def reveal(self, post: RevealPost, names: list[str], marker: str) -> list[discord.Embed]: ...

    def shared(self, post: SharedAnswerPost, name: str, marker: str) -> discord.Embed: ...

    def reminder(self, post: ReminderPost, jump_url: str) -> str: ...


class DailyView:
    replies = REPLIES

    def prompt(self, post: PromptPost, marker: str) -> tuple[discord.Embed, discord.ui.View | None]:
        return render.round_message(round_of(post.exchange), post.responded, post.label, marker)

    def reveal(self, post: RevealPost, names: list[str], marker: str) -> list[discord.Embed]:
        answers = [
            (name, a.values.get("answer", "")) for name, a in zip(names, post.answers, strict=True)
        ]
        return render.reveal_message(
            round_of(post.exchange),
            answers,
            part=post.part,
            parts=post.parts,
            follow_up=post.follow_up,
            milestone=post.milestone,
            marker=marker,
        )

    def shared(self, post: SharedAnswerPost, name: str, marker: str) -> discord.Embed:
        body = post.answer.values.get("answer", "")
        return render.shared_message(name, round_of(post.exchange), body, marker)

    def reminder(self, post: ReminderPost, jump_url: str) -> str:
        return render.reminder_text(jump_url)


VIEWS: dict[str, ExchangeView] = {DAILY.name: DailyView()}


def register_view(kind: str, view: ExchangeView) -> None:
    VIEWS[kind] = view


def view_for(kind: str) -> ExchangeView:
    return VIEWS[kind]
