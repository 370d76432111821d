"""Each benchmark runs end to end with a tiny N and writes valid JSON (no timing checked)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

BENCH = Path(__file__).resolve().parent.parent / "bench"

RUNS = {
    "bench_fanout.py": ["--couples", "5", "--lead", "6"],
    "bench_idle.py": [
        "--couples",
        "5",
        "--baseline-couples",
        "2",
        "--seconds",
        "1",
        "--settle",
        "1",
        "--quiet",
        "1",
    ],
    "bench_interactions.py": [
        "--couples",
        "8",
        "--rate",
        "10",
        "--seconds",
        "1",
        "--after",
        "1",
        "--lead",
        "5",
    ],
    "bench_memory.py": ["5"],
}
EXPECTED = {
    "bench_fanout.py": {"ratio", "bound_seconds", "rate_limited_429s", "questions_posted"},
    "bench_idle.py": {
        "cpu_seconds_per_hour",
        "statements_per_wake",
        "constant_statements",
        "first_start",
    },
    "bench_interactions.py": {"p50_ms", "p99_ms", "max_ms", "interactions_sent"},
    "bench_memory.py": {"kib_per_couple", "ratio_to_goal", "rss_empty_kib", "rss_full_kib"},
}


@pytest.mark.parametrize("script", sorted(RUNS))
def test_benchmark_runs_and_writes_json(script: str, tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    done = subprocess.run(
        [sys.executable, str(BENCH / script), *RUNS[script], "--out", str(out)],
        cwd=BENCH,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(out.read_text())
    assert EXPECTED[script] <= result.keys()
    assert str(out) in done.stdout  # it printed its figures and where it wrote them
    if script == "bench_fanout.py":
        assert result["questions_posted"] == 5
    if script == "bench_interactions.py":
        assert result["interactions_sent"] > 0
