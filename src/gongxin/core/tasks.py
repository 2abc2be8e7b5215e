"""Background work of the core app, run by the task worker (`gongxin db_worker`)."""

from django_tasks import task

from gongxin.core.exports import export_run_now


@task()
def export_run(job_id: str) -> None:
    export_run_now(job_id)
