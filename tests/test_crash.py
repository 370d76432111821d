"""kill -9 the real bot process at many points: nothing committed is lost, nothing posted twice.

Each trial runs the real `couplebot run` process against the fake Discord (which runs
in the test's event loop), plays a couple's morning (/setup, /question now, both
partners answer, the reveal) and SIGKILLs the process at planned points: as the fake
logs the n-th REST request of that process (the fake logs a request after handling it
and before answering, so a kill with no delay lands after Discord did the thing and
before the bot hears back), or a few milliseconds later (while the bot writes to its
database). After each kill the bot is started again, and the partners do what people
do: a step that got no answer before the crash is tried again; a modal that was
already open is still submitted. At the end the channel and the database must agree
that there is one round message, each reveal part exactly once, both answers (the
latest acknowledged text of each) and no post left pending.

Most trials start `python -m couplebot.cli run` on the real clock. Trials where time
must pass (the reminder, Discord forgetting a nonce) start tests/crash_bot.py, the
same CLI under time-machine.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import signal
import sys
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pytest

from couplebot.bot import CAUGHT_UP
from couplebot.domain.exchange import Outcome
from couplebot.domain.reveal import reveal_parts
from couplebot.fake_discord import (
    FakeDiscord,
    FakeInteraction,
    FakeUser,
    RecordedRequest,
    message_text,
)
from couplebot.services.outbox import NONCE_TRUST_WINDOW
from couplebot.store import Store
from couplebot.ui.errors import GENERIC_ERROR
from couplebot.ui.kinds import REPLIES
from tests.daily_store import DailyStore

from .conftest import TEST_KEY, Couple
from .crash_bot import NOW_ENV
from .interaction_helpers import buttons
from .test_daily_e2e import round_messages

pytestmark = pytest.mark.slow

T = TypeVar("T")

ROOT = Path(__file__).resolve().parent.parent
LAUNCHER = Path(__file__).with_name("crash_bot.py")
START_TIMEOUT = 20.0
REPLY_TIMEOUT = 10.0
# After a kill, how long a request the dead process had already sent may still land.
GRACE = 0.05
ACKS = frozenset(REPLIES[o] for o in (Outcome.SAVED, Outcome.UPDATED, Outcome.REVEALED))
ALREADY_REVEALED = "already revealed"
REVEAL_FOOTER = re.compile(r"#reveal\.(\d+)\.(\d+)(?: · part (\d+) of (\d+))?")
# Virtual mornings (time-machine trials): Monday 1 June 2026, 07:00 in Berlin.
VIRTUAL_START = datetime(2026, 6, 1, 5, 0, tzinfo=UTC)
# Zones with whole-hour offsets around the globe; real-clock trials pick one where it
# is night or morning, and ask for the question at 23:30, so the scheduler stays out of
# the way and the local date cannot change during the test.
ZONES = (
    "Pacific/Kiritimati",
    "Pacific/Tongatapu",
    "Pacific/Auckland",
    "Pacific/Noumea",
    "Australia/Brisbane",
    "Asia/Tokyo",
    "Asia/Shanghai",
    "Asia/Bangkok",
    "Asia/Dhaka",
    "Asia/Karachi",
    "Asia/Dubai",
    "Europe/Moscow",
    "Africa/Cairo",
    "Africa/Lagos",
    "Atlantic/Reykjavik",
    "Atlantic/Cape_Verde",
    "America/Noronha",
    "America/Sao_Paulo",
    "America/Halifax",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "Pacific/Pago_Pago",
)


@dataclass(frozen=True)
class Kill:
    """SIGKILL the process as the fake logs its `after`-th REST request, `delay` s later."""

    after: int
    delay: float = 0.0

    def __str__(self) -> str:
        return f"#{self.after}" + (f"+{self.delay * 1000:.0f}ms" if self.delay else "")


@dataclass(frozen=True)
class Trial:
    kills: tuple[Kill, ...]
    together: bool = False  # both partners answer at the same moment
    long: bool = False  # answers long enough for a two-part reveal
    stale: bool = False  # Discord forgot every nonce; each restart is 3 minutes later
    remind: bool = False  # Sam answers only after the reminder, hours later

    @property
    def virtual(self) -> bool:
        return self.stale or self.remind


class Tripwire(list[RecordedRequest]):
    """Stands in for the fake's request log and calls `fire` as the n-th request is logged."""

    def __init__(self, recorded: Iterable[RecordedRequest]) -> None:
        super().__init__(recorded)
        self._at = 0
        self._fire: Callable[[], None] | None = None

    def arm(self, after: int, fire: Callable[[], None]) -> None:
        self._at, self._fire = len(self) + after, fire

    def disarm(self) -> None:
        self._fire = None

    def append(self, item: RecordedRequest) -> None:
        super().append(item)
        if self._fire is not None and len(self) >= self._at:
            fire, self._fire = self._fire, None
            fire()


class BotProcess:
    """The real bot as a child process, started again whenever a planned kill took it down."""

    def __init__(
        self,
        fake: FakeDiscord,
        workdir: Path,
        kills: Iterable[Kill],
        *,
        clock_at: datetime | None = None,
        clock_step: timedelta = timedelta(seconds=1),
    ) -> None:
        self.fake = fake
        self.workdir = workdir
        self.database = workdir / "bot.db"
        self.plan = deque(kills)
        self.done: list[str] = []  # what each kill interrupted
        self.generation = 0
        self.logs: list[Path] = []
        self.requests = Tripwire(fake.requests)
        fake.requests = self.requests
        self._proc: asyncio.subprocess.Process | None = None
        self._killed = False
        self._stopping = False
        self._delayed: list[asyncio.TimerHandle] = []
        self._lock = asyncio.Lock()
        self._clock_base = clock_at
        self._clock_started = 0.0
        self._clock_step = clock_step

    # Time (for processes under time-machine)

    def _loop_time(self) -> float:
        return asyncio.get_running_loop().time()

    def virtual_now(self) -> datetime:
        assert self._clock_base is not None
        return self._clock_base + timedelta(seconds=self._loop_time() - self._clock_started)

    def jump(self, delta: timedelta) -> None:
        """The next start happens `delta` later than it otherwise would."""
        assert self._clock_base is not None
        self._clock_base += delta

    # Life and death

    @property
    def alive(self) -> bool:
        return self._proc is not None and not self._killed and self._proc.returncode is None

    async def ensure_running(self) -> int:
        """Start the bot if it is down (again, if a planned kill hits it while starting)."""
        async with self._lock:
            while not self.alive:
                await self._spawn()
            return self.generation

    async def _spawn(self) -> None:
        if self._proc is not None:
            await asyncio.wait_for(self._proc.wait(), 10)
        self.generation += 1
        generation = self.generation
        self._killed = self._stopping = False
        if self.plan:
            kill = self.plan.popleft()
            self.requests.arm(kill.after, lambda: self._on_tripwire(generation, kill))
        else:
            self.requests.disarm()
        env = {k: v for k, v in os.environ.items() if not k.startswith("COUPLEBOT_")}
        env.update(
            DISCORD_TOKEN=self.fake.token,
            COUPLEBOT_DISCORD_API_BASE=self.fake.api_base,
            COUPLEBOT_DISCORD_GATEWAY_URL=self.fake.gateway_url,
            COUPLEBOT_DATABASE=str(self.database),
            COUPLEBOT_SECRET_KEY=TEST_KEY,
            COUPLEBOT_LOG_LEVEL="INFO",  # for the line that says the catch-up is done
            PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        )
        command = [sys.executable, "-m", "couplebot.cli", "run"]
        if self._clock_base is not None:
            if generation > 1:
                self._clock_base = self.virtual_now() + self._clock_step
            self._clock_started = self._loop_time()
            env[NOW_ENV] = self._clock_base.isoformat()
            command = [sys.executable, str(LAUNCHER)]
        log = self.workdir / f"bot-{generation}.log"
        self.logs.append(log)
        identified = self.fake.identify_count
        with log.open("wb") as out:
            self._proc = await asyncio.create_subprocess_exec(
                *command,
                cwd=self.workdir,  # away from any .env of the developer's
                env=env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=out,
                stderr=asyncio.subprocess.STDOUT,
            )
        deadline = self._loop_time() + START_TIMEOUT
        # The bot connects the gateway first and catches up (outbox flush, status
        # refresh) in the background; the partners act once it says it caught up, so
        # each kill lands where the plan expects (a SIGTERM lets a catch-up finish).
        while self.fake.identify_count == identified or CAUGHT_UP not in _text(log):
            if self._killed:
                return
            if self._proc.returncode is not None:
                raise AssertionError(
                    f"the bot exited with {self._proc.returncode} while starting\n{self.describe()}"
                )
            if self._loop_time() > deadline:
                raise AssertionError(
                    f"the bot did not connect in {START_TIMEOUT}s\n{self.describe()}"
                )
            await asyncio.sleep(0.005)

    def _on_tripwire(self, generation: int, kill: Kill) -> None:
        where = self.requests[-1]
        what = f"{kill} {where.method} {_short(where.path)}"
        if kill.delay:
            loop = asyncio.get_running_loop()
            self._delayed.append(loop.call_later(kill.delay, self._kill, generation, what))
        else:
            self._kill(generation, what)

    def _kill(self, generation: int, what: str) -> None:
        proc = self._proc
        stale = generation != self.generation or self._stopping
        if stale or proc is None or proc.returncode is not None:
            return
        proc.send_signal(signal.SIGKILL)
        self._killed = True
        self.done.append(f"process {generation}: {what}")

    async def no_more_kills(self) -> None:
        """Cancel the rest of the plan; let a kill already on its way land."""
        self.plan.clear()
        self.requests.disarm()
        for timer in self._delayed:
            # A little past its time: a sleep due at the same moment may wake first.
            await asyncio.sleep(max(0.0, timer.when() - self._loop_time()) + 0.05)
        self._delayed.clear()

    async def stop(self) -> int | None:
        """SIGTERM; the exit code (None if the last process was killed, not stopped)."""
        self._stopping = True
        self.requests.disarm()
        proc = self._proc
        if proc is None:
            return None
        if proc.returncode is None and not self._killed:
            proc.send_signal(signal.SIGTERM)
            return await asyncio.wait_for(proc.wait(), 10)
        await asyncio.wait_for(proc.wait(), 10)
        return None

    async def close(self) -> None:
        proc = self._proc
        if proc is not None and proc.returncode is None:
            proc.kill()
            await proc.wait()

    async def outcome(self, generation: int, check: Callable[[], T | None], what: str) -> T | None:
        """What `check` finds, or None if that process died first (the user saw nothing)."""
        deadline = self._loop_time() + REPLY_TIMEOUT
        while True:
            found = check()
            if found is not None:
                return found
            if generation != self.generation or not self.alive:
                await asyncio.sleep(GRACE)
                return check()
            if self._loop_time() > deadline:
                raise AssertionError(f"no {what} within {REPLY_TIMEOUT}s\n{self.describe()}")
            await asyncio.sleep(0.005)

    def describe(self) -> str:
        lines = ["kills: " + ("; ".join(self.done) or "none")]
        lines += [f"  {r.method} {_short(r.path)} -> {r.status}" for r in self.requests[-12:]]
        for log in self.logs[-3:]:
            text = log.read_text(errors="replace").strip() if log.exists() else ""
            lines.append(f"--- {log.name} ---\n{text[-3000:]}")
        return "\n".join(lines)

    def log_problems(self) -> list[str]:
        found = []
        for log in self.logs:
            for line in log.read_text(errors="replace").splitlines():
                if " ERROR " in line or " CRITICAL " in line or line.startswith("Traceback"):
                    found.append(f"{log.name}: {line}")
        return found


def _text(log: Path) -> str:
    return log.read_text(errors="replace") if log.exists() else ""


def _short(path: str) -> str:
    return re.sub(r"fake-interaction-[0-9a-f]+", "<token>", path)


@dataclass
class Partner:
    user: FakeUser
    long: bool
    submitted: list[str] = field(default_factory=list)
    acknowledged: str | None = None  # the text whose "Saved"/"Updated" they saw
    saw: list[str] = field(default_factory=list)  # every private reply shown to them

    def next_answer(self) -> str:
        head = f"{self.user.name}, take {len(self.submitted) + 1}: the walk home in the rain."
        if not self.long:
            return head
        return (head + " " + "Rain on the window 🌧️, **your** hand in mine. " * 80)[:3000]


class Morning:
    """The couple's morning, played by people who retry what got no answer."""

    def __init__(self, fake: FakeDiscord, couple: Couple, bot: BotProcess, trial: Trial) -> None:
        self.fake = fake
        self.couple = couple
        self.bot = bot
        self.trial = trial
        self.alex = Partner(couple.alex, trial.long)
        self.sam = Partner(couple.sam, trial.long)

    async def set_up(self, zone: str, time: str) -> None:
        values = {"partner": self.couple.sam, "timezone": zone, "time": time}
        while True:
            generation = await self.bot.ensure_running()
            setup = await self.fake.slash(
                self.couple.alex, "setup", values, guild=self.couple.guild
            )
            reply = await self.bot.outcome(generation, partial(_latest_reply, setup), "/setup")
            if reply is not None:
                break
        if "Updated" in setup.text:
            return
        assert "press **Accept**" in setup.text and setup.message is not None, setup.text
        accept_id = next(
            c["custom_id"]
            for row in setup.message["components"]
            for c in row["components"]
            if c.get("label") == "Accept"
        )
        while True:  # Sam accepts; a repeat after a kill is harmless
            generation = await self.bot.ensure_running()
            click = await self.fake.click(
                self.couple.sam, setup.message, accept_id, guild=self.couple.guild
            )
            reply = await self.bot.outcome(generation, partial(_latest_reply, click), "Accept")
            if reply is not None:
                assert "All set" in click.text, click.text
                return

    async def ask(self) -> None:
        while True:
            generation = await self.bot.ensure_running()
            now = await self.fake.slash(self.couple.alex, "question now", guild=self.couple.guild)
            followup = await self.bot.outcome(
                generation, partial(_first, now.followups), "/question now followup"
            )
            if followup is not None:
                assert "question is" in now.text, now.text
                return

    async def answer(self, partner: Partner) -> None:
        modal_from = None
        while True:
            if modal_from is None:
                generation = await self.bot.ensure_running()
                message = round_messages(self.fake, self.couple)[0]
                if "Answer" not in buttons(message):
                    partner.saw.append("(the round message shows the reveal)")
                    return
                click = await self.fake.click(
                    partner.user, message, buttons(message)["Answer"], guild=self.couple.guild
                )
                response = await self.bot.outcome(
                    generation, partial(_first, click.callbacks), f"{partner.user.name}'s click"
                )
                if response is None:
                    continue  # "This interaction failed": click again
                if click.modal is None:
                    partner.saw.append(click.text)
                    assert ALREADY_REVEALED in click.text, click.text
                    return
                modal_from = click
            # The modal is open on their screen; they submit it, even to a restarted bot.
            generation = await self.bot.ensure_running()
            text = partner.next_answer()
            submit = await self.fake.submit_modal(
                partner.user, modal_from, {"answer": text}, guild=self.couple.guild
            )
            partner.submitted.append(text)
            reply = await self.bot.outcome(
                generation, partial(_latest_reply, submit), f"{partner.user.name}'s answer reply"
            )
            if reply is None:
                modal_from = None  # the modal said something went wrong; start over
                continue
            said = message_text(reply)
            partner.saw.append(said)
            if said in ACKS:
                partner.acknowledged = text
                return
            assert ALREADY_REVEALED in said, said
            return

    async def both_answer(self) -> None:
        if self.trial.together:
            await asyncio.gather(self.answer(self.alex), self.answer(self.sam))
        else:
            await self.answer(self.alex)
            await self.answer(self.sam)

    async def reveal_settles(self) -> None:
        """Wait, restarting as needed, for the last part of the reveal."""
        while True:
            generation = await self.bot.ensure_running()
            done = await self.bot.outcome(
                generation, lambda: True if self._settled() else None, "complete reveal"
            )
            if done:
                return

    def _settled(self) -> bool:
        return any(part == total for _, part, total in reveal_footers(self.fake, self.couple))


def _first(items: list[T]) -> T | None:
    return items[0] if items else None


def _latest_reply(interaction: FakeInteraction) -> dict[str, Any] | None:
    return interaction.latest_reply


def reveal_footers(fake: FakeDiscord, couple: Couple) -> list[tuple[int, int, int]]:
    """(round id, part, parts) of every reveal message in the channel, oldest first."""
    found = []
    for message in fake.channel_messages(couple.guild.channel_id):
        for embed in message.get("embeds") or []:
            match = REVEAL_FOOTER.fullmatch((embed.get("footer") or {}).get("text") or "")
            if match:
                total = int(match[4]) if match[4] else 1
                found.append((int(match[1]), int(match[2]), total))
    return found


def revealed_answers(fake: FakeDiscord, couple: Couple) -> dict[str, list[str]]:
    """Author name -> every answer text shown for them in reveal messages."""
    shown: dict[str, list[str]] = {}
    for message in fake.channel_messages(couple.guild.channel_id):
        embeds = message.get("embeds") or []
        footers = [(e.get("footer") or {}).get("text") or "" for e in embeds]
        if not any(REVEAL_FOOTER.fullmatch(f) for f in footers):
            continue
        for embed in embeds:
            author = (embed.get("author") or {}).get("name")
            if author:
                shown.setdefault(author, []).append(embed.get("description") or "")
    return shown


def pick_zone(now: datetime) -> str:
    """A zone where it is between 01:00 and 11:59 now."""
    for name in ZONES:
        if 1 <= now.astimezone(ZoneInfo(name)).hour < 12:
            return name
    raise AssertionError(f"no zone in the list has a morning at {now}")


def _trials() -> Iterator[Any]:
    rng = random.Random(20260601)
    jitter = (0.0, 0.0, 0.002, 0.005, 0.01, 0.02)

    def after_restart(count: int, last: int) -> tuple[Kill, ...]:
        """Kills soon after a restart (login is requests 1-2): during the catch-up on
        start or the step tried again, some a few milliseconds after a request."""
        return tuple(Kill(rng.randint(3, last), rng.choice(jitter)) for _ in range(count))

    # One after the other, with a two-part reveal. The first kill walks over every request
    # of a fresh morning, in order: 1-2 login, 3 command sync, 4 the /setup reply,
    # 5 /question now deferred, 6 the round message, 7 its followup, 8 Alex's modal,
    # 9 Alex's "Saved", 10 the status edit, 11 Sam's modal, 12 Sam's "Saved" (the reveal
    # is committed), 13 the status edit, 14 and 16 name look-ups, 15 and 17 the reveal's
    # two parts. It lands as the fake logs the request: after Discord did it, before the
    # bot heard back. Two more kills follow, after the restarts.
    for first in range(5, 18):
        follow = after_restart(2, 8 if first < 12 else 5)
        yield pytest.param(Trial((Kill(first), *follow), long=True), id=f"one-by-one-k{first:02d}")
    # Milliseconds after a request: while the bot commits what it just learned.
    for late in (Kill(6, 0.002), Kill(6, 0.008), Kill(9, 0.003), Kill(15, 0.003)):
        trial = Trial((late, *after_restart(1, 6)), long=True)
        yield pytest.param(trial, id=f"one-by-one-{late}")
    # Both partners submit at the same moment.
    for kill, long in ((Kill(8), False), (Kill(10, 0.005), False), (Kill(12), True)):
        trial = Trial((kill, *after_restart(2, 6)), together=True, long=long)
        yield pytest.param(trial, id=f"together-{kill}")
    # Discord no longer remembers the nonces (each restart is minutes later): posts that
    # look unsent must be found in the channel history, not sent again.
    for first in (6, 15):
        trial = Trial((Kill(first), Kill(5)), long=True, stale=True)
        yield pytest.param(trial, id=f"stale-nonce-k{first:02d}")
    # Hours later, the one reminder to Sam; the kills land around it (3 the status edit,
    # 4 the user look-up, 5 the DM channel, 6 the DM), with and without nonce memory.
    yield pytest.param(Trial((Kill(6), Kill(4), Kill(5, 0.005)), remind=True), id="remind")
    yield pytest.param(
        Trial((Kill(6), Kill(5), Kill(7)), remind=True, stale=True), id="remind-stale-nonce"
    )


@pytest.fixture
async def processes(fake: FakeDiscord) -> AsyncIterator[list[BotProcess]]:
    started: list[BotProcess] = []
    yield started
    for process in started:
        await process.close()


@pytest.mark.parametrize("trial", list(_trials()))
async def test_kill_9_loses_and_repeats_nothing(
    fake: FakeDiscord,
    couple: Couple,
    tmp_path: Path,
    processes: list[BotProcess],
    trial: Trial,
) -> None:
    if trial.stale:
        fake.nonce_window_seconds = 0.0
    bot = BotProcess(
        fake,
        tmp_path,
        () if trial.remind else trial.kills,
        clock_at=VIRTUAL_START if trial.virtual else None,
        clock_step=NONCE_TRUST_WINDOW + timedelta(minutes=1) if trial.stale else timedelta(0),
    )
    processes.append(bot)
    morning = Morning(fake, couple, bot, trial)
    if trial.virtual:
        await morning.set_up("Europe/Berlin", "08:00")  # 07:00 there: not yet due
    else:
        await morning.set_up(pick_zone(datetime.now(UTC)), "23:30")
    await morning.ask()
    if trial.remind:
        await morning.answer(morning.alex)
        # Let the bot finish with the answer first: this trial is about kills, not SIGTERM.
        await fake.wait_until(
            lambda: "One of you has written" in message_text(round_messages(fake, couple)[0])
        )
        await asyncio.sleep(0.1)
        bot.jump(timedelta(hours=4, minutes=10))  # 11:10: a reminder is due for Sam
        await bot.stop()
        bot.plan.extend(trial.kills)
        await _reminder_arrives(fake, couple, bot)
        await morning.answer(morning.sam)
    else:
        await morning.both_answer()
    await morning.reveal_settles()
    await bot.no_more_kills()
    # If the last kill came after everything showed, the catch-up on start finishes up.
    await bot.ensure_running()
    await asyncio.sleep(0.1)  # room for a late duplicate to show
    exit_code = await bot.stop()
    context = bot.describe()
    print(f"{len(bot.done)} kills landed: " + "; ".join(bot.done))  # shown with -rP

    assert exit_code == 0, f"exit code {exit_code} after SIGTERM\n{context}"
    if trial.kills:
        assert bot.done, f"no planned kill landed\n{context}"
    _check_channel(fake, couple, morning, context)
    await _check_database(bot.database, couple, morning, trial, context)
    if trial.remind:
        assert len(fake.dm_messages(couple.sam.id)) == 1, context
        assert fake.dm_messages(couple.alex.id) == [], context
    else:
        assert fake.dm_messages(couple.sam.id) == [], context
    assert bot.log_problems() == [], context


async def _reminder_arrives(fake: FakeDiscord, couple: Couple, bot: BotProcess) -> None:
    """Start (and restart) the bot hours later until Sam has had the reminder."""
    while True:
        generation = await bot.ensure_running()
        dm = await bot.outcome(
            generation,
            lambda: fake.dm_messages(couple.sam.id) or None,
            "reminder",
        )
        if dm is not None:
            await asyncio.sleep(0.1)
            return


def _check_channel(fake: FakeDiscord, couple: Couple, morning: Morning, context: str) -> None:
    rounds = round_messages(fake, couple)
    assert len(rounds) == 1, f"{len(rounds)} round messages\n{context}"
    status = message_text(rounds[0])
    assert "You've both answered" in status and buttons(rounds[0]) == {}, (
        f"stale status line: {status!r}\n{context}"
    )

    footers = reveal_footers(fake, couple)
    parts = sorted((part, total) for _, part, total in footers)
    total = parts[-1][1] if parts else 0
    assert parts == [(p, total) for p in range(1, total + 1)], (
        f"reveal parts {parts} (each must appear once)\n{context}"
    )
    assert {round_id for round_id, _, _ in footers} == {rounds_id(rounds[0])}, context

    shown = revealed_answers(fake, couple)
    for partner in (morning.alex, morning.sam):
        name = partner.user.name
        assert len(shown.get(name, [])) == 1, f"{name}'s answer shown {shown.get(name)}\n{context}"
        body = shown[name][0]
        assert body in partner.submitted, f"{name}: revealed text was never submitted\n{context}"
        if partner.acknowledged is not None:
            assert body == partner.acknowledged, (
                f"{name} saw {partner.acknowledged[:40]!r} saved, reveal shows {body[:40]!r}\n"
                f"{context}"
            )
        assert GENERIC_ERROR not in partner.saw, f"{name} saw {partner.saw}\n{context}"


def rounds_id(message: dict[str, Any]) -> int:
    match = re.search(r"#question\.(\d+)", message_text(message))
    assert match, message_text(message)
    return int(match[1])


async def _check_database(
    database: Path, couple: Couple, morning: Morning, trial: Trial, context: str
) -> None:
    store = DailyStore(await Store.open(database, secret_key=TEST_KEY))
    try:
        async with store.read() as tx:
            found = await tx.couple_by_guild(couple.guild.id)
            assert found is not None, context
            round_ = await tx.latest_round(found.id)
            assert round_ is not None, context
            in_order = await tx.answers(round_.id)
            answers = {a.user_id: a for a in in_order}
            pending = await tx.pending_posts()
        async with store.db.reading() as sql:
            [(rounds,)] = await sql.all("SELECT COUNT(*) FROM exchanges WHERE kind = 'daily'")
            outbox = {
                r[0]: r[1] for r in await sql.all("SELECT dedupe_key, message_id FROM outbox")
            }
    finally:
        await store.close()

    assert rounds == 1, f"{rounds} rounds\n{context}"
    assert round_.revealed_at is not None, context
    assert pending == [], f"pending posts {[p.dedupe_key for p in pending]}\n{context}"
    shown = revealed_answers(morning.fake, couple)
    for partner in (morning.alex, morning.sam):
        saved = answers.get(partner.user.id)
        assert saved is not None and not saved.passed, f"{partner.user.name}: no answer\n{context}"
        assert [saved.body] == shown[partner.user.name], context

    # Every post the outbox made is the message that is in the channel.
    channel = {int(m["id"]): m for m in morning.fake.channel_messages(couple.guild.channel_id)}
    question = round_messages(morning.fake, couple)[0]
    assert round_.message_id == int(question["id"]), context
    assert outbox.pop(f"question:{round_.id}") == int(question["id"]), context
    bodies = [a.body or "" for a in in_order]
    expected_parts = len(reveal_parts(round_.question_text, bodies))
    for part in range(1, expected_parts + 1):
        message_id = outbox.pop(f"reveal:{round_.id}:{part}")
        assert message_id in channel, f"reveal part {part} points at no message\n{context}"
        assert f"#reveal.{round_.id}.{part}" in message_text(channel[message_id]), context
    if trial.remind:
        key = f"remind:{round_.id}:{couple.sam.id}:1"
        dms = morning.fake.dm_messages(couple.sam.id)
        assert outbox.pop(key) == int(dms[0]["id"]), context
    assert outbox == {}, f"unexpected outbox rows {outbox}\n{context}"
