"""Repositories: parameterised SQL returning domain models. The only place with SQL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import aiosqlite

from couplebot.domain.models import Answer, Couple, Partner, Round
from couplebot.domain.questions import CUSTOM_THEME, Depth, Question
from couplebot.store.crypto import Cipher, load_or_create_key
from couplebot.store.db import Database


def _ts(instant: datetime) -> str:
    return instant.isoformat()


def _parse_ts(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _hhmm(value: time) -> str:
    return value.strftime("%H:%M")


@dataclass(frozen=True)
class OutboxItem:
    id: int
    dedupe_key: str
    couple_id: int
    kind: str
    round_id: int | None
    user_id: int | None
    part: int
    created_at: datetime


@dataclass(frozen=True)
class NewPartner:
    user_id: int
    timezone: str | None


class Tx:
    """Repository methods bound to one open transaction."""

    def __init__(self, conn: aiosqlite.Connection, cipher: Cipher) -> None:
        self._conn = conn
        self._cipher = cipher

    async def _one(self, sql: str, params: Sequence[Any] = ()) -> aiosqlite.Row | None:
        async with self._conn.execute(sql, params) as cursor:
            return await cursor.fetchone()

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[aiosqlite.Row]:
        async with self._conn.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    async def _run(self, sql: str, params: Sequence[Any] = ()) -> int:
        async with self._conn.execute(sql, params) as cursor:
            return cursor.rowcount

    # Couples

    async def _couple_from_row(self, row: aiosqlite.Row) -> Couple:
        partner_rows = await self._all(
            "SELECT * FROM partners WHERE couple_id = ? ORDER BY position", (row["id"],)
        )
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
        )

    async def couple_by_guild(self, guild_id: int) -> Couple | None:
        row = await self._one("SELECT * FROM couples WHERE guild_id = ?", (guild_id,))
        return await self._couple_from_row(row) if row else None

    async def couple(self, couple_id: int) -> Couple | None:
        row = await self._one("SELECT * FROM couples WHERE id = ?", (couple_id,))
        return await self._couple_from_row(row) if row else None

    async def all_couples(self) -> list[Couple]:
        """Every couple whose server still has the bot."""
        rows = await self._all("SELECT * FROM couples WHERE left_at IS NULL ORDER BY id")
        return [await self._couple_from_row(row) for row in rows]

    async def save_couple(
        self,
        *,
        guild_id: int,
        channel_id: int,
        timezone: str,
        question_time: time,
        themes: Iterable[str],
        partners: tuple[NewPartner, NewPartner],
        now: datetime,
    ) -> Couple:
        """Create the guild's couple, or update its settings and partners' zones."""
        row = await self._one(
            """
            INSERT INTO couples (guild_id, channel_id, timezone, question_time, themes,
                                 created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
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
                _hhmm(question_time),
                ",".join(sorted(themes)),
                _ts(now),
                _ts(now),
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
        couple = await self.couple(couple_id)
        assert couple is not None
        return couple

    async def set_themes(self, couple_id: int, themes: Iterable[str], now: datetime) -> None:
        await self._run(
            "UPDATE couples SET themes = ?, updated_at = ? WHERE id = ?",
            (",".join(sorted(themes)), _ts(now), couple_id),
        )

    async def set_deep_days(self, couple_id: int, days: Iterable[int], now: datetime) -> None:
        await self._run(
            "UPDATE couples SET deep_days = ?, updated_at = ? WHERE id = ?",
            (",".join(str(d) for d in sorted(days)), _ts(now), couple_id),
        )

    async def set_quiet_hours(self, couple_id: int, user_id: int, start: time, end: time) -> None:
        await self._run(
            "UPDATE partners SET quiet_start = ?, quiet_end = ? "
            "WHERE couple_id = ? AND user_id = ?",
            (_hhmm(start), _hhmm(end), couple_id, user_id),
        )

    async def start_new_cycle(self, couple_id: int) -> int:
        row = await self._one(
            "UPDATE couples SET question_cycle = question_cycle + 1 WHERE id = ? "
            "RETURNING question_cycle",
            (couple_id,),
        )
        assert row is not None
        return int(row["question_cycle"])

    async def guild_ids(self) -> set[int]:
        """Servers of couples the bot still serves (not yet marked as left)."""
        rows = await self._all("SELECT guild_id FROM couples WHERE left_at IS NULL")
        return {int(r["guild_id"]) for r in rows}

    async def mark_left(self, guild_id: int, now: datetime) -> bool:
        changed = await self._run(
            "UPDATE couples SET left_at = ? WHERE guild_id = ? AND left_at IS NULL",
            (_ts(now), guild_id),
        )
        return changed == 1

    async def mark_returned(self, guild_id: int) -> bool:
        changed = await self._run(
            "UPDATE couples SET left_at = NULL WHERE guild_id = ? AND left_at IS NOT NULL",
            (guild_id,),
        )
        return changed == 1

    async def delete_couples_left_before(self, cutoff: datetime) -> int:
        return await self._run(
            "DELETE FROM couples WHERE left_at IS NOT NULL AND left_at < ?", (_ts(cutoff),)
        )

    async def forget_partner(self, couple_id: int, user_id: int) -> int:
        """Delete what this partner wrote or set; returns how many rows went."""
        deleted = await self._run(
            "DELETE FROM answers WHERE user_id = ? "
            "AND round_id IN (SELECT id FROM rounds WHERE couple_id = ?)",
            (user_id, couple_id),
        )
        deleted += await self._run(
            "DELETE FROM custom_questions WHERE couple_id = ? AND author_id = ?",
            (couple_id, user_id),
        )
        deleted += await self._run(
            "DELETE FROM outbox WHERE couple_id = ? AND user_id = ?", (couple_id, user_id)
        )
        await self._run(
            "UPDATE partners SET timezone = NULL, quiet_start = '22:00', quiet_end = '08:00' "
            "WHERE couple_id = ? AND user_id = ?",
            (couple_id, user_id),
        )
        return deleted

    # Pauses

    async def add_pause(
        self, couple_id: int, first_day: date, last_day: date, user_id: int, now: datetime
    ) -> None:
        await self._run(
            "INSERT INTO pauses (couple_id, first_day, last_day, created_by, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (couple_id, first_day.isoformat(), last_day.isoformat(), user_id, _ts(now)),
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

    async def pauses(self, couple_id: int) -> list[tuple[date, date]]:
        rows = await self._all(
            "SELECT first_day, last_day FROM pauses WHERE couple_id = ? ORDER BY first_day",
            (couple_id,),
        )
        return [
            (date.fromisoformat(r["first_day"]), date.fromisoformat(r["last_day"])) for r in rows
        ]

    async def pauses_by(self, couple_id: int, user_id: int) -> list[tuple[date, date]]:
        rows = await self._all(
            "SELECT first_day, last_day FROM pauses WHERE couple_id = ? AND created_by = ? "
            "ORDER BY first_day",
            (couple_id, user_id),
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

    # Custom questions

    async def add_custom_question(
        self, couple_id: int, author_id: int, text: str, now: datetime
    ) -> Question:
        row = await self._one(
            "INSERT INTO custom_questions (couple_id, author_id, text, created_at) "
            "VALUES (?, ?, ?, ?) RETURNING id",
            (couple_id, author_id, self._cipher.encrypt(text), _ts(now)),
        )
        assert row is not None
        return _custom_question(row["id"], text)

    async def custom_questions(
        self, couple_id: int, *, author_id: int | None = None
    ) -> list[Question]:
        rows = await self._all(
            "SELECT id, text FROM custom_questions WHERE couple_id = ? "
            "AND (? IS NULL OR author_id = ?) ORDER BY id",
            (couple_id, author_id, author_id),
        )
        return [_custom_question(r["id"], self._cipher.decrypt(r["text"])) for r in rows]

    # Rounds

    def _round(self, row: aiosqlite.Row) -> Round:
        return Round(
            id=row["id"],
            couple_id=row["couple_id"],
            local_date=date.fromisoformat(row["local_date"]),
            question_id=row["question_id"],
            question_text=(
                self._cipher.decrypt(row["question_text"])
                if row["theme"] == CUSTOM_THEME
                else row["question_text"]
            ),
            depth=Depth(row["depth"]),
            theme=row["theme"],
            follow_up=row["follow_up"],
            cycle=row["cycle"],
            created_at=datetime.fromisoformat(row["created_at"]),
            message_id=row["message_id"],
            revealed_at=_parse_ts(row["revealed_at"]),
            closed_at=_parse_ts(row["closed_at"]),
        )

    async def create_round(
        self, couple_id: int, local_date: date, question: Question, cycle: int, now: datetime
    ) -> tuple[Round, bool]:
        """The couple's round for that date: (round, True) if this call made it."""
        inserted = await self._run(
            """
            INSERT INTO rounds (couple_id, local_date, question_id, question_text, depth, theme,
                                follow_up, cycle, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (couple_id, local_date) DO NOTHING
            """,
            (couple_id, local_date.isoformat(), *self._question_columns(question), cycle, _ts(now)),
        )
        existing = await self.round_on(couple_id, local_date)
        assert existing is not None
        return existing, inserted == 1

    def _question_columns(self, question: Question) -> tuple[str, str, str, str, str | None]:
        text = (
            self._cipher.encrypt(question.text) if question.theme == CUSTOM_THEME else question.text
        )
        return (question.id, text, question.depth.value, question.theme, question.follow_up)

    async def replace_question(self, round_id: int, question: Question, cycle: int) -> None:
        await self._run(
            "UPDATE rounds SET question_id = ?, question_text = ?, depth = ?, theme = ?, "
            "follow_up = ?, cycle = ? WHERE id = ?",
            (*self._question_columns(question), cycle, round_id),
        )

    async def round(self, round_id: int) -> Round | None:
        row = await self._one("SELECT * FROM rounds WHERE id = ?", (round_id,))
        return self._round(row) if row else None

    async def round_on(self, couple_id: int, local_date: date) -> Round | None:
        row = await self._one(
            "SELECT * FROM rounds WHERE couple_id = ? AND local_date = ?",
            (couple_id, local_date.isoformat()),
        )
        return self._round(row) if row else None

    async def latest_round(self, couple_id: int) -> Round | None:
        row = await self._one(
            "SELECT * FROM rounds WHERE couple_id = ? ORDER BY local_date DESC LIMIT 1",
            (couple_id,),
        )
        return self._round(row) if row else None

    async def asked_question_ids(self, couple_id: int, cycle: int) -> set[str]:
        rows = await self._all(
            "SELECT question_id FROM rounds WHERE couple_id = ? AND cycle = ?", (couple_id, cycle)
        )
        return {r["question_id"] for r in rows}

    async def posted_rounds(self, since: date) -> list[Round]:
        """Rounds from `since` on whose message is out, whatever their state."""
        rows = await self._all(
            "SELECT * FROM rounds WHERE local_date >= ? AND message_id IS NOT NULL ORDER BY id",
            (since.isoformat(),),
        )
        return [self._round(r) for r in rows]

    async def set_round_message(self, round_id: int, message_id: int) -> None:
        await self._run("UPDATE rounds SET message_id = ? WHERE id = ?", (message_id, round_id))

    async def mark_revealed(self, round_id: int, now: datetime) -> bool:
        """True for exactly one caller: the one that revealed the round."""
        changed = await self._run(
            "UPDATE rounds SET revealed_at = ? "
            "WHERE id = ? AND revealed_at IS NULL AND closed_at IS NULL",
            (_ts(now), round_id),
        )
        return changed == 1

    async def mark_resting(self, round_id: int, now: datetime) -> bool:
        changed = await self._run(
            "UPDATE rounds SET closed_at = ? "
            "WHERE id = ? AND revealed_at IS NULL AND closed_at IS NULL",
            (_ts(now), round_id),
        )
        return changed == 1

    async def revealed_rounds(self, couple_id: int, offset: int, limit: int) -> list[Round]:
        rows = await self._all(
            "SELECT * FROM rounds WHERE couple_id = ? AND revealed_at IS NOT NULL "
            "ORDER BY local_date DESC LIMIT ? OFFSET ?",
            (couple_id, limit, offset),
        )
        return [self._round(r) for r in rows]

    async def count_revealed(self, couple_id: int) -> int:
        row = await self._one(
            "SELECT COUNT(*) AS n FROM rounds WHERE couple_id = ? AND revealed_at IS NOT NULL",
            (couple_id,),
        )
        return int(row["n"]) if row else 0

    async def round_dates(self, couple_id: int) -> tuple[set[date], set[date]]:
        """(dates answered together, dates that rested after a pass)."""
        rows = await self._all(
            "SELECT local_date, revealed_at, closed_at FROM rounds WHERE couple_id = ?",
            (couple_id,),
        )
        together = {date.fromisoformat(r["local_date"]) for r in rows if r["revealed_at"]}
        resting = {date.fromisoformat(r["local_date"]) for r in rows if r["closed_at"]}
        return together, resting

    # Answers

    async def save_answer(
        self, round_id: int, user_id: int, body: str | None, *, passed: bool, now: datetime
    ) -> None:
        encrypted = self._cipher.encrypt(body) if body is not None else None
        await self._run(
            """
            INSERT INTO answers (round_id, user_id, body, passed, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (round_id, user_id) DO UPDATE SET
                body = excluded.body, passed = excluded.passed, updated_at = excluded.updated_at
            """,
            (round_id, user_id, encrypted, int(passed), _ts(now), _ts(now)),
        )

    async def answers(self, round_id: int) -> list[Answer]:
        rows = await self._all(
            "SELECT * FROM answers WHERE round_id = ? ORDER BY created_at, user_id", (round_id,)
        )
        return [
            Answer(
                user_id=r["user_id"],
                body=self._cipher.decrypt(r["body"]) if r["body"] is not None else None,
                passed=bool(r["passed"]),
                shared=bool(r["shared"]),
                created_at=datetime.fromisoformat(r["created_at"]),
                updated_at=datetime.fromisoformat(r["updated_at"]),
            )
            for r in rows
        ]

    async def answers_by(self, couple_id: int, user_id: int) -> list[tuple[Round, Answer]]:
        """Every answer this partner gave, with its round, oldest first."""
        rows = await self._all(
            "SELECT rounds.id FROM rounds JOIN answers ON answers.round_id = rounds.id "
            "WHERE rounds.couple_id = ? AND answers.user_id = ? ORDER BY rounds.local_date",
            (couple_id, user_id),
        )
        found = []
        for row in rows:
            round_ = await self.round(row["id"])
            assert round_ is not None
            mine = [a for a in await self.answers(round_.id) if a.user_id == user_id]
            found.append((round_, mine[0]))
        return found

    async def mark_shared(self, round_id: int, user_id: int) -> bool:
        changed = await self._run(
            "UPDATE answers SET shared = 1 WHERE round_id = ? AND user_id = ? "
            "AND shared = 0 AND passed = 0 AND body IS NOT NULL",
            (round_id, user_id),
        )
        return changed == 1

    # Outbox

    async def enqueue(
        self,
        dedupe_key: str,
        *,
        couple_id: int,
        kind: str,
        now: datetime,
        round_id: int | None = None,
        user_id: int | None = None,
        part: int = 1,
    ) -> bool:
        """Record a post to make; False if that key was already recorded."""
        inserted = await self._run(
            "INSERT INTO outbox (dedupe_key, couple_id, kind, round_id, user_id, part, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING",
            (dedupe_key, couple_id, kind, round_id, user_id, part, _ts(now)),
        )
        return inserted == 1

    async def outbox_has(self, dedupe_key: str) -> bool:
        return (
            await self._one("SELECT 1 FROM outbox WHERE dedupe_key = ?", (dedupe_key,)) is not None
        )

    async def pending_posts(self) -> list[OutboxItem]:
        rows = await self._all("SELECT * FROM outbox WHERE sent_at IS NULL ORDER BY id")
        return [
            OutboxItem(
                id=r["id"],
                dedupe_key=r["dedupe_key"],
                couple_id=r["couple_id"],
                kind=r["kind"],
                round_id=r["round_id"],
                user_id=r["user_id"],
                part=r["part"],
                created_at=datetime.fromisoformat(r["created_at"]),
            )
            for r in rows
        ]

    async def mark_posted(self, item_id: int, message_id: int | None, now: datetime) -> None:
        await self._run(
            "UPDATE outbox SET sent_at = ?, message_id = ? WHERE id = ? AND sent_at IS NULL",
            (_ts(now), message_id, item_id),
        )

    # Meta

    async def meta(self, key: str) -> str | None:
        row = await self._one("SELECT value FROM meta WHERE key = ?", (key,))
        return str(row["value"]) if row else None

    async def set_meta(self, key: str, value: str) -> None:
        await self._run(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )


def _custom_question(row_id: int, text: str) -> Question:
    return Question(id=f"custom-{row_id}", text=text, depth=Depth.MEDIUM, theme=CUSTOM_THEME)


class Store:
    """The database plus the cipher for private text; hands out transactions."""

    def __init__(self, db: Database, cipher: Cipher) -> None:
        self.db = db
        self._cipher = cipher

    @classmethod
    async def open(cls, path: Path, *, secret_key: str | None = None) -> Store:
        cipher = Cipher(load_or_create_key(path, secret_key))
        return cls(await Database.open(path), cipher)

    async def close(self) -> None:
        await self.db.close()

    @asynccontextmanager
    async def write(self) -> AsyncIterator[Tx]:
        async with self.db.transaction() as conn:
            yield Tx(conn, self._cipher)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Tx]:
        async with self.db.reading() as conn:
            yield Tx(conn, self._cipher)
