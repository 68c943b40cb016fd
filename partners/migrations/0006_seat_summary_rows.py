"""Every school has a seat summary row on PostgreSQL, made by a trigger in the transaction that inserts the
school (a form, the DUO import's bulk insert or raw SQL alike), and an index on `day`: together they let
partners.seat_summary.summaries_ensure find the rows not counted for today without an anti-join over every
school of the country. SQLite gets the index but no trigger (summaries_ensure looks for missing rows
there)."""

from django.db import migrations, models

ROWS = """
CREATE FUNCTION partners_seat_summary_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO partners_seatsummary (school_id, version, computed_version, day, ib_vacant, buurtteam_vacant,
        jgz_vacant, passend_onderwijs_vacant, leerplicht_vacant, partner_ending)
    SELECT n.id, 0, NULL, NULL, false, false, false, false, false, false FROM new_rows n
    ORDER BY n.id
    ON CONFLICT (school_id) DO NOTHING;
    RETURN NULL;
END $$;

CREATE TRIGGER partners_seat_summary_rows AFTER INSERT ON schools_school
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION partners_seat_summary_rows();

INSERT INTO partners_seatsummary (school_id, version, computed_version, day, ib_vacant, buurtteam_vacant,
    jgz_vacant, passend_onderwijs_vacant, leerplicht_vacant, partner_ending)
SELECT s.id, 0, NULL, NULL, false, false, false, false, false, false FROM schools_school s
ORDER BY s.id
ON CONFLICT (school_id) DO NOTHING;
"""

NO_ROWS = """
DROP TRIGGER IF EXISTS partners_seat_summary_rows ON schools_school;
DROP FUNCTION IF EXISTS partners_seat_summary_rows();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0005_seat_summary"),
        ("schools", "0007_duo_import_and_roster_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="seatsummary",
            index=models.Index(fields=["day"], name="seat_summary_day_idx"),
        ),
        migrations.RunPython(_on_postgresql(ROWS), _on_postgresql(NO_ROWS)),
    ]
