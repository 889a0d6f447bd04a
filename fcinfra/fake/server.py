"""Public import path of the emulator (``from fcinfra.fake.server import Emulator``); the code lives in
``fcinfra.fake.emulator.server``."""

from fcinfra.fake.emulator.server import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_REGION,
    Emulator,
    EmulatorError,
    FakeWsgiApp,
    run_emulator,
    write_atomically,
)

__all__ = [
    "DEFAULT_ACCOUNT_ID",
    "DEFAULT_REGION",
    "Emulator",
    "EmulatorError",
    "FakeWsgiApp",
    "run_emulator",
    "write_atomically",
]
