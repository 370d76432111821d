"""The fake's world: users, guilds, channels, messages, attachments and commands."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from couplebot.fake_discord._http import UploadedFile, invalid_form, unknown
from couplebot.fake_discord._models import (
    EPHEMERAL_FLAG,
    LOADING_FLAG,
    FakeGuild,
    FakeInteraction,
    FakeUser,
    SnowflakeFactory,
    iso_now,
)

# view, add reactions, send, embed links, attach files, read history, use app commands
MEMBER_PERMISSIONS = (
    (1 << 10) | (1 << 6) | (1 << 11) | (1 << 14) | (1 << 15) | (1 << 16) | (1 << 31)
)
_MENTION_RE = re.compile(r"<@!?(\d+)>")


class World:
    """Everything Discord knows, and the payloads that describe it."""

    def __init__(self, base_url: Callable[[], str]) -> None:
        self._base_url = base_url
        self.ids = SnowflakeFactory()
        self.application_id = self.ids.next()
        self.bot_user = FakeUser(self.ids.next(), "couplebot", bot=True)
        # What interactions say the bot may do, and what posts to guild channels obey.
        self.app_permissions = MEMBER_PERMISSIONS
        self.closed_dms: set[int] = set()  # users whose DMs refuse the bot
        self.users: dict[int, FakeUser] = {self.bot_user.id: self.bot_user}
        self.guilds: dict[int, FakeGuild] = {}
        self.channels: dict[int, dict[str, Any]] = {}
        self.global_commands: list[dict[str, Any]] = []
        self.guild_commands: dict[int, list[dict[str, Any]]] = {}
        self.interactions: dict[int, FakeInteraction] = {}
        self.nonce_window_seconds = 300.0
        self.nonces: dict[tuple[int, str], tuple[int, float]] = {}
        self._channel_messages: dict[int, list[dict[str, Any]]] = {}
        self._messages_by_id: dict[int, dict[str, Any]] = {}
        self._attachment_data: dict[int, bytes] = {}
        self._dm_channel_by_user: dict[int, int] = {}
        # Each guild's channels, so a guild's payload never scans every channel.
        self._guild_channels: dict[int, list[dict[str, Any]]] = {}

    # Setup

    def add_user(self, name: str, *, bot: bool = False) -> FakeUser:
        user = FakeUser(self.ids.next(), name, bot=bot)
        self.users[user.id] = user
        return user

    def add_guild(
        self,
        name: str,
        members: Sequence[FakeUser],
        channel_name: str,
        *,
        on_shard: tuple[int, int] | None = None,
    ) -> FakeGuild:
        guild_id = self.ids.next() if on_shard is None else self.ids.next_on_shard(*on_shard)
        channel_id = self.ids.next()
        everyone = [self.bot_user] + [m for m in members if m.id != self.bot_user.id]
        for member in everyone:
            self.users[member.id] = member
        guild = FakeGuild(guild_id, name, channel_id, everyone)
        self.guilds[guild_id] = guild
        channel = {
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
        self.channels[channel_id] = channel
        self._guild_channels[guild_id] = [channel]
        self._channel_messages[channel_id] = []
        return guild

    def dm_channel(self, user_id: int) -> dict[str, Any]:
        channel_id = self._dm_channel_by_user.get(user_id)
        if channel_id is None:
            channel_id = self.ids.next()
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

    # Inspection

    @property
    def commands(self) -> list[dict[str, Any]]:
        found = list(self.global_commands)
        for guild_commands in self.guild_commands.values():
            found.extend(guild_commands)
        return copy.deepcopy(found)

    def channel_messages(self, channel_id: int) -> list[dict[str, Any]]:
        return copy.deepcopy(self._channel_messages.get(channel_id, []))

    def has_messages(self, channel_id: int) -> bool:
        return bool(self._channel_messages.get(channel_id))

    def dm_messages(self, user_id: int) -> list[dict[str, Any]]:
        channel_id = self._dm_channel_by_user.get(user_id)
        if channel_id is None:
            return []
        return [
            m
            for m in self.channel_messages(channel_id)
            if m["author"]["id"] == str(self.bot_user.id)
        ]

    def message(self, message_id: int) -> dict[str, Any] | None:
        """The live (not copied) message, ephemeral ones included."""
        return self._messages_by_id.get(message_id)

    def stored_messages(self, channel_id: int) -> list[dict[str, Any]]:
        """The live list of a channel's visible messages, oldest first."""
        return self._channel_messages.get(channel_id, [])

    def attachments(self, message: Mapping[str, Any]) -> list[tuple[str, bytes]]:
        current = self._messages_by_id.get(int(message["id"]), message)
        return [
            (a["filename"], self._attachment_data[int(a["id"])]) for a in current["attachments"]
        ]

    def attachment_data(self, attachment_id: int) -> bytes | None:
        return self._attachment_data.get(attachment_id)

    def guild_channels(self, guild: FakeGuild) -> list[dict[str, Any]]:
        return self._guild_channels.get(guild.id, [])

    # Payloads

    def member(self, guild: FakeGuild, user: FakeUser, *, with_user: bool = True) -> dict[str, Any]:
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

    def guild_payload(self, guild: FakeGuild) -> dict[str, Any]:
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
            "members": [self.member(guild, m) for m in guild.members],
            "channels": [
                {k: v for k, v in c.items() if k != "guild_id"} for c in self.guild_channels(guild)
            ],
            "threads": [],
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }

    # Messages

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
        files: list[UploadedFile],
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
                raise invalid_form("attachments", "ATTACHMENT_NOT_FOUND", f"no file {ref}")
            name, data, ctype = by_index[int(ref)]
            attachment_id = self.ids.next()
            self._attachment_data[attachment_id] = data
            filename = item.get("filename") or name
            url = f"{self._base_url()}/attachments/{attachment_id}/{filename}"
            result.append(
                {
                    "id": str(attachment_id),
                    "filename": filename,
                    "size": len(data),
                    "url": url,
                    "proxy_url": url,
                    "content_type": ctype,
                    **({"description": item["description"]} if item.get("description") else {}),
                }
            )
        return result

    def new_message(
        self,
        channel_id: int,
        body: Mapping[str, Any],
        files: list[UploadedFile],
        *,
        message_type: int = 0,
        interaction: FakeInteraction | None = None,
    ) -> dict[str, Any]:
        content = body.get("content") or ""
        mentions, everyone = self._mentions(body, content)
        message_id = self.ids.next()
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
        if not message["flags"] & EPHEMERAL_FLAG:
            self._channel_messages.setdefault(channel_id, []).append(message)
            self.channels[channel_id]["last_message_id"] = str(message_id)
        return message

    def edit(
        self,
        message: dict[str, Any],
        body: Mapping[str, Any] | None,
        files: list[UploadedFile],
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

    def channel_message(self, channel_id: int, message_id: int) -> dict[str, Any]:
        for message in self._channel_messages.get(channel_id, []):
            if int(message["id"]) == message_id:
                return message
        raise unknown("Message", 10008)

    def remove(self, message: dict[str, Any]) -> None:
        channel_messages = self._channel_messages.get(int(message["channel_id"]), [])
        if message in channel_messages:
            channel_messages.remove(message)
        self._messages_by_id.pop(int(message["id"]), None)
