"""The progress line: drawn on a terminal, silent in a log or a pipe."""

import io

import pytest
from django.utils import translation

from champions.importing import progress as progress_module
from champions.importing.progress import Progress
from tests.import_helpers import run_import, write_csv


class Terminal(io.StringIO):
    def isatty(self):
        return True


@translation.override("en")
def test_progress_shows_rows_rate_and_time_left(monkeypatch):
    clock = iter([100.0, 102.0, 102.1, 104.0])
    monkeypatch.setattr(progress_module.time, "monotonic", lambda: next(clock))
    terminal = Terminal()
    bar = Progress(terminal, total_lines=1001)
    bar.update(500)  # two seconds in: 250 rows/s, 500 rows to go
    bar.update(600)  # too soon after the last drawing: not drawn
    bar.update(1000)
    drawn = terminal.getvalue().split("\r")
    assert "500/1,000 rows, 250 rows/s, 2 s left" in drawn[1]
    assert "1,000/1,000 rows, 250 rows/s, 0 s left" in drawn[2]
    assert len(drawn) == 3
    bar.finish()
    assert terminal.getvalue().endswith("\r")


def test_progress_is_silent_when_not_a_terminal():
    log = io.StringIO()
    bar = Progress(log, total_lines=1001)
    bar.update(1000)
    bar.finish()
    assert log.getvalue() == ""


@pytest.mark.django_db
def test_the_command_draws_no_progress_into_a_log(tmp_path):
    rows = [["name", "region"]] + [[f"温州{n}有限公司", "鹿城区"] for n in range(10)]
    outcome = run_import("enterprises", write_csv(tmp_path / "a.csv", rows))
    assert outcome.code == 0
    assert outcome.err == ""
