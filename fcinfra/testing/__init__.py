"""Public test helpers: pytest fixtures (:mod:`fcinfra.testing.plugin`) and Pulumi mocks
(:mod:`fcinfra.testing.pulumi_mocks`) that run fcinfra's dynamic providers against the fake.

Import-light: ``pulumi`` is imported only when the mocks are used.
"""

from __future__ import annotations

from typing import Any

__all__ = ["FcMocks", "run_stack", "set_fc_mocks"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from fcinfra.testing import pulumi_mocks

        return getattr(pulumi_mocks, name)
    raise AttributeError(name)
