-- Check-ins, appreciations, bids for connection and the weekly check-in's settings.
-- Free text (a check-in's need, an appreciation) is encrypted by the repository.
CREATE TABLE checkins (
    id INTEGER PRIMARY KEY,
    couple_id INTEGER NOT NULL REFERENCES couples(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL,
    at TEXT NOT NULL,
    mood INTEGER NOT NULL CHECK (mood BETWEEN 1 AND 5),
    closeness INTEGER NOT NULL CHECK (closeness BETWEEN 1 AND 5),
    need TEXT,
    shared INTEGER NOT NULL DEFAULT 0,
    exchange_id INTEGER REFERENCES exchanges(id) ON DELETE SET NULL
);
CREATE INDEX checkins_by_couple ON checkins (couple_id, at);
CREATE TABLE appreciations (
    id INTEGER PRIMARY KEY,
    couple_id INTEGER NOT NULL REFERENCES couples(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL,
    at TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX appreciations_by_couple ON appreciations (couple_id, at);
-- Every bid for connection a partner made: an appreciation, a bid they took on.
CREATE TABLE bids_made (
    id INTEGER PRIMARY KEY,
    couple_id INTEGER NOT NULL REFERENCES couples(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL,
    at TEXT NOT NULL,
    source TEXT NOT NULL,
    ref INTEGER NOT NULL,
    UNIQUE (source, ref)
);
CREATE INDEX bids_made_by_couple ON bids_made (couple_id, at);
-- Bids suggested by /bid; a cycle ends when every fitting bid was shown once.
CREATE TABLE bid_offers (
    id INTEGER PRIMARY KEY,
    couple_id INTEGER NOT NULL REFERENCES couples(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL,
    bid_id TEXT NOT NULL,
    cycle INTEGER NOT NULL,
    at TEXT NOT NULL,
    accepted_at TEXT
);
CREATE INDEX bid_offers_by_user ON bid_offers (couple_id, user_id, cycle);
CREATE TABLE checkin_settings (
    couple_id INTEGER PRIMARY KEY REFERENCES couples(id) ON DELETE CASCADE,
    long_distance INTEGER NOT NULL DEFAULT 0,
    weekly_on INTEGER NOT NULL DEFAULT 1,
    weekly_weekday INTEGER NOT NULL DEFAULT 6,
    weekly_time TEXT NOT NULL DEFAULT '18:00'
)
