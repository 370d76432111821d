-- Couples, their two partners, daily rounds, answers and the outbox of posts to make.
-- Timestamps are ISO 8601 in UTC; local dates are ISO dates in the couple's zone.
CREATE TABLE couples (
    id INTEGER PRIMARY KEY,
    guild_id INTEGER NOT NULL UNIQUE,
    channel_id INTEGER NOT NULL,
    timezone TEXT NOT NULL,
    question_time TEXT NOT NULL,
    deep_days TEXT NOT NULL DEFAULT '5,6',
    themes TEXT NOT NULL,
    question_cycle INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE partners (
    couple_id INTEGER NOT NULL REFERENCES couples(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL,
    position INTEGER NOT NULL CHECK (position IN (1, 2)),
    timezone TEXT,
    quiet_start TEXT NOT NULL DEFAULT '22:00',
    quiet_end TEXT NOT NULL DEFAULT '08:00',
    PRIMARY KEY (couple_id, user_id),
    UNIQUE (couple_id, position)
);
CREATE TABLE pauses (
    id INTEGER PRIMARY KEY,
    couple_id INTEGER NOT NULL REFERENCES couples(id) ON DELETE CASCADE,
    first_day TEXT NOT NULL,
    last_day TEXT NOT NULL,
    created_by INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE custom_questions (
    id INTEGER PRIMARY KEY,
    couple_id INTEGER NOT NULL REFERENCES couples(id) ON DELETE CASCADE,
    author_id INTEGER NOT NULL,
    text TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE rounds (
    id INTEGER PRIMARY KEY,
    couple_id INTEGER NOT NULL REFERENCES couples(id) ON DELETE CASCADE,
    local_date TEXT NOT NULL,
    question_id TEXT NOT NULL,
    question_text TEXT NOT NULL,
    depth TEXT NOT NULL,
    theme TEXT NOT NULL,
    follow_up TEXT,
    cycle INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    message_id INTEGER,
    revealed_at TEXT,
    closed_at TEXT,
    UNIQUE (couple_id, local_date)
);
CREATE TABLE answers (
    round_id INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL,
    body TEXT,
    passed INTEGER NOT NULL DEFAULT 0,
    shared INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (round_id, user_id)
);
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    dedupe_key TEXT NOT NULL UNIQUE,
    couple_id INTEGER NOT NULL REFERENCES couples(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    round_id INTEGER REFERENCES rounds(id) ON DELETE CASCADE,
    user_id INTEGER,
    part INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    message_id INTEGER
);
CREATE INDEX outbox_pending ON outbox (sent_at) WHERE sent_at IS NULL;
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
)
