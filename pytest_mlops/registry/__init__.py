"""Model registry operations on MLflow 3 aliases: promotion, rollback, history, canary actions.

MLflow is imported when a :class:`~pytest_mlops.registry.client.Registry` connects, after
the server probe, so a command against a server that is down fails before paying for
``import mlflow``; light modules (the plugin, fixtures, ``commands/*``) still import these
modules inside functions only. The protocol is described in ``docs/promotion.md``:

* :mod:`pytest_mlops.registry.client` - :class:`~pytest_mlops.registry.client.Registry`, the
  registry operations promotion needs, on top of the one MLflow adapter
  (:mod:`pytest_mlops.integrations.mlflow`: URI rules, timeouts, one-line errors, redaction);
* :mod:`pytest_mlops.registry.lock` - the registry lock (Lamport's fast mutual exclusion on
  registered-model tags, with leases);
* :mod:`pytest_mlops.registry.promotion` - report checks, promote, rollback, canary abort, history.
"""

from __future__ import annotations

__all__: list[str] = []
