"""`jointcall demo --two-stage`, small: what a user reads in its output. The shortlist's oversubscription per
region (no region above its cap; with a low factor the caps keep pre-proposals out) and both stages' numbers per
region, consistent with each other and with results.json."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COLUMNS = re.compile(r"\s{2,}")


def table(stdout: str, title: str) -> list[dict[str, str]]:
    """The rows of the table whose title line starts with `title`, by its header's column names."""
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    header = COLUMNS.split(lines[start + 1].strip())
    rows = []
    for line in lines[start + 2 :]:
        if not line.strip():
            break
        cells = COLUMNS.split(line.strip())
        if len(cells) == len(header) - 1:  # the total row has no name
            cells.insert(1, "")
        rows.append(dict(zip(header, cells, strict=True)))
    return rows


def amount(text: str) -> Decimal:
    return Decimal(text.split(" ")[0].replace(",", ""))


@pytest.mark.timeout(400)  # a whole two-stage call in a subprocess, on a loaded machine
def test_the_two_stage_demo_prints_the_oversubscription_per_region_and_both_stages_numbers(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "services", "demo", "--two-stage", "--consortia", "40", "--factor", "0.5"]
    done = subprocess.run(
        [*command, "--seed", "5", "--out", str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=380
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out, progress = done.stdout, done.stderr
    for phase in ("Stage 1: pre-proposals", "regions judge the fit", "invitations read", "Stage 2: full proposals"):
        assert phase in progress
    assert "full proposals drafted" in progress and "results published" in progress

    # The shortlist kept every region within factor x budget, and at 0.5 the caps left pre-proposals out.
    oversubscription = table(out, "Oversubscription per region")
    assert len(oversubscription) == 11
    for row in oversubscription:
        budget, requested, cap = amount(row["budget"]), amount(row["requested by invited"]), amount(row["cap"])
        assert cap == budget / 2 and requested <= cap, row
        assert row["cap"].endswith("(0.5x)")
    assert sum(int(row["left out by its cap"]) for row in oversubscription) >= 1
    shortlist = next(line for line in out.splitlines() if line.startswith("shortlist"))
    invited, capped = (
        int(n) for n in re.findall(r"(\d+) invited, (\d+) left out only by a region's cap", shortlist)[0]
    )
    assert capped >= 1

    # Both stages per region: each stage no more than the one before, and the totals the summary's.
    stages = {row["region"]: row for row in table(out, "Both stages per region")}
    for row in stages.values():
        pre, inv, full, funded = (int(row[k]) for k in ("pre-proposals", "invited", "full proposals", "funded"))
        assert funded <= full <= inv <= pre, row
    total = stages["total"]
    assert int(total["invited"]) == invited >= 1
    assert int(total["funded"]) >= 1
    assert f"{total['pre-proposals']} submitted" in next(line for line in out.splitlines() if "late: refused" in line)
    for region in oversubscription:
        assert int(stages[region["region"]]["invited"]) == int(region["invited"])

    # results.json says the same, and the full proposals are the invited ones that came back.
    results = json.loads((tmp_path / "results.json").read_text())
    figures = results["two_stage"]["stages"]
    assert {code: figures[code]["funded"] for code in figures} == {
        code: int(row["funded"]) for code, row in stages.items()
    }
    assert results["submissions"]["submitted"] == figures["total"]["full_proposals"]
    assert results["funding"]["funded"] == figures["total"]["funded"]
