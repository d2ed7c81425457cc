"""Reading a large file with every CPU: pieces of the file parsed in worker processes.

Parsing and validating cells is Python work and takes most of an import's time; the database
meanwhile waits. A file of many rows is therefore cut into pieces at line ends outside quoted
cells (``CsvFile.slices``), each piece is parsed by a worker process into staging rows, and the
main process loads those into the staging table, in the file's order. Workers are forked from the
main process, so they share its reference data and never touch the database; only kinds whose
parsing has no side effects (no batches to create) are read this way.
"""

import contextlib
import gc
import multiprocessing
import os
import threading

from .errors import ErrorLog
from .staging import CHUNK_ROWS, copy_text

#: Files with fewer lines are read in the main process: forking costs more than it saves.
PARALLEL_FROM_LINES = 100_000
#: Bytes of the file per piece: pieces small enough that the rows waiting to be loaded stay
#: a few megabytes (a worker holds a piece's rows twice, parsed and ready to send), and that
#: every worker is busy until the end.
PIECE_BYTES = 1 << 20

# What the workers read, set in the main process just before they are forked.
_job = {}


def worker_count():
    return min(os.cpu_count() or 1, 4)


def can_read_in_parallel(kind, csv_file):
    return (
        kind.parallel
        and csv_file.cuttable
        and csv_file.lines >= PARALLEL_FROM_LINES
        and worker_count() > 1
        and "fork" in multiprocessing.get_all_start_methods()
    )


def read_in_parallel(kind, header, layout, csv_file, errors, load_rows, progress):
    """Parse the data rows of ``csv_file`` (after the header) in worker processes and hand the
    staging rows to ``load_rows``; problems go to ``errors``, the lines skipped to ``layout``."""
    # On PostgreSQL the workers write the rows as COPY's text: the main process only passes
    # it on, rather than taking a million rows out of pickles and writing them one by one.
    load_text = getattr(load_rows, "text", None)
    encoding = load_rows.encoding if load_text else None
    _job.update(kind=kind, header=header, layout=layout, csv_file=csv_file, encoding=encoding)
    pieces = csv_file.slices(max(worker_count() * 4, csv_file.size // PIECE_BYTES))
    context = multiprocessing.get_context("fork")
    # The objects the workers inherit (and this process's, meanwhile) are left out of garbage
    # collection: the collections that a million parsed rows set off would go through every
    # one of them again and again (a second of a worker's time), copying the pages they share.
    gc.freeze()
    # Pieces handed out and not yet loaded: enough to keep every worker busy, few enough that
    # parsed pieces do not pile up in this process while the database takes the rows.
    window = threading.Semaphore(2 * worker_count())
    stop = threading.Event()

    def handed_out():
        for piece in pieces:
            while not window.acquire(timeout=0.1):
                if stop.is_set():
                    return
            yield piece

    try:
        with context.Pool(worker_count()) as pool:
            try:
                # In the file's order (the workers run ahead, their pieces waiting their turn):
                # the staging table is filled by line, as SQLite appends to its key fastest,
                # and the errors, skipped lines and progress come as from one process.
                for staged, count, piece_errors, skipped, last_line in pool.imap(
                    _read_piece, handed_out()
                ):
                    window.release()
                    if isinstance(staged, bytes):
                        load_text(staged, count)
                    else:
                        load_rows(staged)
                    errors.merge(piece_errors)
                    layout.skipped.extend(skipped)
                    progress.update(last_line)
            finally:
                stop.set()  # before the pool ends: its thread may wait in handed_out()
    finally:
        gc.unfreeze()
        _job.clear()


def _read_piece(piece):
    """In a worker: ``(staging rows, how many, errors, lines skipped, last line)`` of one piece
    of the file; the rows as ``COPY`` text (``staging.copy_text``) when the main process asked
    for it and they have only the types it writes, else as tuples."""
    kind, header, csv_file = _job["kind"], _job["header"], _job["csv_file"]
    errors = kind.errors = ErrorLog()  # the worker's own copy of the kind reports here
    layout = _job["layout"].piece_reader()
    layout.errors = errors
    parse_chunk = header.chunk_parser(errors)
    staged, last_line = [], 0
    for lines, rows in csv_file.slice_chunks(*piece, CHUNK_ROWS):
        if lines[0] <= header.line:  # the header and any title lines above it
            keep = [index for index, line in enumerate(lines) if line > header.line]
            lines, rows = [lines[i] for i in keep], [rows[i] for i in keep]
        last_line = lines[-1] if lines else last_line
        lines, rows = layout.data_rows(lines, rows)
        if lines:
            columns, bad = parse_chunk(lines, rows)
            staged.extend(kind.stage_chunk(lines, columns, bad))
    count = len(staged)
    if _job["encoding"] and staged:
        with contextlib.suppress(TypeError):  # a type left to psycopg
            staged = copy_text(staged, _job["encoding"])
    return staged, count, errors, layout.skipped, last_line
