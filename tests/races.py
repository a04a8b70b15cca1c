"""Running a race for real: each target in its own thread, with its own database connection.

For the PostgreSQL race tests; SQLite serialises whole-database writes, so a race cannot be
staged there (CI runs both databases).
"""

import threading

import pytest
from django.db import connection, connections

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs concurrent PostgreSQL connections"
)


def in_threads(*targets) -> list[Exception]:
    """Run every target at once and wait for them all; the exceptions they raised, so a test
    looks at every outcome, not only the first."""
    errors = []

    def run(target):
        try:
            target()
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors
