"""``FunctionAliasShift``: ``AliasShift`` on FC 3.0, where the alias belongs to a function.

The same provider rules (conditional writes, a strategy walked by :mod:`fcinfra.rollout` with its health gates,
rejected fingerprints remembered), with an ``Fc3Client`` and ``Rollout(function=...)``. The alias's owner, the
function, is passed and stored as ``service``: the key AliasShift's state already uses.

The import path of :class:`FunctionAliasShiftProvider` is public and stable: users' state refers to it.
"""

from __future__ import annotations

from fcinfra.providers.alias_shift import AliasShift, AliasShiftProvider

__all__ = ["FunctionAliasShift", "FunctionAliasShiftProvider"]


class FunctionAliasShiftProvider(AliasShiftProvider):
    """Walks an FC 3.0 function's alias."""

    fc3 = True


class FunctionAliasShift(AliasShift, module="fcinfra", name="FunctionAliasShift"):
    """Where an FC 3.0 function's alias sends traffic (``service`` is the function's name)."""

    @staticmethod
    def _new_provider() -> AliasShiftProvider:
        return FunctionAliasShiftProvider()
