"""The fake's gateway: HELLO, IDENTIFY, RESUME with replay, heartbeats and dispatches."""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable
from typing import Any

from aiohttp import WSMsgType, web

from couplebot.fake_discord._state import World

log = logging.getLogger(__name__)

HEARTBEAT_INTERVAL_MS = 41250


class Gateway:
    """One gateway session; dispatches wait in a queue while no client is connected."""

    def __init__(self, world: World, gateway_url: Callable[[], str]) -> None:
        self._world = world
        self._gateway_url = gateway_url
        self._ws: web.WebSocketResponse | None = None
        self._ws_request: web.Request | None = None
        self.live = False
        self._session_id: str | None = None
        self._seq = 0
        self._sent: list[dict[str, Any]] = []
        self._pending: list[tuple[str, dict[str, Any]]] = []
        self.identify_count = 0
        self.resume_count = 0

    async def close(self) -> None:
        if self._ws is not None and not self._ws.closed:
            await self._ws.close(code=1001)

    async def drop(self) -> None:
        """Cut the socket without a close handshake; the client should RESUME."""
        ws, request = self._ws, self._ws_request
        self._ws = None
        self._ws_request = None
        self.live = False
        if request is not None and request.transport is not None:
            request.transport.abort()
        elif ws is not None:
            await ws.close(code=4000)

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send a dispatch event, or queue it until the client is (re)connected."""
        if self._ws is None or not self.live:
            self._pending.append((event, data))
            return
        await self._send_dispatch(event, data)

    async def _send_dispatch(self, event: str, data: dict[str, Any]) -> None:
        self._seq += 1
        frame = {"op": 0, "t": event, "s": self._seq, "d": data}
        self._sent.append(frame)
        await self._send_frame(frame)

    async def _send_frame(self, frame: dict[str, Any]) -> None:
        ws = self._ws
        if ws is None or ws.closed:
            return
        try:
            await ws.send_str(json.dumps(frame))
        except ConnectionError:
            log.debug("gateway send failed; frame %s stays in the replay log", frame.get("s"))

    async def _flush_pending(self) -> None:
        pending, self._pending = self._pending, []
        for event, data in pending:
            await self._send_dispatch(event, data)

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        if self._ws is not None and not self._ws.closed:
            await self._ws.close(code=4000)
        self._ws, self._ws_request, self.live = ws, request, False
        await ws.send_str(
            json.dumps(
                {"op": 10, "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS}, "s": None, "t": None}
            )
        )
        try:
            async for message in ws:
                if message.type is WSMsgType.TEXT:
                    await self._on_frame(json.loads(message.data))
        finally:
            if self._ws is ws:
                self._ws, self._ws_request, self.live = None, None, False
        return ws

    async def _on_frame(self, frame: dict[str, Any]) -> None:
        op = frame.get("op")
        data = frame.get("d")
        if op == 1:
            await self._send_frame({"op": 11, "d": None, "s": None, "t": None})
        elif op == 2:
            await self._identify(data or {})
        elif op == 6:
            await self._resume(data or {})
        elif op == 8:
            await self._members_chunk(data or {})

    async def _identify(self, data: dict[str, Any]) -> None:
        if not data.get("token"):
            if self._ws is not None:
                await self._ws.close(code=4004)
            return
        world = self._world
        self.identify_count += 1
        self._session_id = secrets.token_hex(16)
        self._seq = 0
        self._sent = []
        self.live = True
        ready = {
            "v": 10,
            "user": {**world.bot_user.to_dict(), "verified": True, "mfa_enabled": False},
            "guilds": [{"id": str(g.id), "unavailable": True} for g in world.guilds.values()],
            "session_id": self._session_id,
            "session_type": "normal",
            "resume_gateway_url": self._gateway_url(),
            "application": {"id": str(world.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "shard": data.get("shard") or [0, 1],
        }
        await self._send_dispatch("READY", ready)
        for guild in world.guilds.values():
            await self._send_dispatch("GUILD_CREATE", world.guild_payload(guild))
        await self._flush_pending()

    async def _resume(self, data: dict[str, Any]) -> None:
        if data.get("session_id") != self._session_id or self._session_id is None:
            await self._send_frame({"op": 9, "d": False, "s": None, "t": None})
            return
        self.resume_count += 1
        self.live = True
        last_seen = data.get("seq") or 0
        for frame in [f for f in self._sent if f["s"] > last_seen]:
            await self._send_frame(frame)
        await self._flush_pending()
        await self._send_dispatch("RESUMED", {})

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
