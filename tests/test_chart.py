"""The /insights chart: a real PNG, big enough for a phone, safe from a worker thread."""

from __future__ import annotations

import io
import struct
import warnings
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

import pytest
from matplotlib.image import imread

from couplebot.domain.insights import WEEKS, InsightsSummary, WeekSummary, weekly_summary
from couplebot.domain.signals import BidKind, BidPoint, CheckinPoint, CoupleHistory
from couplebot.ui.chart import HEIGHT_PX, WIDTH_PX, _printable, render_insights_chart

A, B = 101, 202
NOW = datetime(2026, 5, 20, 12, 0, tzinfo=UTC)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE
    length, chunk = struct.unpack(">I4s", data[8:16])
    assert (length, chunk) == (13, b"IHDR")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def summary_of(weeks: list[tuple[int, float | None, float | None, int]]) -> InsightsSummary:
    first = date(2026, 3, 2)
    return InsightsSummary(
        partners=(A, B),
        weeks=tuple(
            WeekSummary(first + timedelta(weeks=n), days, (a, b), bids)
            for n, (days, a, b, bids) in enumerate(weeks)
        ),
        data_days=sum(days for days, *_ in weeks),
    )


FULL = summary_of([(n % 8, 1 + n % 5, 5 - n % 5, (3 * n) % 11) for n in range(WEEKS)])


def test_a_valid_png_large_enough_for_a_phone() -> None:
    data = render_insights_chart(FULL, ("Sam", "Alex"))
    width, height = png_size(data)
    assert (width, height) == (WIDTH_PX, HEIGHT_PX)
    assert width >= 800 and height >= 500
    assert data.endswith(b"IEND\xaeB`\x82")


def test_each_partner_has_their_own_colour() -> None:
    pixels = imread(io.BytesIO(render_insights_chart(FULL, ("Sam", "Alex"))))[:, :, :3]
    for hex_colour in ("#0072B2", "#D55E00"):
        rgb = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        assert (abs(pixels - rgb).max(axis=2) < 0.02).sum() > 500


def test_renders_with_empty_weeks_and_nothing_shared() -> None:
    sparse = summary_of(
        [(0, None, None, 0)] * 9 + [(2, 4.0, None, 1), (0, None, None, 0), (3, None, None, 0)]
    )
    empty = summary_of([(0, None, None, 0)] * WEEKS)
    for summary in (sparse, empty):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            data = render_insights_chart(summary, ("Sam", "Alex"))
        assert png_size(data) == (WIDTH_PX, HEIGHT_PX)
    assert render_insights_chart(sparse, ("Sam", "Alex")) != render_insights_chart(
        empty, ("Sam", "Alex")
    )


def test_a_real_summary_renders_and_private_values_change_nothing() -> None:
    shared = (CheckinPoint(A, NOW - timedelta(days=1), 3, 4, True),)
    private = (CheckinPoint(B, NOW, 1, 1, False), CheckinPoint(A, NOW, 1, 1, False))
    base = CoupleHistory(
        7,
        "Europe/Berlin",
        (A, B),
        checkins=shared,
        together=frozenset({date(2026, 5, 18), date(2026, 5, 19)}),
        bids=(BidPoint(B, NOW, BidKind.APPRECIATION),),
    )
    noisy = CoupleHistory(**{**base.__dict__, "checkins": shared + private})
    names = ("Sam", "Alex")
    assert render_insights_chart(weekly_summary(noisy, NOW), names) == render_insights_chart(
        weekly_summary(base, NOW), names
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Sam", "Sam"),
        ("  Jo   Ann ", "Jo Ann"),
        ("$money$", r"\$money\$"),
        ("🌻🌻", "Partner 1"),
        ("Ren 🌻", "Ren"),
        ("", "Partner 1"),
        ("Maximiliana Alexandrova", "Maximiliana Alexand…"),
        ("Zoë Núñez", "Zoë Núñez"),
    ],
)
def test_names_are_lettered_safely(name: str, expected: str) -> None:
    assert _printable(name, "Partner 1") == expected


def test_awkward_names_render_without_warnings() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        data = render_insights_chart(FULL, ("$x^2$ 🌻 " * 5, "\u200b\n"))
    assert png_size(data) == (WIDTH_PX, HEIGHT_PX)


def test_safe_to_render_from_worker_threads() -> None:
    names = ("Sam", "Alex")
    expected = render_insights_chart(FULL, names)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: render_insights_chart(FULL, names), range(4)))
    assert all(result == expected for result in results)
