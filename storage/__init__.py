"""Persistence: the models, the engine and the migrations."""
