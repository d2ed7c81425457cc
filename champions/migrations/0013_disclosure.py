"""Statistical disclosure control as data (``champions.models.disclosure``).

- ``DisclosureRule`` (with history): the minimum number of contributing firms and the largest
  share one firm may have of a public aggregate; the first rule (3 firms, 85 %) is recorded here.
- ``Target.name_en``: targets have English names.
- ``FiguresYear`` (with history): the years whose figures staff have closed; only closed years
  are published. None is closed by this migration: staff close the years they have checked.
"""

import datetime

import django.core.validators
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


def first_rule(apps, schema_editor):
    DisclosureRule = apps.get_model("champions", "DisclosureRule")
    DisclosureRule.objects.get_or_create(
        applies_from=datetime.date(1949, 1, 1),
        defaults={
            "min_contributors": 3,
            "dominance_share": 85,
            "note": "The first rule: at least 3 firms with the figure, none over 85 %.",
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("champions", "0012_eligibility"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="DisclosureRule",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                ("applies_from", models.DateField(unique=True, verbose_name="applies from")),
                (
                    "min_contributors",
                    models.PositiveSmallIntegerField(
                        default=3,
                        help_text="A firm without the figure, or with zero, does not count as contributing.",
                        validators=[django.core.validators.MinValueValidator(1)],
                        verbose_name="minimum number of contributing firms",
                    ),
                ),
                (
                    "dominance_share",
                    models.PositiveSmallIntegerField(
                        default=85,
                        help_text="An aggregate is not shown when one firm makes up more than this share of it.",
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(100),
                        ],
                        verbose_name="largest share of one firm (%)",
                    ),
                ),
                ("note", models.TextField(blank=True, verbose_name="note")),
            ],
            options={
                "verbose_name": "disclosure rule",
                "verbose_name_plural": "disclosure rules",
                "ordering": ["-applies_from"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("min_contributors__gte", 1)),
                        name="disclosure_rule_min_positive",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("dominance_share__gte", 1), ("dominance_share__lte", 100)
                        ),
                        name="disclosure_rule_share_percent",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="HistoricalDisclosureRule",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(blank=True, editable=False, verbose_name="created at"),
                ),
                (
                    "updated_at",
                    models.DateTimeField(blank=True, editable=False, verbose_name="updated at"),
                ),
                ("applies_from", models.DateField(db_index=True, verbose_name="applies from")),
                (
                    "min_contributors",
                    models.PositiveSmallIntegerField(
                        default=3,
                        help_text="A firm without the figure, or with zero, does not count as contributing.",
                        validators=[django.core.validators.MinValueValidator(1)],
                        verbose_name="minimum number of contributing firms",
                    ),
                ),
                (
                    "dominance_share",
                    models.PositiveSmallIntegerField(
                        default=85,
                        help_text="An aggregate is not shown when one firm makes up more than this share of it.",
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(100),
                        ],
                        verbose_name="largest share of one firm (%)",
                    ),
                ),
                ("note", models.TextField(blank=True, verbose_name="note")),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "import_run",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="champions.importrun",
                        verbose_name="import run",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical disclosure rule",
                "verbose_name_plural": "historical disclosure rules",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalFiguresYear",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(blank=True, editable=False, verbose_name="created at"),
                ),
                (
                    "updated_at",
                    models.DateTimeField(blank=True, editable=False, verbose_name="updated at"),
                ),
                (
                    "year",
                    models.PositiveSmallIntegerField(
                        db_index=True,
                        validators=[
                            django.core.validators.MinValueValidator(1949),
                            django.core.validators.MaxValueValidator(2100),
                        ],
                        verbose_name="year",
                    ),
                ),
                (
                    "closed_on",
                    models.DateField(
                        blank=True,
                        help_text="Empty: the year is open and its figures are not published.",
                        null=True,
                        verbose_name="closed on",
                    ),
                ),
                ("note", models.TextField(blank=True, verbose_name="note")),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "closed_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="closed by",
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "import_run",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="champions.importrun",
                        verbose_name="import run",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical figures year",
                "verbose_name_plural": "historical figures years",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="FiguresYear",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                (
                    "year",
                    models.PositiveSmallIntegerField(
                        unique=True,
                        validators=[
                            django.core.validators.MinValueValidator(1949),
                            django.core.validators.MaxValueValidator(2100),
                        ],
                        verbose_name="year",
                    ),
                ),
                (
                    "closed_on",
                    models.DateField(
                        blank=True,
                        help_text="Empty: the year is open and its figures are not published.",
                        null=True,
                        verbose_name="closed on",
                    ),
                ),
                ("note", models.TextField(blank=True, verbose_name="note")),
                (
                    "closed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="closed by",
                    ),
                ),
            ],
            options={
                "verbose_name": "figures year",
                "verbose_name_plural": "figures years",
                "ordering": ["-year"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("year__gte", 1949), ("year__lte", 2100)),
                        name="figures_year_year_range",
                    )
                ],
            },
        ),
        migrations.AddField(
            model_name="target",
            name="name_en",
            field=models.CharField(blank=True, max_length=200, verbose_name="English name"),
        ),
        migrations.AddField(
            model_name="historicaltarget",
            name="name_en",
            field=models.CharField(blank=True, max_length=200, verbose_name="English name"),
        ),
        migrations.RunPython(first_rule, migrations.RunPython.noop),
    ]
