"""Background work of the annual report import, run by the task worker (`gongxin db_worker`)."""

from django_tasks import task

from gongxin.annual.imports import import_run_now


@task()
def import_run(job_id: str) -> None:
    import_run_now(job_id)
