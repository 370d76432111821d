-- When the bot is removed from a server, the couple's data is kept for a grace period
-- (in case it was a mistake) and then deleted.
ALTER TABLE couples ADD COLUMN left_at TEXT
