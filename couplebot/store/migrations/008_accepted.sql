-- The partner named in /setup accepts before the couple exists: until then nothing is
-- scheduled and no command works. Couples set up before this change count as accepted.
ALTER TABLE couples ADD COLUMN accepted_at TEXT;
UPDATE couples SET accepted_at = created_at;
-- A partner who stays can end the couple after the other left the server; everything
-- is then deleted after the same grace period as when the bot leaves a server.
ALTER TABLE couples ADD COLUMN ended_at TEXT
