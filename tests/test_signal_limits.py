"""Rate limits, outbox keys and properties of due_signals over synthetic histories."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from couplebot.domain.signals import (
    THRESHOLDS,
    CoupleHistory,
    SentSignal,
    SignalKind,
    WeeklyPoint,
    drifting,
    due_signals,
    perception_gap,
    signal_key,
    sustained_low,
)
from tests.test_signals import (
    DAY,
    NOW,
    SECOND,
    A,
    B,
    checkin,
    history,
    quiet,
    run,
    spans,
    stable_history,
)

# --- Rate limits and keys ---------------------------------------------------------


def gap_history(now: datetime) -> CoupleHistory:
    return history([checkin(A, now - DAY, 5), checkin(B, now, 2)])


def test_due_gap_goes_to_both_with_a_weekly_key() -> None:
    (due,) = due_signals(gap_history(NOW), NOW, [])
    assert due.kind is SignalKind.PERCEPTION_GAP
    assert due.user_id is None
    assert due.key == "signal:7:gap:2026-W21"


def test_one_message_to_both_per_seven_days() -> None:
    drift = spans(A, [5, 5, 5], [3, 3, 3])
    h = history([*drift, checkin(B, NOW - DAY, 5)])
    (first,) = due_signals(h, NOW, [])
    assert first.kind is SignalKind.PERCEPTION_GAP  # the gap comes first
    sent = [first.sent_at(NOW)]
    later = NOW + 7 * DAY - SECOND
    h2 = replace(h, checkins=(*h.checkins, *spans(A, [], [3, 3, 3], later)))
    assert due_signals(h2, later, sent) == []
    (then,) = due_signals(h2, later + SECOND, sent)
    assert then.kind is SignalKind.DRIFTING


def test_drifting_and_quieter_share_one_week() -> None:
    both = replace(quiet(10, 2), checkins=tuple(spans(A, [4, 4, 4], [2, 2, 2])))
    assert [d.kind for d in due_signals(both, NOW, [])] == [SignalKind.DRIFTING]
    only_quieter = quiet(10, 2)
    assert [d.kind for d in due_signals(only_quieter, NOW, [])] == [SignalKind.QUIETER]
    drifted = [SentSignal(SignalKind.DRIFTING, NOW - 7 * DAY + SECOND)]
    assert due_signals(only_quieter, NOW, drifted) == []
    assert due_signals(both, NOW, drifted) == []
    quieted = [SentSignal(SignalKind.QUIETER, NOW - 7 * DAY)]
    assert [d.kind for d in due_signals(both, NOW, quieted)] == [SignalKind.DRIFTING]


def test_the_pointer_is_private_and_monthly() -> None:
    lows = [checkin(A, NOW - 14 * DAY + n * 2 * DAY, 1 + n % 2) for n in range(30)]
    h = history(lows)
    (due,) = due_signals(h, NOW, [])
    assert due.kind is SignalKind.THERAPIST_POINTER
    assert due.user_id == A
    assert due.key == f"signal:7:pointer:{A}:2026-W21"
    sent = [due.sent_at(NOW)]
    assert due_signals(h, NOW + 30 * DAY - SECOND, sent) == []
    (again,) = due_signals(h, NOW + 30 * DAY, sent)
    assert (again.user_id, again.key) == (A, f"signal:7:pointer:{A}:2026-W25")


def test_the_pointer_does_not_use_the_couples_week() -> None:
    h = history([*run(A, [2, 1, 2], 14 * DAY), checkin(B, NOW - DAY, 5)])
    kinds = {d.kind for d in due_signals(h, NOW, [])}
    assert kinds == {SignalKind.PERCEPTION_GAP, SignalKind.THERAPIST_POINTER}
    sent = [SentSignal(SignalKind.DRIFTING, NOW - DAY)]
    assert [d.kind for d in due_signals(h, NOW, sent)] == [SignalKind.THERAPIST_POINTER]
    # The other partner's pointer is theirs alone.
    both_low = replace(h, checkins=(*run(A, [2, 1, 2], 14 * DAY), *run(B, [1, 1, 1], 15 * DAY)))
    pointers = due_signals(both_low, NOW, [SentSignal(SignalKind.THERAPIST_POINTER, NOW, A)])
    assert [d.user_id for d in pointers] == [B]


def test_week_keys_follow_the_couples_zone_across_dst() -> None:
    berlin = ZoneInfo("Europe/Berlin")  # springs forward on Sunday 29 March 2026
    sunday_late = datetime(2026, 3, 29, 23, 30, tzinfo=berlin)  # 21:30 UTC
    monday_early = datetime(2026, 3, 30, 0, 30, tzinfo=berlin)  # Sunday 22:30 UTC
    kind = SignalKind.QUIETER
    assert signal_key(7, kind, sunday_late, berlin) == "signal:7:quieter:2026-W13"
    assert signal_key(7, kind, monday_early.astimezone(UTC), berlin) == "signal:7:quieter:2026-W14"
    new_york = ZoneInfo("America/New_York")  # falls back on Sunday 1 November 2026
    first = datetime(2026, 11, 1, 1, 30, fold=0, tzinfo=new_york)
    second = datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=new_york)
    assert signal_key(7, kind, first, new_york) == signal_key(7, kind, second, new_york)
    # Partners' own zones do not matter: one key per couple and week.
    auckland = monday_early.astimezone(ZoneInfo("Pacific/Auckland"))
    assert signal_key(7, kind, auckland, berlin) == "signal:7:quieter:2026-W14"


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        due_signals(stable_history(), NOW.replace(tzinfo=None), [])


# --- Properties --------------------------------------------------------------------------

offsets = st.integers(min_value=0, max_value=80 * 24 * 60)  # minutes before the end


@settings(max_examples=200, deadline=None)
@given(
    closeness=st.integers(min_value=1, max_value=5),
    a_times=st.lists(offsets, max_size=40),
    b_times=st.lists(offsets, max_size=40),
    weekly_times=st.lists(offsets, max_size=12),
    now_back=st.integers(min_value=0, max_value=80 * 24 * 60),
)
def test_constant_closeness_never_drifts_or_gaps(
    closeness: int, a_times: list[int], b_times: list[int], weekly_times: list[int], now_back: int
) -> None:
    end = NOW + 10 * DAY
    points = [checkin(A, end - timedelta(minutes=m), closeness) for m in a_times]
    points += [checkin(B, end - timedelta(minutes=m), closeness, shared=True) for m in b_times]
    weekly = [
        WeeklyPoint(A if m % 2 else B, end - timedelta(minutes=m), closeness, True)
        for m in weekly_times
    ]
    h = history(points, weeklies=weekly)
    now = end - timedelta(minutes=now_back)
    assert not drifting(h, now)
    assert not perception_gap(h, now)
    if closeness > THRESHOLDS.low_max_closeness:
        assert not sustained_low(h, A, now) and not sustained_low(h, B, now)


level = st.integers(min_value=1, max_value=5)
regime = st.tuples(level, level, st.integers(min_value=0, max_value=80))  # before, after, day


@settings(max_examples=150, deadline=None)
@given(
    a_regime=regime,
    b_regime=regime,
    skips=st.lists(st.booleans(), min_size=80, max_size=80),  # a day with no check-ins
    answered=st.tuples(st.integers(min_value=0, max_value=80), st.booleans()),
    evaluations=st.lists(st.integers(min_value=0, max_value=80 * 24), min_size=5, max_size=80),
)
def test_rate_limits_hold_for_any_sequence_of_evaluations(
    a_regime: tuple[int, int, int],
    b_regime: tuple[int, int, int],
    skips: list[bool],
    answered: tuple[int, bool],
    evaluations: list[int],
) -> None:
    """Each partner's closeness shifts once; answering together stops at some day or not."""
    start = NOW - 80 * DAY
    points = []
    for user, (before, after, split) in ((A, a_regime), (B, b_regime)):
        for day in range(80):
            if not skips[(day * 7 + user) % 80]:
                at = start + day * DAY + timedelta(hours=user % 24)
                points.append(checkin(user, at, before if day < split else after))
    stop, stops = answered
    zone = ZoneInfo("Europe/Berlin")
    together = {
        (start + n * DAY).astimezone(zone).date()
        for n in range(80)
        if not stops or n < stop or n % 5 == 0
    }
    h = history(points, together=together)
    sent: list[SentSignal] = []
    keys: list[str] = []
    for hour in sorted(evaluations):
        now = start + timedelta(hours=hour)
        for due in due_signals(h, now, sent):
            sent.append(due.sent_at(now))
            keys.append(due.key)
        # Evaluating again at once never adds anything.
        assert due_signals(h, now, sent) == []
    assert len(keys) == len(set(keys))
    to_both = sorted(s.at for s in sent if s.kind.to_both)
    assert all(b - a >= THRESHOLDS.couple_every for a, b in pairwise(to_both))
    gaps = sorted(s.at for s in sent if s.kind is SignalKind.PERCEPTION_GAP)
    assert all(b - a >= THRESHOLDS.gap_every for a, b in pairwise(gaps))
    for user in (A, B):
        pointers = sorted(s.at for s in sent if s.user_id == user)
        assert all(s.kind is SignalKind.THERAPIST_POINTER for s in sent if s.user_id == user)
        assert all(b - a >= THRESHOLDS.pointer_every for a, b in pairwise(pointers))
