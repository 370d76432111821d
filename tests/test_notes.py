"""The gentle notes: never a value from the history, and the pointer says what it must."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from couplebot.domain.notes import (
    GAP_NOTES,
    IDEA_NOTES,
    gap_note,
    idea_note,
    therapist_pointer_note,
)
from couplebot.domain.signals import CheckinPoint, CoupleHistory, SignalKind, due_signals

NOW = datetime(2026, 5, 20, 12, 0, tzinfo=UTC)
# Words a check-in offers for its values: a note must not echo them either.
SCALE_WORDS = ("far apart", "a little distant", "somewhere in between", "very close", "score")
IDEA = "Take a slow walk together after dinner, phones at home."


def rendered(kind: SignalKind, key: str) -> str:
    if kind is SignalKind.PERCEPTION_GAP:
        return gap_note(key)
    if kind is SignalKind.THERAPIST_POINTER:
        return therapist_pointer_note()
    return idea_note(IDEA, key)


def test_notes_for_real_signals_carry_no_number_from_the_history() -> None:
    a, b = 101, 202
    low = [CheckinPoint(a, NOW - timedelta(days=n), 1, 1, False) for n in (0, 7, 14)]
    high = [CheckinPoint(b, NOW - timedelta(hours=3), 5, 5, True)]
    history = CoupleHistory(7, "Europe/Berlin", (a, b), checkins=(*low, *high))
    due = due_signals(history, NOW, [])
    assert {d.kind for d in due} == {SignalKind.PERCEPTION_GAP, SignalKind.THERAPIST_POINTER}
    for signal in due:
        text = rendered(signal.kind, signal.key)
        assert not re.search(r"\d", text), text
        assert not any(word in text.lower() for word in SCALE_WORDS)


@pytest.mark.parametrize("template", [*GAP_NOTES, *IDEA_NOTES])
def test_every_variant_is_free_of_numbers_and_scale_words(template: str) -> None:
    assert not re.search(r"\d", template)
    assert not any(word in template.lower() for word in SCALE_WORDS)
    assert len(template) < 500


def test_every_gap_note_says_closeness_differs_and_asks_a_question() -> None:
    for text in GAP_NOTES:
        assert "closeness" in text.lower()
        assert text.rstrip("*").endswith("?")
    seen = {gap_note(f"signal:7:gap:2026-W{week:02d}") for week in range(1, 53)}
    assert len(seen) == len(GAP_NOTES)  # keys spread over all the variants
    assert gap_note("signal:7:gap:2026-W21") == gap_note("signal:7:gap:2026-W21")


def test_idea_note_frames_an_idea_not_a_finding() -> None:
    text = idea_note(f"  {IDEA}\n", "signal:7:drifting:2026-W21")
    assert IDEA in text
    assert "idea" in text.splitlines()[0]
    assert text.endswith("It's only an idea.")
    assert "{" not in text
    assert idea_note("Cook {something} new", "k").count("{something}") == 1
    with pytest.raises(ValueError, match="idea"):
        idea_note("  ", "k")


def test_the_pointer_says_what_it_must_and_stays_short() -> None:
    text = therapist_pointer_note()
    for needed in (
        "/reachout",
        "couples therapist",
        "emotionally focused therapy (EFT)",
        "strength",
        "ICEEFT",
        "Gottman",
        "local directory",
        "unsafe",
        "domestic-violence helpline",
        "emergency number",
        "Your partner has not been told",
    ):
        assert needed in text
    assert not re.search(r"\d", text)
    assert len(text) < 1000  # one calm message, well under Discord's 2000
