"""What every cog shares: the services, and one way to answer errors."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Coroutine
from typing import Any, Concatenate, ParamSpec, TypeVar

import discord
from discord.ext import commands

from couplebot.services import Services
from couplebot.services.errors import CouldNotSaveError, UserFacingError
from couplebot.store import SaveFailedError
from couplebot.ui.components import Handler
from couplebot.ui.errors import GENERIC_ERROR, reply_privately

log = logging.getLogger(__name__)

P = ParamSpec("P")
S = TypeVar("S")


def services_of(bot: commands.Bot) -> Services:
    services = getattr(bot, "services", None)
    if not isinstance(services, Services):
        raise RuntimeError("the bot has no services; cogs load from CoupleBot.setup_hook")
    return services


class FeatureCog(commands.Cog):
    """A cog holding the services, whose component handlers are registered while loaded."""

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot
        self.services = services_of(bot)

    def handlers(self) -> dict[str, Handler]:
        """custom_id kind -> handler, for the persistent components this feature owns."""
        return {}

    def _registry(self) -> dict[str, Handler]:
        registry: dict[str, Handler] = getattr(self.bot, "component_handlers", {})
        return registry

    async def cog_load(self) -> None:
        self._registry().update(self.handlers())

    async def cog_unload(self) -> None:
        for kind in self.handlers():
            self._registry().pop(kind, None)


def message_for(error: BaseException) -> str:
    """The sentence to show for an error; unexpected ones are logged, never shown."""
    if isinstance(error, UserFacingError):
        return error.message
    if isinstance(error, SaveFailedError):
        return CouldNotSaveError().message
    log.error("unexpected error", exc_info=error)
    return GENERIC_ERROR


def guarded(
    handler: Callable[Concatenate[S, discord.Interaction[Any], P], Coroutine[Any, Any, None]],
) -> Callable[Concatenate[S, discord.Interaction[Any], P], Coroutine[Any, Any, None]]:
    """For component and modal handlers: any error becomes a kind, private reply."""

    @functools.wraps(handler)
    async def wrapper(
        self: S, interaction: discord.Interaction[Any], /, *args: P.args, **kwargs: P.kwargs
    ) -> None:
        try:
            await handler(self, interaction, *args, **kwargs)
        except Exception as exc:
            await reply_privately(interaction, message_for(exc))

    return wrapper
