"""The proxy's exceptions, drawn as a tree (DESIGN.md: one small hierarchy per package):

    GuardError
    ├── ConfigError                (also a ValueError) the configuration is wrong: start-up
    │                              stops and the CLI prints it (cli.py)
    ├── DirectoryError             org_connection.py: the company directory (LDAP) could not
    │                              be read whole; its `code` is logged and stored, and the
    │                              last good copy stays (org_sync.py)
    ├── WorkerDied                 workers.py: an inspection worker process died
    └── WorkerTimeout              workers.py: an inspection worker overran its time

The pipeline turns the worker errors into an inspector.error finding (fail closed); any other
error while a message is handled is a 451 (temporary), never a lost message. Private control
flow stays private (`_StaleConnection` in upstream.py); `pipeline.InspectionTimeout` is a
BaseException on purpose, so that the readers' `except Exception` guards cannot swallow it.
"""


class GuardError(Exception):
    """Base of the errors the guard raises on purpose."""


class ConfigError(GuardError, ValueError):
    """The configuration is wrong; the message names the file, the key and the bad value."""
