"""What FC 2.0 documents as valid values, in one place: the runtime ids a function may name.

Sources (cited in docs/fake.md, "Runtimes"):

* "Overview of runtimes", FC 2.0 user guide
  (https://www.alibabacloud.com/help/en/functioncompute/fc-2-0/user-guide/overview-of-runtimes): nodejs8 ...
  nodejs20, python3 / python3.9 / python3.10, php7.2, java8 / java11, dotnetcore2.1 / dotnetcore3.1, go1,
  custom / custom.debian10; python3.12 from the same page's current edition ("runtime-intro");
* Cloud Config's rule "FC functions do not use deprecated runtimes"
  (https://www.alibabacloud.com/help/en/cloud-config/latest/fc-not-using-obsolete-runtime): the deprecated ids
  nodejs4.4, nodejs6, nodejs8, nodejs10, nodejs12, python2.7, dotnetcore2.1, which FC still accepts for
  existing functions and Alibaba's own SDK tests still create;
* CreateFunction (FC 2.0 API, 2016-08-15 / 2021-04-06): ``custom-container`` for container images.
"""

from __future__ import annotations

DEPRECATED_RUNTIMES = frozenset({
    "nodejs4.4", "nodejs6", "nodejs8", "nodejs10", "nodejs12", "python2.7", "dotnetcore2.1",
})
RUNTIMES = DEPRECATED_RUNTIMES | frozenset({
    "nodejs14", "nodejs16", "nodejs18", "nodejs20",
    "python3", "python3.9", "python3.10", "python3.12",
    "php7.2",
    "java8", "java11",
    "dotnetcore3.1",
    "go1",
    "custom", "custom.debian10", "custom-container",
})
INVALID_RUNTIME_MESSAGE = "Runtime is set to an invalid value"


def is_known_runtime(runtime: str) -> bool:
    """True for every runtime id FC 2.0 has documented, deprecated ones included."""
    return runtime in RUNTIMES
