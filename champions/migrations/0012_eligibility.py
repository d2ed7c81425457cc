"""Eligibility criteria as data, and the yearly figures they need.

- ``RuleVersion`` and ``Condition`` (with history): each tier's conditions for a new application
  and for a review, per version of the rules, seeded from ``champions/reference/criteria.json``
  (versions already there are left as they are).
- ``YearlyFigures`` gets the figures the conditions read: main-business revenue, total assets and
  liabilities, net profit, R&D staff, class I and II intellectual property, years in the niche,
  niche market share, new equity raised, the evaluation score.
"""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


def seed(apps, schema_editor):
    from champions.reference import seed_criteria

    seed_criteria(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("champions", "0011_stage_move_undo_and_seminar_lists"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Condition",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="position")),
                ("code", models.SlugField(verbose_name="code")),
                (
                    "label",
                    models.CharField(
                        help_text="As the document says it.", max_length=300, verbose_name="label"
                    ),
                ),
                (
                    "label_en",
                    models.CharField(blank=True, max_length=300, verbose_name="English label"),
                ),
                (
                    "form",
                    models.CharField(
                        choices=[
                            ("threshold", "Threshold"),
                            ("range", "Range"),
                            ("bands", "Bands by a measure"),
                            ("any_of", "Either-or routes"),
                            ("holds_tier", "A title held"),
                            ("registered_in", "Registered in a region"),
                            ("score", "Points score"),
                        ],
                        max_length=16,
                        verbose_name="form",
                    ),
                ),
                (
                    "spec",
                    models.JSONField(
                        blank=True,
                        default=dict,
                        help_text="The condition's measure, operator, values and years (see the design document).",
                        verbose_name="parameters",
                    ),
                ),
                (
                    "waivable",
                    models.BooleanField(
                        default=False,
                        help_text="The document lets the authority waive it: missed, it makes a firm close.",
                        verbose_name="waivable",
                    ),
                ),
            ],
            options={
                "verbose_name": "condition",
                "verbose_name_plural": "conditions",
                "ordering": ["rule_version", "position", "code"],
            },
        ),
        migrations.CreateModel(
            name="HistoricalCondition",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="position")),
                ("code", models.SlugField(verbose_name="code")),
                (
                    "label",
                    models.CharField(
                        help_text="As the document says it.", max_length=300, verbose_name="label"
                    ),
                ),
                (
                    "label_en",
                    models.CharField(blank=True, max_length=300, verbose_name="English label"),
                ),
                (
                    "form",
                    models.CharField(
                        choices=[
                            ("threshold", "Threshold"),
                            ("range", "Range"),
                            ("bands", "Bands by a measure"),
                            ("any_of", "Either-or routes"),
                            ("holds_tier", "A title held"),
                            ("registered_in", "Registered in a region"),
                            ("score", "Points score"),
                        ],
                        max_length=16,
                        verbose_name="form",
                    ),
                ),
                (
                    "spec",
                    models.JSONField(
                        blank=True,
                        default=dict,
                        help_text="The condition's measure, operator, values and years (see the design document).",
                        verbose_name="parameters",
                    ),
                ),
                (
                    "waivable",
                    models.BooleanField(
                        default=False,
                        help_text="The document lets the authority waive it: missed, it makes a firm close.",
                        verbose_name="waivable",
                    ),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
            ],
            options={
                "verbose_name": "historical condition",
                "verbose_name_plural": "historical conditions",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalRuleVersion",
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
                    "kind",
                    models.CharField(
                        choices=[("new", "New application"), ("review", "Review")],
                        max_length=8,
                        verbose_name="kind of application",
                    ),
                ),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                (
                    "document",
                    models.CharField(blank=True, max_length=200, verbose_name="document number"),
                ),
                (
                    "source",
                    models.TextField(
                        blank=True,
                        help_text="The document the conditions come from, and how they were read from it.",
                        verbose_name="source",
                    ),
                ),
                ("applies_from", models.DateField(verbose_name="applies from")),
                (
                    "applies_to",
                    models.DateField(
                        blank=True,
                        help_text="The last day it applies on; empty: until a later version replaces it.",
                        null=True,
                        verbose_name="applies to",
                    ),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
            ],
            options={
                "verbose_name": "historical rule version",
                "verbose_name_plural": "historical rule versions",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="RuleVersion",
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
                    "kind",
                    models.CharField(
                        choices=[("new", "New application"), ("review", "Review")],
                        max_length=8,
                        verbose_name="kind of application",
                    ),
                ),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                (
                    "document",
                    models.CharField(blank=True, max_length=200, verbose_name="document number"),
                ),
                (
                    "source",
                    models.TextField(
                        blank=True,
                        help_text="The document the conditions come from, and how they were read from it.",
                        verbose_name="source",
                    ),
                ),
                ("applies_from", models.DateField(verbose_name="applies from")),
                (
                    "applies_to",
                    models.DateField(
                        blank=True,
                        help_text="The last day it applies on; empty: until a later version replaces it.",
                        null=True,
                        verbose_name="applies to",
                    ),
                ),
            ],
            options={
                "verbose_name": "rule version",
                "verbose_name_plural": "rule versions",
                "ordering": ["tier__position", "kind", "-applies_from"],
            },
        ),
        migrations.AddField(
            model_name="historicalyearlyfigures",
            name="equity_raised",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                help_text="Paid in during the year.",
                max_digits=16,
                null=True,
                verbose_name="new equity from qualified investors (10k yuan)",
            ),
        ),
        migrations.AddField(
            model_name="historicalyearlyfigures",
            name="evaluation_score",
            field=models.DecimalField(
                blank=True,
                decimal_places=1,
                max_digits=5,
                null=True,
                verbose_name="specialized and innovative evaluation score",
            ),
        ),
        migrations.AddField(
            model_name="historicalyearlyfigures",
            name="ip_class1",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="Invention patents and the like, valid and tied to the main product.",
                null=True,
                verbose_name="class I intellectual property of the main product",
            ),
        ),
        migrations.AddField(
            model_name="historicalyearlyfigures",
            name="ip_class2",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="Utility models, designs, software copyrights and the like.",
                null=True,
                verbose_name="class II intellectual property of the main product",
            ),
        ),
        migrations.AddField(
            model_name="historicalyearlyfigures",
            name="main_revenue",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                max_digits=16,
                null=True,
                verbose_name="main-business revenue (10k yuan)",
            ),
        ),
        migrations.AddField(
            model_name="historicalyearlyfigures",
            name="market_share",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                max_digits=5,
                null=True,
                verbose_name="niche market share (%)",
            ),
        ),
        migrations.AddField(
            model_name="historicalyearlyfigures",
            name="net_profit",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                max_digits=16,
                null=True,
                verbose_name="net profit (10k yuan)",
            ),
        ),
        migrations.AddField(
            model_name="historicalyearlyfigures",
            name="niche_years",
            field=models.PositiveSmallIntegerField(
                blank=True, null=True, verbose_name="years in the niche market"
            ),
        ),
        migrations.AddField(
            model_name="historicalyearlyfigures",
            name="rd_staff",
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name="R&D staff"),
        ),
        migrations.AddField(
            model_name="historicalyearlyfigures",
            name="total_assets",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                max_digits=16,
                null=True,
                verbose_name="total assets (10k yuan)",
            ),
        ),
        migrations.AddField(
            model_name="historicalyearlyfigures",
            name="total_liabilities",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                max_digits=16,
                null=True,
                verbose_name="total liabilities (10k yuan)",
            ),
        ),
        migrations.AddField(
            model_name="yearlyfigures",
            name="equity_raised",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                help_text="Paid in during the year.",
                max_digits=16,
                null=True,
                verbose_name="new equity from qualified investors (10k yuan)",
            ),
        ),
        migrations.AddField(
            model_name="yearlyfigures",
            name="evaluation_score",
            field=models.DecimalField(
                blank=True,
                decimal_places=1,
                max_digits=5,
                null=True,
                verbose_name="specialized and innovative evaluation score",
            ),
        ),
        migrations.AddField(
            model_name="yearlyfigures",
            name="ip_class1",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="Invention patents and the like, valid and tied to the main product.",
                null=True,
                verbose_name="class I intellectual property of the main product",
            ),
        ),
        migrations.AddField(
            model_name="yearlyfigures",
            name="ip_class2",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="Utility models, designs, software copyrights and the like.",
                null=True,
                verbose_name="class II intellectual property of the main product",
            ),
        ),
        migrations.AddField(
            model_name="yearlyfigures",
            name="main_revenue",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                max_digits=16,
                null=True,
                verbose_name="main-business revenue (10k yuan)",
            ),
        ),
        migrations.AddField(
            model_name="yearlyfigures",
            name="market_share",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                max_digits=5,
                null=True,
                verbose_name="niche market share (%)",
            ),
        ),
        migrations.AddField(
            model_name="yearlyfigures",
            name="net_profit",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                max_digits=16,
                null=True,
                verbose_name="net profit (10k yuan)",
            ),
        ),
        migrations.AddField(
            model_name="yearlyfigures",
            name="niche_years",
            field=models.PositiveSmallIntegerField(
                blank=True, null=True, verbose_name="years in the niche market"
            ),
        ),
        migrations.AddField(
            model_name="yearlyfigures",
            name="rd_staff",
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name="R&D staff"),
        ),
        migrations.AddField(
            model_name="yearlyfigures",
            name="total_assets",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                max_digits=16,
                null=True,
                verbose_name="total assets (10k yuan)",
            ),
        ),
        migrations.AddField(
            model_name="yearlyfigures",
            name="total_liabilities",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                max_digits=16,
                null=True,
                verbose_name="total liabilities (10k yuan)",
            ),
        ),
        migrations.AddConstraint(
            model_name="yearlyfigures",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("main_revenue__gte", 0), ("main_revenue__isnull", True), _connector="OR"
                ),
                name="figures_main_revenue_not_negative",
            ),
        ),
        migrations.AddConstraint(
            model_name="yearlyfigures",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("total_assets__gte", 0), ("total_assets__isnull", True), _connector="OR"
                ),
                name="figures_total_assets_not_negative",
            ),
        ),
        migrations.AddConstraint(
            model_name="yearlyfigures",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("total_liabilities__gte", 0),
                    ("total_liabilities__isnull", True),
                    _connector="OR",
                ),
                name="figures_total_liabilities_not_negative",
            ),
        ),
        migrations.AddConstraint(
            model_name="yearlyfigures",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("rd_staff__gte", 0), ("rd_staff__isnull", True), _connector="OR"
                ),
                name="figures_rd_staff_not_negative",
            ),
        ),
        migrations.AddConstraint(
            model_name="yearlyfigures",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("ip_class1__gte", 0), ("ip_class1__isnull", True), _connector="OR"
                ),
                name="figures_ip_class1_not_negative",
            ),
        ),
        migrations.AddConstraint(
            model_name="yearlyfigures",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("ip_class2__gte", 0), ("ip_class2__isnull", True), _connector="OR"
                ),
                name="figures_ip_class2_not_negative",
            ),
        ),
        migrations.AddConstraint(
            model_name="yearlyfigures",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("niche_years__gte", 0), ("niche_years__isnull", True), _connector="OR"
                ),
                name="figures_niche_years_not_negative",
            ),
        ),
        migrations.AddConstraint(
            model_name="yearlyfigures",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("equity_raised__gte", 0), ("equity_raised__isnull", True), _connector="OR"
                ),
                name="figures_equity_raised_not_negative",
            ),
        ),
        migrations.AddConstraint(
            model_name="yearlyfigures",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("evaluation_score__gte", 0),
                    ("evaluation_score__isnull", True),
                    _connector="OR",
                ),
                name="figures_evaluation_score_not_negative",
            ),
        ),
        migrations.AddConstraint(
            model_name="yearlyfigures",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("market_share__isnull", True),
                    models.Q(("market_share__gte", 0), ("market_share__lte", 100)),
                    _connector="OR",
                ),
                name="figures_market_share_percent",
            ),
        ),
        migrations.AddField(
            model_name="historicalcondition",
            name="history_user",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="historicalcondition",
            name="import_run",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="champions.importrun",
                verbose_name="import run",
            ),
        ),
        migrations.AddField(
            model_name="historicalruleversion",
            name="history_user",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="historicalruleversion",
            name="import_run",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="champions.importrun",
                verbose_name="import run",
            ),
        ),
        migrations.AddField(
            model_name="historicalruleversion",
            name="tier",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="champions.tier",
                verbose_name="tier",
            ),
        ),
        migrations.AddField(
            model_name="ruleversion",
            name="tier",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="rule_versions",
                to="champions.tier",
                verbose_name="tier",
            ),
        ),
        migrations.AddField(
            model_name="historicalcondition",
            name="rule_version",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="champions.ruleversion",
                verbose_name="rule version",
            ),
        ),
        migrations.AddField(
            model_name="condition",
            name="rule_version",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="conditions",
                to="champions.ruleversion",
                verbose_name="rule version",
            ),
        ),
        migrations.AddConstraint(
            model_name="ruleversion",
            constraint=models.UniqueConstraint(
                fields=("tier", "kind", "applies_from"), name="rule_version_unique_start"
            ),
        ),
        migrations.AddConstraint(
            model_name="ruleversion",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("applies_to__isnull", True),
                    ("applies_to__gte", models.F("applies_from")),
                    _connector="OR",
                ),
                name="rule_version_ends_after_start",
            ),
        ),
        migrations.AddConstraint(
            model_name="condition",
            constraint=models.UniqueConstraint(
                fields=("rule_version", "code"), name="condition_unique_code_in_version"
            ),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
