"""What every fcinfra dynamic provider shares: call-time credentials and a pickle with no secrets.

Pulumi pickles a dynamic provider with dill into each resource's state (``__provider``) and unpickles
it in the provider host for every later operation. Whatever the instance holds is therefore written to
users' state files. fcinfra providers hold *nothing* there: the stack config handed to ``configure``,
any injected client and clock live only in the running process and are dropped by ``__getstate__``.
The client is built when a method runs, from ``fcinfra.config.resolve_settings`` (Pulumi config such as
``fcinfra:endpoint`` / ``alicloud:region`` > environment).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import pulumi
from pulumi.dynamic import ConfigureRequest, Resource, ResourceProvider
from pulumi.dynamic.dynamic import PROVIDER_KEY, serialize_provider

from fcinfra.providers._engine import engine_bound_sleep

if TYPE_CHECKING:
    from fcinfra.fc import FcClient

ClientFactory = Callable[[], "FcClient"]

# Runtime-only attributes: never pickled (see ``__getstate__``).
_RUNTIME_ATTRS = ("_stack_config", "_client_factory", "_client", "_sleep", "_clock", "_lock")


class FcProviderBase(ResourceProvider):
    """Base of fcinfra's providers: plain pickle, client resolved at call time, clock injectable."""

    # The pickle holds no secret (tests/providers/test_pickle_secrets.py), yet Pulumi's default of storing it
    # as a secret is kept: it costs nothing and stays safe if a subclass ever holds more.
    serialize_as_secret_always = True
    fc3 = False  # FC 3.0 providers (function-level versions and aliases) say True: they build an Fc3Client

    def __init__(self) -> None:
        super().__init__()
        self._init_runtime()

    def _init_runtime(self) -> None:
        self._stack_config: dict[str, Any] = {}
        self._client_factory: ClientFactory | None = None
        self._client: FcClient | None = None
        self._sleep: Callable[[float], None] = engine_bound_sleep  # stops if `pulumi up` was killed
        self._clock: Callable[[], float] = time.monotonic
        self._lock = threading.Lock()

    # ------------------------------------------------------------------------------------------ pickling

    def __getstate__(self) -> dict[str, Any]:
        """Only plain, non-secret settings survive pickling; runtime wiring is rebuilt on unpickle."""
        return {k: v for k, v in self.__dict__.items() if k not in _RUNTIME_ATTRS}

    def __setstate__(self, state: Mapping[str, Any]) -> None:
        self.__dict__.update(state)
        self._init_runtime()

    # ------------------------------------------------------------------------------------------- wiring

    def configure(self, req: ConfigureRequest) -> None:
        """Remember the stack config (in memory only) to resolve settings when a method runs."""
        raw = getattr(req.config, "_props", None)
        self._stack_config = dict(raw) if isinstance(raw, Mapping) else {}
        self._client = None

    def use_client(self, factory: ClientFactory) -> FcProviderBase:
        """Make this process's calls go through ``factory()`` (tests, the mock engine). Not pickled."""
        self._client_factory = factory
        self._client = None
        return self

    def use_clock(self, sleep: Callable[[float], None], clock: Callable[[], float] | None = None) -> FcProviderBase:
        """Inject time for rollouts (tests); without ``clock``, time advances by exactly what was slept."""
        if clock is None:
            now = [0.0]

            def fake_sleep(seconds: float) -> None:
                now[0] += max(0.0, seconds)
                sleep(seconds)

            self._sleep, self._clock = fake_sleep, lambda: now[0]
        else:
            self._sleep, self._clock = sleep, clock
        return self

    def client(self) -> FcClient:
        """The FC client for this call: injected, or built from stack config and the environment now."""
        with self._lock:
            if self._client is None:
                self._client = self._client_factory() if self._client_factory else self._build_client()
            return self._client

    def _client_class(self) -> Any:
        """The client ``_build_client`` makes: ``FcClient``, or ``Fc3Client`` for an FC 3.0 provider."""
        if self.fc3:
            from fcinfra.fc3 import Fc3Client

            return Fc3Client
        from fcinfra.fc import FcClient

        return FcClient

    def _build_client(self) -> FcClient:
        from fcinfra.config import resolve_settings

        config = self._stack_config

        def read(key: str) -> str | None:
            value = config.get(key)
            if value in (None, ""):
                return None
            return json.dumps(value) if isinstance(value, Mapping | list) else str(value)

        return self._client_class().from_settings(resolve_settings(pulumi_config=read))

_SERIALIZED: dict[Any, str] = {}


def serialized(provider: FcProviderBase) -> str:
    """``serialize_provider(provider)``, computed once per class and plain state.

    fcinfra providers pickle to their class reference plus plain settings (nothing else), so the bytes
    are identical for every resource of a type; dill is the single largest cost of registering a
    dynamic resource, and a stack registers hundreds of them.
    """
    state = provider.__getstate__()
    try:
        key: Any = (type(provider), tuple(sorted(state.items())))
        hash(key)
    except TypeError:
        return str(serialize_provider(provider))
    cached = _SERIALIZED.get(key)
    if cached is None:
        cached = _SERIALIZED[key] = str(serialize_provider(provider))
    return cached


class FcResource(Resource):
    """A ``pulumi.dynamic.Resource`` whose ``__provider`` is the exact same (secret) pickle, serialized once."""

    def __init__(
        self, provider: FcProviderBase, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions | None = None
    ) -> None:
        if PROVIDER_KEY in props:
            raise ValueError("a dynamic resource must not define the __provider key")
        props[PROVIDER_KEY] = pulumi.Output.secret(serialized(provider))
        pulumi.CustomResource.__init__(self, f"pulumi-python:{self._resource_type_name}", name, props, opts)
