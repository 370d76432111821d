-- Date nights and shared activities: ideas a couple added, the cards suggested to them,
-- what they saved, the dates they planned, and the optional weekly suggestion.
CREATE TABLE own_ideas (
    id INTEGER PRIMARY KEY,
    couple_id INTEGER NOT NULL REFERENCES couples(id) ON DELETE CASCADE,
    author_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    prompt TEXT,
    setting TEXT NOT NULL,
    budget TEXT NOT NULL,
    minutes INTEGER NOT NULL,
    energy TEXT NOT NULL,
    connection TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX own_ideas_by_couple ON own_ideas (couple_id);
CREATE TABLE idea_cards (
    id INTEGER PRIMARY KEY,
    couple_id INTEGER NOT NULL REFERENCES couples(id) ON DELETE CASCADE,
    idea_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    filters TEXT NOT NULL DEFAULT '{}',
    new_cycle INTEGER NOT NULL DEFAULT 0,
    weekly_slot TEXT,
    asked_by INTEGER,
    skipped_by INTEGER,
    skipped_at TEXT,
    picked_by INTEGER,
    saved_by INTEGER,
    created_at TEXT NOT NULL,
    UNIQUE (couple_id, weekly_slot)
);
CREATE INDEX idea_cards_by_couple ON idea_cards (couple_id, id);
CREATE TABLE ideas_shown (
    couple_id INTEGER NOT NULL REFERENCES couples(id) ON DELETE CASCADE,
    idea_id TEXT NOT NULL,
    PRIMARY KEY (couple_id, idea_id)
);
CREATE TABLE saved_ideas (
    couple_id INTEGER NOT NULL REFERENCES couples(id) ON DELETE CASCADE,
    idea_id TEXT NOT NULL,
    saved_by INTEGER NOT NULL,
    saved_at TEXT NOT NULL,
    PRIMARY KEY (couple_id, idea_id)
);
CREATE TABLE date_plans (
    id INTEGER PRIMARY KEY,
    couple_id INTEGER NOT NULL REFERENCES couples(id) ON DELETE CASCADE,
    idea_id TEXT NOT NULL,
    card_id INTEGER REFERENCES idea_cards(id) ON DELETE SET NULL,
    planned_by INTEGER NOT NULL,
    moved_by INTEGER,
    date_at TEXT NOT NULL,
    planned_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    agreed_by INTEGER,
    status TEXT NOT NULL DEFAULT 'planned',
    status_by INTEGER,
    created_at TEXT NOT NULL
);
CREATE INDEX date_plans_by_couple ON date_plans (couple_id, status);
CREATE TABLE date_settings (
    couple_id INTEGER PRIMARY KEY REFERENCES couples(id) ON DELETE CASCADE,
    weekly_day INTEGER,
    weekly_time TEXT,
    weekly_since TEXT
)
