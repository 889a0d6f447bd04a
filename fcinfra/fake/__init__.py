"""fcinfra.fake."""
