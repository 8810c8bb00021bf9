"""The proxy's exceptions: configuration errors, which cli.py reports with an exit status
before anything is served. None reaches an SMTP client: handler.py writes every reply, and
any unexpected error there is a 451."""


class GuardError(Exception):
    """Base of the errors the guard raises on purpose."""


class ConfigError(GuardError, ValueError):
    """The configuration is wrong; the message names the file, the key and the bad value."""
