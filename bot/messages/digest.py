"""Texts of The weekly leadership and team digests, the chart, the quarterly review."""

MESSAGES: dict[str, dict[str, str]] = {}
