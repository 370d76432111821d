"""CoupleBot: opens nothing itself; is handed the store and content, wires the rest."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import random
from datetime import UTC, datetime
from typing import Any

import discord
import yarl
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from discord import app_commands
from discord.ext import commands

from couplebot.clock import Clock, SystemClock
from couplebot.cogs._shared import message_for
from couplebot.content import Content
from couplebot.lean_state import LeanConnectionState
from couplebot.messenger import DiscordMessenger
from couplebot.services import build_services
from couplebot.store import Store
from couplebot.ui.components import PERSISTENT_ITEMS, Handler
from couplebot.ui.errors import reply_privately
from couplebot.ui.permissions import missing_names

log = logging.getLogger(__name__)

EXTENSIONS = (
    "couplebot.cogs.couple",
    "couplebot.cogs.exchange",
    "couplebot.cogs.daily",
    "couplebot.cogs.privacy",
    "couplebot.cogs.checkins",
    "couplebot.cogs.weekly",
    "couplebot.cogs.distance",
    "couplebot.cogs.loved",
    "couplebot.cogs.reachout",
    "couplebot.cogs.dates",
)
# A safety net only: due work wakes the bot at its own instant, and a failed send asks
# for a retry RETRY_SECONDS later; this catches a wake lost to a jump of the clock.
# Every wake costs a few milliseconds of CPU, which is most of what an idle bot spends.
TICK_SECONDS = 300
RETRY_SECONDS = 30
COMMANDS_HASH_KEY = "commands_hash"
SHUTDOWN_GRACE_SECONDS = 5.0
IDENTIFY_PAUSE_SECONDS = 5.0
# Added to the pause: our clock reads the IDENTIFY a moment before it reaches Discord.
IDENTIFY_MARGIN_SECONDS = 0.05
CAUGHT_UP = "caught up after the start"
# Names discord.py gives the tasks running our handlers (events, commands, components).
HANDLER_TASKS = ("discord.py: ", "CommandTree-invoker", "discord-ui-")


def point_discord_at(api_base: str | None, gateway_url: str | None) -> None:
    """Send REST calls and the gateway connection somewhere else (a proxy, or a fake)."""
    if api_base:
        discord.http.Route.BASE = api_base
    if gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


def _option_named(interaction: discord.Interaction[Any], value: object) -> str | None:
    """The name of the option that was given `value`, searching subcommands too."""

    def walk(options: Any) -> str | None:
        for option in options if isinstance(options, list) else []:
            if not isinstance(option, dict):
                continue
            if "value" in option and str(option["value"]) == str(value):
                return str(option.get("name"))
            found = walk(option.get("options"))
            if found:
                return found
        return None

    data: dict[str, Any] = dict(interaction.data or {})
    return walk(data.get("options"))


class CoupleTree(app_commands.CommandTree[Any]):
    async def on_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError
    ) -> None:
        cause = error.original if isinstance(error, app_commands.CommandInvokeError) else error
        if isinstance(cause, app_commands.CheckFailure):
            await reply_privately(interaction, str(cause))
            return
        if isinstance(cause, app_commands.TransformerError):
            option = _option_named(interaction, cause.value)
            where = f"`{option}`" if option else "one of the options"
            await reply_privately(
                interaction, f"The value for {where} doesn't look right. Try again."
            )
            return
        await reply_privately(interaction, message_for(cause))


def _needs_view_store(view: discord.ui.view.BaseView) -> bool:
    """Whether discord.py must keep this view to dispatch it. couplebot's buttons are
    DynamicItems and its forms are read from the raw interaction, so keeping every sent
    view and every opened form (which never time out) would only pile them up."""
    if isinstance(view, discord.ui.Modal):
        return type(view).on_submit is not discord.ui.Modal.on_submit
    return any(
        not isinstance(item, discord.ui.DynamicItem)
        and getattr(item.callback, "__func__", None) is not discord.ui.Item.callback
        for item in view.walk_children()
    )


class CoupleBot(commands.AutoShardedBot):
    def __init__(
        self,
        *,
        store: Store,
        content: Content,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        tick_seconds: float | None = TICK_SECONDS,
        retry_seconds: float = RETRY_SECONDS,
        shard_count: int | None = None,
        identify_pause: float = IDENTIFY_PAUSE_SECONDS,
        **options: Any,
    ) -> None:
        """shard_count: None asks Discord (GET /gateway/bot). identify_pause: seconds
        between two IDENTIFYs of one bucket (Discord allows one per 5 s in each of its
        `max_concurrency` buckets; 0 for a fake without that limit). tick_seconds: the
        safety tick (None: no scheduler, nor retries; tests tick by hand). retry_seconds:
        the pause before a failed send is tried again."""
        # couplebot never joins voice: no need to warn that voice libraries are missing.
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        intents = discord.Intents.none()
        intents.guilds = True  # no members, presences, typing or messages: nothing to cache
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            tree_cls=CoupleTree,
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            shard_count=shard_count,
            member_cache_flags=discord.MemberCacheFlags.none(),
            max_messages=None,
            chunk_guilds_at_startup=False,
            **options,
        )
        self._identify_pause = identify_pause
        self._max_concurrency = 1  # from GET /gateway/bot's session_start_limit
        self._identified_at: dict[int, float] = {}  # bucket -> loop time of its last IDENTIFY
        self._identify_locks: dict[int, asyncio.Lock] = {}
        self.catch_up_task: asyncio.Task[None] | None = None
        self._ticking: asyncio.Task[Any] | None = None  # the latest tick's task
        keep_view = self._connection.store_view
        self._connection.store_view = lambda view, message_id=None: (  # type: ignore[method-assign]
            keep_view(view, message_id) if _needs_view_store(view) else None
        )
        self.store = store
        self.clock = clock or SystemClock()
        self.component_handlers: dict[str, Handler] = {}
        self.messenger = DiscordMessenger(self)
        self.services = build_services(store, content, self.messenger, self.clock, rng)
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self._tick_seconds = tick_seconds
        self._retry_seconds = retry_seconds
        self._retry: asyncio.Task[None] | None = None  # the tick a failed send asked for

    def _get_state(self, **options: Any) -> LeanConnectionState:
        return LeanConnectionState.for_client(self, **options)  # no per-guild objects kept

    async def setup_hook(self) -> None:
        for item in PERSISTENT_ITEMS:
            self.add_dynamic_items(item)
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        self.commands_synced = await self.sync_commands_if_changed()
        # Connect first and answer interactions meanwhile: a slow Discord or a long
        # catch-up must not keep people waiting.
        self.catch_up_task = asyncio.create_task(self._catch_up(), name="couplebot: catch-up")

    async def _catch_up(self) -> None:
        """What a stop may have left behind, then the regular wake-ups."""
        if self._tick_seconds:
            self.services.outbox.retry_with(self._retry_soon)  # from the first flush on
        try:
            await self.services.due.replan_all()  # due instants follow from settings and the DB
            await self.services.outbox.flush()  # posts a crash left unsent
            edited = await self.services.exchanges.refresh_recent()
            if edited:
                log.info("brought %d status line(s) up to date after the restart", edited)
        except Exception:
            log.exception("catching up after the start failed; the next tick will try again")
        log.info(CAUGHT_UP)
        if self._tick_seconds and not self.is_closed():
            self.services.due.wake_with(self._wake_at)  # and at each next due instant
            await self.tick()  # at once: today's round, if it is due and not out yet
            # APScheduler only wakes us; what is due is decided from the DB and our clock.
            self.scheduler.add_job(
                self.tick,
                "interval",
                seconds=self._tick_seconds,
                misfire_grace_time=None,
                coalesce=True,
                max_instances=1,
                id="tick",
            )
            self.scheduler.start()

    def _wake_at(self, instant: datetime) -> None:
        self.scheduler.add_job(
            self.tick,
            "date",
            run_date=instant,
            id="wake",
            replace_existing=True,
            misfire_grace_time=None,
            coalesce=True,
        )

    def _retry_soon(self) -> None:
        """A send failed: tick again in a while (one retry serves every failed send)."""
        if self._retry is None or self._retry.done():
            self._retry = asyncio.create_task(self._tick_after(self._retry_seconds))

    async def _tick_after(self, delay: float) -> None:
        await asyncio.sleep(delay)  # a pause before asking Discord again, not a due instant
        self._retry = None  # a send failing again in this tick asks for the next retry
        await self.tick()

    async def launch_shards(self) -> None:
        """Like discord.py's, but the shards of different buckets (`shard_id %
        max_concurrency`) connect side by side, as Discord allows; a fixed shard count
        still asks GET /gateway/bot, the only source of `max_concurrency`."""
        if self.is_closed():
            return
        recommended, url, limits = await self.http.get_bot_gateway()
        self._max_concurrency = max(1, int(limits.get("max_concurrency", 1)))
        if self.shard_count is None:
            self.shard_count, gateway = recommended, yarl.URL(url)
        else:
            gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
        self._connection.shard_count = self.shard_count
        shard_ids = self.shard_ids or range(self.shard_count)
        self._connection.shard_ids = shard_ids
        buckets: dict[int, list[int]] = {}
        for shard_id in shard_ids:
            buckets.setdefault(shard_id % self._max_concurrency, []).append(shard_id)

        async def launch(bucket: list[int]) -> None:
            for shard_id in bucket:
                await self.launch_shard(gateway, shard_id, initial=shard_id == shard_ids[0])

        await asyncio.gather(*(launch(bucket) for bucket in buckets.values()))

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """Each bucket IDENTIFYs at most once per pause, first connections and
        re-identifies alike; other buckets do not wait for it."""
        if not self._identify_pause:
            return
        bucket = (shard_id or 0) % self._max_concurrency
        loop = asyncio.get_running_loop()
        async with self._identify_locks.setdefault(bucket, asyncio.Lock()):
            last = self._identified_at.get(bucket)
            if last is not None:
                await asyncio.sleep(
                    last + self._identify_pause + IDENTIFY_MARGIN_SECONDS - loop.time()
                )
            self._identified_at[bucket] = loop.time()

    async def tick(self) -> None:
        self._ticking = asyncio.current_task()
        try:
            await self.services.tick()
            await self.services.privacy.purge_left()
        except Exception:
            log.exception("scheduled tick failed; the next one will try again")

    async def sync_commands_if_changed(self) -> bool:
        """Sync slash commands only when their definition changed since the last sync."""
        payload = [command.to_dict(self.tree) for command in self.tree.get_commands()]
        digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
        async with self.store.read() as tx:
            if await tx.meta.get(COMMANDS_HASH_KEY) == digest:
                return False
        await self.tree.sync()
        async with self.store.write() as tx:
            await tx.meta.set(COMMANDS_HASH_KEY, digest)
        log.info("synced %d slash commands", len(payload))
        return True

    async def on_app_command_completion(
        self, interaction: discord.Interaction[Any], command: object
    ) -> None:
        await self.after_interaction(interaction)

    async def after_interaction(self, interaction: discord.Interaction[Any]) -> None:
        """After a partner's command or button (answered, not with a form): what couplebot
        owes them privately (services/notices.py), each shown once, as ephemeral follow-ups."""
        response = interaction.response
        if not response.is_done() or response.type in (
            discord.InteractionResponseType.modal,
            discord.InteractionResponseType.autocomplete_result,
        ):
            return  # a form cannot take a follow-up: the next command shows it
        try:
            due = await self.services.notices.due_for(
                interaction.guild_id,
                interaction.user.id,
                interaction.channel_id,
                missing_names(interaction.app_permissions),
            )
            shown = []
            for notice in due:
                await interaction.followup.send(notice.text, ephemeral=True)
                shown.append(notice)
        except discord.HTTPException:
            log.warning("could not show a notice (interaction %s)", interaction.id)
        except Exception:
            log.exception("looking for notices failed (interaction %s)", interaction.id)
            return
        await self.services.notices.shown(shown)

    async def on_ready(self) -> None:
        user = self.user
        log.info("ready as %s in %d server(s)", user, len(self.guilds))

    async def close(self) -> None:
        """Stop waking up, let handlers already running finish (briefly), then disconnect."""
        if self.scheduler.running:
            self.scheduler.pause()  # no new wakes; a tick under way finishes below
        running = [
            task
            for task in asyncio.all_tasks()
            if task is not asyncio.current_task() and task.get_name().startswith(HANDLER_TASKS)
        ]
        running += [t for t in (self.catch_up_task, self._ticking) if t and not t.done()]
        if running:
            await asyncio.wait(running, timeout=SHUTDOWN_GRACE_SECONDS)
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)  # cancels a tick that outran the grace
        for task in (self.catch_up_task, self._retry):
            if task is not None:
                task.cancel()  # what it did not finish, the next start does
        await self.services.exchanges.record_shown()
        await super().close()
