"""fcinfra.components."""
