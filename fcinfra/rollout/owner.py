"""How messages name an alias's owner and the command line that manages it: a service and ``fcinfra`` on FC 2.0,
a function and ``fcinfra fc3`` on FC 3.0. One wording rule for the checks before a release, promote and rollback,
the runner and the CLI's hints. Pure."""

from __future__ import annotations

__all__ = ["cli_name", "owner_word"]


def owner_word(function_level: bool) -> str:
    """``function`` on FC 3.0 (the alias belongs to a function), ``service`` on FC 2.0."""
    return "function" if function_level else "service"


def cli_name(function_level: bool) -> str:
    """The command a user types for that FC version: ``fcinfra fc3`` on FC 3.0, ``fcinfra`` on FC 2.0."""
    return "fcinfra fc3" if function_level else "fcinfra"
