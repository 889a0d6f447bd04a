"""The `fcinfra` command line."""
