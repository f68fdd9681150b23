"""Texts of `/okr new`, `edit`, `settings`, `digest` preview and the other portfolio commands."""

MESSAGES: dict[str, dict[str, str]] = {}
