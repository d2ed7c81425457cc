"""Undoing a stage move, the award an approval recorded, and the history of seminars' lists.

- ``StageMove.undoes``: the move an undo took back (one-to-one: a move is undone at most once).
  That an undo goes back exactly where the undone move came from (its source is the undone
  move's target and its target the undone move's source) is a rule across two rows, which a
  check constraint cannot state. It is held here: on PostgreSQL by a foreign key from
  ``(undoes_id, target, source)`` to ``(id, source, target)`` (with the unique key it needs); on
  SQLite by triggers before insert and update. Django does not know about them, so a later
  migration that rebuilds the table on SQLite drops the triggers:
  ``tests/test_recommendation_moves.py`` tries a wrong undo against the database and fails then.
- ``StageMove.award``: the award event an approval recorded on the title, so an undo of the
  approval takes back exactly that event.
- Seminars' sponsors, experts and participants get history tables (simple-history's
  ``m2m_fields``). The latest historical record of every seminar gets the lists as they are now,
  so the first change after this migration is shown against them rather than against nothing.
"""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

UNDO_RULE_POSTGRESQL = (
    "ALTER TABLE champions_stagemove ADD CONSTRAINT stagemove_key_with_stages "
    "UNIQUE (id, source, target)",
    "ALTER TABLE champions_stagemove ADD CONSTRAINT stagemove_undo_goes_back "
    "FOREIGN KEY (undoes_id, target, source) REFERENCES champions_stagemove (id, source, target) "
    "DEFERRABLE INITIALLY IMMEDIATE",
)
UNDO_RULE_POSTGRESQL_REVERSE = (
    "ALTER TABLE champions_stagemove DROP CONSTRAINT stagemove_undo_goes_back",
    "ALTER TABLE champions_stagemove DROP CONSTRAINT stagemove_key_with_stages",
)
_SQLITE_WRONG_UNDO = (
    "NEW.undoes_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM champions_stagemove AS undone "
    "WHERE undone.id = NEW.undoes_id AND undone.source = NEW.target "
    "AND undone.target = NEW.source)"
)
_SQLITE_UNDONE_CHANGED = (
    "EXISTS (SELECT 1 FROM champions_stagemove AS undo WHERE undo.undoes_id = NEW.id "
    "AND (undo.source <> NEW.target OR undo.target <> NEW.source))"
)
_SQLITE_ABORT = "BEGIN SELECT RAISE(ABORT, 'stagemove_undo_goes_back'); END"
UNDO_RULE_SQLITE = (
    "CREATE TRIGGER stagemove_undo_goes_back_insert BEFORE INSERT ON champions_stagemove "
    f"WHEN {_SQLITE_WRONG_UNDO} {_SQLITE_ABORT}",
    "CREATE TRIGGER stagemove_undo_goes_back_update BEFORE UPDATE OF undoes_id, source, target "
    f"ON champions_stagemove WHEN {_SQLITE_WRONG_UNDO} OR {_SQLITE_UNDONE_CHANGED} "
    f"{_SQLITE_ABORT}",
)
UNDO_RULE_SQLITE_REVERSE = (
    "DROP TRIGGER stagemove_undo_goes_back_insert",
    "DROP TRIGGER stagemove_undo_goes_back_update",
)


def _run(schema_editor, statements):
    for statement in statements.get(schema_editor.connection.vendor, ()):
        schema_editor.execute(statement)


def add_undo_rule(apps, schema_editor):
    _run(schema_editor, {"postgresql": UNDO_RULE_POSTGRESQL, "sqlite": UNDO_RULE_SQLITE})


def remove_undo_rule(apps, schema_editor):
    _run(
        schema_editor,
        {"postgresql": UNDO_RULE_POSTGRESQL_REVERSE, "sqlite": UNDO_RULE_SQLITE_REVERSE},
    )


#: Each list of a seminar: its field, the history model of its rows, the column of the other side.
LISTS = (
    ("sponsors", "HistoricalSeminar_sponsors", "organisation_id"),
    ("experts", "HistoricalSeminar_experts", "expert_id"),
    ("participants", "HistoricalSeminar_participants", "enterprise_id"),
)


def record_current_lists(apps, schema_editor):
    """The lists as they are now, on the latest historical record of each seminar."""
    Seminar = apps.get_model("champions", "Seminar")
    HistoricalSeminar = apps.get_model("champions", "HistoricalSeminar")
    latest = dict(
        HistoricalSeminar.objects.values("id")
        .annotate(last=models.Max("history_id"))
        .values_list("id", "last")
    )
    if not latest:
        return
    for field, history_model, other in LISTS:
        through = Seminar._meta.get_field(field).remote_field.through
        rows = through.objects.filter(seminar_id__in=latest).values_list("id", "seminar_id", other)
        apps.get_model("champions", history_model).objects.bulk_create(
            [
                apps.get_model("champions", history_model)(
                    id=pk, history_id=latest[seminar], seminar_id=seminar, **{other: value}
                )
                for pk, seminar, value in rows
            ],
            batch_size=1000,
        )


class Migration(migrations.Migration):

    dependencies = [
        ('champions', '0010_import_uploads'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalSeminar_experts',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('m2m_history_id', models.AutoField(primary_key=True, serialize=False)),
            ],
            options={
                'verbose_name': 'HistoricalSeminar_experts',
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalSeminar_participants',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('m2m_history_id', models.AutoField(primary_key=True, serialize=False)),
            ],
            options={
                'verbose_name': 'HistoricalSeminar_participants',
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalSeminar_sponsors',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('m2m_history_id', models.AutoField(primary_key=True, serialize=False)),
            ],
            options={
                'verbose_name': 'HistoricalSeminar_sponsors',
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.AddField(
            model_name='stagemove',
            name='award',
            field=models.ForeignKey(blank=True, editable=False, help_text='For an approval: the award it recorded on the title.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='champions.designationevent', verbose_name='award recorded'),
        ),
        migrations.AddField(
            model_name='stagemove',
            name='undoes',
            field=models.OneToOneField(blank=True, editable=False, help_text='The move this one took back, for an undo.', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='undone_by', to='champions.stagemove', verbose_name='undoes'),
        ),
        migrations.AddConstraint(
            model_name='stagemove',
            constraint=models.CheckConstraint(condition=models.Q(('undoes__isnull', True), models.Q(('note', ''), _negated=True), _connector='OR'), name='stagemove_undo_has_note'),
        ),
        migrations.AddConstraint(
            model_name='stagemove',
            constraint=models.CheckConstraint(condition=models.Q(('award__isnull', True), ('target', 'approved'), _connector='OR'), name='stagemove_award_only_on_approval'),
        ),
        migrations.AddField(
            model_name='historicalseminar_experts',
            name='expert',
            field=models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='champions.expert'),
        ),
        migrations.AddField(
            model_name='historicalseminar_experts',
            name='history',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, to='champions.historicalseminar'),
        ),
        migrations.AddField(
            model_name='historicalseminar_experts',
            name='seminar',
            field=models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='champions.seminar'),
        ),
        migrations.AddField(
            model_name='historicalseminar_participants',
            name='enterprise',
            field=models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='champions.enterprise'),
        ),
        migrations.AddField(
            model_name='historicalseminar_participants',
            name='history',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, to='champions.historicalseminar'),
        ),
        migrations.AddField(
            model_name='historicalseminar_participants',
            name='seminar',
            field=models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='champions.seminar'),
        ),
        migrations.AddField(
            model_name='historicalseminar_sponsors',
            name='history',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, to='champions.historicalseminar'),
        ),
        migrations.AddField(
            model_name='historicalseminar_sponsors',
            name='organisation',
            field=models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='champions.organisation'),
        ),
        migrations.AddField(
            model_name='historicalseminar_sponsors',
            name='seminar',
            field=models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='champions.seminar'),
        ),
        migrations.RunPython(add_undo_rule, remove_undo_rule),
        migrations.RunPython(record_current_lists, migrations.RunPython.noop),
    ]
