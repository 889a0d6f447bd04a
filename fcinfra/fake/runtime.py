"""Public import path of the emulator's code runner; the code lives in ``fcinfra.fake.emulator.runtime``."""

from fcinfra.fake.emulator.runtime import PythonCodeRunner

__all__ = ["PythonCodeRunner"]
