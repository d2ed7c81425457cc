"""Files that went in wrong or crashed: what the ``csv`` module reads is what is imported,
whichever way the file is read, and every file that cannot be read so is refused with its line."""

import csv

import pytest

from champions.importing import parallel
from champions.importing.reading import MAX_CELL_CHARS, open_csv
from champions.models import Enterprise
from tests.import_helpers import run_import, snapshot, write_csv

pytestmark = pytest.mark.django_db

HEADER = "统一社会信用代码,企业名称,所属区县,主导产品\n"

#: Lines that upset quote counting, each with what the csv module makes of it.
AWKWARD_PRODUCTS = [
    'DN50 2" valve',  # a stray inch mark in an unquoted cell: a plain character
    '"多行\n产品,说明\n第三行"',  # a quoted cell across lines, with a delimiter inside
    '"带""引号""的产品"',  # doubled quotes inside a quoted cell
    '3" 和 4" 阀门',  # two stray quotes
    '"引号后"还有字',  # text after a closing quote
    "离心泵",
]


def awkward_file(path, rows, *, encoding="utf-8", newline="\n", bom=False):
    """``rows`` firms whose main products cycle through ``AWKWARD_PRODUCTS``."""
    lines = [HEADER]
    for serial in range(rows):
        product = AWKWARD_PRODUCTS[serial % len(AWKWARD_PRODUCTS)]
        lines.append(f",温州引号{serial:06d}有限公司,鹿城区,{product}\n")
    text = "".join(lines).replace("\n", newline)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding))
    return str(path)


def csv_module_rows(path, encoding):
    with open(path, encoding=encoding, newline="") as handle:
        return [row for row in csv.reader(handle) if any(cell.strip() for cell in row)]


def rows_read_in_pieces(csv_file, parts):
    rows = []
    for piece in csv_file.slices(parts):
        for _lines, chunk in csv_file.slice_chunks(*piece, 1000):
            rows.extend(chunk)
    return rows


def lines_of_whole(csv_file):
    """The line each row starts on, the file read from start to end."""
    return [line for lines, _rows in csv_file.chunks(1000) for line in lines]


def lines_of_pieces(csv_file, parts):
    """The same, the file read in ``parts`` pieces."""
    return [
        line
        for piece in csv_file.slices(parts)
        for lines, _rows in csv_file.slice_chunks(*piece, 1000)
        for line in lines
    ]


@pytest.mark.parametrize(
    ("encoding", "newline", "bom"),
    [("utf-8", "\n", False), ("utf-8", "\r\n", True), ("gb18030", "\r\n", False)],
)
@pytest.mark.parametrize("parts", [2, 7, 60])
def test_pieces_give_exactly_the_rows_of_the_csv_module(tmp_path, encoding, newline, bom, parts):
    path = awkward_file(tmp_path / "q.csv", 300, encoding=encoding, newline=newline, bom=bom)
    csv_file = open_csv(path)
    expected = csv_module_rows(path, csv_file.encoding)
    assert len(expected) == 301
    assert rows_read_in_pieces(csv_file, parts) == expected
    assert len(csv_file.slices(parts)) > 1


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_a_file_without_quotes_is_cut_at_line_ends(tmp_path, newline):
    rows = [["企业名称", "所属区县"], *[[f"温州{n:05d}有限公司", "鹿城区"] for n in range(500)]]
    path = write_csv(tmp_path / "plain.csv", rows, newline=newline, bom=True)
    csv_file = open_csv(path)
    assert not csv_file.quoted
    assert rows_read_in_pieces(csv_file, 13) == csv_module_rows(path, "utf-8-sig") == rows
    assert len(csv_file.slices(13)) == 13
    assert lines_of_pieces(csv_file, 13) == lines_of_whole(csv_file)


def test_a_file_in_an_encoding_that_cannot_be_cut_is_one_piece(tmp_path):
    path = awkward_file(tmp_path / "q.csv", 50, encoding="utf-16")
    csv_file = open_csv(path, "utf-16")
    assert csv_file.slices(8) == [(0, csv_file.size, 1)]
    assert rows_read_in_pieces(csv_file, 8) == csv_module_rows(path, "utf-16")


@pytest.fixture
def parallel_from_small_files(monkeypatch):
    """Worker processes for files of a few hundred lines, in pieces of a few kilobytes."""
    monkeypatch.setattr(parallel, "PARALLEL_FROM_LINES", 100)
    monkeypatch.setattr(parallel, "PIECE_BYTES", 4096)


def test_a_stray_quote_does_not_cut_cells_read_in_parallel(tmp_path, parallel_from_small_files):
    path = awkward_file(tmp_path / "q.csv", 600)
    expected = csv_module_rows(path, "utf-8")[1:]
    assert parallel.can_read_in_parallel(type("Firms", (), {"parallel": True}), open_csv(path)), (
        "the test must take the parallel path"
    )
    outcome = run_import("enterprises", path)
    assert outcome.summary == "created 600, updated 0, unchanged 0, errors 0", outcome.out
    stored = dict(Enterprise.objects.values_list("name", "main_product"))
    assert stored == {name: product for _code, name, _region, product in expected}


def test_a_large_file_with_stray_quotes_imports_every_row_once(tmp_path):
    """At the size that takes the parallel path by itself (the 120,001-row file of the report)."""
    path = awkward_file(tmp_path / "q.csv", 120_001)
    assert open_csv(path).lines >= parallel.PARALLEL_FROM_LINES
    outcome = run_import("enterprises", path, "--dry-run")
    assert outcome.summary == "created 120001, updated 0, unchanged 0, errors 0", outcome.out


def test_a_large_utf16_file_is_read_whole(tmp_path):
    path = awkward_file(tmp_path / "q.csv", 150_000, encoding="utf-16")
    outcome = run_import("enterprises", path, "--encoding", "utf-16", "--dry-run")
    assert outcome.summary == "created 150000, updated 0, unchanged 0, errors 0", outcome.out


def test_a_utf8_file_with_one_gbk_line_is_refused_at_that_line(tmp_path):
    """Read as GB18030 this file decodes throughout: its UTF-8 lines become mojibake."""
    data = "credit_code,name,region,main_product\n,温州甲乙有限公司,330302,离心水泵\n".encode()
    data += ",温州丙丁有限公司,330302,阀门\n".encode("gbk")
    data += ",温州戊己有限公司,330302,电气\n".encode()
    data.decode("gb18030")
    path = tmp_path / "mixed.csv"
    path.write_bytes(data)
    before = snapshot()
    outcome = run_import("enterprises", str(path))
    assert outcome.code == 1
    assert "line 3: the file mixes encodings: line 2 is UTF-8, this line is not" in outcome.out
    assert snapshot() == before
    # Told the encoding, the importer reads the file as the data officer says.
    assert run_import("enterprises", str(path), "--encoding", "gb18030").code == 0


def test_a_gbk_file_with_one_utf8_line_further_down_is_refused(tmp_path):
    data = (HEADER + ",温州甲有限公司,鹿城区,泵\n").encode("gbk")
    data += ",温州乙有限公司,鹿城区,阀\n".encode()
    path = tmp_path / "mixed.csv"
    path.write_bytes(data)
    outcome = run_import("enterprises", str(path))
    assert outcome.code == 1
    assert "line 1: the file mixes encodings: line 3 is UTF-8" in outcome.out


def test_a_whole_gbk_file_is_still_read(tmp_path):
    path = write_csv(
        tmp_path / "gbk.csv",
        [["企业名称", "所属区县"], ["温州甲有限公司", "鹿城区"], ["温州乙有限公司", "瑞安市"]],
        encoding="gbk",
    )
    outcome = run_import("enterprises", path)
    assert outcome.summary == "created 2, updated 0, unchanged 0, errors 0", outcome.out


def test_a_nul_byte_is_refused_with_its_line(tmp_path):
    path = tmp_path / "nul.csv"
    path.write_bytes(
        (HEADER + ",温州甲有限公司,鹿城区,泵\n,温州乙\x00有限公司,鹿城区,阀\n").encode()
    )
    before = snapshot()
    outcome = run_import("enterprises", str(path))
    assert outcome.code == 1
    assert "line 3: the line holds a NUL character (\\x00)" in outcome.out
    assert snapshot() == before


def test_a_cell_over_the_limit_is_refused_with_its_line(tmp_path):
    path = tmp_path / "huge.csv"
    huge = "泵" * (MAX_CELL_CHARS + 1)
    path.write_text(HEADER + ",温州甲有限公司,鹿城区,泵\n" + f',温州乙有限公司,鹿城区,"{huge}"\n')
    before = snapshot()
    outcome = run_import("enterprises", str(path))
    assert outcome.code == 1
    assert f"line 3: a cell is longer than {MAX_CELL_CHARS:,} characters" in outcome.out
    assert len(outcome.out) < 2000
    assert snapshot() == before


def test_a_cell_over_the_limit_is_refused_when_read_in_parallel(
    tmp_path, parallel_from_small_files
):
    rows = [[f"温州批{serial:04d}有限公司", "鹿城区"] for serial in range(300)]
    rows[250][0] = "泵" * (MAX_CELL_CHARS + 1)
    path = write_csv(tmp_path / "huge.csv", [["企业名称", "所属区县"], *rows])
    before = snapshot()
    outcome = run_import("enterprises", path)
    assert outcome.code == 1
    assert f"line 252: a cell is longer than {MAX_CELL_CHARS:,} characters" in outcome.out
    assert snapshot() == before


def test_the_errors_file_escapes_formulas(tmp_path):
    values = ["=1+1", "=cmd|calc", "@SUM(A1)", "+1", "-2"]
    path = write_csv(
        tmp_path / "bad.csv",
        [["企业名称", "所属区县", "成立年份"], *[["温州甲有限公司", "鹿城区", v] for v in values]],
    )
    errors_path = tmp_path / "errors.csv"
    outcome = run_import("enterprises", path, "--errors", str(errors_path))
    assert outcome.code == 1
    with open(errors_path, encoding="utf-8-sig", newline="") as handle:
        written = list(csv.reader(handle))[1:]
    assert [row[3] for row in written] == ["'" + value for value in values]
    assert all(cell[:1] not in "=+-@" for row in written for cell in row)


def test_messages_escape_control_characters_and_shorten_long_values(tmp_path):
    path = write_csv(
        tmp_path / "bad.csv",
        [
            ["企业名称", "所属区县", "成立年份"],
            ["温州甲有限公司", "鹿城区", "\x1b[2J\x1b[31m19\u202e99"],
            ["温州乙有限公司", "鹿城区", "9" * 5000],
        ],
    )
    outcome = run_import("enterprises", path)
    assert outcome.code == 1
    assert "\x1b" not in outcome.out and "\u202e" not in outcome.out
    assert "(\\x1b[2J\\x1b[31m19\\u202e99)" in outcome.out
    (long_line,) = [line for line in outcome.lines if line.startswith("line 3,")]
    assert len(long_line) < 300
    assert "… (5,000)" in long_line


def test_the_parallel_path_refuses_no_file_the_serial_path_reads(tmp_path, monkeypatch):
    """Both paths of one file give the same rows (the cut is the only difference)."""
    path = awkward_file(tmp_path / "q.csv", 500, newline="\r\n")
    serial = run_import("enterprises", path, "--dry-run").summary
    monkeypatch.setattr(parallel, "PARALLEL_FROM_LINES", 10)
    monkeypatch.setattr(parallel, "PIECE_BYTES", 1024)
    assert run_import("enterprises", path, "--dry-run").summary == serial
    assert serial == "created 500, updated 0, unchanged 0, errors 0"


def test_rows_of_a_file_read_as_text_match_the_pieces(tmp_path):
    """The line numbers the pieces give are those of the whole file."""
    csv_file = open_csv(awkward_file(tmp_path / "q.csv", 200))
    assert lines_of_pieces(csv_file, 9) == lines_of_whole(csv_file)
