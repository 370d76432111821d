"""A discord.py connection state that keeps per guild only its id and availability.

couplebot reads no cached guild data: interactions carry the guild id, channel, member
and app permissions; posts go to a channel id (PartialMessageable); names are fetched.
A stock state parses every GUILD_CREATE into a Guild with its roles, channels, emojis,
stickers and the bot's member (and real Discord sends many of each), and keeps them
all. This one keeps `{guild_id: unavailable}` and builds a Guild without its
collections when asked (get_guild, guilds, guild events), so lookups, the
guild_available / guild_join / guild_remove events and shard ids work as before.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, KeysView, Sequence
from typing import Any, overload

import discord
from discord.guild import Guild
from discord.state import AutoShardedConnectionState

log = logging.getLogger(__name__)

# What a guild payload holds besides its own fields: parsed into objects by Guild, kept
# by nobody here, so never parsed (emojis and stickers would also go into state caches).
GUILD_COLLECTIONS = frozenset(
    {
        "channels",
        "threads",
        "members",
        "roles",
        "emojis",
        "stickers",
        "voice_states",
        "presences",
        "stage_instances",
        "guild_scheduled_events",
        "soundboard_sounds",
    }
)


def without_collections(data: Any) -> dict[str, Any]:
    return {key: value for key, value in dict(data).items() if key not in GUILD_COLLECTIONS}


class LeanGuilds(Sequence[Guild]):
    """The guilds the bot is in, each built when read (none kept)."""

    def __init__(self, state: LeanConnectionState) -> None:
        self._state = state

    def __len__(self) -> int:
        return len(self._state.guild_ids)

    def __iter__(self) -> Iterator[Guild]:
        for guild_id in list(self._state.guild_ids):
            yield self._state.lean_guild(guild_id)

    @overload
    def __getitem__(self, index: int) -> Guild: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Guild]: ...
    def __getitem__(self, index: int | slice) -> Guild | Sequence[Guild]:
        ids = list(self._state.guild_ids)
        if isinstance(index, slice):
            return [self._state.lean_guild(guild_id) for guild_id in ids[index]]
        return self._state.lean_guild(ids[index])


class LeanConnectionState(AutoShardedConnectionState[Any]):
    """Guild ids instead of Guild objects; everything else as discord.py does it."""

    @classmethod
    def for_client(cls, client: discord.AutoShardedClient, **options: Any) -> LeanConnectionState:
        """What AutoShardedClient._get_state builds, with this class."""
        return cls(
            dispatch=client.dispatch,
            handlers=client._handlers,
            hooks=client._hooks,
            http=client.http,
            **options,
        )

    def clear(self, *, views: bool = True) -> None:
        super().clear(views=views)
        self._guild_unavailable: dict[int, bool] = {}  # guild id -> unavailable

    @property
    def guild_ids(self) -> KeysView[int]:
        """The servers the bot is in (available or not), read without building a Guild."""
        return self._guild_unavailable.keys()

    def lean_guild(self, guild_id: int, data: Any = None) -> Guild:
        """A Guild with the fields of `data` without its collections, or with only its
        id and availability."""
        fields: dict[str, Any]
        if data is None:
            fields = {"unavailable": self._guild_unavailable.get(guild_id, False)}
        else:
            fields = without_collections(data)
        fields["id"] = guild_id
        return Guild(data=fields, state=self)  # type: ignore[arg-type]

    # The cache discord.py reads and writes, by guild id.
    @property
    def guilds(self) -> Sequence[Guild]:
        return LeanGuilds(self)

    def _get_guild(self, guild_id: int | None) -> Guild | None:
        if guild_id is None or guild_id not in self._guild_unavailable:
            return None
        return self.lean_guild(guild_id)

    def _get_or_create_unavailable_guild(self, guild_id: int, *, data: Any = None) -> Guild:
        # An interaction's partial guild says more than an id alone.
        if data is None and guild_id not in self._guild_unavailable:
            data = {"unavailable": True}
        return self.lean_guild(guild_id, data)

    def _add_guild(self, guild: Guild) -> None:
        self._guild_unavailable[guild.id] = guild.unavailable

    def _remove_guild(self, guild: Guild) -> None:
        self._guild_unavailable.pop(guild.id, None)

    def _add_guild_from_data(self, data: Any) -> Guild:
        guild = self.lean_guild(int(data["id"]), data)
        self._add_guild(guild)
        return guild

    def _get_create_guild(self, data: Any) -> Guild:
        return self._add_guild_from_data(data)  # nothing cached to update in place

    def is_guild_evicted(self, guild: Guild) -> bool:
        return guild.id not in self._guild_unavailable

    # Guild events discord.py handles by changing the cached Guild.
    def parse_guild_update(self, data: Any) -> None:
        guild_id = int(data["id"])
        if guild_id not in self._guild_unavailable:
            log.debug("GUILD_UPDATE for an unknown guild %s: discarded", guild_id)
            return
        self.dispatch("guild_update", self.lean_guild(guild_id), self.lean_guild(guild_id, data))

    def parse_guild_delete(self, data: Any) -> None:
        guild_id = int(data["id"])
        if guild_id not in self._guild_unavailable:
            log.debug("GUILD_DELETE for an unknown guild %s: discarded", guild_id)
            return
        if data.get("unavailable", False):  # an outage, not a removal
            self._guild_unavailable[guild_id] = True
            self.dispatch("guild_unavailable", self.lean_guild(guild_id))
            return
        guild = self.lean_guild(guild_id)
        self._remove_guild(guild)
        self.dispatch("guild_remove", guild)
