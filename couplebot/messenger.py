"""The discord.py side of the Messenger port: renders posts and sends them."""

from __future__ import annotations

import io
import logging
from typing import Any

import discord
from discord.ext import commands

from couplebot import rest_budget
from couplebot.services.ports import (
    ChannelRefusedError,
    DmsClosedError,
    NotePost,
    Post,
    PromptPost,
    ReminderPost,
    RevealPost,
    SharedAnswerPost,
    UndeliverableError,
)
from couplebot.ui import render
from couplebot.ui.kinds import view_for
from couplebot.ui.names import display_name
from couplebot.ui.notes import render_note

log = logging.getLogger(__name__)

HISTORY_LOOKBACK = 50
CANNOT_DM = 50007  # "Cannot send messages to this user": their DMs are closed
# What a refused post needed: 50001 Missing Access, 50013 Missing Permissions.
NEEDED_FOR = {50001: ("View Channel",), 50013: ("Send Messages",)}
FOOTER_SEPARATOR = " · "


class DiscordMessenger:
    def __init__(self, bot: commands.Bot | commands.AutoShardedBot) -> None:
        self._bot = bot
        self.budget = rest_budget.install(bot.http)  # every REST call, not only ours

    async def _channel(self, post: Post) -> discord.abc.Messageable:
        dm_user = post.user_id if isinstance(post, ReminderPost) else None
        if isinstance(post, NotePost):
            dm_user = post.dm_user_id
        if dm_user is not None:
            user = await self._bot.fetch_user(dm_user)
            return await user.create_dm()
        return self._bot.get_partial_messageable(post.channel_id)

    async def _send_note(
        self, channel: discord.abc.Messageable, post: NotePost, *, nonce: str, marker: str
    ) -> int:
        names = {u: await display_name(self._bot, post.guild_id, u) for u in post.names}
        note = render_note(post, names, marker)
        mentions = render.NO_MENTIONS
        if post.ping_user_id is not None:
            mentions = discord.AllowedMentions(
                everyone=False, roles=False, users=[discord.Object(post.ping_user_id)]
            )
        kwargs: dict[str, Any] = {"nonce": nonce, "allowed_mentions": mentions}
        if note.embeds:
            kwargs["embeds"] = note.embeds
        if note.view is not None:
            kwargs["view"] = note.view
        if note.file is not None:
            kwargs["file"] = discord.File(io.BytesIO(note.file[1]), filename=note.file[0])
        message = await channel.send(note.content, **kwargs)
        return message.id

    async def send(self, post: Post, *, nonce: str, marker: str) -> int | None:
        try:
            return await self._send(post, nonce=nonce, marker=marker)
        except (discord.Forbidden, discord.NotFound) as exc:
            reason = f"{exc.status} {exc.code}"
            if exc.code == CANNOT_DM:
                raise DmsClosedError(reason) from exc
            needed = NEEDED_FOR.get(exc.code) if isinstance(exc, discord.Forbidden) else None
            if needed is not None and not _is_dm(post):
                raise ChannelRefusedError(reason, needed) from exc
            raise UndeliverableError(reason) from exc

    async def _send(self, post: Post, *, nonce: str, marker: str) -> int:
        channel = await self._channel(post)
        if isinstance(post, NotePost):
            return await self._send_note(channel, post, nonce=nonce, marker=marker)
        send = channel.send
        quiet = render.NO_MENTIONS
        view_of = view_for(post.exchange.kind)
        if isinstance(post, PromptPost):
            embed, view = view_of.prompt(post, marker)
            if view is None:
                message = await send(embed=embed, nonce=nonce, allowed_mentions=quiet)
            else:
                message = await send(embed=embed, view=view, nonce=nonce, allowed_mentions=quiet)
        elif isinstance(post, RevealPost):
            names = [await display_name(self._bot, post.guild_id, a.user_id) for a in post.answers]
            embeds = view_of.reveal(post, names, marker)
            message = await send(embeds=embeds, nonce=nonce, allowed_mentions=quiet)
        elif isinstance(post, SharedAnswerPost):
            name = await display_name(self._bot, post.guild_id, post.answer.user_id)
            embed = view_of.shared(post, name, marker)
            message = await send(embed=embed, nonce=nonce, allowed_mentions=quiet)
        else:
            url = (
                f"https://discord.com/channels/{post.guild_id}/{post.channel_id}/"
                f"{post.exchange.message_id or ''}"
            )
            text = view_of.reminder(post, url.rstrip("/")) + f"\n-# {marker}"
            message = await send(text, nonce=nonce, allowed_mentions=quiet)
        return message.id

    async def find_sent(self, post: Post, marker: str) -> int | None:
        channel = await self._channel(post)
        me = self._bot.user.id if self._bot.user else None
        try:
            async for message in channel.history(limit=HISTORY_LOOKBACK):
                if message.author.id == me and _carries(message, marker):
                    return message.id
        except discord.Forbidden:
            # Without Read Message History, checking would fail for ever: send once (the
            # nonce still drops a recent duplicate) rather than never.
            log.warning(
                "cannot read the history of channel %s; sending %s unchecked",
                getattr(channel, "id", "?"),
                marker,
            )
        return None

    async def refresh_prompt(self, post: PromptPost, marker: str) -> None:
        if post.exchange.message_id is None:
            return
        embed, view = view_for(post.exchange.kind).prompt(post, marker)
        channel = self._bot.get_partial_messageable(post.channel_id)
        await channel.get_partial_message(post.exchange.message_id).edit(embed=embed, view=view)


def _is_dm(post: Post) -> bool:
    return isinstance(post, ReminderPost) or (
        isinstance(post, NotePost) and post.dm_user_id is not None
    )


def _carries(message: discord.Message, marker: str) -> bool:
    footers = [embed.footer.text or "" for embed in message.embeds]
    last_line = message.content.rsplit("\n", 1)[-1].removeprefix("-# ")
    parts = [part for text in [*footers, last_line] for part in text.split(FOOTER_SEPARATOR)]
    return marker in parts
