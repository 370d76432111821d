-- Gentle notes (noticing distance): each note decided for a couple, kept for the rate
-- limits and held until quiet hours end, and the couple's "gentle notes: on/off".
-- No value from anyone's check-ins is stored here: only which kind of note, when, to whom.
CREATE TABLE gentle_notes (
    id INTEGER PRIMARY KEY,
    couple_id INTEGER NOT NULL REFERENCES couples(id) ON DELETE CASCADE,
    dedupe_key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    user_id INTEGER,
    decided_at TEXT NOT NULL,
    deliver_at TEXT NOT NULL,
    queued_at TEXT
);
CREATE INDEX gentle_notes_by_couple ON gentle_notes (couple_id, decided_at);
CREATE TABLE gentle_note_settings (
    couple_id INTEGER PRIMARY KEY REFERENCES couples(id) ON DELETE CASCADE,
    enabled INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL
)
