"""The words of the gentle notes (per ../shared/CONTENT.md).

No note takes a value from the history: what someone felt, and who felt which, never
reaches a note. A variant is picked from a seed (the signal's outbox key), so a note
rendered twice for the same signal reads the same.
"""

from __future__ import annotations

import hashlib

__all__ = [
    "GAP_NOTES",
    "IDEA_NOTES",
    "THERAPIST_POINTER",
    "gap_note",
    "idea_note",
    "therapist_pointer_note",
]

# Posted to both, in the channel. Each says that closeness is often felt differently,
# then gives one question to talk about.
GAP_NOTES: tuple[str, ...] = (
    "Your latest check-ins landed in different places. That happens a lot: two people "
    "can feel closeness quite differently on the same day, and neither of you is wrong.\n"
    "Something to talk about when you both have a moment: "
    "*What helps you feel close to me on an ordinary day?*",
    "Partners often feel closeness differently, especially in busy weeks, and this may "
    "be one of those times.\n"
    "A question for the two of you, whenever it suits: "
    "*When did you last feel really close to me, and what was happening?*",
    "Closeness can feel different from each side, even on the same day. It's worth a "
    "gentle talk, not a fix.\n"
    "If you'd like a place to start: "
    "*What's one small thing that would help you feel closer this week?*",
    "Your check-ins were a little apart this time. Feeling closeness differently is "
    "common, and it says nothing bad about either of you.\n"
    "Something to wonder about together: *What does feeling close look like for you "
    "these days?*",
    "It's rare for both people to feel the same closeness at the same moment. Talking "
    "about it is often how it grows.\n"
    "When there's a quiet moment, you could ask each other: "
    "*Is there something on your mind you haven't had the chance to tell me?*",
)

# Posted to both after drifting or quieter days: an idea, never a finding.
# `{idea}` is one small idea the caller chose (a bid, a short activity, an opener).
IDEA_NOTES: tuple[str, ...] = (
    "It's been a full few weeks. A small idea for this week: {idea}",
    "Life has been busy lately. A small idea for this week, if it suits you both: {idea}",
    "Weeks like these fill up fast. Here's a small idea for the two of you: {idea}",
    "A full stretch of weeks can leave little room for each other. "
    "One small idea for this week: {idea}",
)
IDEA_CLOSING = "No need to reply. It's only an idea."

# Sent privately to one partner after closeness has stayed low for a while.
THERAPIST_POINTER = (
    "For a while now, your check-ins have said you're feeling far from your partner. "
    "That's hard, and you don't have to carry it alone.\n\n"
    "One small step, if you'd like: `/reachout` helps you tell them gently that you "
    "miss them.\n\n"
    "When distance lasts, a couples therapist can help, for example one trained in "
    "emotionally focused therapy (EFT). Asking for help is a strength, not a failure. "
    "You can look in the ICEEFT directory (iceeft.com), the Gottman Referral Network "
    "(gottman.com), or a local directory of couples therapists.\n\n"
    "If you ever feel unsafe with your partner, couples therapy is not the first step: "
    "please reach a domestic-violence helpline or your local emergency number.\n\n"
    "Only you can see this. Your partner has not been told."
)


def gap_note(seed: str) -> str:
    """The perception-gap prompt to both; `seed` (the outbox key) picks the variant."""
    return _pick(GAP_NOTES, seed)


def idea_note(idea: str, seed: str) -> str:
    """The drifting or quieter-days offer to both, carrying one small idea."""
    idea = idea.strip()
    if not idea:
        raise ValueError("An idea note needs an idea.")
    return _pick(IDEA_NOTES, seed).format(idea=idea) + "\n" + IDEA_CLOSING


def therapist_pointer_note() -> str:
    """The private note to one partner after sustained low closeness."""
    return THERAPIST_POINTER


def _pick(variants: tuple[str, ...], seed: str) -> str:
    digest = hashlib.sha256(seed.encode()).digest()
    return variants[int.from_bytes(digest[:4], "big") % len(variants)]
