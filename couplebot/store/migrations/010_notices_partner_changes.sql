-- Things to tell one partner (or either) privately on their next command, shown once:
-- a channel permission couplebot lost, a private note their closed DMs refused.
-- user_id 0: whichever partner comes first. No private text: a kind and plain names.
CREATE TABLE notices (
    couple_id INTEGER NOT NULL REFERENCES couples(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    PRIMARY KEY (couple_id, user_id, kind)
);
-- A couple whose channel refused the bot (a lost permission): its posts wait, and are
-- tried again at retry_at, or at once when a partner's command shows the permission back.
CREATE TABLE channel_holds (
    couple_id INTEGER PRIMARY KEY REFERENCES couples(id) ON DELETE CASCADE,
    missing TEXT NOT NULL,
    held_at TEXT NOT NULL,
    retry_at TEXT NOT NULL
);
-- A partner of an accepted couple asked to set up with someone else; it waits for that
-- person's Accept. The times asked for apply when it is accepted.
CREATE TABLE partner_changes (
    couple_id INTEGER PRIMARY KEY REFERENCES couples(id) ON DELETE CASCADE,
    requested_by INTEGER NOT NULL,
    new_partner_id INTEGER NOT NULL,
    new_partner_timezone TEXT,
    channel_id INTEGER NOT NULL,
    timezone TEXT NOT NULL,
    question_time TEXT NOT NULL,
    requested_at TEXT NOT NULL
);
-- A couple replaced by a partner change leaves its server's slot (guild_id is UNIQUE)
-- to the new couple: its guild_id becomes -id, the server is kept here, and it is
-- deleted after the grace period like any ended couple.
ALTER TABLE couples ADD COLUMN former_guild_id INTEGER
