"""`jointcall s3 matrix|topics --file`: the matrix as a table and the ranked topics, straight from a file."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.cli import main
from services.s3_strategy.examples import ALPINE_PRIORITIES


def test_the_matrix_command_prints_one_row_and_column_per_region_with_ones_on_the_diagonal(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    svg = tmp_path / "matrix.svg"
    main(["s3", "matrix", "--file", str(ALPINE_PRIORITIES), "--svg", str(svg)])
    header, *rows = capsys.readouterr().out.splitlines()
    assert header.split() == sorted(header.split()) and len(header.split()) == 11
    for i, row in enumerate(rows):
        cells = row.split()
        assert cells[0] == header.split()[i] and cells[1 + i] == "1.00"
    assert svg.read_text().startswith("<svg")


def test_the_topics_command_lists_topics_shared_by_k_regions_best_first(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    main(["s3", "topics", "--file", str(ALPINE_PRIORITIES), "-k", "9", "--limit", "3"])
    header, *rows = capsys.readouterr().out.splitlines()
    assert header.split()[:3] == ["rank", "topic", "regions"]
    assert [row.split()[0] for row in rows] == ["1", "2", "3"]
    counts = [int(row.split()[2]) for row in rows]
    assert counts == sorted(counts, reverse=True) and min(counts) >= 9


def test_a_file_with_errors_is_refused_with_every_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("region_code,region_name,priority_key,title,nace\nAT-4,Upper Austria,x,X,ZZ\nSI,Slovenia,,,\n")
    with pytest.raises(SystemExit) as refused:
        main(["s3", "matrix", "--file", str(bad)])
    assert "2 errors" in str(refused.value)
    assert "rows.1.nace" in str(refused.value) and "rows.2.priority_key" in str(refused.value)
