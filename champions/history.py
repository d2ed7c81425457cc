"""Which import run is changing records, for the change history.

An import sets the run for the duration of its transaction with ``recording_import_run``; every
historical record written meanwhile (through django-simple-history's signal) carries it, so the
history of a record tells a person's edit from a file's.
"""

import contextlib
import contextvars

from django.dispatch import receiver
from simple_history.signals import pre_create_historical_record

_current_import_run = contextvars.ContextVar("current_import_run", default=None)


@contextlib.contextmanager
def recording_import_run(import_run):
    token = _current_import_run.set(import_run)
    try:
        yield
    finally:
        _current_import_run.reset(token)


def current_import_run():
    return _current_import_run.get()


@receiver(pre_create_historical_record)
def stamp_import_run(sender, history_instance, **kwargs):
    run = _current_import_run.get()
    if run is not None and hasattr(history_instance, "import_run_id"):
        history_instance.import_run_id = run.pk
