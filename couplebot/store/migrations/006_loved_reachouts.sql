-- "What makes me feel loved": each partner's private list (one encrypted JSON array),
-- whether it may be offered to the other partner, and whether they take ideas by DM.
CREATE TABLE loved_lists (
    couple_id INTEGER NOT NULL REFERENCES couples(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL,
    items TEXT NOT NULL,
    share INTEGER NOT NULL DEFAULT 1,
    ideas_by_dm INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (couple_id, user_id)
);
-- One idea per receiving partner per week (UNIQUE: never twice, across restarts).
-- item is encrypted; forgetting its author blanks it but keeps the week taken.
CREATE TABLE loved_ideas (
    id INTEGER PRIMARY KEY,
    couple_id INTEGER NOT NULL REFERENCES couples(id) ON DELETE CASCADE,
    about_user_id INTEGER NOT NULL,
    to_user_id INTEGER NOT NULL,
    week TEXT NOT NULL,
    item TEXT,
    new_cycle INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    delivered_at TEXT,
    UNIQUE (couple_id, to_user_id, week)
);
-- Sent reach-outs (body encrypted); each counts as a bid. source_id is the private
-- preview the sender pressed "Send" on: one note per preview.
CREATE TABLE reachouts (
    id INTEGER PRIMARY KEY,
    couple_id INTEGER NOT NULL REFERENCES couples(id) ON DELETE CASCADE,
    from_user_id INTEGER NOT NULL,
    to_user_id INTEGER NOT NULL,
    body TEXT NOT NULL,
    by_dm INTEGER NOT NULL,
    source_id INTEGER NOT NULL UNIQUE,
    sent_at TEXT NOT NULL,
    thanked_at TEXT,
    talk_at TEXT
);
CREATE INDEX reachouts_by_couple ON reachouts (couple_id, sent_at)
