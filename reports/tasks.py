"""Background tasks (django.tasks on the django-tasks-db queue; `manage.py db_worker` runs them)."""

from django.tasks import task

from reports.bulk import bulk_export_run
from reports.rendering import report_render_run


@task()
def build_bulk_export(export_id: int) -> None:
    bulk_export_run(export_id)


@task()
def render_report(render_id: int) -> None:
    report_render_run(render_id)
