"""Celery tasks of the school register: they take ids and call one service each."""

from celery import shared_task


@shared_task(name="schools.duo_import_run", ignore_result=True)
def duo_import_run_task(pk: str) -> bool:
    """Import a confirmed DUO upload in the background (schools.import_jobs)."""
    from schools.import_jobs import duo_import_run

    return duo_import_run(pk=pk)


@shared_task(name="schools.duo_imports_resume", ignore_result=True)
def duo_imports_resume_task() -> int:
    """The beat job (every minute): ask a worker for every confirmed import nobody is running."""
    from schools.import_jobs import duo_imports_resume

    return duo_imports_resume()
