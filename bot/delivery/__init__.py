"""The outbox: messages written with the state that caused them, sent exactly once by a sender."""
