"""Texts of Escalation alerts, the arbitration workflow, the decision log and committee agendas."""

MESSAGES: dict[str, dict[str, str]] = {}
