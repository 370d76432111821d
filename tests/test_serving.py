"""The serving process: uvloop where it installs, and the collector tuned for serving."""

from __future__ import annotations

import subprocess
import sys

import pytest

PROBE = """
import asyncio, gc
from couplebot.serving import COLLECTOR_THRESHOLDS, run_serving

async def main():
    loop = type(asyncio.get_running_loop())
    return f"{loop.__module__}.{loop.__name__}", gc.get_threshold(), gc.get_freeze_count()

name, thresholds, frozen = run_serving(main())
print(name, thresholds == COLLECTOR_THRESHOLDS, frozen > 1000)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="uvloop does not install on Windows")
def test_the_bot_serves_on_uvloop_with_what_was_loaded_frozen_out_of_collections() -> None:
    # A process of its own: freezing the test process's objects would keep them forever.
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.split() == ["uvloop.Loop", "True", "True"]
