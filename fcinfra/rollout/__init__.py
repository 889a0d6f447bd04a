"""fcinfra.rollout."""
