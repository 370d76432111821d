"""A local fake Discord (gateway + REST) for end-to-end tests and `couplebot demo`.

The real discord.py client talks to it on 127.0.0.1 (`point_discord_py_at(fake)`, or the
bot's own `point_discord_at(fake.api_base, fake.gateway_url)`). Every request body is
checked against Discord's OpenAPI spec and limits; mistakes land in `fake.violations`.

The helper API tests use (all on `FakeDiscord`):

- Lifecycle: `FakeDiscord(spec_path="default", shards=None, max_concurrency=1,
  identify_interval=None, rate_limits=False, latency=0.0)`, `await start()` /
  `await close()` (or `async with`); `token`, `api_base`, `gateway_url`, `validating`.
- World: `add_user(name)`, `add_guild(name, members, channel_name="us", on_shard=None)`;
  `bot_user`, `application_id`, `users`, `guilds`, `channels`, `global_commands`, `commands`.
- Sharding: GET /gateway/bot answers `shards` (None: one per 1,000 guilds); each IDENTIFY
  `shard: [id, count]` gets the guilds with `(guild_id >> 22) % count == id`, DMs go to
  shard 0, and a session that would hold over 2,500 guilds is closed with 4011.
  `identify_limit` (max_concurrency, interval, refused): with an interval (Discord: 5 s)
  each bucket `shard_id % max_concurrency` may IDENTIFY once per interval; one more is
  answered with op 9 Invalid Session, as Discord does.
  `gateway_sessions` lists each session's shard and the guilds it was sent.
- What users do (each returns a `FakeInteraction` to await answers on):
  `slash(user, "name sub", options, guild=)`, `click(user, message, custom_id, guild=)`,
  `select(user, message, custom_id, values, guild=)`,
  `submit_modal(user, modal_from, values, guild=)`, `autocomplete(...) -> choices`,
  `forge(user, kind, data, guild=, message=)` for unchecked payloads, `dispatch(event, data)`.
- What the bot did: `channel_messages(channel_id)`, `dm_messages(user_id)`,
  `message(id)`, `attachments(message)`, `requests` (a log of `RecordedRequest`),
  `identify_count`, `resume_count`, `await wait_until(predicate, timeout=5)`.
- Rate limits (off unless asked for): `rate_limits=True` models Discord's (50 calls/s per
  bot, interaction endpoints exempt; per-route buckets such as 5 messages per 5 s per
  channel, with X-RateLimit-* headers; 429s with `Via` and `retry_after`; a call is
  judged when its headers arrived plus half the latency), or pass a
  `RateLimitPolicy` (e.g. `RateLimitPolicy().scaled(0.1)`); `latency` delays every call.
  `traffic` (`TrafficCounters`) counts calls, 429s by kind, invalid requests and calls
  in flight.
- Faults: `fail_next(method, glob, status=, times=, retry_after=, is_global=)`,
  `stall_next(method, glob, seconds=)`, `clear_faults()`, `await drop_gateway()`;
  `nonce_window_seconds` (how long Discord remembers an enforced nonce).

Inside, one module per responsibility: `_state` (guilds, channels, messages), `_gateway`
(shard sessions, dispatch, resume), `_rest` (route table, body checks, request log),
`_routes` and `_interaction_routes` (REST handlers), `_inject` (interaction payloads),
`_faults`, `_ratelimit` (limits and traffic counters), `_spec` (OpenAPI validation and
Discord's limits), `_http` and `_models` (shared records), `server` (FakeDiscord, wiring).
"""

from couplebot.fake_discord._models import (
    FakeGuild,
    FakeInteraction,
    FakeUser,
    RecordedRequest,
    message_text,
)
from couplebot.fake_discord._ratelimit import RateLimitPolicy, RouteLimit, TrafficCounters
from couplebot.fake_discord._redirect import point_discord_py_at
from couplebot.fake_discord.server import SPEC_ENV_VAR, FakeDiscord, default_spec_path

__all__ = [
    "SPEC_ENV_VAR",
    "FakeDiscord",
    "FakeGuild",
    "FakeInteraction",
    "FakeUser",
    "RateLimitPolicy",
    "RecordedRequest",
    "RouteLimit",
    "TrafficCounters",
    "default_spec_path",
    "message_text",
    "point_discord_py_at",
]
