"""Bulk writes for the scale data set (demo.scale): one statement per table, whatever the number of rows.

PostgreSQL gets COPY, which is several times faster than multi-row INSERTs for millions of rows; other
backends (SQLite, the tests) get one executemany(). Both count as one query in Django's query log, which
is what lets tests/demo/test_seed_scale.py prove the number of statements does not grow with the data."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.apps import apps
from django.db import connection, models
from django.db.models import Max


@dataclass
class Report:
    """What was built, for the command to print."""

    counts: Counter = field(default_factory=Counter)
    accounts: list[tuple[str, str]] = field(default_factory=list)


def model(label: str) -> type[models.Model]:
    return apps.get_model(label)


class Writer:
    """One statement per table: COPY on PostgreSQL, executemany() elsewhere. Rows are tuples in the order
    of `columns` (field names); values are Python objects, prepared per backend."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.postgres = connection.vendor == "postgresql"

    def insert(self, label: str, columns: Sequence[str], rows: list[tuple]) -> None:
        table_model = model(label)
        fields = [table_model._meta.get_field(name) for name in columns]
        quote = connection.ops.quote_name
        table = quote(table_model._meta.db_table)
        names = ", ".join(quote(f.column) for f in fields)  # type: ignore[union-attr]
        with connection.cursor() as cursor:
            if self.postgres:
                with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            elif rows:
                prepared = [
                    tuple(f.get_db_prep_save(v, connection) for f, v in zip(fields, row, strict=True))  # type: ignore[union-attr]
                    for row in rows
                ]
                placeholders = ", ".join(["%s"] * len(fields))
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", prepared)  # noqa: S608
        self.report.counts[table_model._meta.model_name] += len(rows)


def next_ids(labels: Iterable[str]) -> dict[str, int]:
    """The first free primary key per table (one aggregate each): rows are numbered here, so children can
    point at their parents without reading ids back."""
    return {label: (model(label).objects.aggregate(m=Max("pk"))["m"] or 0) + 1 for label in labels}


def clear() -> None:
    """Empty every table the builder fills and every table that points at them (sessions, audit trail,
    authenticators...), keeping what migrations put in (action lines, holidays, permissions). Foreign keys
    are checked at commit on both backends, so the order does not matter inside the transaction."""
    roots = {"kpa.User", "schools.Gemeente", "schools.School", "partners.Organisation"}
    doomed = {model(label) for label in roots}
    everything = apps.get_models(include_auto_created=True)
    changed = True
    while changed:
        changed = False
        for candidate in everything:
            if candidate in doomed:
                continue
            targets = {f.related_model for f in candidate._meta.get_fields() if f.many_to_one or f.one_to_one}
            if targets & doomed and candidate._meta.managed:
                doomed.add(candidate)
                changed = True
    doomed.add(model("sessions.Session"))
    tables = sorted(m._meta.db_table for m in doomed)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # TRUNCATE refuses tables with foreign-key checks still pending in this transaction (rows
            # written earlier in it, as a test does): run those checks now, then defer again.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("TRUNCATE " + ", ".join(connection.ops.quote_name(t) for t in tables) + " CASCADE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")  # noqa: S608
    # The default questionnaire points at nobody but lives in a table that points at gemeenten and people:
    # put back what its migration wrote.
    from evaluations.services import install_default

    install_default()
