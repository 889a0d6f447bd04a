"""Public import path of the emulator's control API; the code lives in ``fcinfra.fake.emulator.control``."""

from fcinfra.fake.emulator.control import CONTROL_PREFIX, ControlAnswer, ControlApi, is_control_path, reseed

__all__ = ["CONTROL_PREFIX", "ControlAnswer", "ControlApi", "is_control_path", "reseed"]
