import pytest

from schools import import_jobs


@pytest.fixture
def confirm_import(client, monkeypatch, django_capture_on_commit_callbacks):
    """Post "confirm" on an import's preview page and do the worker's part in this thread once the
    confirmation commits (the background run itself: test_import_jobs.py and, with real processes,
    test_import_processes.py)."""
    monkeypatch.setattr(import_jobs, "_enqueue", lambda pk: import_jobs.duo_import_run(pk=pk))

    def _confirm(url: str, *, follow: bool = False):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, {"action": "confirm"})
        if follow:  # the page after the worker's part, as a refresh shows it
            redirected = client.get(response["Location"])
            redirected.redirect_chain = [(response["Location"], response.status_code)]
            return redirected
        return response

    return _confirm
