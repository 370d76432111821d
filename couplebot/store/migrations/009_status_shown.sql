-- When each exchange message's status line was last brought up to date (the state
-- it was rendered from), so a restart edits only the messages that changed since.
ALTER TABLE exchanges ADD COLUMN status_shown_at TEXT
