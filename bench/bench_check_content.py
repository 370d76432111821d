"""Time check_content on the shipped content against a floor and a budget.

The floor is what any checker must pay: reading and parsing every deck TOML file with
tomllib. On top of it the deck checks find exact copies, light rewordings and rewordings
in other words (rapidfuzz on the pairs that share content words) across every question;
check_content as a whole also runs the check-in and idea checkers.
Run: python bench/bench_check_content.py [content_dir]
"""

import sys
import time
import tomllib
from collections.abc import Callable
from pathlib import Path

from couplebot.content import check_content, default_content_dir
from couplebot.content.checker import Checker

BUDGET_SECONDS = 1.0
REPEATS = 7


def best_of(repeats: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def parse_all(content_dir: Path) -> int:
    files = sorted((content_dir / "prompts").glob("*.toml"))
    files += [
        p for p in (content_dir / "first-week.toml", content_dir / "follow-ups.toml") if p.exists()
    ]
    questions = 0
    for path in files:
        questions += len(tomllib.loads(path.read_text(encoding="utf-8")).get("question", []))
    return questions


def main() -> None:
    content_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else default_content_dir()
    problems = check_content(content_dir)  # warm-up, and a sanity line for the reader
    questions = parse_all(content_dir)
    check_time = best_of(REPEATS, lambda: check_content(content_dir))
    decks_time = best_of(REPEATS, lambda: Checker().run(content_dir))
    parse_time = best_of(REPEATS, lambda: parse_all(content_dir))
    print(f"content: {content_dir} ({questions} questions, {len(problems)} problems)")
    print(f"check_content:      {check_time * 1000:8.1f} ms (best of {REPEATS})")
    print(f"  of which decks:   {decks_time * 1000:8.1f} ms (decks, first week, follow-ups)")
    print(f"read + parse TOML:  {parse_time * 1000:8.1f} ms (best of {REPEATS})")
    print(f"decks / parse:      {decks_time / parse_time:8.2f}x")
    print(f"check / 1 s budget: {check_time / BUDGET_SECONDS:8.3f}")


if __name__ == "__main__":
    main()
