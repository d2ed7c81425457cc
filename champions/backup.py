"""Backups: what they hold, and how they are restored in bulk.

A backup is ``dumpdata`` output (JSON, natural keys for accounts and groups, microseconds kept by
``champions.serializers``), so it stays portable between SQLite and PostgreSQL and any Django
fixture reader can read it.

Left out on purpose: content types and permissions (every migrated database makes its own, and
the dump refers to them by natural key), sessions, the page cache, and login-attempt records.

``restore`` reads the same file without ``loaddata``, which saves object by object: an UPDATE
then an INSERT per row, a data-version bump of the page cache per row from the ``post_save``
receiver, and another per row when the transaction commits; several times what ``dumpdata``
takes. Here the file is read once, natural keys are resolved from one query per referenced
model, and every model is written with one statement (``executemany`` over all of its rows) in
one transaction. No model signal is sent: the backup already holds the history rows
(simple-history would skip raw saves anyway), and the page cache is made stale once at the end.
"""

import bz2
import gzip
import itertools
import json
import lzma
import zlib
from pathlib import Path

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models.constants import OnConflict
from django.utils.translation import gettext as _

from champions.cache import data_changed
from champions.models import Enterprise

EXCLUDED = [
    "contenttypes",
    "auth.permission",
    "sessions",
    "axes",
    "admin.logentry",
]

#: How ``dumpdata`` compresses its output, by the file name's suffix; the rest is plain JSON.
OPENERS = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open, ".lzma": lzma.open}

#: What converting a record that does not match the models raises: a field the model lacks, a
#: value its field refuses, a natural key nothing has, a record of the wrong shape.
DAMAGED_RECORD = (
    FieldDoesNotExist,
    ValidationError,
    LookupError,
    ValueError,
    TypeError,
    AttributeError,
)


class RestoreError(Exception):
    """A backup that cannot be restored; nothing has been written."""


def read_backup(path):
    """The objects of the backup at ``path``, as ``dumpdata`` wrote them."""
    path = Path(path)
    opener = OPENERS.get(path.suffix, open)
    try:
        with opener(path, "rt", encoding="utf-8") as handle:
            objects = json.load(handle)
        if not isinstance(objects, list) or not all(
            isinstance(obj, dict) and "model" in obj and "fields" in obj for obj in objects
        ):
            raise ValueError(_("not a list of records"))
    except (OSError, EOFError, ValueError, zlib.error, lzma.LZMAError) as error:
        raise RestoreError(
            _("%(file)s is not a backup: %(error)s") % {"file": path, "error": error}
        ) from error
    return objects


def restore(path, using=DEFAULT_DB_ALIAS):
    """Load the backup at ``path`` into the database ``using``, which must hold no enterprises.

    All or nothing: one transaction, rolled back on any error. Returns the number of records.
    """
    objects = read_backup(path)
    with transaction.atomic(using=using):
        if Enterprise.objects.using(using).exists():
            raise RestoreError(
                _("This database already holds enterprises; restore into an empty one.")
            )
        _Restore(connections[using]).run(objects)
    return len(objects)


class _Restore:
    """One restore on one connection, with the natural keys it has looked up."""

    def __init__(self, connection):
        self.connection = connection
        self.ops = connection.ops
        #: ``(model, field name)`` to ``{natural key: that field's value}``.
        self.natural_keys = {}

    def run(self, objects):
        models = []
        for label, records in itertools.groupby(objects, key=lambda obj: obj["model"]):
            try:
                model = apps.get_model(label)
            except (LookupError, ValueError) as error:
                raise RestoreError(
                    _("The backup holds records of an unknown model: %(model)s") % {"model": label}
                ) from error
            self.write(model, [self.build(model, record) for record in records])
            models.append(model)
        # dumpdata writes each model's records together; a file that does not gets them
        # written in several runs, and its tables checked once each.
        models = list(dict.fromkeys(models))
        self.connection.check_constraints(table_names=[m._meta.db_table for m in models])
        with self.connection.cursor() as cursor:
            for sql in self.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)
        data_changed(using=self.connection.alias)

    def build(self, model, record):
        """``(instance, {many-to-many field: related primary keys})`` of one record.

        Values are converted by the fields themselves, as Django's deserializer does; the
        instance fills in the defaults of fields the backup predates. A record without a primary
        key (natural-primary: accounts, groups) takes that of the row with its natural key, if the
        database has one.
        """
        opts = model._meta
        data, related = {}, {}
        try:
            if "pk" in record:
                data[opts.pk.attname] = opts.pk.to_python(record["pk"])
            for name, value in record["fields"].items():
                field = opts.get_field(name)
                if field.many_to_many:
                    target = field.remote_field.model
                    related[field] = [self.related_value(target, None, v) for v in value]
                elif field.is_relation:
                    data[field.attname] = self.related_value(
                        field.remote_field.model, field.remote_field.field_name, value
                    )
                else:
                    data[name] = field.to_python(value)
            instance = model(**data)
            if instance.pk is None:
                keys = self.keys_of(model, opts.pk.name)
                instance.pk = keys.get(instance.natural_key())
        except DAMAGED_RECORD as e:
            error = "; ".join(e.messages) if isinstance(e, ValidationError) else e
            raise RestoreError(
                _("The backup is damaged at %(model)s %(pk)s: %(error)s")
                % {"model": opts.label_lower, "pk": record.get("pk", ""), "error": error}
            ) from e
        return instance, related

    def related_value(self, model, field_name, value):
        """The value a relation to ``model`` stores for ``value`` (a natural key or a value of the
        target field, by default the primary key)."""
        if value is None:
            return None
        field = model._meta.get_field(field_name) if field_name else model._meta.pk
        if isinstance(value, list) and hasattr(model._default_manager, "get_by_natural_key"):
            keys = self.keys_of(model, field.name)
            if tuple(value) not in keys:
                raise LookupError(
                    _("no %(model)s has the natural key %(key)s")
                    % {"model": model._meta.label_lower, "key": value}
                )
            return keys[tuple(value)]
        return field.to_python(value)

    def keys_of(self, model, field_name):
        """``{natural key: value of field_name}`` of the rows of ``model``: one query per model,
        repeated after rows are written to it."""
        if (model, field_name) not in self.natural_keys:
            attname = model._meta.get_field(field_name).attname
            # The natural keys of permissions name their content types: fetched in the query.
            rows = model._default_manager.db_manager(self.connection.alias).select_related()
            self.natural_keys[model, field_name] = {
                row.natural_key(): getattr(row, attname) for row in rows
            }
        return self.natural_keys[model, field_name]

    def write(self, model, built):
        """Write the records of ``model``: an upsert by primary key (the reference data and
        groups a migrated database starts with are replaced, as ``loaddata`` does), an insert of
        the natural-primary records that are new, then their many-to-many relations."""
        opts = model._meta
        new = [instance for instance, _related in built if instance.pk is None]
        kept = [instance for instance, _related in built if instance.pk is not None]
        fields = opts.local_concrete_fields
        self.insert(model, fields, kept, upsert=True)
        self.insert(model, [field for field in fields if not field.primary_key], new, upsert=False)
        self.natural_keys = {
            key: keys for key, keys in self.natural_keys.items() if key[0] != model
        }
        if new:
            keys = self.keys_of(model, opts.pk.name)
            for instance in new:
                instance.pk = keys[instance.natural_key()]
        for field in opts.many_to_many:
            pairs = [
                (instance.pk, target)
                for instance, related in built
                if field in related
                for target in related[field]
            ]
            self.replace_relations(field, [i.pk for i, related in built if field in related], pairs)

    def replace_relations(self, field, sources, pairs):
        """Replace the relations of ``field`` of the ``sources`` rows by ``pairs``, as the
        deserializer's ``set()`` does, without its ``m2m_changed`` signal per row."""
        if not sources:
            return
        through = field.remote_field.through
        source = through._meta.get_field(field.m2m_field_name())
        target = through._meta.get_field(field.m2m_reverse_field_name())
        table = self.ops.quote_name(through._meta.db_table)
        with self.connection.cursor() as cursor:
            cursor.executemany(
                f"DELETE FROM {table} WHERE {self.ops.quote_name(source.column)} = %s",
                [(source.get_db_prep_save(pk, self.connection),) for pk in sources],
            )
        self.insert(
            through,
            [source, target],
            [through(**{source.attname: s, target.attname: t}) for s, t in pairs],
            upsert=False,
        )

    def insert(self, model, fields, instances, *, upsert):
        """One INSERT of ``fields`` for all ``instances`` (``executemany``: one statement, so
        neither SQLite's limit of parameters per statement nor batching applies). Values are
        taken as they are, like a raw save: ``auto_now`` stamps keep the backup's times."""
        if not instances:
            return
        quote = self.ops.quote_name
        sql = "INSERT INTO {} ({}) VALUES ({})".format(
            quote(model._meta.db_table),
            ", ".join(quote(field.column) for field in fields),
            ", ".join(["%s"] * len(fields)),
        )
        if upsert:
            updated = [field.column for field in fields if not field.primary_key]
            sql += " " + self.ops.on_conflict_suffix_sql(
                fields, OnConflict.UPDATE, updated, [model._meta.pk.column]
            )
        connection = self.connection
        rows = [
            [
                field.get_db_prep_save(getattr(instance, field.attname), connection)
                for field in fields
            ]
            for instance in instances
        ]
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)
