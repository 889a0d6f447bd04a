"""The FC 3.0 (API 2023-03-30) fake: typed, HTTP-free rules (``backend``) and the API edge (``api``)."""
