"""Terminal and JSON display shared by the CLI and the offline demo.

Why a layer of its own: the demo drives a rollout and shows it exactly like ``fcinfra rollout`` does, and the
CLI runs the demo; with the display here neither has to import the other.
"""
