"""The emulator-only part of the fake: HTTP serving (``server``), control endpoints (``control``) and real
execution of zip code (``runtime`` and its out-of-process ``worker``).

``mock_fc()`` never needs any of it. This package's ``__init__`` imports nothing, so the fake's core can use
the self-contained ``worker`` module's payload encoder without loading the server. The historical paths
``fcinfra.fake.server``, ``fcinfra.fake.runtime`` and ``fcinfra.fake.control`` re-export these modules.
"""
