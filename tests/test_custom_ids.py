"""Custom_ids are a contract with messages already posted: each format stays exactly as it
is, and a click on an old message rebuilds the button with the same fields."""

from typing import Any

import discord
import pytest

from couplebot.ui.components import AcceptButton, ExchangeButton, HistoryButton, LegacyPassButton
from couplebot.ui.dates import DateListButton, IdeaButton, PlanButton
from couplebot.ui.reachout import ThanksButton

BUILT = [
    (ExchangeButton("weekly", "share", 42), "cb:x:weekly:share:42"),
    (HistoryButton(3, label="Older"), "cb:history:3"),
    (AcceptButton(7), "cb:accept:7"),
    (ThanksButton(9), "cb:ro-thanks:9"),
    (IdeaButton("another", 11), "cb:idea:another:11"),
    (PlanButton("move", 12), "cb:plan:move:12"),
    (DateListButton("page", 2), "cb:datelist:page:2"),
]


@pytest.mark.parametrize(("button", "custom_id"), BUILT)
def test_a_new_button_carries_the_old_format(button: Any, custom_id: str) -> None:
    assert button.item.custom_id == custom_id


PARSED = [
    (ExchangeButton, "cb:x:checkin:answer:5", {"kind": "checkin", "action": "answer", "value": 5}),
    (LegacyPassButton, "cb:pass:8", {"action": "pass", "value": 8}),
    (AcceptButton, "cb:accept:9223372036854775807", {"kind": "accept", "value": 2**63 - 1}),
    (ThanksButton, "cb:ro-thanks:4", {"kind": "ro-thanks", "value": 4}),
    (IdeaButton, "cb:idea:save:6", {"prefix": "idea", "action": "save", "value": 6}),
    (PlanButton, "cb:plan:cancel:1", {"prefix": "plan", "action": "cancel", "value": 1}),
    (DateListButton, "cb:datelist:page:0", {"action": "page", "value": 0}),
]


@pytest.mark.parametrize(("cls", "custom_id", "fields"), PARSED)
async def test_a_click_on_an_old_message_rebuilds_the_button(
    cls: Any, custom_id: str, fields: dict[str, object]
) -> None:
    match = cls.__discord_ui_compiled_template__.fullmatch(custom_id)
    assert match is not None
    item: discord.ui.Button[Any] = discord.ui.Button(label="x", custom_id=custom_id)
    button = await cls.from_custom_id(None, item, match)
    assert isinstance(button, cls)
    assert button.item is item
    assert {name: getattr(button, name) for name in fields} == fields


@pytest.mark.parametrize(
    ("cls", "custom_id"),
    [
        (ExchangeButton, "cb:x:daily:reveal:5"),
        (IdeaButton, "cb:idea:a:6"),
        (PlanButton, "cb:plan:ok:"),
    ],
)
def test_a_custom_id_of_another_shape_is_not_this_button(cls: Any, custom_id: str) -> None:
    assert cls.__discord_ui_compiled_template__.fullmatch(custom_id) is None
