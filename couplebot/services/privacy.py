"""What couplebot keeps about a partner: export it, forget it, and clean up after leaving."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Any

from couplebot.clock import Clock
from couplebot.services.couples import require_couple
from couplebot.store import Store

log = logging.getLogger(__name__)

# Kept this long after the bot is removed from a server, in case that was a mistake.
LEFT_GUILD_GRACE = timedelta(days=7)


class PrivacyService:
    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    async def export(self, guild_id: int | None, user_id: int) -> bytes:
        """Everything stored about this partner, as UTF-8 JSON."""
        async with self._store.read() as tx:
            couple = await require_couple(tx, guild_id, user_id)
            me = couple.partner(user_id)
            answers = await tx.answers_by(couple.id, user_id)
            questions = await tx.custom_questions(couple.id, author_id=user_id)
            pauses = await tx.pauses_by(couple.id, user_id)
        document: dict[str, Any] = {
            "exported_at": self._clock.now().isoformat(),
            "user_id": str(user_id),
            "shared_settings": {
                "server_id": str(couple.guild_id),
                "channel_id": str(couple.channel_id),
                "partner_user_id": str(couple.other(user_id).user_id),
                "timezone": couple.timezone,
                "question_time": couple.question_time.strftime("%H:%M"),
                "themes": sorted(couple.themes),
                "deep_days": sorted(couple.deep_days),
            },
            "your_settings": {
                "timezone": me.timezone or couple.timezone,
                "quiet_start": me.quiet_start.strftime("%H:%M"),
                "quiet_end": me.quiet_end.strftime("%H:%M"),
            },
            "your_answers": [
                {
                    "date": round_.local_date.isoformat(),
                    "question": round_.question_text,
                    "answer": answer.body,
                    "passed": answer.passed,
                    "shared_after_pass": answer.shared,
                    "revealed": round_.revealed_at is not None,
                    "written_at": answer.created_at.isoformat(),
                    "last_edited_at": answer.updated_at.isoformat(),
                }
                for round_, answer in answers
            ],
            "your_questions": [question.text for question in questions],
            "your_pauses": [
                {"first_day": first.isoformat(), "last_day": last.isoformat()}
                for first, last in pauses
            ],
        }
        return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")

    async def forget(self, guild_id: int | None, user_id: int) -> int:
        """Delete this partner's answers, own questions and personal settings."""
        async with self._store.write() as tx:
            couple = await require_couple(tx, guild_id, user_id)
            deleted = await tx.forget_partner(couple.id, user_id)
        log.info("forgot a partner's data in couple %s (%d rows)", couple.id, deleted)
        return deleted

    async def guild_left(self, guild_id: int) -> None:
        async with self._store.write() as tx:
            if await tx.mark_left(guild_id, self._clock.now()):
                log.info("removed from server %s; its data goes after the grace period", guild_id)

    async def guild_joined(self, guild_id: int) -> None:
        async with self._store.write() as tx:
            if await tx.mark_returned(guild_id):
                log.info("back in server %s within the grace period; data kept", guild_id)

    async def reconcile_guilds(self, present: set[int]) -> None:
        """On start: a server that removed the bot while it was offline counts as left."""
        async with self._store.read() as tx:
            missing = await tx.guild_ids() - present
        for guild_id in missing:
            await self.guild_left(guild_id)

    async def purge_left(self) -> int:
        async with self._store.write() as tx:
            deleted = await tx.delete_couples_left_before(self._clock.now() - LEFT_GUILD_GRACE)
        if deleted:
            log.info("deleted %d couple(s) whose server removed the bot", deleted)
        return deleted
