"""Texts of The local Slack sandbox page (bot/sandbox)."""

MESSAGES: dict[str, dict[str, str]] = {}
