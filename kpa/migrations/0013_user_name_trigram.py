"""A trigram index for finding people by typing (partners.search_views: the person fields of /manage/), on
PostgreSQL only: `icontains` on first name, last name and e-mail over some 50,000 people otherwise reads
every row (about 40 ms per keystroke at national scale, 15 ms with the index). SQLite has no such index
and needs none at its sizes.

The index is a speed-up, never a condition: where the database role may not create the pg_trgm extension
(it needs CREATE on the database, and some managed services allow-list extensions), the migration says so
and goes on without it. The README ("Production") tells the operator how to add it later."""

import logging

from django.db import DatabaseError, migrations, transaction

INDEX = "user_name_trgm_idx"
logger = logging.getLogger(__name__)


def create(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=connection.alias):  # a savepoint: a refusal leaves the rest intact
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {INDEX} ON kpa_user USING gin ("
                "upper(first_name::text) gin_trgm_ops, upper(last_name::text) gin_trgm_ops, "
                "upper(email::text) gin_trgm_ops)"
            )
    except DatabaseError as error:
        logger.warning("No trigram index on people (%s): searching people by typing is slower.", error)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("kpa", "0012_user_name_order_idx")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
