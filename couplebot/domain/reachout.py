"""Reaching out: the rules for a note one partner sends to say "I miss you" gently."""

from __future__ import annotations

import random
from collections.abc import Sequence
from enum import StrEnum

from couplebot.domain.checkins import Opener

MAX_REACHOUT_LENGTH = 1000
OPENERS_OFFERED = 3


class ReachoutError(ValueError):
    """A note that cannot be sent as it is; the message is one sentence for the user."""


class Delivery(StrEnum):
    CHANNEL = "channel"  # in the couple's channel, addressed to the partner
    DM = "dm"  # a private message to the partner


class Reply(StrEnum):
    """The partner's two one-press answers."""

    THANKS = "thanks"
    TALK = "talk"


def clean_reachout(text: str) -> str:
    """The note as it will be sent: ends trimmed, lines kept; refused if empty or too long."""
    cleaned = "\n".join(line.rstrip() for line in text.strip().splitlines())
    if not cleaned:
        raise ReachoutError("Write a few words first; the opener is there to start you off.")
    if len(cleaned) > MAX_REACHOUT_LENGTH:
        raise ReachoutError(
            f"A note can be up to {MAX_REACHOUT_LENGTH} characters, and this is {len(cleaned)}."
        )
    return cleaned


def pick_openers(
    openers: Sequence[Opener], rng: random.Random, count: int = OPENERS_OFFERED
) -> list[int]:
    """Indexes of `count` openers, of different tags while there are enough tags."""
    order = list(range(len(openers)))
    rng.shuffle(order)
    chosen: list[int] = []
    tags: set[str] = set()
    for index in order:
        if openers[index].tag not in tags:
            chosen.append(index)
            tags.add(openers[index].tag)
        if len(chosen) == count:
            return chosen
    chosen += [index for index in order if index not in chosen][: count - len(chosen)]
    return chosen
