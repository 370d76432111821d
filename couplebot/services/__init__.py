"""Use cases. Services combine domain and store and talk out through small ports."""

from __future__ import annotations

from dataclasses import dataclass

from couplebot.content import Content
from couplebot.services.couples import CouplesService
from couplebot.services.privacy import PrivacyService
from couplebot.services.rounds import RoundsService


@dataclass(frozen=True)
class Services:
    content: Content
    couples: CouplesService
    rounds: RoundsService
    privacy: PrivacyService
