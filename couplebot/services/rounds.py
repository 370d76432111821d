"""The daily round: post, collect private answers, reveal once, remind gently."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from couplebot.clock import Clock
from couplebot.content import Content
from couplebot.domain.models import Answer, Couple, Round, RoundState
from couplebot.domain.questions import CUSTOM_THEME, THEMES, Depth, Question
from couplebot.domain.reveal import MAX_ANSWER_LENGTH, reveal_parts
from couplebot.domain.schedule import local_date, reminder_due_at, todays_round
from couplebot.domain.selection import choose_question
from couplebot.domain.streak import milestone_crossed, together_days
from couplebot.services.couples import require_couple
from couplebot.services.errors import InvalidInputError
from couplebot.services.ports import (
    Messenger,
    Post,
    ReminderPost,
    RevealedAnswer,
    RevealPost,
    RoundPost,
    SharedAnswerPost,
    UndeliverableError,
    post_marker,
)
from couplebot.store import OutboxItem, Store, Tx

log = logging.getLogger(__name__)

# Discord dedupes a nonce for a few minutes; older unsent posts are looked up first.
NONCE_TRUST_WINDOW = timedelta(minutes=2)
# A send that takes longer may still have happened; it stays pending and is retried
# with the same nonce, which Discord (and the history check) turn into a no-op.
SEND_TIMEOUT_SECONDS = 30.0


class AnswerOutcome(StrEnum):
    SAVED = "saved"
    UPDATED = "updated"
    REVEALED = "revealed"
    PASSED = "passed"


@dataclass(frozen=True)
class AnswerResult:
    outcome: AnswerOutcome
    round: Round


@dataclass(frozen=True)
class HistoryPage:
    round: Round | None
    answers: tuple[Answer, ...]
    page: int
    pages: int


@dataclass(frozen=True)
class TodayResult:
    round: Round
    created: bool


def question_key(round_id: int) -> str:
    """The outbox key of a round's question post (its marker keeps finding the message)."""
    return f"question:{round_id}"


def nonce_for(dedupe_key: str) -> str:
    """A stable nonce (<= 25 chars) for a post, so Discord drops a resend."""
    return "cb" + hashlib.sha256(dedupe_key.encode()).hexdigest()[:23]


class RoundsService:
    def __init__(
        self,
        store: Store,
        content: Content,
        messenger: Messenger,
        clock: Clock,
        rng: random.Random | None = None,
    ) -> None:
        self._store = store
        self._content = content
        self._messenger = messenger
        self._clock = clock
        self._rng = rng or random.Random()  # noqa: S311 - picking questions, not secrets
        self._flush_lock = asyncio.Lock()

    # Scheduling

    async def tick(self) -> None:
        """Do whatever is due now for every couple. Safe to call any time, any number of times."""
        now = self._clock.now()
        async with self._store.read() as tx:
            couples = await tx.all_couples()
        for couple in couples:
            timing = todays_round(now, couple.question_time, couple.zone)
            if timing.status == "due":
                await self._start_round(couple.id, timing.local_date, only_if_unpaused=True)
            await self._queue_reminders(couple, now)
        await self.flush()

    async def _start_round(
        self, couple_id: int, day: date, *, only_if_unpaused: bool
    ) -> TodayResult | None:
        async with self._store.read() as tx:
            existing = await tx.round_on(couple_id, day)
            paused = only_if_unpaused and await tx.paused_until(couple_id, day) is not None
        if existing is not None:
            return TodayResult(existing, created=False)
        if paused:
            return None
        async with self._store.write() as tx:
            couple = await tx.couple(couple_id)
            if couple is None:
                return None
            existing = await tx.round_on(couple.id, day)
            if existing is not None:
                return TodayResult(existing, created=False)
            question, cycle = await self._pick(tx, couple, day)
            round_, created = await tx.create_round(
                couple.id, day, question, cycle, self._clock.now()
            )
            if created:
                await tx.enqueue(
                    question_key(round_.id),
                    couple_id=couple.id,
                    kind="question",
                    round_id=round_.id,
                    now=self._clock.now(),
                )
                log.info("round %s created for couple %s on %s", round_.id, couple.id, day)
        return TodayResult(round_, created)

    async def _pick(
        self, tx: Tx, couple: Couple, day: date, exclude: tuple[str, ...] = ()
    ) -> tuple[Question, int]:
        pool = [*self._content.questions, *await tx.custom_questions(couple.id)]
        asked = await tx.asked_question_ids(couple.id, couple.question_cycle)
        latest = await tx.latest_round(couple.id)
        previous_was_deep = (
            latest is not None
            and latest.local_date == day - timedelta(days=1)
            and latest.depth is Depth.DEEP
        )
        choice = choose_question(
            pool=pool,
            asked_ids=asked,
            enabled_themes=couple.themes,
            deep_today=day.weekday() in couple.deep_days,
            previous_was_deep=previous_was_deep,
            rng=self._rng,
            exclude_ids=exclude,
        )
        cycle = couple.question_cycle
        if choice.new_cycle:
            cycle = await tx.start_new_cycle(couple.id)
        return choice.question, cycle

    async def _queue_reminders(self, couple: Couple, now: datetime) -> None:
        """Queue the day's one gentle reminder once due. Reads first: most ticks write nothing."""
        today = local_date(now, couple.zone)
        async with self._store.read() as tx:
            round_ = await tx.round_on(couple.id, today)
            if round_ is None or round_.state is not RoundState.OPEN:
                return
            if round_.message_id is None or await tx.paused_until(couple.id, today):
                return
            answers = await tx.answers(round_.id)
            if len(answers) != 1:
                return
            waiting = couple.other(answers[0].user_id)
            key = f"remind:{round_.id}:{waiting.user_id}:1"
            if await tx.outbox_has(key):
                return
        due = reminder_due_at(
            posted_at=round_.created_at,
            first_answer_at=answers[0].created_at,
            tz=couple.zone_of(waiting.user_id),
            quiet_start=waiting.quiet_start,
            quiet_end=waiting.quiet_end,
        )
        if due is None or now < due:
            return
        async with self._store.write() as tx:
            fresh = await tx.round(round_.id)
            if fresh is not None and fresh.state is RoundState.OPEN:
                await tx.enqueue(
                    key,
                    couple_id=couple.id,
                    kind="remind",
                    round_id=round_.id,
                    user_id=waiting.user_id,
                    now=now,
                )

    # Commands

    async def today(self, guild_id: int | None, user_id: int) -> TodayResult:
        """Post today's round now if it is not out yet (ignores the morning time and pauses)."""
        async with self._store.read() as tx:
            couple = await require_couple(tx, guild_id, user_id)
        day = local_date(self._clock.now(), couple.zone)
        result = await self._start_round(couple.id, day, only_if_unpaused=False)
        assert result is not None
        await self.flush()
        async with self._store.read() as tx:
            fresh = await tx.round(result.round.id)
        assert fresh is not None
        return TodayResult(fresh, result.created)

    async def skip(self, guild_id: int | None, user_id: int) -> Round:
        """Swap today's question while nobody has answered it."""
        async with self._store.write() as tx:
            couple = await require_couple(tx, guild_id, user_id)
            day = local_date(self._clock.now(), couple.zone)
            round_ = await tx.round_on(couple.id, day)
            if round_ is None:
                raise InvalidInputError(
                    "There is no question out today yet. `/question now` brings one."
                )
            if round_.state is not RoundState.OPEN or await tx.answers(round_.id):
                raise InvalidInputError(
                    "Today's question already has an answer, so it stays. A new one comes tomorrow."
                )
            question, cycle = await self._pick(tx, couple, day, exclude=(round_.question_id,))
            await tx.replace_question(round_.id, question, cycle)
            swapped = await tx.round(round_.id)
            assert swapped is not None
        await self._refresh(swapped.id)
        return swapped

    async def history(self, guild_id: int | None, user_id: int, page: int) -> HistoryPage:
        async with self._store.read() as tx:
            couple = await require_couple(tx, guild_id, user_id)
            total = await tx.count_revealed(couple.id)
            page = max(0, min(page, total - 1))
            rounds = await tx.revealed_rounds(couple.id, offset=page, limit=1)
            if not rounds:
                return HistoryPage(None, (), 0, 0)
            answers = tuple(a for a in await tx.answers(rounds[0].id) if a.body is not None)
            return HistoryPage(rounds[0], answers, page, total)

    # Answering

    async def draft(self, guild_id: int | None, round_id: int, user_id: int) -> tuple[Round, str]:
        """The round and the caller's own saved answer (for editing), if the round is open."""
        async with self._store.read() as tx:
            couple = await require_couple(tx, guild_id, user_id)
            round_ = await self._open_round(tx, couple, round_id)
            mine = [a for a in await tx.answers(round_id) if a.user_id == user_id]
        return round_, (mine[0].body or "") if mine else ""

    async def _open_round(self, tx: Tx, couple: Couple, round_id: int) -> Round:
        round_ = await self._own_round(tx, couple, round_id)
        if round_.state is RoundState.REVEALED:
            raise InvalidInputError("Both answers are already revealed for this one.")
        if round_.state is RoundState.RESTING:
            raise InvalidInputError("This question is resting; a new one comes tomorrow.")
        return round_

    async def _own_round(self, tx: Tx, couple: Couple, round_id: int) -> Round:
        """The round, if it is this couple's; anything else looks simply absent."""
        round_ = await tx.round(round_id)
        if round_ is None or round_.couple_id != couple.id:
            raise InvalidInputError("That question is no longer here. Today's is in the channel.")
        return round_

    async def answer(
        self, guild_id: int | None, round_id: int, user_id: int, body: str
    ) -> AnswerResult:
        text = body.strip()
        if not text:
            raise InvalidInputError("Your answer was empty, so I saved nothing.")
        if len(text) > MAX_ANSWER_LENGTH:
            raise InvalidInputError(f"Answers can be up to {MAX_ANSWER_LENGTH} characters.")
        return await self._respond(guild_id, round_id, user_id, text)

    async def pass_round(self, guild_id: int | None, round_id: int, user_id: int) -> AnswerResult:
        return await self._respond(guild_id, round_id, user_id, None)

    async def _respond(
        self, guild_id: int | None, round_id: int, user_id: int, body: str | None
    ) -> AnswerResult:
        now = self._clock.now()
        async with self._store.write() as tx:
            couple = await require_couple(tx, guild_id, user_id)
            round_ = await self._open_round(tx, couple, round_id)
            before = {a.user_id for a in await tx.answers(round_id)}
            await tx.save_answer(round_id, user_id, body, passed=body is None, now=now)
            answers = await tx.answers(round_id)
            outcome = AnswerOutcome.UPDATED if user_id in before else AnswerOutcome.SAVED
            if body is None:
                await tx.mark_resting(round_id, now)
                outcome = AnswerOutcome.PASSED
            elif (
                len(answers) == 2
                and all(not a.passed for a in answers)
                and await tx.mark_revealed(round_id, now)
            ):
                await self._queue_reveal(tx, couple, round_, answers, now)
                outcome = AnswerOutcome.REVEALED
            updated = await tx.round(round_id)
            assert updated is not None
        return AnswerResult(outcome, updated)

    async def settle(self, round_id: int) -> None:
        """After an answer is acknowledged: update the status line and send what is due."""
        await self._refresh(round_id)
        await self.flush()

    async def _queue_reveal(
        self, tx: Tx, couple: Couple, round_: Round, answers: list[Answer], now: datetime
    ) -> None:
        bodies = [a.body or "" for a in answers]
        for part, _ in enumerate(reveal_parts(round_.question_text, bodies), start=1):
            await tx.enqueue(
                f"reveal:{round_.id}:{part}",
                couple_id=couple.id,
                kind="reveal",
                round_id=round_.id,
                part=part,
                now=now,
            )

    async def share(self, guild_id: int | None, round_id: int, user_id: int) -> None:
        """After a pass, let an author show their own answer after all."""
        async with self._store.write() as tx:
            couple = await require_couple(tx, guild_id, user_id)
            round_ = await self._own_round(tx, couple, round_id)
            if round_.state is not RoundState.RESTING:
                raise InvalidInputError("There is nothing to share on this one.")
            if not await tx.mark_shared(round_id, user_id):
                raise InvalidInputError(
                    "You have no answer here to share, or it is shared already."
                )
            await tx.enqueue(
                f"share:{round_id}:{user_id}",
                couple_id=couple.id,
                kind="share",
                round_id=round_id,
                user_id=user_id,
                now=self._clock.now(),
            )

    # Posting

    async def flush(self) -> int:
        """Send every pending post once, one flush at a time. Returns how many were sent."""
        async with self._flush_lock:
            async with self._store.read() as tx:
                pending = await tx.pending_posts()
            sent = 0
            held_back: set[int | None] = set()  # a round's later posts wait for its earlier ones
            for item in pending:
                if item.round_id in held_back:
                    continue
                try:
                    if await self._deliver(item):
                        sent += 1
                except TimeoutError:
                    log.warning("sending %s timed out; will retry", item.dedupe_key)
                    held_back.add(item.round_id)
                except Exception:
                    log.exception("could not send %s; will retry", item.dedupe_key)
                    held_back.add(item.round_id)
            return sent

    async def _deliver(self, item: OutboxItem) -> bool:
        post = await self._build(item)
        marker = post_marker(item.dedupe_key)
        message_id: int | None = None
        if post is not None:
            try:
                async with asyncio.timeout(SEND_TIMEOUT_SECONDS):
                    if self._clock.now() - item.created_at > NONCE_TRUST_WINDOW:
                        message_id = await self._messenger.find_sent(post, marker)
                    if message_id is None:
                        message_id = await self._messenger.send(
                            post, nonce=nonce_for(item.dedupe_key), marker=marker
                        )
            except UndeliverableError as exc:
                log.warning("giving up on %s: %s", item.dedupe_key, exc)
                post = None
        async with self._store.write() as tx:
            await tx.mark_posted(item.id, message_id, self._clock.now())
            if item.kind == "question" and item.round_id is not None and message_id is not None:
                await tx.set_round_message(item.round_id, message_id)
        return post is not None

    async def _build(self, item: OutboxItem) -> Post | None:
        """What to send for an outbox row, from the DB as it is now (None: nothing to send)."""
        async with self._store.read() as tx:
            couple = await tx.couple(item.couple_id)
            round_ = await tx.round(item.round_id) if item.round_id is not None else None
            if couple is None or round_ is None:
                return None
            answers = await tx.answers(round_.id)
            if item.kind == "question":
                return self._round_post(couple, round_, answers)
            if item.kind == "reveal":
                return await self._reveal_post(tx, couple, round_, answers, item.part)
            if item.kind == "share":
                mine = [a for a in answers if a.user_id == item.user_id and a.body]
                if not mine:
                    return None
                return SharedAnswerPost(
                    couple.guild_id,
                    couple.channel_id,
                    round_,
                    RevealedAnswer(mine[0].user_id, mine[0].body or ""),
                )
            if item.kind == "remind" and item.user_id is not None:
                if round_.state is not RoundState.OPEN or len(answers) != 1:
                    return None
                return ReminderPost(item.user_id, couple.guild_id, couple.channel_id, round_)
        log.warning("unknown outbox kind %s", item.kind)
        return None

    def _round_post(self, couple: Couple, round_: Round, answers: list[Answer]) -> RoundPost:
        label = "Your own question" if round_.theme == CUSTOM_THEME else THEMES.get(round_.theme)
        return RoundPost(
            couple.guild_id, couple.channel_id, round_, len(answers), label or round_.theme
        )

    async def _reveal_post(
        self, tx: Tx, couple: Couple, round_: Round, answers: list[Answer], part: int
    ) -> RevealPost:
        bodies = [a.body or "" for a in answers]
        groups = reveal_parts(round_.question_text, bodies)
        last = part == len(groups)
        milestone = None
        if last:
            together, resting = await tx.round_dates(couple.id)
            neutral = resting | _paused_days(await tx.pauses(couple.id))
            count = together_days(together=together, neutral=neutral, today=round_.local_date)
            before = together_days(
                together=together - {round_.local_date}, neutral=neutral, today=round_.local_date
            )
            milestone = milestone_crossed(before, count)
        chosen = groups[part - 1] if part <= len(groups) else []
        return RevealPost(
            guild_id=couple.guild_id,
            channel_id=couple.channel_id,
            round=round_,
            answers=tuple(RevealedAnswer(answers[i].user_id, bodies[i]) for i in chosen),
            part=part,
            parts=len(groups),
            follow_up=self._follow_up(round_) if last else None,
            milestone=milestone,
        )

    def _follow_up(self, round_: Round) -> str | None:
        if round_.follow_up:
            return round_.follow_up
        follow_ups = self._content.follow_ups
        return follow_ups[round_.id % len(follow_ups)] if follow_ups else None

    async def _refresh(self, round_id: int) -> None:
        """Bring the round message's status line up to date; harmless to repeat."""
        async with self._store.read() as tx:
            round_ = await tx.round(round_id)
            couple = await tx.couple(round_.couple_id) if round_ else None
            if round_ is None or couple is None or round_.message_id is None:
                return
            post = self._round_post(couple, round_, await tx.answers(round_id))
        try:
            await self._messenger.refresh_round(post, post_marker(question_key(round_id)))
        except Exception:
            log.exception("could not refresh the status of round %s", round_id)

    async def refresh_recent_rounds(self) -> None:
        """On start: a status line may be stale if we stopped between saving and editing."""
        since = self._clock.now().date() - timedelta(days=2)
        async with self._store.read() as tx:
            rounds = await tx.posted_rounds(since)
        for round_ in rounds:
            await self._refresh(round_.id)


def _paused_days(pauses: list[tuple[date, date]]) -> set[date]:
    days: set[date] = set()
    for first, last in pauses:
        days.update(first + timedelta(days=n) for n in range((last - first).days + 1))
    return days
