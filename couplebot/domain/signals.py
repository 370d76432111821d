"""Gentle signals: noticing distance from the couple's own history, softly and rarely.

Pure functions over a `CoupleHistory` built by the caller from the store. Instants are
aware datetimes (UTC from the store); spans of check-ins are measured in absolute time,
so partners in different time zones and DST changes do not move them. Days answered
together are the couple's round dates (local dates in the couple's zone), and weeks
(dedupe keys) are ISO weeks in the couple's zone.

A closeness *reading* is a /checkin (private or shared: values count but are never
shown) or a weekly check-in answer. The perception gap compares /checkins only: weekly
answers are revealed side by side anyway.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

__all__ = [
    "THRESHOLDS",
    "BidKind",
    "BidPoint",
    "CheckinPoint",
    "CoupleHistory",
    "DueSignal",
    "SentSignal",
    "SignalKind",
    "Thresholds",
    "WeeklyPoint",
    "drifting",
    "due_signals",
    "perception_gap",
    "quieter_days",
    "signal_key",
    "sustained_low",
]


# --- Thresholds: every number the signals use, in one place ------------------------


@dataclass(frozen=True)
class Thresholds:
    # Perception gap: both partners' latest /checkins at most this far apart...
    gap_pair_within: timedelta = timedelta(days=7)
    # ...with closeness differing by at least this much...
    gap_min_difference: int = 2
    # ...and the later of the two at most this old, so a stale pair never fires later.
    gap_fresh_for: timedelta = timedelta(days=1)
    # Drifting: the recent span (ending now) and the span just before it.
    drift_recent: timedelta = timedelta(days=14)
    drift_earlier: timedelta = timedelta(days=28)
    # Drifting: recent average at least this far below the earlier one (exact, no rounding).
    drift_min_drop: int = 1
    # Drifting: readings needed in each of the two spans.
    drift_min_readings: int = 3
    # Quieter days: local dates before today (today is still open) in each span.
    quiet_recent_days: int = 14
    quiet_earlier_days: int = 28
    # Quieter days: days answered together needed in the earlier span.
    quiet_min_earlier_answered: int = 10
    # Quieter days: fires when the recent rate is at most earlier rate / this.
    quiet_rate_divisor: int = 2
    # Quieter days: open (not paused, nobody passed) days needed in the recent span.
    quiet_min_recent_open_days: int = 7
    # Sustained low: a run of readings all at or below this closeness...
    low_max_closeness: int = 2
    # ...at least this many of them...
    low_min_readings: int = 3
    # ...spanning at least this long (first to last reading)...
    low_min_span: timedelta = timedelta(days=14)
    # ...counting only readings this recent (older ones are another chapter)...
    low_lookback: timedelta = timedelta(days=42)
    # ...and the run's last reading at most this old when we evaluate.
    low_fresh_for: timedelta = timedelta(days=7)
    # Rate limits.
    gap_every: timedelta = timedelta(days=7)  # perception gap at most once per this
    idea_every: timedelta = timedelta(days=7)  # drifting or quieter, one of the two
    couple_every: timedelta = timedelta(days=7)  # any message to both, pointer aside
    pointer_every: timedelta = timedelta(days=30)  # therapist pointer, per partner


THRESHOLDS = Thresholds()


# --- Inputs (built from the store; no store types here) ----------------------------


@dataclass(frozen=True)
class CheckinPoint:
    """One /checkin. `shared` is the partner's choice to reveal it."""

    user_id: int
    at: datetime
    mood: int
    closeness: int
    shared: bool


@dataclass(frozen=True)
class WeeklyPoint:
    """One weekly check-in answer (a pass is no point). `shared`: it was revealed."""

    user_id: int
    at: datetime
    closeness: int
    shared: bool


class BidKind(StrEnum):
    APPRECIATION = "appreciation"
    BID = "bid"  # "I'll do this" on a /bid suggestion
    REACHOUT = "reachout"


@dataclass(frozen=True)
class BidPoint:
    user_id: int
    at: datetime
    kind: BidKind


@dataclass(frozen=True)
class CoupleHistory:
    couple_id: int
    timezone: str  # the couple's zone: round dates and week keys
    partners: tuple[int, int]
    checkins: Sequence[CheckinPoint] = ()
    weeklies: Sequence[WeeklyPoint] = ()
    together: frozenset[date] = frozenset()  # local dates both answered the daily question
    neutral: frozenset[date] = frozenset()  # local dates someone passed or the couple paused
    bids: Sequence[BidPoint] = ()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


# --- Outputs and what was sent -----------------------------------------------------


class SignalKind(StrEnum):
    PERCEPTION_GAP = "gap"  # a prompt to both, in the channel
    DRIFTING = "drifting"  # a small idea to both
    QUIETER = "quieter"  # a small idea to both
    THERAPIST_POINTER = "pointer"  # privately, to one partner

    @property
    def to_both(self) -> bool:
        return self is not SignalKind.THERAPIST_POINTER


@dataclass(frozen=True)
class SentSignal:
    """A signal the caller already queued: when, and to whom (None: to both)."""

    kind: SignalKind
    at: datetime
    user_id: int | None = None


@dataclass(frozen=True)
class DueSignal:
    kind: SignalKind
    key: str  # outbox dedupe key: couple, signal (and partner) and ISO week
    user_id: int | None = None  # the one partner a pointer goes to; None for both

    def sent_at(self, at: datetime) -> SentSignal:
        return SentSignal(self.kind, at, self.user_id)


def signal_key(
    couple_id: int, kind: SignalKind, now: datetime, zone: ZoneInfo, user_id: int | None = None
) -> str:
    """`signal:<couple>:<kind>[:<user>]:<ISO year>-W<week>`, the week read in `zone`."""
    _require_aware(now)
    year, week, _ = now.astimezone(zone).isocalendar()
    who = f":{user_id}" if user_id is not None else ""
    return f"signal:{couple_id}:{kind.value}{who}:{year}-W{week:02d}"


# --- The signals --------------------------------------------------------------------


def perception_gap(history: CoupleHistory, now: datetime, t: Thresholds = THRESHOLDS) -> bool:
    """Both partners' latest /checkins are close in time and their closeness differs a lot."""
    _require_aware(now)
    latest = [
        _latest(c for c in history.checkins if c.user_id == u and c.at <= now)
        for u in history.partners
    ]
    first, second = latest
    if first is None or second is None:
        return False
    later = max(first.at, second.at)
    return (
        abs(first.at - second.at) <= t.gap_pair_within
        and abs(first.closeness - second.closeness) >= t.gap_min_difference
        and now - later <= t.gap_fresh_for
    )


def drifting(history: CoupleHistory, now: datetime, t: Thresholds = THRESHOLDS) -> bool:
    """For either partner, recent closeness averages at least a point below the span before."""
    _require_aware(now)
    split = now - t.drift_recent
    start = split - t.drift_earlier
    for user_id in history.partners:
        readings = _readings(history, user_id, now)
        recent = [r.closeness for r in readings if split < r.at]
        earlier = [r.closeness for r in readings if start < r.at <= split]
        if len(recent) < t.drift_min_readings or len(earlier) < t.drift_min_readings:
            continue
        # mean(recent) <= mean(earlier) - drop, in integers: no float at the threshold.
        n_recent, n_earlier = len(recent), len(earlier)
        if sum(recent) * n_earlier <= (sum(earlier) - t.drift_min_drop * n_earlier) * n_recent:
            return True
    return False


def quieter_days(history: CoupleHistory, now: datetime, t: Thresholds = THRESHOLDS) -> bool:
    """Days answered together fell to half the rate of the weeks before, or less.

    Spans are local dates in the couple's zone ending yesterday (today is still open).
    Neutral days (a pass, a pause) are neither answered nor missed: they leave a span's
    count of open days, and the rate is answered days per open day.
    """
    _require_aware(now)
    today = now.astimezone(history.zone).date()
    recent = [today - timedelta(days=n) for n in range(1, t.quiet_recent_days + 1)]
    earlier_end = t.quiet_recent_days + t.quiet_earlier_days
    earlier = [today - timedelta(days=n) for n in range(t.quiet_recent_days + 1, earlier_end + 1)]
    recent_open = [d for d in recent if d not in history.neutral or d in history.together]
    earlier_open = [d for d in earlier if d not in history.neutral or d in history.together]
    recent_answered = sum(d in history.together for d in recent_open)
    earlier_answered = sum(d in history.together for d in earlier_open)
    if earlier_answered < t.quiet_min_earlier_answered:
        return False
    if len(recent_open) < t.quiet_min_recent_open_days:
        return False
    # recent_answered / recent_open <= (earlier_answered / earlier_open) / divisor
    scaled_recent = recent_answered * len(earlier_open) * t.quiet_rate_divisor
    return scaled_recent <= earlier_answered * len(recent_open)


def sustained_low(
    history: CoupleHistory, user_id: int, now: datetime, t: Thresholds = THRESHOLDS
) -> bool:
    """This partner's most recent run of readings is all low, long and current.

    The run: walking back from their latest reading (within the lookback), every
    reading at or below the low mark, stopping at the first one above it.
    """
    _require_aware(now)
    readings = [r for r in _readings(history, user_id, now) if r.at > now - t.low_lookback]
    run: list[_Reading] = []
    for reading in reversed(readings):
        if reading.closeness > t.low_max_closeness:
            break
        run.append(reading)
    if len(run) < t.low_min_readings:
        return False
    last, first = run[0], run[-1]
    return last.at - first.at >= t.low_min_span and now - last.at <= t.low_fresh_for


# --- Rate limits: what to send now ----------------------------------------------------


def due_signals(
    history: CoupleHistory,
    now: datetime,
    sent: Iterable[SentSignal],
    t: Thresholds = THRESHOLDS,
) -> list[DueSignal]:
    """The signals to queue now, after the rate limits, each with its outbox key.

    At most one message to both per `couple_every` (first the perception gap, then
    drifting, then quieter days); the pointer is separate, per partner.
    Record each one returned as a SentSignal when it is queued.
    """
    _require_aware(now)
    sent = list(sent)  # a record dated after `now` still counts: limits hold either way
    zone = history.zone
    due: list[DueSignal] = []

    def quiet_since(kinds: set[SignalKind], every: timedelta, user_id: int | None = None) -> bool:
        return not any(
            s.kind in kinds and s.user_id == user_id and now - s.at < every for s in sent
        )

    to_both = {k for k in SignalKind if k.to_both}
    ideas = {SignalKind.DRIFTING, SignalKind.QUIETER}
    if quiet_since(to_both, t.couple_every):
        candidates = [
            (SignalKind.PERCEPTION_GAP, t.gap_every, perception_gap),
            (SignalKind.DRIFTING, t.idea_every, drifting),
            (SignalKind.QUIETER, t.idea_every, quieter_days),
        ]
        for kind, every, check in candidates:
            limited = ideas if kind in ideas else {kind}
            if quiet_since(limited, every) and check(history, now, t):
                due.append(DueSignal(kind, signal_key(history.couple_id, kind, now, zone)))
                break

    pointer = SignalKind.THERAPIST_POINTER
    for user_id in history.partners:
        if quiet_since({pointer}, t.pointer_every, user_id) and sustained_low(
            history, user_id, now, t
        ):
            key = signal_key(history.couple_id, pointer, now, zone, user_id)
            due.append(DueSignal(pointer, key, user_id))
    return due


# --- Helpers ---------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class _Reading:
    at: datetime
    closeness: int = field(compare=False)


def _readings(history: CoupleHistory, user_id: int, now: datetime) -> list[_Reading]:
    """This partner's closeness readings up to now, oldest first."""
    points: list[CheckinPoint | WeeklyPoint] = [*history.checkins, *history.weeklies]
    return sorted(
        _Reading(p.at, p.closeness) for p in points if p.user_id == user_id and p.at <= now
    )


def _latest(checkins: Iterable[CheckinPoint]) -> CheckinPoint | None:
    return max(checkins, key=lambda c: c.at, default=None)


def _require_aware(instant: datetime) -> None:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("Expected an aware datetime, got a naive one.")
