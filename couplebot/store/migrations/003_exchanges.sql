-- One engine for every "both answer, then reveal" moment: the daily rounds become
-- exchanges of kind 'daily' (ids kept, so outbox keys and post markers stay valid),
-- their answers become responses with named fields, and scheduled work becomes
-- stored "next due" instants per couple and item. Nothing is lost on the way.
CREATE TABLE exchanges (
    id INTEGER PRIMARY KEY,
    couple_id INTEGER NOT NULL REFERENCES couples(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    slot TEXT NOT NULL,
    topic_id TEXT NOT NULL,
    prompt TEXT NOT NULL,
    prompt_private INTEGER NOT NULL DEFAULT 0,
    details TEXT NOT NULL DEFAULT '{}',
    cycle INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    message_id INTEGER,
    revealed_at TEXT,
    closed_at TEXT,
    UNIQUE (couple_id, kind, slot)
);
INSERT INTO exchanges (id, couple_id, kind, slot, topic_id, prompt, prompt_private, details,
                       cycle, created_at, message_id, revealed_at, closed_at)
SELECT id, couple_id, 'daily', local_date, question_id, question_text,
       CASE WHEN theme = 'custom' THEN 1 ELSE 0 END,
       json_object('depth', depth, 'theme', theme, 'follow_up', follow_up),
       cycle, created_at, message_id, revealed_at, closed_at
FROM rounds;
CREATE INDEX exchanges_by_couple ON exchanges (couple_id, kind, slot);
CREATE TABLE responses (
    exchange_id INTEGER NOT NULL REFERENCES exchanges(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL,
    passed INTEGER NOT NULL DEFAULT 0,
    shared INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (exchange_id, user_id)
);
INSERT INTO responses (exchange_id, user_id, passed, shared, created_at, updated_at)
SELECT round_id, user_id, passed, shared, created_at, updated_at FROM answers;
-- Each field of a response, encrypted (free text and values alike).
CREATE TABLE response_fields (
    exchange_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (exchange_id, user_id, name),
    FOREIGN KEY (exchange_id, user_id) REFERENCES responses (exchange_id, user_id)
        ON DELETE CASCADE
);
INSERT INTO response_fields (exchange_id, user_id, name, value)
SELECT round_id, user_id, 'answer', body FROM answers WHERE body IS NOT NULL;
CREATE TABLE posts (
    id INTEGER PRIMARY KEY,
    dedupe_key TEXT NOT NULL UNIQUE,
    couple_id INTEGER NOT NULL REFERENCES couples(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    exchange_id INTEGER REFERENCES exchanges(id) ON DELETE CASCADE,
    user_id INTEGER,
    part INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    message_id INTEGER
);
INSERT INTO posts (id, dedupe_key, couple_id, kind, exchange_id, user_id, part, created_at,
                   sent_at, message_id)
SELECT id, dedupe_key, couple_id, kind, round_id, user_id, part, created_at, sent_at, message_id
FROM outbox;
DROP TABLE outbox;
DROP TABLE answers;
DROP TABLE rounds;
ALTER TABLE posts RENAME TO outbox;
CREATE INDEX outbox_pending ON outbox (sent_at) WHERE sent_at IS NULL;
CREATE INDEX outbox_by_couple ON outbox (couple_id);
CREATE INDEX pauses_by_couple ON pauses (couple_id);
CREATE INDEX custom_questions_by_couple ON custom_questions (couple_id);
-- Scheduled work: the next instant each couple's item is due (e.g. 'daily', 'remind').
CREATE TABLE due_work (
    couple_id INTEGER NOT NULL REFERENCES couples(id) ON DELETE CASCADE,
    item TEXT NOT NULL,
    due_at TEXT NOT NULL,
    PRIMARY KEY (couple_id, item)
);
CREATE INDEX due_work_by_time ON due_work (due_at)
