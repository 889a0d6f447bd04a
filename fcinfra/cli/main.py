"""Entry point of the `fcinfra` command (placeholder until the CLI lands)."""

from __future__ import annotations

import sys


def main() -> None:
    print("fcinfra: the command line is not built yet", file=sys.stderr)
    sys.exit(2)
