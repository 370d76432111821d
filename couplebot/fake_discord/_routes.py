"""REST handlers for a bot's own calls: identity, gateway, commands, guilds, channels, messages."""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from couplebot.fake_discord._gateway import IdentifyLimit
from couplebot.fake_discord._http import Call, HttpError, form_errors, unknown
from couplebot.fake_discord._models import EPHEMERAL_FLAG, FakeGuild
from couplebot.fake_discord._rest import RestApi
from couplebot.fake_discord._spec import BodyError
from couplebot.fake_discord._state import World

GUILDS_PER_RECOMMENDED_SHARD = 1000
VIEW_CHANNEL, SEND_MESSAGES = 1 << 10, 1 << 11


class BotRoutes:
    """The routes a bot calls with its token."""

    def __init__(
        self,
        world: World,
        violations: list[str],
        gateway_url: Callable[[], str],
        shards: Callable[[], int | None],
        identify_limit: IdentifyLimit,
    ) -> None:
        self._world = world
        self._violations = violations
        self._gateway_url = gateway_url
        self._shards = shards
        self._identify_limit = identify_limit

    def register(self, api: RestApi) -> None:
        r = api.route
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

    # Identity and gateway

    async def _get_application(self, call: Call) -> tuple[int, Any]:
        bot = self._world.bot_user
        return 200, {
            "id": str(self._world.application_id),
            "name": bot.name,
            "icon": None,
            "description": "",
            "summary": "",
            "type": None,
            "bot_public": False,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "flags": 0,
            "owner": bot.to_dict(),
            "team": None,
            "bot": bot.to_dict(),
        }

    async def _get_me(self, call: Call) -> tuple[int, Any]:
        return 200, {**self._world.bot_user.to_dict(), "verified": True, "mfa_enabled": False}

    async def _get_user(self, call: Call) -> tuple[int, Any]:
        user = self._world.users.get(int(call.params["user_id"]))
        if user is None:
            raise unknown("User", 10013)
        return 200, user.to_dict()

    def recommended_shards(self) -> int:
        """The shards FakeDiscord was given, else one per 1,000 guilds as Discord advises."""
        configured = self._shards()
        if configured is not None:
            return configured
        return max(1, math.ceil(len(self._world.guilds) / GUILDS_PER_RECOMMENDED_SHARD))

    async def serve_attachment(self, request: web.Request) -> web.Response:
        """The CDN: an uploaded file's bytes."""
        data = self._world.attachment_data(int(request.match_info["attachment_id"]))
        if data is None:
            raise web.HTTPNotFound()
        return web.Response(body=data, content_type="application/octet-stream")

    async def _get_gateway(self, call: Call) -> tuple[int, Any]:
        return 200, {
            "url": self._gateway_url(),
            "shards": self.recommended_shards(),
            "session_start_limit": {
                "total": 1000,
                "remaining": 1000,
                "reset_after": 0,
                "max_concurrency": self._identify_limit.max_concurrency,
            },
        }

    async def _create_dm(self, call: Call) -> tuple[int, Any]:
        user_id = int(call.body["recipient_id"])
        if user_id not in self._world.users:
            raise unknown("User", 10013)
        return 200, copy.deepcopy(self._world.dm_channel(user_id))

    # Application commands

    def _command_list(self, call: Call) -> list[dict[str, Any]]:
        world = self._world
        if int(call.params["app"]) != world.application_id:
            raise unknown("Application", 10002)
        guild = call.params.get("guild")
        if guild is None:
            return world.global_commands
        if int(guild) not in world.guilds:
            raise HttpError(403, 50001, "Missing Access")
        return world.guild_commands.setdefault(int(guild), [])

    async def _put_commands(self, call: Call) -> tuple[int, Any]:
        current = self._command_list(call)
        existing = {(c["name"], c.get("type", 1)): c["id"] for c in current}
        guild = call.params.get("guild")
        ids = self._world.ids
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
                "id": existing.get((command["name"], kind)) or str(ids.next()),
                "application_id": str(self._world.application_id),
                "version": str(ids.next()),
            }
            if guild is not None:
                entry["guild_id"] = guild
            stored.append(entry)
        current[:] = stored
        return 200, copy.deepcopy(stored)

    async def _get_commands(self, call: Call) -> tuple[int, Any]:
        return 200, copy.deepcopy(self._command_list(call))

    def _command(self, call: Call) -> dict[str, Any]:
        for command in self._command_list(call):
            if command["id"] == call.params["command_id"]:
                return command
        raise unknown("application command", 10063)

    async def _get_command(self, call: Call) -> tuple[int, Any]:
        return 200, copy.deepcopy(self._command(call))

    async def _delete_command(self, call: Call) -> tuple[int, Any]:
        command = self._command(call)
        self._command_list(call).remove(command)
        return 204, None

    # Guilds and channels

    def _guild(self, call: Call) -> FakeGuild:
        guild = self._world.guilds.get(int(call.params["guild"]))
        if guild is None:
            raise unknown("Guild", 10004)
        return guild

    async def _get_guild(self, call: Call) -> tuple[int, Any]:
        payload = self._world.guild_payload(self._guild(call))
        for key in ("members", "channels", "threads", "presences", "voice_states", "joined_at"):
            payload.pop(key, None)
        return 200, payload

    async def _get_guild_channels(self, call: Call) -> tuple[int, Any]:
        return 200, copy.deepcopy(self._world.guild_channels(self._guild(call)))

    async def _get_member(self, call: Call) -> tuple[int, Any]:
        guild = self._guild(call)
        user_id = int(call.params["user_id"])
        for member in guild.members:
            if member.id == user_id:
                return 200, self._world.member(guild, member)
        raise unknown("Member", 10007)

    def _channel(self, call: Call) -> dict[str, Any]:
        channel = self._world.channels.get(int(call.params["channel"]))
        if channel is None:
            raise unknown("Channel", 10003)
        return channel

    async def _get_channel(self, call: Call) -> tuple[int, Any]:
        return 200, copy.deepcopy(self._channel(call))

    async def _typing(self, call: Call) -> tuple[int, Any]:
        self._channel(call)
        return 204, None

    # Messages

    def _channel_message(self, call: Call) -> dict[str, Any]:
        channel = self._channel(call)
        return self._world.channel_message(int(channel["id"]), int(call.params["message"]))

    def _may_post(self, channel: dict[str, Any], *, sending: bool) -> None:
        """Discord's refusals: 50001 without View Channel, 50013 without Send Messages,
        50007 to a user whose DMs are closed."""
        if channel.get("type") == 1:
            recipients = {int(u["id"]) for u in channel.get("recipients", [])}
            if sending and recipients & self._world.closed_dms:
                raise HttpError(403, 50007, "Cannot send messages to this user")
            return
        granted = self._world.app_permissions
        if not granted & VIEW_CHANNEL:
            raise HttpError(403, 50001, "Missing Access")
        if sending and not granted & SEND_MESSAGES:
            raise HttpError(403, 50013, "Missing Permissions")

    async def _list_messages(self, call: Call) -> tuple[int, Any]:
        channel = self._channel(call)
        self._may_post(channel, sending=False)
        messages = self._world.stored_messages(int(channel["id"]))
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

    async def _post_message(self, call: Call) -> tuple[int, Any]:
        world = self._world
        channel = self._channel(call)
        self._may_post(channel, sending=True)
        channel_id = int(channel["id"])
        body = call.body or {}
        if (body.get("flags") or 0) & EPHEMERAL_FLAG:
            error = BodyError(
                ("flags",), "Ephemeral messages can only be sent as interaction responses."
            )
            self._violations.append(f"POST /channels/{channel_id}/messages: {error}")
            raise HttpError(400, 50035, "Invalid Form Body", form_errors([error]))
        nonce = body.get("nonce")
        key = (channel_id, str(nonce))
        if nonce is not None and body.get("enforce_nonce"):
            seen = world.nonces.get(key)
            if seen is not None and time.monotonic() - seen[1] < world.nonce_window_seconds:
                existing = world.message(seen[0])
                if existing is not None:
                    return 200, copy.deepcopy(existing)
        if (
            not body.get("content")
            and not body.get("embeds")
            and not body.get("components")
            and not call.files
        ):
            raise HttpError(400, 50006, "Cannot send an empty message")
        message = world.new_message(channel_id, body, call.files)
        if nonce is not None:
            world.nonces[key] = (int(message["id"]), time.monotonic())
        return 200, copy.deepcopy(message)

    async def _get_message(self, call: Call) -> tuple[int, Any]:
        return 200, copy.deepcopy(self._channel_message(call))

    async def _patch_message(self, call: Call) -> tuple[int, Any]:
        message = self._channel_message(call)
        return 200, copy.deepcopy(self._world.edit(message, call.body, call.files))

    async def _delete_message(self, call: Call) -> tuple[int, Any]:
        self._world.remove(self._channel_message(call))
        return 204, None
