"""What couplebot must tell one partner privately on their next command, once.

Two kinds today: the couple's channel refused a post (a lost permission: the post is
kept and sent once the channel takes posts again), and a private note a partner's
closed DMs refused (shown to that partner alone). Features add kinds with `add_kind`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from couplebot.clock import Clock
from couplebot.domain.models import Couple
from couplebot.services.outbox import Outbox
from couplebot.services.ports import ChannelRefusedError, UndeliverableError
from couplebot.store import OutboxItem, Store, Tx
from couplebot.store.notices import CHANNEL_PERMISSIONS, EITHER_PARTNER, Notice

log = logging.getLogger(__name__)

# Held posts are tried again this often, in case the permission came back unseen.
HOLD_RETRY = timedelta(hours=1)

Render = Callable[[Couple, Notice, tuple[str, ...] | None], str]


@dataclass(frozen=True)
class ShownNotice:
    notice: Notice
    text: str


def listed(names: tuple[str, ...]) -> str:
    """("A", "B", "C") -> "A, B and C"."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def permissions_text(couple: Couple, notice: Notice, missing_here: tuple[str, ...] | None) -> str:
    """missing_here: what the bot lacks in the couple's channel now, if the command ran
    there; else the notice names what the refused post needed."""
    missing = missing_here or tuple(m for m in notice.detail.split(",") if m)
    them = "it" if len(missing) == 1 else "them"
    return (
        f"A heads-up: I couldn't post in <#{couple.channel_id}>, because I'm missing "
        f"{listed(missing)} there. The post that didn't go through is kept, and I'll send "
        "it (and anything after it) as soon as I can post again.\n"
        f"To fix it: Server Settings → Channels → <#{couple.channel_id}> → Permissions → "
        f"couplebot, and allow {them}. Then run any command here, like `/help`."
    )


class NoticesSection:
    """Privacy: what waits to be told to this partner (kinds only, no private text)."""

    name = "your_pending_notices"

    async def export(self, tx: Tx, couple: Couple, user_id: int) -> Any:
        return [
            {"kind": n.kind, "since": n.created_at.isoformat()}
            for n in await tx.notices.waiting(couple.id, user_id)
        ]

    async def forget(self, tx: Tx, couple: Couple, user_id: int) -> int:
        return await tx.notices.forget_partner(couple.id, user_id)


class NoticesService:
    def __init__(self, store: Store, clock: Clock, outbox: Outbox) -> None:
        self._store = store
        self._clock = clock
        self._outbox = outbox
        self._renderers: dict[str, Render] = {CHANNEL_PERMISSIONS: permissions_text}
        outbox.on_refused(self._channel_refused)

    def add_kind(self, kind: str, render: Render) -> None:
        self._renderers[kind] = render

    async def _channel_refused(self, tx: Tx, item: OutboxItem, error: UndeliverableError) -> bool:
        """Keep a post the couple's channel refused; tell them once what to fix."""
        if not isinstance(error, ChannelRefusedError):
            return False
        now = self._clock.now()
        if await tx.notices.hold(item.couple_id, error.missing, now, now + HOLD_RETRY):
            detail = ",".join(error.missing)
            await tx.notices.add(item.couple_id, EITHER_PARTNER, CHANNEL_PERMISSIONS, detail, now)
            log.warning("couple %s: its channel refused a post; posts wait", item.couple_id)
        return True

    async def due_for(
        self,
        guild_id: int | None,
        user_id: int,
        channel_id: int | None,
        missing_here: tuple[str, ...],
    ) -> list[ShownNotice]:
        """What to tell this partner now. A command in the couple's channel that shows
        every permission back releases held posts at once."""
        if guild_id is None:
            return []
        async with self._store.snapshot() as tx:  # after every command: never wait on writes
            couple = await tx.couples.by_guild(guild_id)
            if couple is None or couple.ended or not couple.accepted or not couple.has(user_id):
                return []
            waiting = await tx.notices.waiting(couple.id, user_id)
            held = await tx.notices.hold_of(couple.id) is not None
        here = channel_id == couple.channel_id
        if held and here and not missing_here:
            async with self._store.write() as tx:
                await tx.notices.release(couple.id)
            log.info("couple %s: its channel takes posts again", couple.id)
            self._outbox.kick()
            waiting = [n for n in waiting if n.kind != CHANNEL_PERMISSIONS]
        shown = []
        for notice in waiting:
            render = self._renderers.get(notice.kind)
            if render is not None:
                shown.append(
                    ShownNotice(notice, render(couple, notice, missing_here if here else None))
                )
        return shown

    async def shown(self, notices: list[ShownNotice]) -> None:
        """They were told: each notice is shown once."""
        if not notices:
            return
        async with self._store.write() as tx:
            for item in notices:
                n = item.notice
                await tx.notices.remove(n.couple_id, n.user_id, n.kind)
