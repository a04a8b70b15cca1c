"""Upkeep that every task worker does every so often (see the `db_worker` command).

A higher app registers a job from its `AppConfig.ready()`, as it does a page panel
(maturity.panels): reports fails the exports and renders whose worker died, accounts queues
again the email tasks whose worker died (maturity.mail). Jobs must be cheap and safe
to run from several workers at once.
"""

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError

logger = logging.getLogger(__name__)

_jobs: dict[str, Callable[[], object]] = {}


def register(name: str, job: Callable[[], object]) -> None:
    """Registering a name again replaces its job."""
    _jobs[name] = job


def run() -> None:
    """Run every job. A job that fails is logged and the others still run, except when the
    database is unreachable: that is raised, for the worker to wait and try again."""
    for name, job in sorted(_jobs.items()):
        try:
            job()
        except (OperationalError, InterfaceError):
            raise
        except Exception:
            logger.exception("Housekeeping job %s failed", name)
