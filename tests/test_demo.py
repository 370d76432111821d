"""`couplebot demo` plays a whole morning and prints it."""

from __future__ import annotations

from pathlib import Path

import pytest

from couplebot.content import Content
from couplebot.demo import run_demo


async def test_demo_shows_question_answers_and_reveal(
    content: Content, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # Its own chart file: beside other test workers, the default one in /tmp is shared.
    assert await run_demo(content, chart_path=tmp_path / "insights.png") == 0
    out = capsys.readouterr().out
    assert "/setup partner:@Sam" in out
    assert "What is a small thing I did lately that made you feel close to me?" in out
    assert "One of you has written" in out
    assert "** You've both answered **" in out
    assert "The way you hum when you cook." in out
    assert "** Something to talk about **" in out
    assert out.index("One of you has written") < out.index("** You've both answered **")
    assert "/checkin mood:2 closeness:4" in out
    assert "Saved, just for you." in out
    assert "** A note from Alex **" in out
    assert out.index("** Something to talk about **") < out.index("** A note from Alex **")
