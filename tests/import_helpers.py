"""Files written the way offices send them, the commands run as a data officer runs them, and a
snapshot of every data table to prove that a refused import wrote nothing."""

import csv
import io
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from champions.models import ImportRun


def write_csv(path, rows, *, encoding="utf-8", bom=False, newline="\n", delimiter=","):
    """Write ``rows`` (lists of cells) to ``path`` and return the path as a string."""
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter, lineterminator=newline).writerows(rows)
    data = text.getvalue().encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return str(path)


@dataclass
class Outcome:
    code: int
    out: str
    err: str

    @property
    def lines(self):
        return self.out.strip().splitlines()

    @property
    def summary(self):
        """The last line of the output."""
        return self.lines[-1]


def run_command(name, *args):
    """Run a management command as from the shell: exit status, standard output and error.

    In English: the messages are translated for the data officers, the tests read the source.
    """
    out, err = io.StringIO(), io.StringIO()
    try:
        with translation.override("en"):
            call_command(name, *args, stdout=out, stderr=err)
        code = 0
    except CommandError as error:
        code = error.returncode
        err.write(str(error))
    return Outcome(code, out.getvalue(), err.getvalue())


def in_groups(user, *names):
    """``user`` in the staff groups ``names`` (``champions.groups``), as the admin makes them."""
    user.groups.add(*Group.objects.filter(name__in=names))
    return user


def run_import(*args):
    return run_command("import_csv", *args)


def export_bytes(kind, tmp_path):
    """The file ``export_csv KIND --output`` writes."""
    path = tmp_path / f"export-{kind}.csv"
    outcome = run_command("export_csv", kind, "--output", str(path))
    assert outcome.code == 0, outcome.err
    return path.read_bytes()


def data_models():
    """Every table of the registry's data, with the change history and many-to-many tables;
    not the record of import runs (a refused run is recorded, and should be)."""
    return [
        model
        for model in apps.get_app_config("champions").get_models(include_auto_created=True)
        if model is not ImportRun
    ]


def snapshot():
    """Every row of every data table, to compare before and after an import."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values_list())
        for model in data_models()
    }


def last_run():
    return ImportRun.objects.order_by("-pk").first()
