"""fcinfra.providers."""
