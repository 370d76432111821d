"""Date nights: the couple's own ideas, idea cards, saved ideas, plans and weekly setting."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, time

import aiosqlite

from couplebot.domain.dates import OWN_IDEA_PREFIX, DatePlan, IdeaCard, PlanStatus
from couplebot.domain.ideas import Budget, Connection, Energy, Idea, IdeaKind, Setting
from couplebot.store.base import Repository, due_ts, hhmm, parse_ts


class DatesRepository(Repository):
    # The couple's own ideas (free text encrypted, like their own questions)

    async def add_own_idea(self, couple_id: int, author_id: int, idea: Idea, now: datetime) -> Idea:
        row = await self._one(
            "INSERT INTO own_ideas (couple_id, author_id, kind, title, description, prompt, "
            "setting, budget, minutes, energy, connection, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (
                couple_id,
                author_id,
                idea.kind.value,
                self._cipher.encrypt(idea.title),
                self._cipher.encrypt(idea.description),
                self._cipher.encrypt(idea.prompt) if idea.prompt else None,
                idea.setting.value,
                idea.budget.value,
                idea.minutes,
                idea.energy.value,
                idea.connection.value,
                due_ts(now),
            ),
        )
        assert row is not None
        return idea.model_copy(update={"id": f"{OWN_IDEA_PREFIX}{row['id']}"})

    async def own_ideas(self, couple_id: int, *, author_id: int | None = None) -> list[Idea]:
        rows = await self._all(
            "SELECT * FROM own_ideas WHERE couple_id = ? AND (? IS NULL OR author_id = ?) "
            "ORDER BY id",
            (couple_id, author_id, author_id),
        )
        return [self._own_idea(r) for r in rows]

    def _own_idea(self, row: aiosqlite.Row) -> Idea:
        return Idea(
            id=f"{OWN_IDEA_PREFIX}{row['id']}",
            kind=IdeaKind(row["kind"]),
            title=self._cipher.decrypt(row["title"]),
            description=self._cipher.decrypt(row["description"]),
            prompt=self._cipher.decrypt(row["prompt"]) if row["prompt"] else None,
            setting=Setting(row["setting"]),
            budget=Budget(row["budget"]),
            minutes=row["minutes"],
            energy=Energy(row["energy"]),
            connection=Connection(row["connection"]),
        )

    # Cards and what has been shown

    async def add_card(  # noqa: PLR0917 - one row's columns
        self,
        couple_id: int,
        idea: Idea,
        filters: dict[str, object],
        new_cycle: bool,
        asked_by: int | None,
        now: datetime,
        weekly_slot: str | None = None,
    ) -> IdeaCard | None:
        """A new card; None if this weekly slot already has one."""
        row = await self._one(
            "INSERT INTO idea_cards (couple_id, idea_id, kind, filters, new_cycle, weekly_slot, "
            "asked_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (couple_id, weekly_slot) DO NOTHING RETURNING id",
            (
                couple_id,
                idea.id,
                idea.kind.value,
                json.dumps(filters, sort_keys=True),
                int(new_cycle),
                weekly_slot,
                asked_by,
                due_ts(now),
            ),
        )
        return None if row is None else await self.card(row["id"])

    async def card(self, card_id: int) -> IdeaCard | None:
        row = await self._one("SELECT * FROM idea_cards WHERE id = ?", (card_id,))
        return None if row is None else _card(row)

    async def weekly_card(self, couple_id: int, slot: str) -> IdeaCard | None:
        row = await self._one(
            "SELECT * FROM idea_cards WHERE couple_id = ? AND weekly_slot = ?", (couple_id, slot)
        )
        return None if row is None else _card(row)

    async def skip_card(self, card_id: int, user_id: int, now: datetime) -> bool:
        changed = await self._run(
            "UPDATE idea_cards SET skipped_by = ?, skipped_at = ? "
            "WHERE id = ? AND skipped_by IS NULL AND picked_by IS NULL",
            (user_id, due_ts(now), card_id),
        )
        return changed == 1

    async def pick_card(self, card_id: int, user_id: int) -> bool:
        changed = await self._run(
            "UPDATE idea_cards SET picked_by = ? WHERE id = ? AND picked_by IS NULL",
            (user_id, card_id),
        )
        return changed == 1

    async def skipped_ideas(self, couple_id: int, limit: int = 50) -> list[str]:
        """Ideas passed over with "Another", newest first."""
        rows = await self._all(
            "SELECT idea_id FROM idea_cards WHERE couple_id = ? AND skipped_by IS NOT NULL "
            "ORDER BY skipped_at DESC, id DESC LIMIT ?",
            (couple_id, limit),
        )
        return [r["idea_id"] for r in rows]

    async def shown(self, couple_id: int) -> frozenset[str]:
        rows = await self._all("SELECT idea_id FROM ideas_shown WHERE couple_id = ?", (couple_id,))
        return frozenset(r["idea_id"] for r in rows)

    async def mark_shown(self, couple_id: int, idea_id: str, forget: Iterable[str]) -> None:
        for old in forget:
            await self._run(
                "DELETE FROM ideas_shown WHERE couple_id = ? AND idea_id = ?", (couple_id, old)
            )
        await self._run(
            "INSERT INTO ideas_shown (couple_id, idea_id) VALUES (?, ?) "
            "ON CONFLICT (couple_id, idea_id) DO NOTHING",
            (couple_id, idea_id),
        )

    # Saved ideas

    async def save_idea(self, couple_id: int, idea_id: str, user_id: int, now: datetime) -> bool:
        inserted = await self._run(
            "INSERT INTO saved_ideas (couple_id, idea_id, saved_by, saved_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (couple_id, idea_id) DO NOTHING",
            (couple_id, idea_id, user_id, due_ts(now)),
        )
        return inserted == 1

    async def mark_card_saved(self, card_id: int, user_id: int) -> None:
        await self._run(
            "UPDATE idea_cards SET saved_by = ? WHERE id = ? AND saved_by IS NULL",
            (user_id, card_id),
        )

    async def saved(self, couple_id: int, *, by: int | None = None) -> list[tuple[str, int]]:
        """(idea id, saved by), newest first."""
        rows = await self._all(
            "SELECT idea_id, saved_by FROM saved_ideas WHERE couple_id = ? "
            "AND (? IS NULL OR saved_by = ?) ORDER BY saved_at DESC",
            (couple_id, by, by),
        )
        return [(r["idea_id"], r["saved_by"]) for r in rows]

    # Plans

    async def add_plan(  # noqa: PLR0917 - one row's columns
        self,
        couple_id: int,
        idea_id: str,
        card_id: int | None,
        planned_by: int,
        date_at: datetime,
        now: datetime,
    ) -> DatePlan:
        row = await self._one(
            "INSERT INTO date_plans (couple_id, idea_id, card_id, planned_by, date_at, "
            "planned_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (couple_id, idea_id, card_id, planned_by, due_ts(date_at), due_ts(now), due_ts(now)),
        )
        assert row is not None
        plan = await self.plan(row["id"])
        assert plan is not None
        return plan

    async def plan(self, plan_id: int) -> DatePlan | None:
        row = await self._one("SELECT * FROM date_plans WHERE id = ?", (plan_id,))
        return None if row is None else _plan(row)

    async def plans(
        self, couple_id: int, statuses: Iterable[PlanStatus], *, by: int | None = None
    ) -> list[DatePlan]:
        wanted = [s.value for s in statuses]
        marks = ", ".join("?" for _ in wanted)
        rows = await self._all(
            f"SELECT * FROM date_plans WHERE couple_id = ? AND status IN ({marks}) "  # noqa: S608
            "AND (? IS NULL OR planned_by = ?) ORDER BY date_at",
            (couple_id, *wanted, by, by),
        )
        return [_plan(r) for r in rows]

    async def planned_ideas(self, couple_id: int, limit: int = 50) -> list[str]:
        """Ideas picked with "Let's do this" (not cancelled), newest first."""
        rows = await self._all(
            "SELECT idea_id FROM date_plans WHERE couple_id = ? AND status != 'cancelled' "
            "ORDER BY created_at DESC, id DESC LIMIT ?",
            (couple_id, limit),
        )
        return [r["idea_id"] for r in rows]

    async def agree(self, plan_id: int, user_id: int) -> bool:
        changed = await self._run(
            "UPDATE date_plans SET agreed_by = ? "
            "WHERE id = ? AND agreed_by IS NULL AND status = 'planned'",
            (user_id, plan_id),
        )
        return changed == 1

    async def move(self, plan_id: int, user_id: int, date_at: datetime, now: datetime) -> bool:
        changed = await self._run(
            "UPDATE date_plans SET date_at = ?, planned_at = ?, moved_by = ?, agreed_by = NULL, "
            "version = version + 1 WHERE id = ? AND status = 'planned'",
            (due_ts(date_at), due_ts(now), user_id, plan_id),
        )
        return changed == 1

    async def set_status(
        self, plan_id: int, status: PlanStatus, *, was: PlanStatus, by: int | None = None
    ) -> bool:
        changed = await self._run(
            "UPDATE date_plans SET status = ?, status_by = ? WHERE id = ? AND status = ?",
            (status.value, by, plan_id, was.value),
        )
        return changed == 1

    # The weekly suggestion

    async def weekly(self, couple_id: int) -> tuple[int, time, datetime] | None:
        row = await self._one(
            "SELECT weekly_day, weekly_time, weekly_since FROM date_settings "
            "WHERE couple_id = ? AND weekly_day IS NOT NULL",
            (couple_id,),
        )
        if row is None:
            return None
        since = parse_ts(row["weekly_since"])
        assert since is not None
        return row["weekly_day"], time.fromisoformat(row["weekly_time"]), since

    async def set_weekly(
        self, couple_id: int, weekday: int | None, at: time | None, now: datetime
    ) -> None:
        await self._run(
            "INSERT INTO date_settings (couple_id, weekly_day, weekly_time, weekly_since) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (couple_id) DO UPDATE SET "
            "weekly_day = excluded.weekly_day, weekly_time = excluded.weekly_time, "
            "weekly_since = excluded.weekly_since",
            (couple_id, weekday, hhmm(at) if at else None, due_ts(now)),
        )

    # Forgetting a partner

    async def forget(self, couple_id: int, user_id: int) -> int:
        """Delete the ideas this partner added and the plans they made; unname them elsewhere."""
        own = [
            f"{OWN_IDEA_PREFIX}{r['id']}"
            for r in await self._all(
                "SELECT id FROM own_ideas WHERE couple_id = ? AND author_id = ?",
                (couple_id, user_id),
            )
        ]
        deleted = await self._run(
            "DELETE FROM own_ideas WHERE couple_id = ? AND author_id = ?", (couple_id, user_id)
        )
        deleted += await self._run(
            "DELETE FROM date_plans WHERE couple_id = ? AND planned_by = ?", (couple_id, user_id)
        )
        deleted += await self._run(
            "DELETE FROM saved_ideas WHERE couple_id = ? AND saved_by = ?", (couple_id, user_id)
        )
        for idea_id in own:
            for table in ("date_plans", "saved_ideas", "idea_cards", "ideas_shown"):
                deleted += await self._run(
                    f"DELETE FROM {table} WHERE couple_id = ? AND idea_id = ?",  # noqa: S608
                    (couple_id, idea_id),
                )
        for column in ("asked_by", "skipped_by", "picked_by", "saved_by"):
            await self._run(
                f"UPDATE idea_cards SET {column} = NULL "  # noqa: S608
                f"WHERE couple_id = ? AND {column} = ?",
                (couple_id, user_id),
            )
        for column in ("moved_by", "agreed_by", "status_by"):
            await self._run(
                f"UPDATE date_plans SET {column} = NULL "  # noqa: S608
                f"WHERE couple_id = ? AND {column} = ?",
                (couple_id, user_id),
            )
        return deleted


def _card(row: aiosqlite.Row) -> IdeaCard:
    return IdeaCard(
        id=row["id"],
        couple_id=row["couple_id"],
        idea_id=row["idea_id"],
        kind=IdeaKind(row["kind"]),
        filters=json.loads(row["filters"]),
        new_cycle=bool(row["new_cycle"]),
        weekly_slot=row["weekly_slot"],
        asked_by=row["asked_by"],
        skipped_by=row["skipped_by"],
        picked_by=row["picked_by"],
        saved_by=row["saved_by"],
        created_at=datetime.fromisoformat(row["created_at"]),
    )


def _plan(row: aiosqlite.Row) -> DatePlan:
    return DatePlan(
        id=row["id"],
        couple_id=row["couple_id"],
        idea_id=row["idea_id"],
        card_id=row["card_id"],
        planned_by=row["planned_by"],
        moved_by=row["moved_by"],
        date_at=datetime.fromisoformat(row["date_at"]),
        planned_at=datetime.fromisoformat(row["planned_at"]),
        version=row["version"],
        agreed_by=row["agreed_by"],
        status=PlanStatus(row["status"]),
        status_by=row["status_by"],
        created_at=datetime.fromisoformat(row["created_at"]),
    )
