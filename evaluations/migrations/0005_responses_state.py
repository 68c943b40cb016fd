"""The state stamp of a gemeente's evaluation responses (evaluations.models.ResponsesState), written by
PostgreSQL's own triggers, so that every change moves it: a form, a bulk update, raw SQL alike. SQLite
gets the table but no triggers (evaluations.results digests the responses there on every visit)."""

import django.db.models.deletion
from django.db import migrations, models

STAMP = """
CREATE FUNCTION evaluations_stamp(gemeenten bigint[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO evaluations_responsesstate (gemeente_id, stamp)
    SELECT g, gen_random_uuid()
    FROM (SELECT DISTINCT g FROM unnest(gemeenten) AS u(g) WHERE g IS NOT NULL ORDER BY g) AS d
    ON CONFLICT (gemeente_id) DO UPDATE SET stamp = EXCLUDED.stamp
$$;

CREATE FUNCTION evaluations_responses_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM evaluations_stamp(ARRAY(
            SELECT s.gemeente_id FROM new_rows n JOIN schools_school s ON s.id = n.school_id));
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM evaluations_stamp(ARRAY(
            SELECT s.gemeente_id FROM new_rows n JOIN schools_school s ON s.id = n.school_id
            UNION SELECT s.gemeente_id FROM old_rows o JOIN schools_school s ON s.id = o.school_id));
    ELSE
        PERFORM evaluations_stamp(ARRAY(
            SELECT s.gemeente_id FROM old_rows o JOIN schools_school s ON s.id = o.school_id));
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER evaluations_responses_inserted AFTER INSERT ON evaluations_response
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION evaluations_responses_changed();
CREATE TRIGGER evaluations_responses_updated AFTER UPDATE ON evaluations_response
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION evaluations_responses_changed();
CREATE TRIGGER evaluations_responses_deleted AFTER DELETE ON evaluations_response
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION evaluations_responses_changed();

-- A school moved to another wijk or gemeente regroups its responses (and moves them between gemeenten).
CREATE FUNCTION evaluations_schools_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM evaluations_stamp(ARRAY(
        SELECT unnest(ARRAY[o.gemeente_id, n.gemeente_id])
        FROM old_rows o JOIN new_rows n ON n.id = o.id
        WHERE o.wijk_id IS DISTINCT FROM n.wijk_id OR o.gemeente_id IS DISTINCT FROM n.gemeente_id));
    RETURN NULL;
END $$;

CREATE TRIGGER evaluations_schools_moved AFTER UPDATE ON schools_school
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION evaluations_schools_moved();

-- A round's dates or school year decide which of its responses count (a new round has none yet, and a
-- round with responses cannot be deleted).
CREATE FUNCTION evaluations_rounds_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM evaluations_stamp(ARRAY(
        SELECT s.gemeente_id FROM evaluations_response r JOIN schools_school s ON s.id = r.school_id
        WHERE r.round_id IN (
            SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE n.closes_on IS DISTINCT FROM o.closes_on OR n.school_year IS DISTINCT FROM o.school_year)));
    RETURN NULL;
END $$;

CREATE TRIGGER evaluations_rounds_changed AFTER UPDATE ON evaluations_round
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION evaluations_rounds_changed();

INSERT INTO evaluations_responsesstate (gemeente_id, stamp) SELECT id, gen_random_uuid() FROM schools_gemeente;
"""

UNSTAMP = """
DROP TRIGGER IF EXISTS evaluations_rounds_changed ON evaluations_round;
DROP TRIGGER IF EXISTS evaluations_schools_moved ON schools_school;
DROP TRIGGER IF EXISTS evaluations_responses_deleted ON evaluations_response;
DROP TRIGGER IF EXISTS evaluations_responses_updated ON evaluations_response;
DROP TRIGGER IF EXISTS evaluations_responses_inserted ON evaluations_response;
DROP FUNCTION IF EXISTS evaluations_rounds_changed();
DROP FUNCTION IF EXISTS evaluations_schools_moved();
DROP FUNCTION IF EXISTS evaluations_responses_changed();
DROP FUNCTION IF EXISTS evaluations_stamp(bigint[]);
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0004_results_archive"),
        ("schools", "0007_duo_import_and_roster_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="ResponsesState",
            fields=[
                (
                    "gemeente",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="schools.gemeente",
                    ),
                ),
                ("stamp", models.UUIDField()),
            ],
            options={
                "verbose_name": "state of the evaluation responses",
                "verbose_name_plural": "states of the evaluation responses",
            },
        ),
        migrations.RunPython(_on_postgresql(STAMP), _on_postgresql(UNSTAMP)),
    ]
