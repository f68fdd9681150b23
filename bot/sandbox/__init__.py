"""A local emulation of the slice of the Slack platform Baton uses (the sandbox and the tests' fake Slack)."""
