"""The table of the database cache that stands in for Redis while Redis is unreachable (kpa/cache.py).
Created here rather than by `createcachetable`, so every deployment has it after `migrate`."""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

TABLE = "kpa_cache_fallback"


def create_table(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, TABLE, dry_run=False)


def drop_table(apps, schema_editor):
    connection = schema_editor.connection
    if TABLE in connection.introspection.table_names():
        schema_editor.execute(f"DROP TABLE {connection.ops.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("kpa", "0005_one_email_address_per_person")]

    operations = [migrations.RunPython(create_table, drop_table)]
