"""Must show: the seeds' scenario through FcClient against the emulator over loopback, also across a restart."""

from __future__ import annotations

from pathlib import Path

from fcinfra.fake.emulator.runtime import PythonCodeRunner
from fcinfra.fake.server import Emulator
from fcinfra.fc import FcClient

from .scenario import SERVICE, run_seeds_scenario

KEYS = {"AK-emu": "SK-emu"}


def client_for(emu: Emulator) -> FcClient:
    return FcClient(emu.account_id, emu.region, "AK-emu", "SK-emu", endpoint=emu.endpoint)


def test_seeds_scenario_over_loopback(runner: PythonCodeRunner) -> None:
    with Emulator(access_keys=KEYS, seed=11, code_runner=runner) as emu:
        run_seeds_scenario(client_for(emu))


def test_seeds_scenario_with_a_restart_from_the_state_file(tmp_path: Path, runner: PythonCodeRunner) -> None:
    state = tmp_path / "fc-state.json"
    emu = Emulator(access_keys=KEYS, seed=12, state_file=state, save_interval=None, code_runner=runner).start()
    port = emu.port
    holder = {"emu": emu}

    def restart() -> None:
        holder["emu"].stop()  # saves the state file
        assert state.exists()
        again = Emulator(port=port, access_keys=KEYS, seed=12, state_file=state, code_runner=runner).start()
        assert again.loaded_from_state
        assert SERVICE in again.fake.region_backend().services
        holder["emu"] = again

    try:
        run_seeds_scenario(client_for(emu), restart, samples=2000)
    finally:
        holder["emu"].stop()

