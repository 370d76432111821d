"""Schema 2 -> 3: daily rounds become exchanges with nothing lost on the way."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

from couplebot.domain.daily import DAILY, answer_of, round_of
from couplebot.store import Store
from couplebot.store.crypto import Cipher
from couplebot.store.db import migrations

from .conftest import TEST_KEY


def schema_2_database(path: Path) -> None:
    """A database as couplebot left it at schema 2, with a couple's real history."""
    cipher = Cipher(TEST_KEY.encode())
    conn = sqlite3.connect(path)
    for version, _, sql in migrations():
        if version > 2:
            break
        for statement in (s for s in sql.split(";\n") if s.strip()):
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {version}")
    now = "2026-06-01T06:00:00+00:00"
    conn.execute(
        "INSERT INTO couples (id, guild_id, channel_id, timezone, question_time, themes, "
        "created_at, updated_at) VALUES (1, 10, 11, 'Europe/Berlin', '08:00', 'everyday', ?, ?)",
        (now, now),
    )
    conn.executemany(
        "INSERT INTO partners (couple_id, user_id, position) VALUES (1, ?, ?)",
        [(101, 1), (102, 2)],
    )
    conn.execute(
        "INSERT INTO custom_questions (id, couple_id, author_id, text, created_at) "
        "VALUES (1, 1, 101, ?, ?)",
        (cipher.encrypt("Our own question?"), now),
    )
    rounds = [
        (7, "2026-05-30", "everyday-001", "What made you smile?", "light", "everyday", None),
        (
            8,
            "2026-05-31",
            "custom-1",
            cipher.encrypt("Our own question?"),
            "medium",
            "custom",
            None,
        ),
        (9, "2026-06-01", "everyday-002", "What do you need?", "medium", "everyday", "Ask more."),
    ]
    for rid, day, qid, text, depth, theme, follow_up in rounds:
        conn.execute(
            "INSERT INTO rounds (id, couple_id, local_date, question_id, question_text, depth, "
            "theme, follow_up, cycle, created_at, message_id, revealed_at, closed_at) "
            "VALUES (?, 1, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)",
            (
                rid,
                day,
                qid,
                text,
                depth,
                theme,
                follow_up,
                now,
                500 + rid,
                now if rid == 7 else None,
                now if rid == 8 else None,
            ),
        )
    answers = [
        (7, 101, "Your laugh.", 0),
        (7, 102, "The rain.", 0),
        (8, 101, None, 1),
        (8, 102, "Mine, shared.", 0),
        (9, 101, "Time with you.", 0),
    ]
    for rid, user, body, passed in answers:
        conn.execute(
            "INSERT INTO answers (round_id, user_id, body, passed, shared, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                rid,
                user,
                cipher.encrypt(body) if body else None,
                passed,
                int(rid == 8 and not passed),
                now,
                now,
            ),
        )
    conn.executemany(
        "INSERT INTO outbox (dedupe_key, couple_id, kind, round_id, user_id, part, created_at, "
        "sent_at, message_id) VALUES (?, 1, ?, ?, ?, 1, ?, ?, ?)",
        [
            ("question:9", "question", 9, None, now, now, 509),
            ("remind:9:102:1", "remind", 9, 102, now, None, None),
        ],
    )
    conn.commit()
    conn.close()


async def test_schema_2_migrates_to_exchanges_with_nothing_lost(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    schema_2_database(path)
    store = await Store.open(path, secret_key=TEST_KEY)
    try:
        async with store.read() as tx:
            rounds = [round_of(e) for i in (7, 8, 9) if (e := await tx.exchanges.get(i))]
            answers = {
                r.id: {a.user_id: a for a in map(answer_of, await tx.exchanges.responses(r.id))}
                for r in rounds
            }
            pending = await tx.outbox.pending()
            asked = await tx.exchanges.topics_in_cycle(1, DAILY.name, 1)
            questions = await tx.couples.questions(1)
    finally:
        await store.close()

    assert [r.local_date for r in rounds] == [
        date(2026, 5, 30),
        date(2026, 5, 31),
        date(2026, 6, 1),
    ]
    assert [r.question_text for r in rounds] == [
        "What made you smile?",
        "Our own question?",
        "What do you need?",
    ]
    assert [r.state.value for r in rounds] == ["revealed", "resting", "open"]
    assert rounds[2].follow_up == "Ask more." and rounds[2].message_id == 509
    assert answers[7][101].body == "Your laugh." and answers[7][102].body == "The rain."
    assert answers[8][101].passed and answers[8][101].body is None
    assert answers[8][102].shared and answers[8][102].body == "Mine, shared."
    assert list(answers[9]) == [101]
    assert [(p.dedupe_key, p.exchange_id, p.user_id) for p in pending] == [
        ("remind:9:102:1", 9, 102)
    ]
    assert asked == {"everyday-001", "custom-1", "everyday-002"}
    assert [q.text for q in questions] == ["Our own question?"]
    conn = sqlite3.connect(path)
    try:
        stored = conn.execute("SELECT prompt FROM exchanges WHERE id = 8").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        conn.close()
    assert "Our own question" not in stored  # their own question stays encrypted
    assert not {"rounds", "answers"} & tables
