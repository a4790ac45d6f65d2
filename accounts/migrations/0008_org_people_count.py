# A per-org count of the people SCIM sees, kept exact by triggers (below).

import django.db.models.deletion
from django.db import migrations, models


# Row triggers keep accounts_orgpeoplecount exact: +1 when a visible person appears, -1 when
# one goes (deleted, or hidden by the IdP's DELETE), both ways when one moves.
POSTGRESQL = [
    """
    CREATE FUNCTION accounts_people_count() RETURNS trigger AS $$
    BEGIN
      IF TG_OP IN ('DELETE', 'UPDATE') AND OLD.idp_deleted_at IS NULL THEN
        UPDATE accounts_orgpeoplecount SET scim_visible = scim_visible - 1
         WHERE org_id = OLD.org_id;
      END IF;
      IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.idp_deleted_at IS NULL THEN
        INSERT INTO accounts_orgpeoplecount (org_id, scim_visible) VALUES (NEW.org_id, 1)
        ON CONFLICT (org_id)
        DO UPDATE SET scim_visible = accounts_orgpeoplecount.scim_visible + 1;
      END IF;
      RETURN NULL;
    END $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER accounts_people_count_insert_delete AFTER INSERT OR DELETE
    ON accounts_person FOR EACH ROW EXECUTE FUNCTION accounts_people_count()
    """,
    """
    CREATE TRIGGER accounts_people_count_update AFTER UPDATE OF idp_deleted_at, org_id
    ON accounts_person FOR EACH ROW
    WHEN ((OLD.idp_deleted_at IS NULL) IS DISTINCT FROM (NEW.idp_deleted_at IS NULL)
          OR OLD.org_id IS DISTINCT FROM NEW.org_id)
    EXECUTE FUNCTION accounts_people_count()
    """,
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS accounts_people_count_update ON accounts_person",
    "DROP TRIGGER IF EXISTS accounts_people_count_insert_delete ON accounts_person",
    "DROP FUNCTION IF EXISTS accounts_people_count()",
]
SQLITE = [
    """
    CREATE TRIGGER accounts_people_count_insert AFTER INSERT ON accounts_person
    WHEN NEW.idp_deleted_at IS NULL BEGIN
      INSERT OR IGNORE INTO accounts_orgpeoplecount (org_id, scim_visible) VALUES (NEW.org_id, 0);
      UPDATE accounts_orgpeoplecount SET scim_visible = scim_visible + 1 WHERE org_id = NEW.org_id;
    END
    """,
    """
    CREATE TRIGGER accounts_people_count_delete AFTER DELETE ON accounts_person
    WHEN OLD.idp_deleted_at IS NULL BEGIN
      UPDATE accounts_orgpeoplecount SET scim_visible = scim_visible - 1 WHERE org_id = OLD.org_id;
    END
    """,
    """
    CREATE TRIGGER accounts_people_count_update AFTER UPDATE OF idp_deleted_at, org_id
    ON accounts_person
    WHEN (OLD.idp_deleted_at IS NULL) <> (NEW.idp_deleted_at IS NULL) OR OLD.org_id <> NEW.org_id
    BEGIN
      UPDATE accounts_orgpeoplecount SET scim_visible = scim_visible - 1
       WHERE org_id = OLD.org_id AND OLD.idp_deleted_at IS NULL;
      INSERT OR IGNORE INTO accounts_orgpeoplecount (org_id, scim_visible) VALUES (NEW.org_id, 0);
      UPDATE accounts_orgpeoplecount SET scim_visible = scim_visible + 1
       WHERE org_id = NEW.org_id AND NEW.idp_deleted_at IS NULL;
    END
    """,
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS accounts_people_count_insert",
    "DROP TRIGGER IF EXISTS accounts_people_count_delete",
    "DROP TRIGGER IF EXISTS accounts_people_count_update",
]
BACKFILL = """
    INSERT INTO accounts_orgpeoplecount (org_id, scim_visible)
    SELECT org_id, COUNT(*) FROM accounts_person WHERE idp_deleted_at IS NULL GROUP BY org_id
"""


def _run(schema_editor, statements):
    with schema_editor.connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def triggers_create(apps, schema_editor):
    # Triggers first: on PostgreSQL, CREATE TRIGGER locks the people table against writes
    # until this migration commits (SQLite's write lock does the same), so no row can be
    # written between the count and the triggers that keep it.
    vendor = schema_editor.connection.vendor
    _run(schema_editor, [*(POSTGRESQL if vendor == "postgresql" else SQLITE), BACKFILL])


def triggers_drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    _run(schema_editor, POSTGRESQL_DROP if vendor == "postgresql" else SQLITE_DROP)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0007_person_user_name_key'),
    ]

    operations = [
        migrations.CreateModel(
            name='OrgPeopleCount',
            fields=[
                ('org', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='people_count', serialize=False, to='accounts.organization')),
                ('scim_visible', models.IntegerField(default=0)),
            ],
        ),
        migrations.RunPython(triggers_create, triggers_drop),
    ]
