"""`manage.py db_worker`: django-tasks-db's worker, made to outlive a database outage.

django-tasks-db's own worker exits on the first database error (a restart, a failover, a
dropped connection), and a task whose worker is killed stays "running" for ever. This one, found
first because `maturity` is listed before `django_tasks_db` in INSTALLED_APPS:
- waits and tries again when the database is unreachable, doubling the wait up to
  RETRY_MAX_SECONDS, and logs each attempt and the recovery;
- runs the registered housekeeping jobs (maturity.housekeeping) when it starts and every
  HOUSEKEEPING_SECONDS, so work left by a dead worker is failed with a reason.
Its options are django-tasks-db's.
"""

import logging
import os
import random
import time

from django.db import InterfaceError, OperationalError, close_old_connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from maturity import housekeeping

logger = logging.getLogger("django_tasks_db")

RETRY_FIRST_SECONDS = 1
RETRY_MAX_SECONDS = 30
HOUSEKEEPING_SECONDS = 30
DATABASE_UNREACHABLE = (OperationalError, InterfaceError)


class Worker(db_worker.Worker):
    def run(self) -> None:
        logger.info(
            "Starting worker worker_id=%s queues=%s", self.worker_id, ",".join(self.queue_names)
        )
        if self.startup_delay and self.interval:
            time.sleep(random.random())  # noqa: S311 (spreads out workers started together)
        wait = 0
        housekept_at = None
        while self.running:
            close_old_connections()
            try:
                if housekept_at is None or time.monotonic() - housekept_at >= HOUSEKEEPING_SECONDS:
                    housekeeping.run()
                    housekept_at = time.monotonic()
                task_result = self.claim()
                if wait:
                    logger.warning("The database can be reached again: carrying on.")
                    wait = 0
                if task_result is not None:
                    self.run_task(task_result)
            except DATABASE_UNREACHABLE as error:
                wait = min(wait * 2 or RETRY_FIRST_SECONDS, RETRY_MAX_SECONDS)
                logger.warning(
                    "The database cannot be reached (%s). Trying again in %d second%s.",
                    " ".join(str(error).split()) or type(error).__name__,  # one line per event
                    wait,
                    "" if wait == 1 else "s",
                )
                close_old_connections()
                time.sleep(wait)
                continue
            if self.batch and task_result is None:
                logger.info("No more tasks to run for worker_id=%s - exiting.", self.worker_id)
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                logger.info(
                    "Ran %d tasks on worker_id=%s - exiting.", self._run_tasks, self.worker_id
                )
                return
            close_old_connections()
            if self.running and task_result is None:
                time.sleep(self.interval)

    def claim(self) -> DBTaskResult | None:
        """The next ready task, marked as this worker's (row-locked, so no other worker gets it)."""
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        with exclusive_transaction(tasks.db):
            task_result = tasks.get_locked()
            if task_result is not None:
                task_result.claim(self.worker_id)
        return task_result


class Command(db_worker.Command):
    help = (
        "Run a database background worker that waits out database outages and fails work left "
        "by a worker that died"
    )

    def handle(
        self,
        *,
        verbosity,
        queue_name,
        interval,
        batch,
        backend_name,
        startup_delay,
        reload,
        max_tasks,
        worker_id,
        exclude_queues,
        **options,
    ) -> None:
        self.configure_logging(verbosity)
        if reload and batch:
            logger.warning("--reload and --batch cannot be used together: not reloading.")
            reload = False
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise db_worker.CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = Worker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded,
        )
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()  # only in the child the reloader runs
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
