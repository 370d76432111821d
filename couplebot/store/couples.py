"""The couple: settings, the two partners, pauses and their own questions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

import aiosqlite

from couplebot.domain.models import Couple, Partner
from couplebot.domain.questions import CUSTOM_THEME, DEFAULT_DEEP_DAYS, Depth, Question
from couplebot.store.base import ACTIVE_COUPLE, Repository, hhmm, ts


@dataclass(frozen=True)
class NewPartner:
    user_id: int
    timezone: str | None


@dataclass(frozen=True)
class PartnerChange:
    """A partner of an accepted couple asked to set up with someone else instead."""

    couple_id: int
    requested_by: int
    new_partner: NewPartner
    channel_id: int
    timezone: str
    question_time: time
    requested_at: datetime


class CouplesRepository(Repository):
    async def _couple_from_row(self, row: aiosqlite.Row) -> Couple:
        partner_rows = await self._all(
            "SELECT * FROM partners WHERE couple_id = ? ORDER BY position", (row["id"],)
        )
        return _couple(row, partner_rows)

    async def by_guild(self, guild_id: int) -> Couple | None:
        row = await self._one("SELECT * FROM couples WHERE guild_id = ?", (guild_id,))
        return await self._couple_from_row(row) if row else None

    async def get(self, couple_id: int) -> Couple | None:
        row = await self._one("SELECT * FROM couples WHERE id = ?", (couple_id,))
        return await self._couple_from_row(row) if row else None

    async def many(self, couple_ids: Sequence[int]) -> dict[int, Couple]:
        """The couples of `couple_ids` that exist, in two statements (for batches)."""
        if not couple_ids:
            return {}
        marks = ",".join("?" * len(couple_ids))
        rows = await self._all(
            f"SELECT * FROM couples WHERE id IN ({marks})",  # noqa: S608 - only ?s
            tuple(couple_ids),
        )
        partners: dict[int, list[aiosqlite.Row]] = {}
        for p in await self._all(
            f"SELECT * FROM partners WHERE couple_id IN ({marks}) "  # noqa: S608 - only ?s
            "ORDER BY couple_id, position",
            tuple(couple_ids),
        ):
            partners.setdefault(p["couple_id"], []).append(p)
        return {row["id"]: _couple(row, partners.get(row["id"], [])) for row in rows}

    async def active(self) -> list[Couple]:
        """Every couple whose server still has the bot."""
        rows = await self._all(
            f"SELECT * FROM couples WHERE {ACTIVE_COUPLE} ORDER BY id"  # noqa: S608 - a constant
        )
        return [await self._couple_from_row(row) for row in rows]

    async def is_active(self, couple_id: int) -> bool:
        row = await self._one(
            f"SELECT 1 FROM couples WHERE id = ? AND {ACTIVE_COUPLE}",  # noqa: S608 - a constant
            (couple_id,),
        )
        return row is not None

    async def save(
        self,
        *,
        guild_id: int,
        channel_id: int,
        timezone: str,
        question_time: time,
        themes: Iterable[str],
        partners: tuple[NewPartner, NewPartner],
        now: datetime,
        deep_days: Iterable[int] = DEFAULT_DEEP_DAYS,
    ) -> Couple:
        """Create the guild's couple, or update its settings and partners' zones
        (themes and deep days are only set for a new couple)."""
        row = await self._one(
            """
            INSERT INTO couples (guild_id, channel_id, timezone, question_time, themes,
                                 deep_days, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (guild_id) DO UPDATE SET
                channel_id = excluded.channel_id,
                timezone = excluded.timezone,
                question_time = excluded.question_time,
                updated_at = excluded.updated_at
            RETURNING id
            """,
            (
                guild_id,
                channel_id,
                timezone,
                hhmm(question_time),
                ",".join(sorted(themes)),
                ",".join(str(d) for d in sorted(deep_days)),
                ts(now),
                ts(now),
            ),
        )
        assert row is not None
        couple_id = row["id"]
        for position, partner in enumerate(partners, start=1):
            await self._run(
                """
                INSERT INTO partners (couple_id, user_id, position, timezone)
                VALUES (?, ?, ?, ?)
                ON CONFLICT (couple_id, user_id) DO UPDATE SET timezone = excluded.timezone
                """,
                (couple_id, partner.user_id, position, partner.timezone),
            )
        couple = await self.get(couple_id)
        assert couple is not None
        return couple

    async def accept(self, couple_id: int, now: datetime) -> bool:
        changed = await self._run(
            "UPDATE couples SET accepted_at = ? WHERE id = ? AND accepted_at IS NULL",
            (ts(now), couple_id),
        )
        return changed == 1

    async def delete_unused(self, guild_id: int) -> int:
        """Drop a setup nobody accepted, or a couple that was ended: a new /setup replaces it."""
        return await self._run(
            "DELETE FROM couples WHERE guild_id = ? "
            "AND (accepted_at IS NULL OR ended_at IS NOT NULL)",
            (guild_id,),
        )

    async def end(self, couple_id: int, now: datetime) -> bool:
        changed = await self._run(
            "UPDATE couples SET ended_at = ? WHERE id = ? AND ended_at IS NULL",
            (ts(now), couple_id),
        )
        return changed == 1

    async def retire(self, couple_id: int, now: datetime) -> None:
        """End a couple replaced by a partner change and free its server for the new one
        (guild_id is UNIQUE): guild_id becomes -id, the server is kept in former_guild_id.
        What it had not posted yet is dropped; its data goes after the grace period."""
        await self._run(
            "UPDATE couples SET ended_at = ?, former_guild_id = guild_id, guild_id = -id "
            "WHERE id = ?",
            (ts(now), couple_id),
        )
        await self._run(
            "UPDATE outbox SET sent_at = ? WHERE couple_id = ? AND sent_at IS NULL",
            (ts(now), couple_id),
        )
        await self._run("DELETE FROM partner_changes WHERE couple_id = ?", (couple_id,))

    async def request_change(self, change: PartnerChange) -> None:
        """Record (or replace) the couple's pending partner change."""
        await self._run(
            "INSERT OR REPLACE INTO partner_changes (couple_id, requested_by, new_partner_id, "
            "new_partner_timezone, channel_id, timezone, question_time, requested_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                change.couple_id,
                change.requested_by,
                change.new_partner.user_id,
                change.new_partner.timezone,
                change.channel_id,
                change.timezone,
                hhmm(change.question_time),
                ts(change.requested_at),
            ),
        )

    async def pending_change(self, couple_id: int) -> PartnerChange | None:
        row = await self._one("SELECT * FROM partner_changes WHERE couple_id = ?", (couple_id,))
        if row is None:
            return None
        return PartnerChange(
            couple_id=row["couple_id"],
            requested_by=row["requested_by"],
            new_partner=NewPartner(row["new_partner_id"], row["new_partner_timezone"]),
            channel_id=row["channel_id"],
            timezone=row["timezone"],
            question_time=time.fromisoformat(row["question_time"]),
            requested_at=datetime.fromisoformat(row["requested_at"]),
        )

    async def drop_change(self, couple_id: int) -> bool:
        dropped = await self._run("DELETE FROM partner_changes WHERE couple_id = ?", (couple_id,))
        return dropped == 1

    async def set_themes(self, couple_id: int, themes: Iterable[str], now: datetime) -> None:
        await self._run(
            "UPDATE couples SET themes = ?, updated_at = ? WHERE id = ?",
            (",".join(sorted(themes)), ts(now), couple_id),
        )

    async def set_deep_days(self, couple_id: int, days: Iterable[int], now: datetime) -> None:
        await self._run(
            "UPDATE couples SET deep_days = ?, updated_at = ? WHERE id = ?",
            (",".join(str(d) for d in sorted(days)), ts(now), couple_id),
        )

    async def set_quiet_hours(self, couple_id: int, user_id: int, start: time, end: time) -> None:
        await self._run(
            "UPDATE partners SET quiet_start = ?, quiet_end = ? "
            "WHERE couple_id = ? AND user_id = ?",
            (hhmm(start), hhmm(end), couple_id, user_id),
        )

    async def start_new_cycle(self, couple_id: int) -> int:
        row = await self._one(
            "UPDATE couples SET question_cycle = question_cycle + 1 WHERE id = ? "
            "RETURNING question_cycle",
            (couple_id,),
        )
        assert row is not None
        return int(row["question_cycle"])

    # Pauses

    async def add_pause(
        self, couple_id: int, first_day: date, last_day: date, user_id: int, now: datetime
    ) -> None:
        await self._run(
            "INSERT INTO pauses (couple_id, first_day, last_day, created_by, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (couple_id, first_day.isoformat(), last_day.isoformat(), user_id, ts(now)),
        )

    async def end_pauses(self, couple_id: int, today: date) -> int:
        """Resume from today: pauses that cover today end yesterday; later ones go."""
        yesterday = date.fromordinal(today.toordinal() - 1).isoformat()
        removed = await self._run(
            "DELETE FROM pauses WHERE couple_id = ? AND first_day >= ?",
            (couple_id, today.isoformat()),
        )
        shortened = await self._run(
            "UPDATE pauses SET last_day = ? "
            "WHERE couple_id = ? AND first_day < ? AND last_day >= ?",
            (yesterday, couple_id, today.isoformat(), today.isoformat()),
        )
        return removed + shortened

    async def pauses(self, couple_id: int, *, by: int | None = None) -> list[tuple[date, date]]:
        rows = await self._all(
            "SELECT first_day, last_day FROM pauses WHERE couple_id = ? "
            "AND (? IS NULL OR created_by = ?) ORDER BY first_day",
            (couple_id, by, by),
        )
        return [
            (date.fromisoformat(r["first_day"]), date.fromisoformat(r["last_day"])) for r in rows
        ]

    async def paused_until(self, couple_id: int, day: date) -> date | None:
        row = await self._one(
            "SELECT MAX(last_day) AS until FROM pauses "
            "WHERE couple_id = ? AND first_day <= ? AND last_day >= ?",
            (couple_id, day.isoformat(), day.isoformat()),
        )
        return date.fromisoformat(row["until"]) if row and row["until"] else None

    # Their own questions

    async def add_question(
        self, couple_id: int, author_id: int, text: str, now: datetime
    ) -> Question:
        row = await self._one(
            "INSERT INTO custom_questions (couple_id, author_id, text, created_at) "
            "VALUES (?, ?, ?, ?) RETURNING id",
            (couple_id, author_id, self._cipher.encrypt(text), ts(now)),
        )
        assert row is not None
        return custom_question(row["id"], text)

    async def questions(self, couple_id: int, *, author_id: int | None = None) -> list[Question]:
        rows = await self._all(
            "SELECT id, text FROM custom_questions WHERE couple_id = ? "
            "AND (? IS NULL OR author_id = ?) ORDER BY id",
            (couple_id, author_id, author_id),
        )
        return [custom_question(r["id"], self._cipher.decrypt(r["text"])) for r in rows]


def custom_question(row_id: int, text: str) -> Question:
    return Question(id=f"custom-{row_id}", text=text, depth=Depth.MEDIUM, theme=CUSTOM_THEME)


def _couple(row: aiosqlite.Row, partner_rows: Sequence[aiosqlite.Row]) -> Couple:
    partners = tuple(
        Partner(
            user_id=p["user_id"],
            position=p["position"],
            timezone=p["timezone"],
            quiet_start=time.fromisoformat(p["quiet_start"]),
            quiet_end=time.fromisoformat(p["quiet_end"]),
        )
        for p in partner_rows
    )
    return Couple(
        id=row["id"],
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        timezone=row["timezone"],
        question_time=time.fromisoformat(row["question_time"]),
        deep_days=frozenset(int(d) for d in row["deep_days"].split(",") if d),
        themes=frozenset(t for t in row["themes"].split(",") if t),
        question_cycle=row["question_cycle"],
        partners=(partners[0], partners[1]),
        accepted=row["accepted_at"] is not None,
        ended=row["ended_at"] is not None,
    )
