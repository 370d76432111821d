"""Many accepted couples written straight into a migrated database in one transaction,
as an import would leave them: set up and accepted, never planned. For the benchmarks
and the tests that need hundreds or thousands of couples (one /setup each is too slow)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from datetime import time as wall_time
from pathlib import Path

from couplebot.domain.questions import DEFAULT_DEEP_DAYS, DEFAULT_THEMES
from couplebot.store.base import ts


@dataclass(frozen=True)
class NewCouple:
    guild_id: int
    channel_id: int
    partner_ids: tuple[int, int]


def write_accepted_couples(
    database: Path,
    couples: Sequence[NewCouple],
    *,
    question_time: wall_time,
    created: datetime,
    themes: Iterable[str] = DEFAULT_THEMES,
    deep_days: Iterable[int] = DEFAULT_DEEP_DAYS,
) -> None:
    """Couples get ids 1..N in order, in UTC, all accepted at `created`."""
    at, when = question_time.strftime("%H:%M"), ts(created)
    theme_list = ",".join(sorted(themes))
    deep_list = ",".join(str(d) for d in sorted(deep_days))
    conn = sqlite3.connect(database)
    try:
        with conn:
            conn.executemany(
                "INSERT INTO couples (id, guild_id, channel_id, timezone, question_time, "
                "themes, deep_days, created_at, updated_at, accepted_at) "
                "VALUES (?, ?, ?, 'UTC', ?, ?, ?, ?, ?, ?)",
                [
                    (i, c.guild_id, c.channel_id, at, theme_list, deep_list, when, when, when)
                    for i, c in enumerate(couples, start=1)
                ],
            )
            conn.executemany(
                "INSERT INTO partners (couple_id, user_id, position) VALUES (?, ?, ?)",
                [
                    (i, user_id, position)
                    for i, c in enumerate(couples, start=1)
                    for position, user_id in enumerate(c.partner_ids, start=1)
                ],
            )
    finally:
        conn.close()
