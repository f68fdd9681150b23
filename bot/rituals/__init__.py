"""The rituals: plain functions of (database, Slack client, instant), each idempotent per cycle."""
