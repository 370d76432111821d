"""A local fake Discord (REST + gateway) that the real discord.py client can talk to."""

from __future__ import annotations

import asyncio
import copy
import fnmatch
import json
import logging
import math
import re
import secrets
import socket
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from aiohttp import BodyPartReader, WSMsgType, web

from couplebot.fake_discord._models import (
    EPHEMERAL_FLAG,
    LOADING_FLAG,
    FakeGuild,
    FakeInteraction,
    FakeUser,
    RecordedRequest,
    SnowflakeFactory,
    iso_now,
)
from couplebot.fake_discord._spec import (
    BodyError,
    SpecValidator,
    command_limit_errors,
    load_spec_validator,
    message_limit_errors,
    modal_limit_errors,
)

log = logging.getLogger(__name__)

SPEC_ENV_VAR = "COUPLEBOT_DISCORD_SPEC"
API_PREFIX = "/api/v10"
HEARTBEAT_INTERVAL_MS = 41250
# view, add reactions, send, embed links, attach files, read history, use app commands
MEMBER_PERMISSIONS = (
    (1 << 10) | (1 << 6) | (1 << 11) | (1 << 14) | (1 << 15) | (1 << 16) | (1 << 31)
)
_MENTION_RE = re.compile(r"<@!?(\d+)>")
_warned_spec_paths: set[str] = set()

SpecPath = Path | None | Literal["default"]


def default_spec_path() -> Path:
    """The spec in ../shared beside the checkout (COUPLEBOT_DISCORD_SPEC overrides it via
    Settings.discord_spec, which callers pass in as spec_path)."""
    return Path(__file__).resolve().parents[3] / "shared/discord-api-spec/openapi.json"


def _resolve_spec(spec_path: SpecPath) -> SpecValidator | None:
    if spec_path is None:
        return None
    path = default_spec_path() if spec_path == "default" else Path(spec_path)
    if not path.is_file():
        if str(path) not in _warned_spec_paths:
            _warned_spec_paths.add(str(path))
            log.warning(
                "Discord API spec not found at %s: fake Discord runs without validation", path
            )
        return None
    return load_spec_validator(path.resolve())


class _HttpError(Exception):
    def __init__(self, status: int, code: int, message: str, errors: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.body: dict[str, Any] = {"message": message, "code": code}
        if errors is not None:
            self.body["errors"] = errors


def _unknown(what: str, code: int) -> _HttpError:
    return _HttpError(404, code, f"Unknown {what}")


def _form_errors(errors: Sequence[BodyError]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for error in errors:
        node = tree
        for part in error.path:
            node = node.setdefault(str(part), {})
        node.setdefault("_errors", []).append(
            {"code": "BASE_TYPE_INVALID", "message": error.message}
        )
    return tree


@dataclass
class _Fault:
    method: str
    path_pattern: str
    status: int
    remaining: int
    retry_after: float
    is_global: bool

    def matches(self, method: str, path: str) -> bool:
        method_ok = self.method == "*" or self.method.upper() == method
        return method_ok and (
            path == self.path_pattern or fnmatch.fnmatchcase(path, self.path_pattern)
        )


@dataclass
class _Call:
    params: dict[str, str]
    query: Mapping[str, str]
    body: Any
    files: list[tuple[int, str, bytes, str]] = field(default_factory=list)


_Handler = Callable[[_Call], Awaitable[tuple[int, Any]]]
# Which Discord-limit check applies to a route's body.
_LimitKind = Literal["none", "message", "commands", "callback"]


class FakeDiscord:
    """Plays Discord's gateway and REST API on 127.0.0.1 for the real discord.py client."""

    def __init__(self, *, spec_path: SpecPath = "default") -> None:
        self._ids = SnowflakeFactory()
        self._spec = _resolve_spec(spec_path)
        self.token = "fake-bot-token"  # noqa: S105 - not a secret
        self.application_id = self._ids.next()
        self.bot_user = FakeUser(self._ids.next(), "couplebot", bot=True)
        self.users: dict[int, FakeUser] = {self.bot_user.id: self.bot_user}
        self.guilds: dict[int, FakeGuild] = {}
        self.channels: dict[int, dict[str, Any]] = {}
        self.global_commands: list[dict[str, Any]] = []
        self.guild_commands: dict[int, list[dict[str, Any]]] = {}
        self.interactions: dict[int, FakeInteraction] = {}
        self.violations: list[str] = []
        self.requests: list[RecordedRequest] = []
        self.nonce_window_seconds = 300.0
        self._channel_messages: dict[int, list[dict[str, Any]]] = {}
        self._messages_by_id: dict[int, dict[str, Any]] = {}
        self._attachment_data: dict[int, bytes] = {}
        self._dm_channel_by_user: dict[int, int] = {}
        self._nonces: dict[tuple[int, str], tuple[int, float]] = {}
        self._faults: list[_Fault] = []
        self._routes: list[tuple[str, re.Pattern[str], _Handler, _LimitKind, bool]] = []
        self._register_routes()
        # Gateway session state.
        self._ws: web.WebSocketResponse | None = None
        self._ws_request: web.Request | None = None
        self._live = False
        self._session_id: str | None = None
        self._seq = 0
        self._sent: list[dict[str, Any]] = []
        self._pending: list[tuple[str, dict[str, Any]]] = []
        self.identify_count = 0
        self.resume_count = 0
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._background: set[asyncio.Task[None]] = set()

    # Lifecycle

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get("/attachments/{attachment_id}/{filename}", self._attachment)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, shutdown_timeout=0.5, access_log=None)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self._port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()

    async def close(self) -> None:
        if self._ws is not None and not self._ws.closed:
            await self._ws.close(code=1001)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    @property
    def api_base(self) -> str:
        return self.base_url + API_PREFIX

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self._port}/gateway"

    @property
    def validating(self) -> bool:
        return self._spec is not None

    # World setup

    def add_user(self, name: str, *, bot: bool = False) -> FakeUser:
        user = FakeUser(self._ids.next(), name, bot=bot)
        self.users[user.id] = user
        return user

    def add_guild(
        self, name: str, members: Sequence[FakeUser], channel_name: str = "us"
    ) -> FakeGuild:
        guild_id = self._ids.next()
        channel_id = self._ids.next()
        everyone = [self.bot_user] + [m for m in members if m.id != self.bot_user.id]
        for member in everyone:
            self.users[member.id] = member
        guild = FakeGuild(guild_id, name, channel_id, everyone)
        self.guilds[guild_id] = guild
        self.channels[channel_id] = {
            "id": str(channel_id),
            "type": 0,
            "guild_id": str(guild_id),
            "name": channel_name,
            "position": 0,
            "permission_overwrites": [],
            "topic": None,
            "nsfw": False,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "parent_id": None,
            "flags": 0,
        }
        self._channel_messages[channel_id] = []
        if self._live:
            task = asyncio.get_running_loop().create_task(
                self.dispatch("GUILD_CREATE", self._guild_payload(guild))
            )
            self._background.add(task)
            task.add_done_callback(self._background.discard)
        return guild

    # Inspection

    @property
    def commands(self) -> list[dict[str, Any]]:
        """Every registered command: global ones, then per-guild ones (with guild_id)."""
        found = list(self.global_commands)
        for guild_commands in self.guild_commands.values():
            found.extend(guild_commands)
        return copy.deepcopy(found)

    def channel_messages(self, channel_id: int) -> list[dict[str, Any]]:
        return copy.deepcopy(self._channel_messages.get(channel_id, []))

    def dm_messages(self, user_id: int) -> list[dict[str, Any]]:
        channel_id = self._dm_channel_by_user.get(user_id)
        if channel_id is None:
            return []
        return [
            m
            for m in self.channel_messages(channel_id)
            if m["author"]["id"] == str(self.bot_user.id)
        ]

    def message(self, message_id: int | str) -> dict[str, Any]:
        """Current state of any message, ephemeral ones included."""
        return copy.deepcopy(self._messages_by_id[int(message_id)])

    def attachments(self, message: Mapping[str, Any]) -> list[tuple[str, bytes]]:
        """(filename, content) of each file attached to the message's current state."""
        current = self._messages_by_id.get(int(message["id"]), message)
        return [
            (a["filename"], self._attachment_data[int(a["id"])]) for a in current["attachments"]
        ]

    def dm_channel_id(self, user: FakeUser) -> int:
        return int(self._dm_channel(user.id)["id"])

    async def wait_until(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while not predicate():
            if asyncio.get_running_loop().time() >= deadline:
                recent = "\n  ".join(
                    f"{r.method} {r.path} -> {r.status}" for r in self.requests[-8:]
                )
                raise AssertionError(
                    f"condition {getattr(predicate, '__qualname__', predicate)!r} not met "
                    f"within {timeout}s\nlast requests:\n  {recent or '(none)'}\n"
                    f"violations: {self.violations}"
                )
            await asyncio.sleep(0.005)

    # Faults

    def stall_next(self, method: str, path_pattern: str, *, seconds: float, times: int = 1) -> None:
        """Carry out the next matching request but answer only after `seconds`: a send
        that happened although the client timed out waiting for it."""
        self._faults.append(_Fault(method, path_pattern, 0, times, seconds, False))

    def clear_faults(self) -> None:
        """Stop injecting faults that fail_next set up and have not fired yet."""
        self._faults.clear()

    def fail_next(
        self,
        method: str,
        path_pattern: str,
        *,
        status: int,
        times: int = 1,
        retry_after: float = 0.05,
        is_global: bool = False,
    ) -> None:
        """Answer the next `times` matching REST calls with `status`.

        path_pattern is relative to the API base and may use glob wildcards,
        e.g. "/channels/*/messages"; method "*" matches any method.
        """
        self._faults.append(_Fault(method, path_pattern, status, times, retry_after, is_global))

    async def drop_gateway(self) -> None:
        """Cut the gateway socket without a close handshake; the client should RESUME."""
        ws, request = self._ws, self._ws_request
        self._ws = None
        self._ws_request = None
        self._live = False
        if request is not None and request.transport is not None:
            request.transport.abort()
        elif ws is not None:
            await ws.close(code=4000)

    # Gateway

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send a dispatch event, or queue it until the client is (re)connected."""
        if self._ws is None or not self._live:
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

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        if self._ws is not None and not self._ws.closed:
            await self._ws.close(code=4000)
        self._ws, self._ws_request, self._live = ws, request, False
        await ws.send_str(
            json.dumps(
                {"op": 10, "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS}, "s": None, "t": None}
            )
        )
        try:
            async for message in ws:
                if message.type is WSMsgType.TEXT:
                    await self._on_gateway_frame(json.loads(message.data))
        finally:
            if self._ws is ws:
                self._ws, self._ws_request, self._live = None, None, False
        return ws

    async def _on_gateway_frame(self, frame: dict[str, Any]) -> None:
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
        self.identify_count += 1
        self._session_id = secrets.token_hex(16)
        self._seq = 0
        self._sent = []
        self._live = True
        ready = {
            "v": 10,
            "user": {**self.bot_user.to_dict(), "verified": True, "mfa_enabled": False},
            "guilds": [{"id": str(g.id), "unavailable": True} for g in self.guilds.values()],
            "session_id": self._session_id,
            "session_type": "normal",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(self.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "shard": data.get("shard") or [0, 1],
        }
        await self._send_dispatch("READY", ready)
        for guild in self.guilds.values():
            await self._send_dispatch("GUILD_CREATE", self._guild_payload(guild))
        await self._flush_pending()

    async def _resume(self, data: dict[str, Any]) -> None:
        if data.get("session_id") != self._session_id or self._session_id is None:
            await self._send_frame({"op": 9, "d": False, "s": None, "t": None})
            return
        self.resume_count += 1
        self._live = True
        last_seen = data.get("seq") or 0
        for frame in [f for f in self._sent if f["s"] > last_seen]:
            await self._send_frame(frame)
        await self._flush_pending()
        await self._send_dispatch("RESUMED", {})

    async def _members_chunk(self, data: dict[str, Any]) -> None:
        guild = self.guilds.get(int(data.get("guild_id", 0)))
        if guild is None:
            return
        chunk = {
            "guild_id": str(guild.id),
            "members": [self._member(guild, m) for m in guild.members],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
        }
        if data.get("nonce"):
            chunk["nonce"] = data["nonce"]
        await self.dispatch("GUILD_MEMBERS_CHUNK", chunk)

    def _member(
        self, guild: FakeGuild, user: FakeUser, *, with_user: bool = True
    ) -> dict[str, Any]:
        member: dict[str, Any] = {
            "nick": None,
            "avatar": None,
            "roles": [],
            "joined_at": guild.joined_at,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
            "communication_disabled_until": None,
        }
        if with_user:
            member["user"] = user.to_dict()
        return member

    def _guild_payload(self, guild: FakeGuild) -> dict[str, Any]:
        everyone_role = {
            "id": str(guild.id),
            "name": "@everyone",
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": 0,
            "permissions": str(MEMBER_PERMISSIONS),
            "managed": False,
            "mentionable": False,
            "flags": 0,
        }
        return {
            "id": str(guild.id),
            "name": guild.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(guild.members[-1].id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "preferred_locale": "en-US",
            "features": [],
            "application_id": None,
            "system_channel_id": str(guild.channel_id),
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "vanity_url_code": None,
            "max_members": 500000,
            "joined_at": guild.joined_at,
            "large": False,
            "unavailable": False,
            "member_count": len(guild.members),
            "roles": [everyone_role],
            "emojis": [],
            "stickers": [],
            "members": [self._member(guild, m) for m in guild.members],
            "channels": [
                {k: v for k, v in c.items() if k != "guild_id"}
                for c in self.channels.values()
                if c.get("guild_id") == str(guild.id)
            ],
            "threads": [],
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }

    def _dm_channel(self, user_id: int) -> dict[str, Any]:
        channel_id = self._dm_channel_by_user.get(user_id)
        if channel_id is None:
            channel_id = self._ids.next()
            self._dm_channel_by_user[user_id] = channel_id
            self.channels[channel_id] = {
                "id": str(channel_id),
                "type": 1,
                "last_message_id": None,
                "flags": 0,
                "recipients": [self.users[user_id].to_dict()],
            }
            self._channel_messages[channel_id] = []
        return self.channels[channel_id]

    # Interaction injection

    async def slash(
        self,
        user: FakeUser,
        command: str,
        options: Mapping[str, Any] | None = None,
        *,
        guild: FakeGuild | None,
        channel_id: int | None = None,
    ) -> FakeInteraction:
        data = self._command_data(command, options or {}, guild, focused=None)
        return await self._inject(user, guild, channel_id, 2, data)

    async def autocomplete(
        self,
        user: FakeUser,
        command: str,
        options: Mapping[str, Any],
        focused: str,
        *,
        guild: FakeGuild | None,
        timeout: float = 5.0,
    ) -> list[dict[str, Any]]:
        data = self._command_data(command, options, guild, focused=focused)
        interaction = await self._inject(user, guild, None, 4, data)
        response = await interaction.wait_response(timeout)
        if response.get("type") != 8:
            raise AssertionError(f"bot answered autocomplete with {response!r}")
        choices: list[dict[str, Any]] = response.get("data", {}).get("choices", [])
        return choices

    async def click(
        self,
        user: FakeUser,
        message: Mapping[str, Any],
        custom_id: str,
        *,
        guild: FakeGuild | None,
    ) -> FakeInteraction:
        current, component = self._find_component(message, custom_id)
        if component["type"] != 2:
            raise ValueError(f"{custom_id!r} is a type {component['type']} component, not a button")
        data = {"custom_id": custom_id, "component_type": 2}
        return await self._inject_component(user, guild, current, data)

    async def select(
        self,
        user: FakeUser,
        message: Mapping[str, Any],
        custom_id: str,
        values: Sequence[str],
        *,
        guild: FakeGuild | None,
    ) -> FakeInteraction:
        current, component = self._find_component(message, custom_id)
        if component["type"] != 3:
            raise ValueError(f"{custom_id!r} is not a string select")
        allowed = {o["value"] for o in component.get("options", [])}
        unknown = [v for v in values if v not in allowed]
        if unknown:
            raise ValueError(f"{unknown} are not options of {custom_id!r}: {sorted(allowed)}")
        data = {"custom_id": custom_id, "component_type": 3, "values": list(values)}
        return await self._inject_component(user, guild, current, data)

    async def submit_modal(
        self,
        user: FakeUser,
        modal_from: FakeInteraction,
        values: Mapping[str, str],
        *,
        guild: FakeGuild | None,
    ) -> FakeInteraction:
        modal = modal_from.modal
        if modal is None:
            raise ValueError(f"interaction {modal_from.id} was not answered with a modal")
        used: set[str] = set()
        components = [
            submitted
            for top in modal.get("components", [])
            if (submitted := self._submitted_component(top, values, used)) is not None
        ]
        unknown = set(values) - used
        if unknown:
            raise ValueError(f"modal {modal['custom_id']!r} has no inputs {sorted(unknown)}")
        data = {"custom_id": modal["custom_id"], "components": components}
        source = modal_from.payload.get("message")
        current = self._messages_by_id.get(int(source["id"])) if source else None
        return await self._inject(
            user, guild, modal_from.channel_id, 5, data, message=copy.deepcopy(current)
        )

    def _submitted_component(
        self, component: dict[str, Any], values: Mapping[str, str], used: set[str]
    ) -> dict[str, Any] | None:
        kind = component.get("type")
        result: dict[str, Any] = {"type": kind}
        if "id" in component:
            result["id"] = component["id"]
        if kind == 1:
            result["components"] = [
                s
                for c in component.get("components", [])
                if (s := self._submitted_component(c, values, used)) is not None
            ]
            return result
        if kind == 18:
            inner = self._submitted_component(component["component"], values, used)
            if inner is None:
                return None
            result["component"] = inner
            return result
        custom_id = component.get("custom_id")
        if kind == 4 and custom_id is not None:
            value = values.get(custom_id, component.get("value") or "")
            used.add(custom_id)
            if component.get("required", True) and not value:
                raise ValueError(f"text input {custom_id!r} is required")
            if value and not (
                component.get("min_length", 0) <= len(value) <= component.get("max_length", 4000)
            ):
                raise ValueError(f"text input {custom_id!r}: length {len(value)} out of bounds")
            result.update(custom_id=custom_id, value=value)
            return result
        if kind == 3 and custom_id is not None:
            chosen = [values[custom_id]] if custom_id in values else []
            used.add(custom_id)
            result.update(custom_id=custom_id, values=chosen)
            return result
        if kind == 10 and "id" in component:
            return result
        return None

    def _find_component(
        self, message: Mapping[str, Any], custom_id: str
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        current = self._messages_by_id.get(int(message["id"]))
        if current is None:
            raise ValueError(f"message {message['id']} is not known to the fake")

        def walk(components: list[dict[str, Any]]) -> dict[str, Any] | None:
            for component in components:
                if component.get("custom_id") == custom_id:
                    return component
                for key in ("components",):
                    found = walk(component.get(key) or [])
                    if found is not None:
                        return found
                accessory = component.get("accessory")
                if accessory is not None and accessory.get("custom_id") == custom_id:
                    return dict(accessory)
            return None

        component = walk(current.get("components") or [])
        if component is None:
            raise ValueError(f"message {message['id']} has no component {custom_id!r}")
        if component.get("disabled"):
            raise ValueError(f"component {custom_id!r} is disabled")
        return current, component

    async def forge(
        self,
        user: FakeUser,
        kind: int,
        data: dict[str, Any],
        *,
        guild: FakeGuild | None,
        message: Mapping[str, Any] | None = None,
    ) -> FakeInteraction:
        """Inject an interaction with `data` exactly as given, unchecked: for tests of
        forged, stale or malformed payloads (3 = component, 5 = modal submit)."""
        channel_id = int(message["channel_id"]) if message else None
        copied = copy.deepcopy(dict(message)) if message else None
        return await self._inject(user, guild, channel_id, kind, data, message=copied)

    async def _inject_component(
        self,
        user: FakeUser,
        guild: FakeGuild | None,
        message: dict[str, Any],
        data: dict[str, Any],
    ) -> FakeInteraction:
        channel_id = int(message["channel_id"])
        return await self._inject(user, guild, channel_id, 3, data, message=copy.deepcopy(message))

    def _find_command(self, name: str, guild: FakeGuild | None) -> dict[str, Any]:
        candidates = list(self.guild_commands.get(guild.id, [])) if guild else []
        candidates += self.global_commands
        for registered in candidates:
            if registered["name"] == name and registered.get("type", 1) == 1:
                return registered
        known = sorted(c["name"] for c in candidates)
        raise ValueError(f"no registered slash command {name!r}; registered: {known}")

    def _command_data(
        self,
        command: str,
        options: Mapping[str, Any],
        guild: FakeGuild | None,
        focused: str | None,
    ) -> dict[str, Any]:
        root, *path = command.split()
        registered = self._find_command(root, guild)
        data: dict[str, Any] = {"id": registered["id"], "name": root, "type": 1}
        if registered.get("guild_id"):
            data["guild_id"] = registered["guild_id"]
        container = data
        definitions: list[dict[str, Any]] = registered.get("options") or []
        for part in path:
            sub = next((o for o in definitions if o["name"] == part and o["type"] in (1, 2)), None)
            if sub is None:
                raise ValueError(f"/{command}: no subcommand {part!r}")
            node: dict[str, Any] = {"name": part, "type": sub["type"], "options": []}
            container["options"] = [node]
            container = node
            definitions = sub.get("options") or []
        resolved: dict[str, dict[str, Any]] = {}
        built = []
        for name, value in options.items():
            definition = next((o for o in definitions if o["name"] == name), None)
            if definition is None:
                names = [o["name"] for o in definitions]
                raise ValueError(f"/{command} has no option {name!r}; options: {names}")
            built.append(self._option(definition, value, resolved, guild, name == focused))
        if focused is None:
            missing = [
                o["name"] for o in definitions if o.get("required") and o["name"] not in options
            ]
            if missing:
                raise ValueError(f"/{command}: missing required options {missing}")
        container["options"] = built
        if resolved:
            data["resolved"] = resolved
        return data

    def _option(
        self,
        definition: dict[str, Any],
        value: Any,
        resolved: dict[str, dict[str, Any]],
        guild: FakeGuild | None,
        focused: bool,
    ) -> dict[str, Any]:
        kind = definition["type"]
        option: dict[str, Any] = {"name": definition["name"], "type": kind}
        if focused:
            option.update(value=str(value), focused=True)
            return option
        if kind == 6:
            user = value if isinstance(value, FakeUser) else self.users[int(value)]
            resolved.setdefault("users", {})[str(user.id)] = user.to_dict()
            if guild is not None and any(m.id == user.id for m in guild.members):
                member = self._member(guild, user, with_user=False)
                member["permissions"] = str(MEMBER_PERMISSIONS)
                resolved.setdefault("members", {})[str(user.id)] = member
            option["value"] = str(user.id)
        elif kind == 7:
            channel = self.channels[int(value)]
            resolved.setdefault("channels", {})[channel["id"]] = {
                "id": channel["id"],
                "name": channel.get("name"),
                "type": channel["type"],
                "permissions": str(MEMBER_PERMISSIONS),
            }
            option["value"] = channel["id"]
        elif kind in (8, 9):
            option["value"] = str(value)
        else:
            choices = definition.get("choices")
            if choices and value not in [c["value"] for c in choices]:
                raise ValueError(f"option {definition['name']!r}: {value!r} is not a choice")
            option["value"] = value
        return option

    async def _inject(
        self,
        user: FakeUser,
        guild: FakeGuild | None,
        channel_id: int | None,
        kind: int,
        data: dict[str, Any],
        *,
        message: dict[str, Any] | None = None,
    ) -> FakeInteraction:
        interaction_id = self._ids.next()
        token = f"fake-interaction-{secrets.token_hex(24)}"
        payload: dict[str, Any] = {
            "id": str(interaction_id),
            "application_id": str(self.application_id),
            "type": kind,
            "data": data,
            "token": token,
            "version": 1,
            "app_permissions": str(MEMBER_PERMISSIONS),
            "locale": "en-US",
            "entitlements": [],
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if guild is not None:
            if not any(m.id == user.id for m in guild.members):
                raise ValueError(f"{user.name} is not a member of {guild.name}")
            channel = self.channels[channel_id or guild.channel_id]
            member = self._member(guild, user)
            member["permissions"] = str(MEMBER_PERMISSIONS)
            payload.update(
                guild_id=str(guild.id),
                guild={"id": str(guild.id), "locale": "en-US", "features": []},
                guild_locale="en-US",
                member=member,
                authorizing_integration_owners={"0": str(guild.id)},
                context=0,
            )
        else:
            channel = self.channels[channel_id] if channel_id else self._dm_channel(user.id)
            payload.update(
                user=user.to_dict(),
                authorizing_integration_owners={"0": "0"},
                context=1,
            )
        payload["channel_id"] = channel["id"]
        payload["channel"] = copy.deepcopy(channel)
        if message is not None:
            payload["message"] = message
        interaction = FakeInteraction(
            id=interaction_id,
            token=token,
            user=user,
            type=kind,
            channel_id=int(channel["id"]),
            guild_id=guild.id if guild else None,
            payload=payload,
        )
        self.interactions[interaction_id] = interaction
        await self.dispatch("INTERACTION_CREATE", payload)
        return interaction

    # REST plumbing

    def _route(
        self,
        method: str,
        template: str,
        handler: _Handler,
        limits: _LimitKind = "none",
        *,
        auth: bool = True,
    ) -> None:
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template)
        self._routes.append((method, re.compile(f"^{regex}$"), handler, limits, auth))

    def _register_routes(self) -> None:
        r = self._route
        r("GET", "/oauth2/applications/@me", self._get_application)
        r("GET", "/applications/@me", self._get_application)
        r("GET", "/users/@me", self._get_me)
        r("GET", "/users/{user_id}", self._get_user)
        r("POST", "/users/@me/channels", self._create_dm)
        r("GET", "/gateway", self._get_gateway)
        r("GET", "/gateway/bot", self._get_gateway)
        for base in ("/applications/{app}/commands", "/applications/{app}/guilds/{guild}/commands"):
            r("PUT", base, self._put_commands, "commands")
            r("GET", base, self._get_commands)
            r("GET", base + "/{command_id}", self._get_command)
            r("DELETE", base + "/{command_id}", self._delete_command)
        r("GET", "/guilds/{guild}", self._get_guild)
        r("GET", "/guilds/{guild}/channels", self._get_guild_channels)
        r("GET", "/guilds/{guild}/members/{user_id}", self._get_member)
        r("GET", "/channels/{channel}", self._get_channel)
        r("POST", "/channels/{channel}/typing", self._typing)
        r("GET", "/channels/{channel}/messages", self._list_messages)
        r("POST", "/channels/{channel}/messages", self._post_message, "message")
        r("GET", "/channels/{channel}/messages/{message}", self._get_message)
        r("PATCH", "/channels/{channel}/messages/{message}", self._patch_message, "message")
        r("DELETE", "/channels/{channel}/messages/{message}", self._delete_message)
        r(
            "POST",
            "/interactions/{interaction}/{token}/callback",
            self._callback,
            "callback",
            auth=False,
        )
        r("POST", "/webhooks/{app}/{token}", self._followup, "message", auth=False)
        hook_message = "/webhooks/{app}/{token}/messages/{message}"
        r("GET", hook_message, self._get_hook_message, auth=False)
        r("PATCH", hook_message, self._patch_hook_message, "message", auth=False)
        r("DELETE", hook_message, self._delete_hook_message, auth=False)

    async def _read_body(
        self, request: web.Request
    ) -> tuple[Any, list[tuple[int, str, bytes, str]]]:
        files: list[tuple[int, str, bytes, str]] = []
        if request.content_type == "multipart/form-data":
            body: Any = None
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if not isinstance(part, BodyPartReader):
                    continue
                name = part.name or ""
                content = await part.read()
                if name == "payload_json":
                    body = self._parse_json(bytes(content))
                elif match := re.fullmatch(r"files\[(\d+)\]", name):
                    files.append(
                        (
                            int(match.group(1)),
                            part.filename or "file",
                            bytes(content),
                            part.headers.get("Content-Type", "application/octet-stream"),
                        )
                    )
            return body, files
        raw = await request.read()
        if not raw:
            return None, files
        return self._parse_json(raw), files

    @staticmethod
    def _parse_json(raw: bytes) -> Any:
        try:
            return json.loads(raw)
        except ValueError as exc:
            raise _HttpError(400, 50109, "The request body contains invalid JSON.") from exc

    def _validation_errors(
        self, method: str, path: str, body: Any, limits: _LimitKind
    ) -> list[BodyError]:
        errors: list[BodyError] = []
        if self._spec is not None:
            operation = self._spec.find_operation(method, path)
            if operation is None:
                return [BodyError((), f"{method} {path} is not an operation in the spec")]
            _, pointer = operation
            if pointer is not None and body is not None:
                errors.extend(self._spec.validate(pointer, body))
            elif pointer is None and body is not None:
                errors.append(BodyError((), "this operation takes no JSON body"))
        if limits == "message":
            errors.extend(message_limit_errors(body))
        elif limits == "commands" and isinstance(body, list):
            for index, command in enumerate(body):
                errors.extend(command_limit_errors(command, (index,)))
        elif limits == "callback" and isinstance(body, dict):
            if body.get("type") in (4, 7):
                errors.extend(message_limit_errors(body.get("data"), ("data",)))
            elif body.get("type") == 9:
                errors.extend(modal_limit_errors(body.get("data"), ("data",)))
        return errors

    def _take_fault(self, method: str, path: str) -> _Fault | None:
        for fault in self._faults:
            if fault.remaining > 0 and fault.matches(method, path):
                fault.remaining -= 1
                if fault.remaining == 0:
                    self._faults.remove(fault)
                return fault
        return None

    @staticmethod
    def _json(status: int, payload: Any, headers: Mapping[str, str] | None = None) -> web.Response:
        if status == 204 or payload is None:
            return web.Response(status=204, headers=headers)
        return web.Response(
            status=status,
            body=json.dumps(payload).encode(),
            headers={**(headers or {}), "Content-Type": "application/json"},
        )

    def _fault_response(self, fault: _Fault) -> web.Response:
        if fault.status == 429:
            headers = {
                "Via": "1.1 google",
                "Retry-After": str(math.ceil(fault.retry_after)),
                "X-RateLimit-Scope": "global" if fault.is_global else "user",
            }
            if fault.is_global:
                headers["X-RateLimit-Global"] = "true"
            body = {
                "message": "You are being rate limited.",
                "retry_after": fault.retry_after,
                "global": fault.is_global,
            }
            return self._json(429, body, headers)
        return self._json(fault.status, {"message": f"{fault.status}: Fault injected", "code": 0})

    async def _rest(self, request: web.Request) -> web.Response:
        method = request.method
        path = "/" + request.match_info["tail"]
        query = dict(request.query)
        body: Any = None
        files: list[tuple[int, str, bytes, str]] = []
        try:
            body, files = await self._read_body(request)
            fault = self._take_fault(method, path)
            if fault is not None and fault.status == 0:
                status, payload = await self._handle(
                    request, method=method, path=path, query=query, body=body, files=files
                )
                response = self._json(status, payload)
                await asyncio.sleep(fault.retry_after)
            elif fault is not None:
                response = self._fault_response(fault)
            else:
                status, payload = await self._handle(
                    request, method=method, path=path, query=query, body=body, files=files
                )
                response = self._json(status, payload)
        except _HttpError as error:
            response = self._json(error.status, error.body)
        self.requests.append(
            RecordedRequest(
                method=method,
                path=path,
                json=body,
                query=query,
                status=response.status,
                files=tuple((name, data) for _, name, data, _ in files),
            )
        )
        return response

    async def _handle(
        self,
        request: web.Request,
        *,
        method: str,
        path: str,
        query: Mapping[str, str],
        body: Any,
        files: list[tuple[int, str, bytes, str]],
    ) -> tuple[int, Any]:
        for route_method, pattern, handler, limits, auth in self._routes:
            match = pattern.match(path)
            if route_method != method or match is None:
                continue
            if auth and not request.headers.get("Authorization", "").removeprefix("Bot ").strip():
                raise _HttpError(401, 0, "401: Unauthorized")
            errors = self._validation_errors(method, path, body, limits)
            if errors:
                self.violations.append(f"{method} {path}: " + "; ".join(map(str, errors)))
                raise _HttpError(400, 50035, "Invalid Form Body", _form_errors(errors))
            return await handler(_Call(match.groupdict(), query, body, files))
        self.violations.append(f"{method} {path}: route not implemented by the fake")
        raise _HttpError(404, 0, "404: Not Found")

    async def _attachment(self, request: web.Request) -> web.Response:
        data = self._attachment_data.get(int(request.match_info["attachment_id"]))
        if data is None:
            raise web.HTTPNotFound()
        return web.Response(body=data, content_type="application/octet-stream")

    # REST handlers: identity

    async def _get_application(self, call: _Call) -> tuple[int, Any]:
        return 200, {
            "id": str(self.application_id),
            "name": self.bot_user.name,
            "icon": None,
            "description": "",
            "summary": "",
            "type": None,
            "bot_public": False,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "flags": 0,
            "owner": self.bot_user.to_dict(),
            "team": None,
            "bot": self.bot_user.to_dict(),
        }

    async def _get_me(self, call: _Call) -> tuple[int, Any]:
        return 200, {**self.bot_user.to_dict(), "verified": True, "mfa_enabled": False}

    async def _get_user(self, call: _Call) -> tuple[int, Any]:
        user = self.users.get(int(call.params["user_id"]))
        if user is None:
            raise _unknown("User", 10013)
        return 200, user.to_dict()

    async def _get_gateway(self, call: _Call) -> tuple[int, Any]:
        return 200, {
            "url": self.gateway_url,
            "shards": 1,
            "session_start_limit": {
                "total": 1000,
                "remaining": 1000,
                "reset_after": 0,
                "max_concurrency": 1,
            },
        }

    async def _create_dm(self, call: _Call) -> tuple[int, Any]:
        user_id = int(call.body["recipient_id"])
        if user_id not in self.users:
            raise _unknown("User", 10013)
        return 200, copy.deepcopy(self._dm_channel(user_id))

    # REST handlers: application commands

    def _command_list(self, call: _Call) -> list[dict[str, Any]]:
        if int(call.params["app"]) != self.application_id:
            raise _unknown("Application", 10002)
        guild = call.params.get("guild")
        if guild is None:
            return self.global_commands
        if int(guild) not in self.guilds:
            raise _HttpError(403, 50001, "Missing Access")
        return self.guild_commands.setdefault(int(guild), [])

    async def _put_commands(self, call: _Call) -> tuple[int, Any]:
        current = self._command_list(call)
        existing = {(c["name"], c.get("type", 1)): c["id"] for c in current}
        guild = call.params.get("guild")
        stored = []
        for command in call.body or []:
            kind = command.get("type") or 1
            entry = {
                "name_localizations": None,
                "description_localizations": None,
                "options": [],
                "default_member_permissions": None,
                "nsfw": False,
                "contexts": None,
                "integration_types": [0],
                **command,
                "type": kind,
                "id": existing.get((command["name"], kind)) or str(self._ids.next()),
                "application_id": str(self.application_id),
                "version": str(self._ids.next()),
            }
            if guild is not None:
                entry["guild_id"] = guild
            stored.append(entry)
        current[:] = stored
        return 200, copy.deepcopy(stored)

    async def _get_commands(self, call: _Call) -> tuple[int, Any]:
        return 200, copy.deepcopy(self._command_list(call))

    def _command(self, call: _Call) -> dict[str, Any]:
        for command in self._command_list(call):
            if command["id"] == call.params["command_id"]:
                return command
        raise _unknown("application command", 10063)

    async def _get_command(self, call: _Call) -> tuple[int, Any]:
        return 200, copy.deepcopy(self._command(call))

    async def _delete_command(self, call: _Call) -> tuple[int, Any]:
        command = self._command(call)
        self._command_list(call).remove(command)
        return 204, None

    # REST handlers: guilds and channels

    def _guild(self, call: _Call) -> FakeGuild:
        guild = self.guilds.get(int(call.params["guild"]))
        if guild is None:
            raise _unknown("Guild", 10004)
        return guild

    async def _get_guild(self, call: _Call) -> tuple[int, Any]:
        payload = self._guild_payload(self._guild(call))
        for key in ("members", "channels", "threads", "presences", "voice_states", "joined_at"):
            payload.pop(key, None)
        return 200, payload

    async def _get_guild_channels(self, call: _Call) -> tuple[int, Any]:
        guild = self._guild(call)
        return 200, [
            copy.deepcopy(c) for c in self.channels.values() if c.get("guild_id") == str(guild.id)
        ]

    async def _get_member(self, call: _Call) -> tuple[int, Any]:
        guild = self._guild(call)
        user_id = int(call.params["user_id"])
        for member in guild.members:
            if member.id == user_id:
                return 200, self._member(guild, member)
        raise _unknown("Member", 10007)

    def _channel(self, call: _Call) -> dict[str, Any]:
        channel = self.channels.get(int(call.params["channel"]))
        if channel is None:
            raise _unknown("Channel", 10003)
        return channel

    async def _get_channel(self, call: _Call) -> tuple[int, Any]:
        return 200, copy.deepcopy(self._channel(call))

    async def _typing(self, call: _Call) -> tuple[int, Any]:
        self._channel(call)
        return 204, None

    # REST handlers: messages

    def _mentions(self, body: Mapping[str, Any], content: str) -> tuple[list[dict[str, Any]], bool]:
        allowed = body.get("allowed_mentions")
        parse = None if allowed is None else (allowed.get("parse") or [])
        users = [
            self.users[int(uid)].to_dict()
            for uid in dict.fromkeys(_MENTION_RE.findall(content))
            if int(uid) in self.users
        ]
        everyone = "@everyone" in content and (parse is None or "everyone" in parse)
        return users, everyone

    def _store_attachments(
        self,
        body: Mapping[str, Any],
        files: list[tuple[int, str, bytes, str]],
        existing: list[dict[str, Any]],
    ) -> list[dict[str, Any]]:
        by_index = {index: (name, data, ctype) for index, name, data, ctype in files}
        declared = body.get("attachments")
        if declared is None:
            declared = [{"id": index} for index in by_index] if files else None
        if declared is None:
            return existing
        kept = {a["id"]: a for a in existing}
        result = []
        for item in declared:
            ref = str(item.get("id"))
            if ref in kept:
                result.append(kept[ref])
                continue
            if not ref.isdigit() or int(ref) not in by_index:
                raise _HttpError(
                    400,
                    50035,
                    "Invalid Form Body",
                    {
                        "attachments": {
                            "_errors": [
                                {"code": "ATTACHMENT_NOT_FOUND", "message": f"no file {ref}"}
                            ]
                        }
                    },
                )
            name, data, ctype = by_index[int(ref)]
            attachment_id = self._ids.next()
            self._attachment_data[attachment_id] = data
            url = f"{self.base_url}/attachments/{attachment_id}/{item.get('filename') or name}"
            result.append(
                {
                    "id": str(attachment_id),
                    "filename": item.get("filename") or name,
                    "size": len(data),
                    "url": url,
                    "proxy_url": url,
                    "content_type": ctype,
                    **({"description": item["description"]} if item.get("description") else {}),
                }
            )
        return result

    def _new_message(
        self,
        channel_id: int,
        body: Mapping[str, Any],
        files: list[tuple[int, str, bytes, str]],
        *,
        message_type: int = 0,
        interaction: FakeInteraction | None = None,
        stored: bool = True,
    ) -> dict[str, Any]:
        content = body.get("content") or ""
        mentions, everyone = self._mentions(body, content)
        message_id = self._ids.next()
        message: dict[str, Any] = {
            "id": str(message_id),
            "channel_id": str(channel_id),
            "author": self.bot_user.to_dict(),
            "content": content,
            "timestamp": iso_now(),
            "edited_timestamp": None,
            "tts": bool(body.get("tts")),
            "mention_everyone": everyone,
            "mentions": mentions,
            "mention_roles": [],
            "attachments": self._store_attachments(body, files, []),
            "embeds": [{"type": "rich", **e} for e in body.get("embeds") or []],
            "components": copy.deepcopy(body.get("components") or []),
            "pinned": False,
            "type": message_type,
            "flags": body.get("flags") or 0,
        }
        if body.get("nonce") is not None:
            message["nonce"] = body["nonce"]
        if interaction is not None:
            message["webhook_id"] = str(self.application_id)
            message["application_id"] = str(self.application_id)
        self._messages_by_id[message_id] = message
        if stored and not message["flags"] & EPHEMERAL_FLAG:
            self._channel_messages.setdefault(channel_id, []).append(message)
            self.channels[channel_id]["last_message_id"] = str(message_id)
        return message

    def _edit(
        self,
        message: dict[str, Any],
        body: Mapping[str, Any] | None,
        files: list[tuple[int, str, bytes, str]],
    ) -> dict[str, Any]:
        body = body or {}
        if "content" in body:
            message["content"] = body["content"] or ""
            message["mentions"], message["mention_everyone"] = self._mentions(
                body, message["content"]
            )
        if "embeds" in body:
            message["embeds"] = [{"type": "rich", **e} for e in body["embeds"] or []]
        if "components" in body:
            message["components"] = copy.deepcopy(body["components"] or [])
        if body.get("flags") is not None:
            message["flags"] = (message["flags"] & EPHEMERAL_FLAG) | body["flags"]
        message["flags"] &= ~LOADING_FLAG
        message["attachments"] = self._store_attachments(body, files, message["attachments"])
        message["edited_timestamp"] = iso_now()
        return message

    def _channel_message(self, call: _Call) -> dict[str, Any]:
        channel = self._channel(call)
        message_id = int(call.params["message"])
        for message in self._channel_messages.get(int(channel["id"]), []):
            if int(message["id"]) == message_id:
                return message
        raise _unknown("Message", 10008)

    async def _list_messages(self, call: _Call) -> tuple[int, Any]:
        channel = self._channel(call)
        messages = self._channel_messages.get(int(channel["id"]), [])
        limit = max(1, min(100, int(call.query.get("limit", 50))))
        if "after" in call.query:
            after = int(call.query["after"])
            chosen = [m for m in messages if int(m["id"]) > after][:limit]
        elif "around" in call.query:
            around = int(call.query["around"])
            older = [m for m in messages if int(m["id"]) <= around]
            newer = [m for m in messages if int(m["id"]) > around]
            chosen = older[-(limit - limit // 2) :] + newer[: limit // 2]
        else:
            before = int(call.query.get("before", 0)) or None
            older = [m for m in messages if before is None or int(m["id"]) < before]
            chosen = older[-limit:]
        return 200, copy.deepcopy(list(reversed(chosen)))

    async def _post_message(self, call: _Call) -> tuple[int, Any]:
        channel = self._channel(call)
        channel_id = int(channel["id"])
        body = call.body or {}
        if (body.get("flags") or 0) & EPHEMERAL_FLAG:
            error = BodyError(
                ("flags",), "Ephemeral messages can only be sent as interaction responses."
            )
            self.violations.append(f"POST /channels/{channel_id}/messages: {error}")
            raise _HttpError(400, 50035, "Invalid Form Body", _form_errors([error]))
        nonce = body.get("nonce")
        key = (channel_id, str(nonce))
        if nonce is not None and body.get("enforce_nonce"):
            seen = self._nonces.get(key)
            if seen is not None and time.monotonic() - seen[1] < self.nonce_window_seconds:
                existing = self._messages_by_id.get(seen[0])
                if existing is not None:
                    return 200, copy.deepcopy(existing)
        if (
            not body.get("content")
            and not body.get("embeds")
            and not body.get("components")
            and not call.files
        ):
            raise _HttpError(400, 50006, "Cannot send an empty message")
        message = self._new_message(channel_id, body, call.files)
        if nonce is not None:
            self._nonces[key] = (int(message["id"]), time.monotonic())
        return 200, copy.deepcopy(message)

    async def _get_message(self, call: _Call) -> tuple[int, Any]:
        return 200, copy.deepcopy(self._channel_message(call))

    async def _patch_message(self, call: _Call) -> tuple[int, Any]:
        message = self._channel_message(call)
        return 200, copy.deepcopy(self._edit(message, call.body, call.files))

    async def _delete_message(self, call: _Call) -> tuple[int, Any]:
        message = self._channel_message(call)
        self._remove(message)
        return 204, None

    def _remove(self, message: dict[str, Any]) -> None:
        channel_messages = self._channel_messages.get(int(message["channel_id"]), [])
        if message in channel_messages:
            channel_messages.remove(message)
        self._messages_by_id.pop(int(message["id"]), None)

    # REST handlers: interactions and webhooks

    def _reply_snapshot(self, interaction: FakeInteraction, message: dict[str, Any]) -> None:
        interaction.replies.append(copy.deepcopy(message))

    def _source_message(self, interaction: FakeInteraction) -> dict[str, Any] | None:
        source = interaction.payload.get("message")
        if source is None:
            return None
        return self._messages_by_id.get(int(source["id"]))

    async def _callback(self, call: _Call) -> tuple[int, Any]:
        interaction = self.interactions.get(int(call.params["interaction"]))
        if interaction is None or interaction.token != call.params["token"]:
            raise _unknown("interaction", 10062)
        if interaction.callbacks:
            raise _HttpError(400, 40060, "Interaction has already been acknowledged.")
        body = call.body or {}
        kind = body.get("type")
        data = body.get("data") or {}
        message: dict[str, Any] | None = None
        if kind in (4, 5):
            flags = (data.get("flags") or 0) | (LOADING_FLAG if kind == 5 else 0)
            message_type = 20 if interaction.type == 2 else 0
            message = self._new_message(
                interaction.channel_id,
                {**data, "flags": flags} if kind == 5 else data,
                call.files,
                message_type=message_type,
                interaction=interaction,
            )
            if kind == 5:
                message["content"], message["embeds"], message["components"] = "", [], []
        elif kind in (6, 7):
            message = self._source_message(interaction)
            if message is None:
                raise _HttpError(
                    400,
                    50035,
                    "Invalid Form Body",
                    {
                        "type": {
                            "_errors": [
                                {
                                    "code": "INTERACTION_TYPE_INVALID",
                                    "message": "no message to update",
                                }
                            ]
                        }
                    },
                )
            if kind == 7:
                self._edit(message, data, call.files)
        interaction.callbacks.append(body)
        if message is not None:
            interaction.message = message
            if kind != 6:
                self._reply_snapshot(interaction, message)
        if call.query.get("with_response") not in ("1", "true", "True"):
            return 204, None
        response: dict[str, Any] = {
            "interaction": {
                "id": str(interaction.id),
                "type": interaction.type,
                "response_message_loading": kind == 5,
                "response_message_ephemeral": bool(message and message["flags"] & EPHEMERAL_FLAG),
            },
            "resource": {"type": kind},
        }
        if message is not None:
            response["interaction"]["response_message_id"] = message["id"]
            if kind in (4, 5, 7):
                response["resource"]["message"] = copy.deepcopy(message)
        return 200, response

    def _hook_interaction(self, call: _Call) -> FakeInteraction:
        if int(call.params["app"]) == self.application_id:
            for interaction in self.interactions.values():
                if interaction.token == call.params["token"]:
                    return interaction
        raise _unknown("Webhook", 10015)

    def _hook_message(self, call: _Call) -> tuple[FakeInteraction, dict[str, Any]]:
        interaction = self._hook_interaction(call)
        ref = call.params["message"]
        if ref == "@original":
            if interaction.message is None:
                raise _unknown("Message", 10008)
            return interaction, interaction.message
        ours = [m for m in interaction.followups if m["id"] == ref]
        message = self._messages_by_id.get(int(ref)) if ref.isdigit() else None
        if message is None or not (ours or message is interaction.message):
            raise _unknown("Message", 10008)
        return interaction, message

    async def _followup(self, call: _Call) -> tuple[int, Any]:
        interaction = self._hook_interaction(call)
        if not interaction.callbacks:
            raise _unknown("Webhook", 10015)
        loading = interaction.message
        if loading is not None and loading["flags"] & LOADING_FLAG:
            # As on Discord, the first followup after a deferral replaces the "thinking" message
            # and keeps its visibility.
            body = {k: v for k, v in (call.body or {}).items() if k != "flags"}
            message = self._edit(loading, body, call.files)
            message["edited_timestamp"] = None
        else:
            message = self._new_message(
                interaction.channel_id, call.body or {}, call.files, interaction=interaction
            )
        interaction.followups.append(copy.deepcopy(message))
        self._reply_snapshot(interaction, message)
        if call.query.get("wait") in ("true", "1", "True"):
            return 200, copy.deepcopy(message)
        return 204, None

    async def _get_hook_message(self, call: _Call) -> tuple[int, Any]:
        _, message = self._hook_message(call)
        return 200, copy.deepcopy(message)

    async def _patch_hook_message(self, call: _Call) -> tuple[int, Any]:
        interaction, message = self._hook_message(call)
        self._edit(message, call.body, call.files)
        for index, followup in enumerate(interaction.followups):
            if followup["id"] == message["id"]:
                interaction.followups[index] = copy.deepcopy(message)
        self._reply_snapshot(interaction, message)
        return 200, copy.deepcopy(message)

    async def _delete_hook_message(self, call: _Call) -> tuple[int, Any]:
        _, message = self._hook_message(call)
        self._remove(message)
        return 204, None
