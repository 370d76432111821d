"""Use cases. Services combine domain and store and talk out through small ports.

Three shared engines carry every feature: the exchange engine (both answer, then
reveal once), the outbox (every post, once) and the due-work queue (everything
scheduled). Features sit on top of them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from couplebot.clock import Clock
from couplebot.content import Content
from couplebot.services.checkin_history import CheckinHistory
from couplebot.services.checkins import CheckinService
from couplebot.services.checkins_privacy import SECTIONS as CHECKIN_PRIVACY
from couplebot.services.couples import CouplesService
from couplebot.services.daily import DailyService
from couplebot.services.date_plans import DatePlansService
from couplebot.services.date_privacy import DatesPrivacy
from couplebot.services.date_schedule import DateSchedule
from couplebot.services.dates import DatesService
from couplebot.services.distance import (
    POINTER_NOTICE,
    DistanceService,
    GentleNotesSection,
    pointer_notice,
)
from couplebot.services.due import DueWork
from couplebot.services.exchanges import ExchangeEngine
from couplebot.services.loved import LovedSection, LovedService
from couplebot.services.notices import NoticesSection, NoticesService
from couplebot.services.outbox import Outbox
from couplebot.services.ports import Messenger
from couplebot.services.privacy import WITHDRAWN_NOTE, PrivacyService, withdrawn_note
from couplebot.services.reachout import ReachoutSection, ReachoutService
from couplebot.services.weekly import WeeklyService
from couplebot.store import Store


@dataclass(frozen=True)
class Services:
    content: Content
    outbox: Outbox
    due: DueWork
    exchanges: ExchangeEngine
    couples: CouplesService
    daily: DailyService
    privacy: PrivacyService
    checkins: CheckinService
    weekly: WeeklyService
    distance: DistanceService
    loved: LovedService
    reachout: ReachoutService
    dates: DatesService
    date_plans: DatePlansService
    notices: NoticesService

    async def tick(self) -> None:
        """Do what is due now and send what is pending. Safe to call any time."""
        await self.due.run()
        await self.outbox.flush()
        await self.exchanges.record_shown()


def build_services(
    store: Store,
    content: Content,
    messenger: Messenger,
    clock: Clock,
    rng: random.Random | None = None,
) -> Services:
    outbox = Outbox(store, messenger, clock)
    due = DueWork(store, clock)
    due.after_commit(outbox.kick)  # the morning's posts go out while later rounds are made
    engine = ExchangeEngine(store, clock, outbox, messenger)
    privacy = PrivacyService(store, clock, due.replan, engine.refresh)
    outbox.register(WITHDRAWN_NOTE, withdrawn_note)
    notices = NoticesService(store, clock, outbox)
    notices.add_kind(POINTER_NOTICE, pointer_notice)
    privacy.add_section(NoticesSection())
    for section in CHECKIN_PRIVACY:
        privacy.add_section(section)
    privacy.add_section(GentleNotesSection())
    distance = DistanceService(store, content, clock, outbox, due)
    distance.add_source(CheckinHistory())
    weekly = WeeklyService(store, content, clock, engine, due)
    weekly.kind.answered = distance.checked_in
    privacy.add_section(LovedSection(clock))
    privacy.add_section(ReachoutSection())
    dates = DatesService(store, content, clock, outbox, rng)
    date_plans = DatePlansService(store, clock, outbox, due, dates)
    DateSchedule(store, clock, engine, outbox, due, dates)
    privacy.add_section(DatesPrivacy(dates))
    return Services(
        content=content,
        outbox=outbox,
        due=due,
        exchanges=engine,
        couples=CouplesService(store, clock, due.replan),
        daily=DailyService(store, content, clock, engine, outbox, due, rng),
        privacy=privacy,
        checkins=CheckinService(store, content, clock, engine, outbox, due, rng),
        weekly=weekly,
        distance=distance,
        loved=LovedService(store, clock, outbox, due, rng),
        reachout=ReachoutService(store, clock, outbox, content, rng),
        dates=dates,
        date_plans=date_plans,
        notices=notices,
    )
