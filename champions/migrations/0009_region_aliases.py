"""Regions get other spellings (functional zones, former names), from ``regions.csv``, and the
provinces beyond Zhejiang (a national list names firms of every one of them).

0002 seeded the regions before they had the field, so this fills it in every database, new or
old; a region whose spellings staff have written already keeps them. Reversing removes the field
and leaves the provinces, which nothing else refers to.
"""

from django.db import migrations, models


def seed(apps, schema_editor):
    from champions.reference import seed_region_aliases, seed_regions

    seed_regions(apps)
    seed_region_aliases(apps)


class Migration(migrations.Migration):
    dependencies = [("champions", "0008_enterprise_renames_size_class")]

    operations = [
        migrations.AddField(
            model_name="region",
            name="aliases",
            field=models.TextField(
                blank=True,
                help_text="Spellings used in published lists, one per line.",
                verbose_name="other spellings",
            ),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
