"""Missing channel permissions: /setup says what to grant; a lost history permission
does not stop a post from being delivered."""

from __future__ import annotations

from datetime import timedelta

from couplebot.bot import CoupleBot
from couplebot.fake_discord import FakeDiscord
from couplebot.fake_discord._state import MEMBER_PERMISSIONS

from .conftest import BotRunner, Couple, set_up
from .test_daily_e2e import answer, post_today, reveal_messages

READ_HISTORY = 1 << 16
EMBED_LINKS = 1 << 14


async def test_setup_names_the_missing_permissions(
    fake: FakeDiscord, couple: Couple, bot: CoupleBot
) -> None:
    fake.app_permissions = MEMBER_PERMISSIONS & ~READ_HISTORY & ~EMBED_LINKS
    refused = await set_up(fake, couple)
    assert refused.ephemeral
    assert "Embed Links and Read Message History" in refused.text
    assert "/setup again" in refused.text
    assert "All set" not in refused.text
    fake.app_permissions = MEMBER_PERMISSIONS
    accepted = await set_up(fake, couple)
    assert "All set" in accepted.text, accepted.text


async def test_a_forbidden_history_check_still_delivers_once(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    await runner.start()
    await set_up(fake, couple)
    await post_today(fake, couple)
    await answer(fake, couple, couple.alex, "The long way home.")
    fake.fail_next("POST", "/channels/*/messages", status=503, times=50)
    await answer(fake, couple, couple.sam, "Your terrible puns.")
    await fake.wait_until(lambda: any(r.status == 503 for r in fake.requests))
    await runner.stop()
    fake.clear_faults()
    # Long enough for the nonce to be distrusted: the outbox checks the history first.
    runner.clock.advance(timedelta(minutes=10))
    fake.fail_next("GET", "/channels/*/messages", status=403, times=10)
    bot = await runner.start()
    await bot.services.outbox.flush()
    await fake.wait_until(lambda: len(reveal_messages(fake, couple)) == 1)
    history = [r for r in fake.requests if r.method == "GET" and r.path.endswith("/messages")]
    assert [r.status for r in history] == [403]
    await bot.services.outbox.flush()
    assert len(reveal_messages(fake, couple)) == 1
