"""couplebot: a gentle daily-question bot for couples on Discord."""
