"""Pure domain functions: no I/O, no clock of their own."""
