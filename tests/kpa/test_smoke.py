import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_it_has_no_pending_migrations():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
