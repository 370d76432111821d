"""The fake's gateway: HELLO, IDENTIFY (sharded or not), RESUME with replay, dispatches.

Each IDENTIFY opens a session for one shard `[id, count]` (unsharded: `[0, 1]`); a guild
belongs to shard `(guild_id >> 22) % count` and DMs to shard 0, as on Discord. A dispatch
goes to the live session that owns it, or waits until that shard (re)connects.
With an identify interval set, each rate-limit bucket (`shard_id % max_concurrency`)
may IDENTIFY once per interval (Discord: 5 s); past that the IDENTIFY is answered with
op 9 Invalid Session, as Discord does, and the client has to identify again later.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from couplebot.fake_discord._models import FakeGuild
from couplebot.fake_discord._state import World

log = logging.getLogger(__name__)

HEARTBEAT_INTERVAL_MS = 41250
# Discord closes a session that would hold more guilds than this with 4011 (sharding required).
MAX_GUILDS_PER_SESSION = 2500
CLOSE_AUTHENTICATION_FAILED = 4004
CLOSE_INVALID_SHARD = 4010
CLOSE_SHARDING_REQUIRED = 4011


def shard_of(guild_id: int, shard_count: int) -> int:
    """Discord's formula: which shard of `shard_count` receives a guild's events."""
    return (guild_id >> 22) % shard_count


@dataclass(frozen=True)
class SessionInfo:
    """What a test can see of one gateway session."""

    shard_id: int
    shard_count: int
    live: bool
    guild_ids: tuple[int, ...]  # the guilds it sent GUILD_CREATE for, in order
    identified_at: float  # time.monotonic() when its IDENTIFY was accepted


@dataclass
class _Session:
    session_id: str
    shard_id: int
    shard_count: int
    seq: int = 0
    sent: list[dict[str, Any]] = field(default_factory=list)
    ws: web.WebSocketResponse | None = None
    request: web.Request | None = None
    live: bool = False
    identified_at: float = field(default_factory=time.monotonic)

    def owns(self, guild_id: int | None) -> bool:
        if guild_id is None:
            return self.shard_id == 0
        return shard_of(guild_id, self.shard_count) == self.shard_id


@dataclass
class _Connection:
    ws: web.WebSocketResponse
    request: web.Request
    session: _Session | None = None


@dataclass
class IdentifyLimit:
    """Discord's session start concurrency: one IDENTIFY per `interval` seconds in each
    bucket `shard_id % max_concurrency`; `interval` None admits every IDENTIFY."""

    max_concurrency: int = 1
    interval: float | None = None
    refused: int = 0
    _last: dict[int, float] = field(default_factory=dict)

    def admit(self, shard_id: int) -> bool:
        if self.interval is None:
            return True
        bucket, now = shard_id % max(1, self.max_concurrency), time.monotonic()
        if now - self._last.get(bucket, -self.interval) < self.interval:
            self.refused += 1
            return False
        self._last[bucket] = now
        return True


def _guild_of(data: dict[str, Any]) -> int | None:
    guild_id = data.get("guild_id")
    return int(guild_id) if guild_id else None


class Gateway:
    """All gateway sessions; dispatches wait in a queue while their shard is not connected."""

    def __init__(self, world: World, gateway_url: Callable[[], str]) -> None:
        self._world = world
        self._gateway_url = gateway_url
        self._sessions: dict[str, _Session] = {}
        self._connections: set[web.WebSocketResponse] = set()
        self._pending: list[tuple[str, dict[str, Any], int | None]] = []
        self.identify_limit = IdentifyLimit()
        self.identify_count = 0
        self.resume_count = 0

    @property
    def sessions(self) -> list[SessionInfo]:
        return [
            SessionInfo(
                s.shard_id,
                s.shard_count,
                s.live,
                tuple(int(f["d"]["id"]) for f in s.sent if f["t"] == "GUILD_CREATE"),
                s.identified_at,
            )
            for s in self._sessions.values()
        ]

    def is_live_for(self, guild_id: int | None) -> bool:
        return self._owner(guild_id) is not None

    async def close(self) -> None:
        for ws in list(self._connections):
            if not ws.closed:
                await ws.close(code=1001)

    async def drop(self) -> None:
        """Cut every socket without a close handshake; clients should RESUME."""
        for session in self._sessions.values():
            ws, request = session.ws, session.request
            session.ws, session.request, session.live = None, None, False
            if request is not None and request.transport is not None:
                request.transport.abort()
            elif ws is not None:
                await ws.close(code=4000)

    async def dispatch(
        self, event: str, data: dict[str, Any], *, guild_id: int | None = None
    ) -> None:
        """Send to the shard that owns the guild (data's guild_id unless given; none: shard 0),
        or queue until that shard is (re)connected."""
        target = guild_id if guild_id is not None else _guild_of(data)
        session = self._owner(target)
        if session is None:
            self._pending.append((event, data, target))
            return
        await self._send_dispatch(session, event, data)

    def _owner(self, guild_id: int | None) -> _Session | None:
        for session in reversed(self._sessions.values()):
            if session.live and session.ws is not None and session.owns(guild_id):
                return session
        return None

    async def _send_dispatch(self, session: _Session, event: str, data: dict[str, Any]) -> None:
        session.seq += 1
        frame = {"op": 0, "t": event, "s": session.seq, "d": data}
        session.sent.append(frame)
        await self._send_frame(session.ws, frame)

    @staticmethod
    async def _send_frame(ws: web.WebSocketResponse | None, frame: dict[str, Any]) -> None:
        if ws is None or ws.closed:
            return
        try:
            await ws.send_str(json.dumps(frame))
        except ConnectionError:
            log.debug("gateway send failed; frame %s stays in the replay log", frame.get("s"))

    async def _flush_pending(self, session: _Session) -> None:
        mine = [p for p in self._pending if session.owns(p[2])]
        self._pending = [p for p in self._pending if not session.owns(p[2])]
        for event, data, _ in mine:
            await self._send_dispatch(session, event, data)

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._connections.add(ws)
        connection = _Connection(ws, request)
        hello = {"heartbeat_interval": HEARTBEAT_INTERVAL_MS}
        await ws.send_str(json.dumps({"op": 10, "d": hello, "s": None, "t": None}))
        try:
            async for message in ws:
                if message.type is WSMsgType.TEXT:
                    await self._on_frame(connection, json.loads(message.data))
        finally:
            self._connections.discard(ws)
            session = connection.session
            if session is not None and session.ws is ws:
                session.ws, session.request, session.live = None, None, False
        return ws

    async def _on_frame(self, connection: _Connection, frame: dict[str, Any]) -> None:
        op = frame.get("op")
        data = frame.get("d") or {}
        if op == 1:
            await self._send_frame(connection.ws, {"op": 11, "d": None, "s": None, "t": None})
        elif op == 2:
            await self._identify(connection, data)
        elif op == 6:
            await self._resume(connection, data)
        elif op == 8:
            await self._members_chunk(data)

    def guilds_on_shard(self, shard_id: int, shard_count: int) -> list[FakeGuild]:
        return [g for g in self._world.guilds.values() if shard_of(g.id, shard_count) == shard_id]

    def login_events(
        self, session_id: str, shard: tuple[int, int], guilds: list[FakeGuild]
    ) -> list[tuple[str, dict[str, Any]]]:
        """READY, then one GUILD_CREATE per guild: linear in guilds, members and channels."""
        world = self._world
        ready = {
            "v": 10,
            "user": {**world.bot_user.to_dict(), "verified": True, "mfa_enabled": False},
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session_id,
            "session_type": "normal",
            "resume_gateway_url": self._gateway_url(),
            "application": {"id": str(world.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "shard": list(shard),
        }
        return [("READY", ready)] + [("GUILD_CREATE", world.guild_payload(g)) for g in guilds]

    async def _identify(self, connection: _Connection, data: dict[str, Any]) -> None:
        if not data.get("token"):
            await connection.ws.close(code=CLOSE_AUTHENTICATION_FAILED)
            return
        shard = data.get("shard") or [0, 1]
        shard_id, shard_count = int(shard[0]), int(shard[1])
        if shard_count < 1 or not 0 <= shard_id < shard_count:
            await connection.ws.close(code=CLOSE_INVALID_SHARD)
            return
        guilds = self.guilds_on_shard(shard_id, shard_count)
        if len(guilds) > MAX_GUILDS_PER_SESSION:
            await connection.ws.close(code=CLOSE_SHARDING_REQUIRED)
            return
        if not self.identify_limit.admit(shard_id):
            await self._send_frame(connection.ws, {"op": 9, "d": False, "s": None, "t": None})
            return
        for old in [s for s in self._sessions.values() if s.shard_id == shard_id]:
            del self._sessions[old.session_id]
            if old.ws is not None and old.ws is not connection.ws and not old.ws.closed:
                await old.ws.close(code=4000)
        self.identify_count += 1
        session = _Session(
            secrets.token_hex(16),
            shard_id,
            shard_count,
            ws=connection.ws,
            request=connection.request,
            live=True,
        )
        self._sessions[session.session_id] = session
        connection.session = session
        for event, payload in self.login_events(
            session.session_id, (shard_id, shard_count), guilds
        ):
            await self._send_dispatch(session, event, payload)
        await self._flush_pending(session)

    async def _resume(self, connection: _Connection, data: dict[str, Any]) -> None:
        session = self._sessions.get(str(data.get("session_id")))
        if session is None:
            await self._send_frame(connection.ws, {"op": 9, "d": False, "s": None, "t": None})
            return
        if session.ws is not None and session.ws is not connection.ws and not session.ws.closed:
            await session.ws.close(code=4000)
        session.ws, session.request, session.live = connection.ws, connection.request, True
        connection.session = session
        self.resume_count += 1
        last_seen = data.get("seq") or 0
        for frame in [f for f in session.sent if f["s"] > last_seen]:
            await self._send_frame(session.ws, frame)
        await self._flush_pending(session)
        await self._send_dispatch(session, "RESUMED", {})

    async def _members_chunk(self, data: dict[str, Any]) -> None:
        guild = self._world.guilds.get(int(data.get("guild_id", 0)))
        if guild is None:
            return
        chunk = {
            "guild_id": str(guild.id),
            "members": [self._world.member(guild, m) for m in guild.members],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
        }
        if data.get("nonce"):
            chunk["nonce"] = data["nonce"]
        await self.dispatch("GUILD_MEMBERS_CHUNK", chunk)
