"""Imports started from the admin: the uploaded file kept, its dry run, and its confirmation,
run at once when small and in the background when large.

The background is django-tasks (the backport of Django 6's ``django.tasks``) with the database
backend of django-tasks-db: the queue is a table of the registry's own database, so it works on
SQLite and PostgreSQL without another server, and ``manage.py db_worker`` runs the tasks. When
the registry moves to Django 6, ``django_tasks`` becomes ``django.tasks``; the backend stays.

A run in the background reports its progress in a small file beside the upload: the import's
transaction is open until it ends, so nothing it writes to the database (or to the database
cache) can be seen before that.
"""

import hashlib
import json
import uuid
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django_tasks import task

from ..models import ImportRun
from .errors import BadArguments, ImportBusy, ImportNotAllowed
from .report import MAX_NAMES_SHOWN, describe
from .runner import ListOptions, import_file
from .workbook import is_workbook

#: Files of this many lines (or sheet rows) or more are imported in the background.
BACKGROUND_FROM_LINES = 5000

#: Problems kept on the run's page; a file with more is refused with the first ones.
MAX_PROBLEMS_KEPT = 1000


def upload_root():
    return Path(settings.CHAMPIONS_UPLOAD_DIR)


def store_upload(uploaded):
    """Keep an uploaded file under ``CHAMPIONS_UPLOAD_DIR``; its path there (relative) and its
    SHA-256. The name is random: two clerks uploading ``名单.xlsx`` get two files."""
    suffix = Path(uploaded.name).suffix.lower()[:10]
    relative = f"{uuid.uuid4().hex}{suffix}"
    target = upload_root() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with open(target, "wb") as handle:
        for chunk in uploaded.chunks():
            digest.update(chunk)
            handle.write(chunk)
    return relative, digest.hexdigest()


def stored_sha256(run):
    digest = hashlib.sha256()
    with open(upload_root() / run.upload, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def options_to_json(options):
    return {
        "facts": options.facts,
        "fill_down": list(options.fill_down),
        "create_missing": options.create_missing,
        "known_only": options.known_only,
        "province_counts": options.province_counts,
        "sheet": options.sheet,
    }


def options_from_json(data):
    return ListOptions(
        facts=dict(data.get("facts", {})),
        fill_down=tuple(data.get("fill_down", ())),
        create_missing=bool(data.get("create_missing")),
        known_only=bool(data.get("known_only")),
        province_counts=bool(data.get("province_counts")),
        sheet=data.get("sheet") or None,
        line_outcomes=False,
    )


def queue_run(kind, file_name, upload, sha256, options, user, *, dry_run, confirms=None):
    """Record a run to do (status ``queued``) and start it: at once for a small file, in the
    background for a large one. Returns the run."""
    run = ImportRun.objects.create(
        kind=kind,
        file_name=file_name[:500],
        sha256=sha256,
        status=ImportRun.Status.QUEUED,
        user=user,
        command=("admin upload, dry run" if dry_run else "admin upload")[:1000],
        upload=upload,
        options=options_to_json(options),
        is_dry_run=dry_run,
        confirms=confirms,
    )
    if rows_of(upload_root() / upload) >= BACKGROUND_FROM_LINES:
        transaction.on_commit(lambda: import_in_background.enqueue(run.pk))
    else:
        execute(run.pk)
        run.refresh_from_db()
    return run


def rows_of(path):
    """About how many rows the file has: its lines, or its first sheet's rows."""
    if is_workbook(path):
        from python_calamine import CalamineWorkbook

        with CalamineWorkbook.from_path(str(path)) as book:
            sheets = book.sheet_names
            return book.get_sheet_by_name(sheets[0]).total_height if sheets else 0
    with open(path, "rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))


@task()
def import_in_background(run_id):
    execute(run_id)


def execute(run_id):
    """Do the run ``run_id`` recorded by ``queue_run``, and keep its report on it."""
    run = ImportRun.objects.select_related("user", "confirms").get(pk=run_id)
    path = upload_root() / run.upload
    progress = path.with_name(path.name + ".progress")
    expect = None
    if run.confirms is not None:
        preview = run.confirms
        expect = (preview.created, preview.updated, preview.unchanged)

    def report_progress(done, total):
        progress.write_text(json.dumps({"done": done, "total": total}))

    try:
        result = import_file(
            run.kind,
            str(path),
            dry_run=run.is_dry_run,
            options=options_from_json(run.options),
            user=run.user,
            command=run.command,
            on_progress=report_progress,
            run=run,
            expect=expect,
        )
    except (BadArguments, ImportNotAllowed, ImportBusy, OSError, LookupError) as problem:
        run.status = ImportRun.Status.REFUSED
        run.report = {"lines": [], "problems": [str(problem)], "warnings": []}
        run.save(update_fields=["status", "report"])
        return
    finally:
        progress.unlink(missing_ok=True)
    run.report = {
        "lines": describe(result),
        "problems": [str(error) for error in result.errors.sorted()[:MAX_PROBLEMS_KEPT]],
        "more_problems": max(result.errors.count - MAX_PROBLEMS_KEPT, 0),
        "warnings": [str(warning) for warning in result.warnings[:MAX_NAMES_SHOWN]],
        "summary": result.summary(),
    }
    run.save(update_fields=["report"])


def progress_of(run):
    """``(rows done, rows in all)`` of a run in the background, or None."""
    path = upload_root() / run.upload
    try:
        data = json.loads(path.with_name(path.name + ".progress").read_text())
    except (OSError, ValueError):
        return None
    return data["done"], data["total"]
