"""The proxy's exceptions. `handler.py` is the one place that maps them to SMTP replies."""


class GuardError(Exception):
    """Base of the errors the guard raises on purpose."""


class ConfigError(GuardError, ValueError):
    """The configuration is wrong; the message names the file, the key and the bad value."""
