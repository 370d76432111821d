"""The README's distance table says what the code does, and the demo saves a chart."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from couplebot.content import Content
from couplebot.demo import run_demo
from couplebot.domain.signals import THRESHOLDS as T

README = Path(__file__).resolve().parents[1] / "README.md"


def _rows() -> dict[str, str]:
    text = README.read_text("utf-8")
    section = text.split("## How couplebot notices distance", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|") for line in section.splitlines() if line.startswith("| ")]
    return {cells[1].strip(): "|".join(cells[2:]) for cells in rows}


def test_the_readme_thresholds_match_the_code() -> None:
    rows = _rows()
    assert T.gap_every.days == T.idea_every.days == T.couple_every.days == 7
    assert f"at most {T.gap_pair_within.days} days apart" in rows["perception gap"]
    assert f"differs by {T.gap_min_difference} or more" in rows["perception gap"]
    assert T.gap_fresh_for.days == 1 and "from the last day" in rows["perception gap"]
    drift = rows["drifting"]
    assert f"last {T.drift_recent.days} days" in drift
    assert f"at least {T.drift_min_drop} point below the {T.drift_earlier.days} days" in drift
    assert f"at least {T.drift_min_readings} check-ins" in drift
    quiet = rows["quieter days"]
    assert f"last {T.quiet_recent_days} days" in quiet
    assert f"the {T.quiet_earlier_days} days before" in quiet
    assert T.quiet_rate_divisor == 2 and "half the rate" in quiet
    assert f"at least {T.quiet_min_earlier_answered} such days" in quiet
    low = rows["lasting low closeness"]
    assert f"last {T.low_lookback.days // 7} weeks" in low
    assert f"at least {T.low_min_readings}, spanning at least {T.low_min_span.days} days" in low
    assert f"closeness {T.low_max_closeness} or lower" in low
    assert T.low_fresh_for.days == 7 and "within a week" in low
    assert f"once in {T.pointer_every.days} days" in low


async def test_the_demo_saves_an_insights_chart_and_prints_its_path(
    content: Content, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chart = tmp_path / "insights.png"
    assert await run_demo(content, chart_path=chart) == 0
    assert str(chart) in capsys.readouterr().out
    png = chart.read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", png[16:24])
    assert width >= 800 and height >= 500
