"""One exception root per package, drawn in its errors module's docstring (as httpx does):
every exception class a package defines derives from the root and is in the drawing."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator

import pytest

ROOTS = {
    "inspectors": "InspectorError",
    "rules": "RuleError",
    "quarantine": "QuarantineError",
    "proxy": "GuardError",
}
# Deliberately outside: a BaseException, so that the readers' `except Exception` guards
# cannot swallow the worker's alarm (named in proxy/errors.py's docstring all the same).
OUTSIDE = {"proxy.pipeline.InspectionTimeout"}


def _exceptions(package: str) -> Iterator[tuple[str, type[BaseException]]]:
    """Public exception classes defined in the package's own modules."""
    root = importlib.import_module(package)
    for info in pkgutil.walk_packages(root.__path__, package + "."):
        if ".migrations." in info.name:
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, BaseException)
                and value.__module__ == module.__name__
                and not name.startswith("_")
            ):
                yield f"{module.__name__}.{name}", value


@pytest.mark.parametrize("package", sorted(ROOTS))
def test_every_exception_derives_from_the_package_root_and_is_drawn(package: str) -> None:
    errors = importlib.import_module(f"{package}.errors")
    root = getattr(errors, ROOTS[package])
    drawing = errors.__doc__ or ""
    found = dict(_exceptions(package))
    assert found, package
    for name, cls in found.items():
        assert name.rsplit(".", 1)[1] in drawing, f"{name} missing from {package}/errors.py"
        if name not in OUTSIDE:
            assert issubclass(cls, root), f"{name} does not derive from {root.__name__}"


def test_value_errors_stay_value_errors() -> None:
    """Callers that catch ValueError keep catching them."""
    from proxy.errors import ConfigError
    from quarantine.admin.directory_csv import ImportProblem
    from quarantine.admin.rule_draft import DraftError
    from quarantine.directory_file import DirectoryError
    from quarantine.directory_store import DirectoryConflict
    from quarantine.rebuild import FixError
    from rules import RuleError

    for cls in (
        DirectoryError,
        ConfigError,
        ImportProblem,
        DraftError,
        DirectoryConflict,
        FixError,
        RuleError,
    ):
        assert issubclass(cls, ValueError), cls
