"""Every question fits the answer form whole: the form never shows a cut question."""

from __future__ import annotations

import discord

from couplebot.content import Content
from couplebot.domain.daily import DAILY
from couplebot.ui.components import ExchangeModal


def shown_prompt(modal: ExchangeModal) -> str:
    texts = [item.content for item in modal.children if isinstance(item, discord.ui.TextDisplay)]
    assert len(texts) == 1
    return texts[0]


def test_every_shipped_question_fits_the_answer_form_uncut(content: Content) -> None:
    questions = [*content.questions, *content.first_week]
    assert max(len(q.text) for q in questions) > 100  # longer than a label's description
    for question in questions:
        modal = ExchangeModal(DAILY, 1, question.text, {}, "0" * 8)
        assert shown_prompt(modal) == question.text
        payload = modal.to_dict()
        assert len(payload["components"]) <= 5
