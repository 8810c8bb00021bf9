"""Versioned migrations, applied in order at start-up: vNNN_name.py, each with `upgrade(conn)`."""
