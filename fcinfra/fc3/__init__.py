"""Function Compute 3.0 (API 2023-03-30): functions are first-level, versions and aliases belong to a function."""

from fcinfra.fc3.client import Fc3Client

__all__ = ["Fc3Client"]
