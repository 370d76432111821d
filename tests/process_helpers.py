"""The real `couplebot` CLI in a subprocess: one-shot commands, and a bot process against the
fake Discord (which runs in the test's event loop)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from couplebot.fake_discord import FakeDiscord, FakeUser

from .conftest import Couple, set_up
from .test_cli import clean_env

PROCESS_START_TIMEOUT = 45.0  # generous: CI machines can be busy


def couplebot(cwd: Path, *args: str, timeout: float = 60, **settings: str) -> Any:
    """`python -m couplebot ARGS` with only these settings; returns the CompletedProcess."""
    return subprocess.run(
        [sys.executable, "-m", "couplebot", *args],
        cwd=cwd,
        env=clean_env(**settings),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def fake_settings(fake: FakeDiscord, database: Path, **more: str) -> dict[str, str]:
    return {
        "DISCORD_TOKEN": fake.token,
        "COUPLEBOT_DISCORD_API_BASE": fake.api_base,
        "COUPLEBOT_DISCORD_GATEWAY_URL": fake.gateway_url,
        "COUPLEBOT_DATABASE": str(database),
        **more,
    }


@dataclass
class BotProcess:
    process: asyncio.subprocess.Process
    output: Path

    @property
    def log(self) -> str:
        return self.output.read_text(encoding="utf-8", errors="replace")


@asynccontextmanager
async def bot_process(
    fake: FakeDiscord, cwd: Path, database: Path, **settings: str
) -> AsyncIterator[BotProcess]:
    """`couplebot run` against the fake, ready (it logged its start line) when yielded."""
    output = cwd / f"bot-{len(list(cwd.glob('bot-*.out')))}.out"
    identified = fake.identify_count
    with output.open("wb") as sink:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "couplebot",
            "run",
            cwd=cwd,
            env=clean_env(**fake_settings(fake, database, **settings)),
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    bot = BotProcess(process, output)
    try:
        await fake.wait_until(
            lambda: (
                process.returncode is not None
                or (fake.identify_count > identified and " started: database " in bot.log)
            ),
            timeout=PROCESS_START_TIMEOUT,
        )
        assert process.returncode is None, bot.log
        yield bot
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), timeout=10)
            except TimeoutError:
                process.kill()
                await process.wait()


async def answer(fake: FakeDiscord, couple: Couple, user: FakeUser, text: str) -> None:
    """Click Answer on today's question and submit `text` in the modal."""
    message = next(
        m
        for m in reversed(fake.channel_messages(couple.guild.channel_id))
        if any("Today's question" in (e.get("title") or "") for e in m["embeds"])
    )
    custom_id = next(
        c["custom_id"]
        for row in message.get("components", [])
        for c in row.get("components", [])
        if c.get("label") == "Answer"
    )
    click = await fake.click(user, message, custom_id, guild=couple.guild)
    await click.wait_response(timeout=10)
    submit = await fake.submit_modal(user, click, {"answer": text}, guild=couple.guild)
    await submit.wait_reply(timeout=10)


async def morning(fake: FakeDiscord, couple: Couple, alex_says: str, sam_says: str) -> None:
    """/setup (and the partner's accept), /question now and both answers: the reveal."""
    await set_up(fake, couple)  # Alex runs /setup, Sam accepts
    now = await fake.slash(couple.sam, "question now", guild=couple.guild)
    await now.wait_reply(timeout=10)
    await fake.wait_until(
        lambda: any(
            "Today's question" in (e.get("title") or "")
            for m in fake.channel_messages(couple.guild.channel_id)
            for e in m["embeds"]
        ),
        timeout=10,
    )
    await answer(fake, couple, couple.alex, alex_says)
    await answer(fake, couple, couple.sam, sam_says)
    await fake.wait_until(
        lambda: any(
            "You've both answered" in str(m["embeds"])
            for m in fake.channel_messages(couple.guild.channel_id)
        ),
        timeout=10,
    )
