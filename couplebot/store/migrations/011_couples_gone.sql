-- Every wake purges the couples that left or ended before the grace cutoff; these
-- partial indexes hold only such couples, so the purge no longer reads every couple.
CREATE INDEX couples_left ON couples (left_at) WHERE left_at IS NOT NULL;
CREATE INDEX couples_ended ON couples (ended_at) WHERE ended_at IS NOT NULL
