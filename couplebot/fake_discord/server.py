"""FakeDiscord: the public face of the fake, wiring world, gateway, REST and faults together."""

from __future__ import annotations

import asyncio
import copy
import socket
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from aiohttp import web

from couplebot.fake_discord._faults import Faults
from couplebot.fake_discord._gateway import Gateway, SessionInfo
from couplebot.fake_discord._inject import Injector
from couplebot.fake_discord._interaction_routes import InteractionRoutes
from couplebot.fake_discord._models import (
    FakeGuild,
    FakeInteraction,
    FakeUser,
    RecordedRequest,
)
from couplebot.fake_discord._ratelimit import RateLimiter, RateLimitPolicy, TrafficCounters
from couplebot.fake_discord._rest import API_PREFIX, RestApi
from couplebot.fake_discord._routes import BotRoutes
from couplebot.fake_discord._spec import (
    SPEC_ENV_VAR,
    SpecPath,
    default_spec_path,
    resolve_spec,
)
from couplebot.fake_discord._state import World

__all__ = ["SPEC_ENV_VAR", "FakeDiscord", "default_spec_path"]


class FakeDiscord:
    """Plays Discord's gateway and REST API on 127.0.0.1 for the real discord.py client."""

    def __init__(
        self,
        *,
        spec_path: SpecPath = "default",
        shards: int | None = None,
        max_concurrency: int = 1,
        identify_interval: float | None = None,
        rate_limits: bool | RateLimitPolicy = False,
        latency: float = 0.0,
    ) -> None:
        """spec_path: the OpenAPI file to validate against ("default", a path, or None).
        shards: the shard count GET /gateway/bot recommends; None: one per 1,000 guilds.
        max_concurrency, identify_interval: IDENTIFYs allowed per bucket and interval
        (Discord: 1 per 5 s for a small bot); interval None: no IDENTIFY limit.
        rate_limits: True for Discord's global and per-route limits, or a policy of one's own.
        latency: seconds added to every REST call (half on the way in, half on the way out)."""
        self._spec = resolve_spec(spec_path)
        self.shards = shards
        self.token = "fake-bot-token"  # noqa: S105 - not a secret
        self.violations: list[str] = []
        self._world = World(lambda: self.base_url)
        self._faults = Faults()
        self._gateway = Gateway(self._world, lambda: self.gateway_url)
        self.identify_limit = self._gateway.identify_limit
        self.identify_limit.max_concurrency = max_concurrency
        self.identify_limit.interval = identify_interval
        self._inject = Injector(self._world, self._gateway)
        self._rest = RestApi(self._spec, self._faults, self.violations)
        self._bot_routes = BotRoutes(
            self._world,
            self.violations,
            lambda: self.gateway_url,
            lambda: self.shards,
            self.identify_limit,
        )
        self._bot_routes.register(self._rest)
        InteractionRoutes(self._world).register(self._rest)
        self.rate_limits = rate_limits
        self.latency = latency
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._background: set[asyncio.Task[None]] = set()

    # Lifecycle

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self._gateway.handle)
        app.router.add_get(
            "/attachments/{attachment_id}/{filename}", self._bot_routes.serve_attachment
        )
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._rest.serve)
        self._runner = web.AppRunner(app, shutdown_timeout=0.5, access_log=None)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self._port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()

    async def close(self) -> None:
        await self._gateway.close()
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

    # The world

    @property
    def application_id(self) -> int:
        return self._world.application_id

    @property
    def bot_user(self) -> FakeUser:
        return self._world.bot_user

    @property
    def users(self) -> dict[int, FakeUser]:
        return self._world.users

    @property
    def guilds(self) -> dict[int, FakeGuild]:
        return self._world.guilds

    @property
    def channels(self) -> dict[int, dict[str, Any]]:
        return self._world.channels

    @property
    def global_commands(self) -> list[dict[str, Any]]:
        return self._world.global_commands

    @property
    def guild_commands(self) -> dict[int, list[dict[str, Any]]]:
        return self._world.guild_commands

    @property
    def interactions(self) -> dict[int, FakeInteraction]:
        return self._world.interactions

    @property
    def app_permissions(self) -> int:
        """The bot's permissions that interactions carry (`app_permissions`)."""
        return self._world.app_permissions

    @app_permissions.setter
    def app_permissions(self, value: int) -> None:
        self._world.app_permissions = value

    @property
    def closed_dms(self) -> set[int]:
        """Users whose DMs refuse the bot (Discord answers 403, code 50007)."""
        return self._world.closed_dms

    @property
    def nonce_window_seconds(self) -> float:
        """How long a POST with `enforce_nonce` dedupes on its nonce (Discord: minutes)."""
        return self._world.nonce_window_seconds

    @nonce_window_seconds.setter
    def nonce_window_seconds(self, seconds: float) -> None:
        self._world.nonce_window_seconds = seconds

    def add_user(self, name: str, *, bot: bool = False) -> FakeUser:
        return self._world.add_user(name, bot=bot)

    def add_guild(
        self,
        name: str,
        members: Sequence[FakeUser],
        channel_name: str = "us",
        *,
        on_shard: tuple[int, int] | None = None,
    ) -> FakeGuild:
        """A guild with the bot, `members` and one text channel; announced if connected.
        on_shard=(id, count) picks an id that Discord's formula puts on that shard."""
        guild = self._world.add_guild(name, members, channel_name, on_shard=on_shard)
        if self._gateway.is_live_for(guild.id):
            payload = self._world.guild_payload(guild)
            task = asyncio.get_running_loop().create_task(
                self._gateway.dispatch("GUILD_CREATE", payload, guild_id=guild.id)
            )
            self._background.add(task)
            task.add_done_callback(self._background.discard)
        return guild

    # Inspection

    @property
    def commands(self) -> list[dict[str, Any]]:
        """Every registered command: global ones, then per-guild ones (with guild_id)."""
        return self._world.commands

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every REST call answered, oldest first (a test may swap in its own list)."""
        return self._rest.requests

    @requests.setter
    def requests(self, log: list[RecordedRequest]) -> None:
        self._rest.requests = log

    @property
    def rate_limits(self) -> RateLimitPolicy | None:
        """The rate limits in force (None: none); set True, False or a policy at any time."""
        limiter = self._rest.limiter
        return limiter.policy if limiter is not None else None

    @rate_limits.setter
    def rate_limits(self, policy: bool | RateLimitPolicy | None) -> None:
        if policy is True:
            policy = RateLimitPolicy()
        self._rest.limiter = (
            RateLimiter(policy, self._rest.traffic) if isinstance(policy, RateLimitPolicy) else None
        )

    @property
    def latency(self) -> float:
        return self._rest.latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        self._rest.latency = seconds

    @property
    def traffic(self) -> TrafficCounters:
        """Calls answered, 429s by kind (global, route, injected), calls in flight."""
        return self._rest.traffic

    @property
    def gateway_sessions(self) -> list[SessionInfo]:
        """One entry per gateway session (one per shard), oldest first."""
        return self._gateway.sessions

    @property
    def identify_count(self) -> int:
        return self._gateway.identify_count

    @property
    def resume_count(self) -> int:
        return self._gateway.resume_count

    def channel_messages(self, channel_id: int) -> list[dict[str, Any]]:
        return self._world.channel_messages(channel_id)

    def has_messages(self, channel_id: int) -> bool:
        """Whether the channel has a message (without copying them, as channel_messages does)."""
        return self._world.has_messages(channel_id)

    def dm_messages(self, user_id: int) -> list[dict[str, Any]]:
        """What the bot sent to the user's DM channel."""
        return self._world.dm_messages(user_id)

    def message(self, message_id: int | str) -> dict[str, Any]:
        """Current state of any message, ephemeral ones included."""
        found = self._world.message(int(message_id))
        if found is None:
            raise KeyError(int(message_id))
        return copy.deepcopy(found)

    def attachments(self, message: Mapping[str, Any]) -> list[tuple[str, bytes]]:
        """(filename, content) of each file attached to the message's current state."""
        return self._world.attachments(message)

    def dm_channel_id(self, user: FakeUser) -> int:
        return int(self._world.dm_channel(user.id)["id"])

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

    # What users do

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send a dispatch event, or queue it until the client is (re)connected."""
        await self._gateway.dispatch(event, data)

    async def slash(
        self,
        user: FakeUser,
        command: str,
        options: Mapping[str, Any] | None = None,
        *,
        guild: FakeGuild | None,
        channel_id: int | None = None,
    ) -> FakeInteraction:
        """Run a registered slash command ("name" or "group sub"), options by name."""
        return await self._inject.slash(user, command, options, guild=guild, channel_id=channel_id)

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
        """The choices the bot offers while `focused` is being typed."""
        return await self._inject.autocomplete(
            user, command, options, focused, guild=guild, timeout=timeout
        )

    async def click(
        self, user: FakeUser, message: Mapping[str, Any], custom_id: str, *, guild: FakeGuild | None
    ) -> FakeInteraction:
        """Press an enabled button on the message's current state."""
        return await self._inject.click(user, message, custom_id, guild=guild)

    async def select(
        self,
        user: FakeUser,
        message: Mapping[str, Any],
        custom_id: str,
        values: Sequence[str],
        *,
        guild: FakeGuild | None,
    ) -> FakeInteraction:
        """Pick options of a string select on the message's current state."""
        return await self._inject.select(user, message, custom_id, values, guild=guild)

    async def submit_modal(
        self,
        user: FakeUser,
        modal_from: FakeInteraction,
        values: Mapping[str, str],
        *,
        guild: FakeGuild | None,
    ) -> FakeInteraction:
        """Submit the modal the bot answered `modal_from` with, inputs by custom_id."""
        return await self._inject.submit_modal(user, modal_from, values, guild=guild)

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
        return await self._inject.forge(user, kind, data, guild=guild, message=message)

    # Faults

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
        self._faults.fail_next(
            method,
            path_pattern,
            status=status,
            times=times,
            retry_after=retry_after,
            is_global=is_global,
        )

    def stall_next(self, method: str, path_pattern: str, *, seconds: float, times: int = 1) -> None:
        """Carry out the next matching request but answer only after `seconds`: a send
        that happened although the client timed out waiting for it."""
        self._faults.stall_next(method, path_pattern, seconds=seconds, times=times)

    def clear_faults(self) -> None:
        """Stop injecting faults that fail_next set up and have not fired yet."""
        self._faults.clear()

    async def drop_gateway(self) -> None:
        """Cut the gateway socket without a close handshake; the client should RESUME."""
        await self._gateway.drop()
