"""`couplebot demo`, continued: one date night suggested, planned, reminded and remembered."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from couplebot.clock import ManualClock
from couplebot.domain.dates import PlanStatus, reminder_due
from couplebot.domain.when import reflection_at
from couplebot.fake_discord import FakeDiscord, FakeGuild, FakeUser

if TYPE_CHECKING:
    from couplebot.bot import CoupleBot
    from couplebot.demo import Transcript


def _button(message: dict[str, Any], label: str) -> str:
    for row in message.get("components", []):
        for component in row.get("components", []):
            if component.get("label") == label:
                return str(component["custom_id"])
    raise LookupError(label)


def _latest(fake: FakeDiscord, guild: FakeGuild, marker: str) -> dict[str, Any]:
    found = [
        m
        for m in fake.channel_messages(guild.channel_id)
        if any(marker in ((e.get("footer") or {}).get("text") or "") for e in m["embeds"])
    ]
    return found[-1]


async def date_night(  # noqa: PLR0917 - the demo's cast
    fake: FakeDiscord,
    guild: FakeGuild,
    show: Transcript,
    bot: CoupleBot,
    clock: ManualClock,
    partners: tuple[FakeUser, FakeUser],
) -> None:
    alex, sam = partners
    print("=" * 78)
    show.say("Sam", "/date idea setting:home budget:free")
    idea = await fake.slash(sam, "date idea", {"setting": "home", "budget": "free"}, guild=guild)
    await idea.wait_reply()
    show.reply(idea, "Sam")
    show.new_posts()

    card = _latest(fake, guild, "#idea-card.")
    show.say("Alex", "[clicks Let's do this]")
    click = await fake.click(alex, card, _button(card, "Let's do this"), guild=guild)
    await click.wait_response()
    show.say("Alex", "[writes when] tomorrow 19:30")
    submit = await fake.submit_modal(alex, click, {"when": "tomorrow 19:30"}, guild=guild)
    await submit.wait_response()
    await fake.wait_until(lambda: bool(_latest_or_none(fake, guild, "#date-plan.")))
    show.new_posts()

    plan_card = _latest(fake, guild, "#date-plan.")
    show.say("Sam", "[clicks Sounds good]")
    agreed = await fake.click(sam, plan_card, _button(plan_card, "Sounds good"), guild=guild)
    await agreed.wait_response()
    show.new_posts()

    async with bot.store.read() as tx:
        couple = await tx.couples.by_guild(guild.id)
        assert couple is not None
        [plan] = await tx.dates.plans(couple.id, [PlanStatus.PLANNED])
    remind_at = reminder_due(plan, couple.question_time, couple.zone)
    if remind_at is not None:
        print("(the next morning)")
        clock.set(remind_at + timedelta(minutes=1))
        await bot.services.tick()
        show.new_posts()
    print("(the morning after the date)")
    clock.set(reflection_at(plan.date_at, couple.question_time, couple.zone) + timedelta(minutes=1))
    await bot.services.tick()
    show.new_posts()
    for user, text in (
        (sam, "When we stopped looking at the clock and just talked."),
        (alex, "Hearing you laugh at my terrible first try."),
    ):
        reflection = next(
            m
            for m in reversed(fake.channel_messages(guild.channel_id))
            if any(e.get("title") == "After your date" for e in m["embeds"])
        )
        show.say(user.name, "[clicks Answer]")
        answer = await fake.click(user, reflection, _button(reflection, "Answer"), guild=guild)
        await answer.wait_response()
        show.say(user.name, f"[writes privately] {text}")
        sent = await fake.submit_modal(user, answer, {"answer": text}, guild=guild)
        await sent.wait_reply()
        show.reply(sent, user.name)
    await fake.wait_until(lambda: bool(_latest_or_none(fake, guild, "#reveal.")))
    await bot.services.tick()
    show.new_posts()


def _latest_or_none(fake: FakeDiscord, guild: FakeGuild, marker: str) -> dict[str, Any] | None:
    try:
        return _latest(fake, guild, marker)
    except IndexError:
        return None
