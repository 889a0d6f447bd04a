"""fcinfra: safe, declarative releases on Alibaba Cloud Function Compute (FC 2.0)."""

from __future__ import annotations

__version__ = "0.1.0"
