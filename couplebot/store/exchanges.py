"""Exchanges of every kind and the partners' private responses to them."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import aiosqlite

from couplebot.domain.exchange import Exchange, Response
from couplebot.store.base import Repository, parse_ts, ts


class ExchangesRepository(Repository):
    def _exchange(self, row: aiosqlite.Row) -> Exchange:
        private = bool(row["prompt_private"])
        return Exchange(
            id=row["id"],
            couple_id=row["couple_id"],
            kind=row["kind"],
            slot=row["slot"],
            topic_id=row["topic_id"],
            prompt=self._cipher.decrypt(row["prompt"]) if private else row["prompt"],
            prompt_private=private,
            details=json.loads(row["details"]),
            cycle=row["cycle"],
            created_at=datetime.fromisoformat(row["created_at"]),
            message_id=row["message_id"],
            revealed_at=parse_ts(row["revealed_at"]),
            closed_at=parse_ts(row["closed_at"]),
        )

    def _prompt_columns(
        self, topic_id: str, prompt: str, private: bool, details: Mapping[str, Any]
    ) -> tuple[str, str, int, str]:
        stored = self._cipher.encrypt(prompt) if private else prompt
        return (topic_id, stored, int(private), json.dumps(dict(details), sort_keys=True))

    async def create(
        self,
        couple_id: int,
        kind: str,
        slot: str,
        *,
        topic_id: str,
        prompt: str,
        private: bool = False,
        details: Mapping[str, Any] | None = None,
        cycle: int = 1,
        now: datetime,
    ) -> tuple[Exchange, bool]:
        """The couple's exchange of that kind and slot: (exchange, True) if this call made it."""
        inserted = await self._run(
            """
            INSERT INTO exchanges (couple_id, kind, slot, topic_id, prompt, prompt_private,
                                   details, cycle, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (couple_id, kind, slot) DO NOTHING
            """,
            (
                couple_id,
                kind,
                slot,
                *self._prompt_columns(topic_id, prompt, private, details or {}),
                cycle,
                ts(now),
            ),
        )
        existing = await self.find(couple_id, kind, slot)
        assert existing is not None
        return existing, inserted == 1

    async def replace_prompt(
        self,
        exchange_id: int,
        *,
        topic_id: str,
        prompt: str,
        private: bool,
        details: Mapping[str, Any],
        cycle: int,
    ) -> None:
        await self._run(
            "UPDATE exchanges SET topic_id = ?, prompt = ?, prompt_private = ?, details = ?, "
            "cycle = ? WHERE id = ?",
            (*self._prompt_columns(topic_id, prompt, private, details), cycle, exchange_id),
        )

    async def get(self, exchange_id: int) -> Exchange | None:
        row = await self._one("SELECT * FROM exchanges WHERE id = ?", (exchange_id,))
        return self._exchange(row) if row else None

    async def find(self, couple_id: int, kind: str, slot: str) -> Exchange | None:
        row = await self._one(
            "SELECT * FROM exchanges WHERE couple_id = ? AND kind = ? AND slot = ?",
            (couple_id, kind, slot),
        )
        return self._exchange(row) if row else None

    async def latest(self, couple_id: int, kind: str) -> Exchange | None:
        row = await self._one(
            "SELECT * FROM exchanges WHERE couple_id = ? AND kind = ? ORDER BY slot DESC LIMIT 1",
            (couple_id, kind),
        )
        return self._exchange(row) if row else None

    async def of_kind_since(self, couple_id: int, kind: str, since: datetime) -> list[Exchange]:
        rows = await self._all(
            "SELECT * FROM exchanges WHERE couple_id = ? AND kind = ? AND created_at >= ? "
            "ORDER BY id",
            (couple_id, kind, ts(since)),
        )
        return [self._exchange(r) for r in rows]

    async def topics_in_cycle(self, couple_id: int, kind: str, cycle: int) -> set[str]:
        rows = await self._all(
            "SELECT topic_id FROM exchanges WHERE couple_id = ? AND kind = ? AND cycle = ?",
            (couple_id, kind, cycle),
        )
        return {r["topic_id"] for r in rows}

    async def count(self, couple_id: int, kind: str) -> int:
        row = await self._one(
            "SELECT COUNT(*) AS n FROM exchanges WHERE couple_id = ? AND kind = ?",
            (couple_id, kind),
        )
        return int(row["n"]) if row else 0

    async def maybe_stale(self, created_since: datetime) -> list[Exchange]:
        """Posted exchanges created since then whose status line may lag behind: a
        response or a state change after it was last shown (or, never refreshed, after
        the exchange was created)."""
        rows = await self._all(
            """
            SELECT * FROM exchanges AS e
            WHERE e.created_at >= ? AND e.message_id IS NOT NULL AND (
                e.revealed_at > COALESCE(e.status_shown_at, e.created_at)
                OR e.closed_at > COALESCE(e.status_shown_at, e.created_at)
                OR EXISTS (
                    SELECT 1 FROM responses AS r WHERE r.exchange_id = e.id
                    AND r.updated_at > COALESCE(e.status_shown_at, e.created_at)
                )
            )
            ORDER BY e.id
            """,
            (ts(created_since),),
        )
        return [self._exchange(r) for r in rows]

    async def status_shown(self, exchange_id: int, rendered_at: datetime) -> None:
        await self._run(
            "UPDATE exchanges SET status_shown_at = ? WHERE id = ?", (ts(rendered_at), exchange_id)
        )

    async def set_message(self, exchange_id: int, message_id: int) -> None:
        await self._run(
            "UPDATE exchanges SET message_id = ? WHERE id = ?", (message_id, exchange_id)
        )

    async def reveal_once(self, exchange_id: int, now: datetime) -> bool:
        """True for exactly one caller: the one that revealed the exchange."""
        changed = await self._run(
            "UPDATE exchanges SET revealed_at = ? "
            "WHERE id = ? AND revealed_at IS NULL AND closed_at IS NULL",
            (ts(now), exchange_id),
        )
        return changed == 1

    async def rest(self, exchange_id: int, now: datetime) -> bool:
        changed = await self._run(
            "UPDATE exchanges SET closed_at = ? "
            "WHERE id = ? AND revealed_at IS NULL AND closed_at IS NULL",
            (ts(now), exchange_id),
        )
        return changed == 1

    async def revealed(
        self, couple_id: int, kind: str, *, offset: int, limit: int
    ) -> list[Exchange]:
        rows = await self._all(
            "SELECT * FROM exchanges WHERE couple_id = ? AND kind = ? AND revealed_at IS NOT NULL "
            "ORDER BY slot DESC LIMIT ? OFFSET ?",
            (couple_id, kind, limit, offset),
        )
        return [self._exchange(r) for r in rows]

    async def count_revealed(self, couple_id: int, kind: str) -> int:
        row = await self._one(
            "SELECT COUNT(*) AS n FROM exchanges WHERE couple_id = ? AND kind = ? "
            "AND revealed_at IS NOT NULL",
            (couple_id, kind),
        )
        return int(row["n"]) if row else 0

    async def states(self, couple_id: int, kind: str) -> list[tuple[str, bool, bool]]:
        """(slot, revealed, resting) for every exchange of that kind."""
        rows = await self._all(
            "SELECT slot, revealed_at, closed_at FROM exchanges WHERE couple_id = ? AND kind = ?",
            (couple_id, kind),
        )
        return [(r["slot"], r["revealed_at"] is not None, r["closed_at"] is not None) for r in rows]

    # Responses

    async def save_response(
        self,
        exchange_id: int,
        user_id: int,
        values: Mapping[str, str],
        *,
        passed: bool,
        now: datetime,
    ) -> None:
        await self._run(
            """
            INSERT INTO responses (exchange_id, user_id, passed, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (exchange_id, user_id) DO UPDATE SET
                passed = excluded.passed, updated_at = excluded.updated_at
            """,
            (exchange_id, user_id, int(passed), ts(now), ts(now)),
        )
        await self._run(
            "DELETE FROM response_fields WHERE exchange_id = ? AND user_id = ?",
            (exchange_id, user_id),
        )
        for name, value in values.items():
            await self._run(
                "INSERT INTO response_fields (exchange_id, user_id, name, value) "
                "VALUES (?, ?, ?, ?)",
                (exchange_id, user_id, name, self._cipher.encrypt(value)),
            )

    async def responses(self, exchange_id: int) -> list[Response]:
        rows = await self._all(
            "SELECT * FROM responses WHERE exchange_id = ? ORDER BY created_at, user_id",
            (exchange_id,),
        )
        fields = await self._all(
            "SELECT user_id, name, value FROM response_fields WHERE exchange_id = ?",
            (exchange_id,),
        )
        values: dict[int, dict[str, str]] = {}
        for field in fields:
            values.setdefault(field["user_id"], {})[field["name"]] = self._cipher.decrypt(
                field["value"]
            )
        return [
            Response(
                user_id=r["user_id"],
                values=values.get(r["user_id"], {}),
                passed=bool(r["passed"]),
                shared=bool(r["shared"]),
                created_at=datetime.fromisoformat(r["created_at"]),
                updated_at=datetime.fromisoformat(r["updated_at"]),
            )
            for r in rows
        ]

    async def responded_by(self, couple_id: int, user_id: int) -> list[int]:
        """Ids of the exchanges this partner responded to, oldest slot first."""
        rows = await self._all(
            "SELECT exchanges.id FROM exchanges "
            "JOIN responses ON responses.exchange_id = exchanges.id "
            "WHERE exchanges.couple_id = ? AND responses.user_id = ? "
            "ORDER BY exchanges.kind, exchanges.slot",
            (couple_id, user_id),
        )
        return [int(r["id"]) for r in rows]

    async def mark_shared(self, exchange_id: int, user_id: int) -> bool:
        changed = await self._run(
            "UPDATE responses SET shared = 1 WHERE exchange_id = ? AND user_id = ? "
            "AND shared = 0 AND passed = 0",
            (exchange_id, user_id),
        )
        return changed == 1
