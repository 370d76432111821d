"""`couplebot run`, with the wall clock starting at COUPLEBOT_TEST_NOW (tests only).

The crash test starts the bot as `python -m couplebot.cli run` wherever the real
time will do. Where time has to pass (a reminder is due hours after the round) or
Discord's nonce memory has to run out, it starts this file instead: the same
`couplebot.cli.main(["run"])`, inside time-machine's travel, which moves
`datetime.now()` and `time.time()` for the whole process (the bot's SystemClock,
APScheduler, discord.py) and lets them tick on in real time. The event loop's
monotonic clock is left alone.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime

import time_machine

from couplebot.cli import main

NOW_ENV = "COUPLEBOT_TEST_NOW"

if __name__ == "__main__":
    start = datetime.fromisoformat(os.environ[NOW_ENV])
    with time_machine.travel(start, tick=True):
        sys.exit(main(["run"]))
