"""A local fake Discord (gateway + REST) for end-to-end tests and `couplebot demo`."""

from couplebot.fake_discord._models import (
    FakeGuild,
    FakeInteraction,
    FakeUser,
    RecordedRequest,
    message_text,
)
from couplebot.fake_discord._redirect import point_discord_py_at
from couplebot.fake_discord.server import SPEC_ENV_VAR, FakeDiscord, default_spec_path

__all__ = [
    "SPEC_ENV_VAR",
    "FakeDiscord",
    "FakeGuild",
    "FakeInteraction",
    "FakeUser",
    "RecordedRequest",
    "default_spec_path",
    "message_text",
    "point_discord_py_at",
]
