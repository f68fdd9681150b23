"""Baton: a Slack bot that runs a strategy office's rituals."""
