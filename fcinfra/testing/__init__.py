"""fcinfra.testing."""
