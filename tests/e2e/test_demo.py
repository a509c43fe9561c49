"""`jointcall demo` end to end on the embedded default: a whole joint call through the public APIs, its results
checked through the same APIs, and the command's files, the same for the same seed."""

from __future__ import annotations

import subprocess
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.demo import ShiftedTimeline, Tokens, run_joint_call
from services.demo.call import alpine_call_body
from services.demo.consortia import Behaviour, generate_consortia
from services.demo.report import FILES, text_report
from shared.clock import ShiftedClock
from tests.monitoring_checks import the_funded_projects_were_contracted_and_reported

ROOT = Path(__file__).resolve().parents[2]
tokens = Tokens()


async def get(client: httpx.AsyncClient, path: str, role: str = "agency") -> Any:
    response = await client.get(path, headers=tokens(role))
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.timeout(300)  # a whole call and two reporting periods: more than the default guard on a loaded machine
async def test_a_whole_joint_call_runs_through_the_apis(embedded: tuple[httpx.AsyncClient, ShiftedClock]) -> None:
    client, clock = embedded
    results = await run_joint_call(client, proposals=30, seed=12, timeline=ShiftedTimeline(clock))
    consortia = generate_consortia(alpine_call_body(clock.now()), 30, seed=12)
    [call] = [c for c in (await get(client, "/call-definition/calls/all"))["items"] if c["code"] == "ALP-DEMO-12"]
    path = f"/joint-evaluation/calls/{call['id']}"

    # The late consortia were refused with a problem, and still are; their drafts never reached the evaluation.
    late = [c for c in consortia if c.behaviour is Behaviour.LATE]
    assert results["submissions"]["late_refused"] == len(late) >= 1
    for consortium in late:
        role = f"consortium:{consortium.applicant}"
        [draft] = (await get(client, f"/proposal-intake/calls/{call['id']}/proposals", role))["items"]
        refused = await client.post(f"/proposal-intake/proposals/{draft['id']}/submit", headers=tokens(role))
        assert refused.status_code == 409 and refused.headers["content-type"] == "application/problem+json"
        assert draft["status"] == "draft" and consortium.acronym not in {r["acronym"] for r in results["ranking"]}

    # A retried submission got the same receipt and made no second version.
    retried = [c for c in consortia if c.behaviour is Behaviour.RETRY]
    assert results["submissions"]["retried"] == results["submissions"]["identical_receipts"] == len(retried) >= 1
    for consortium in retried:
        role = f"consortium:{consortium.applicant}"
        [proposal] = (await get(client, f"/proposal-intake/calls/{call['id']}/proposals", role))["items"]
        assert len(await get(client, f"/proposal-intake/proposals/{proposal['id']}/versions", role)) == 1

    # The published results are what the demo returns (and prints, and writes).
    published = await get(client, f"{path}/results")
    assert published["published_at"] is not None and results["funding"]["published"]
    assert [(line["acronym"], line["status"], line["rank"]) for line in published["results"] if line["rank"]] == [
        (line["acronym"], line["status"], line["rank"]) for line in results["ranking"] if line["rank"]
    ]
    by_acronym = {line["acronym"]: line for line in results["ranking"]}
    assert {line["acronym"] for line in published["results"]} == set(by_acronym)
    for line in published["results"]:
        assert {g["region_code"]: g["amount"] for g in line["grants"]} == by_acronym[line["acronym"]]["grants"]
    assert results["ranking"][0]["acronym"] in text_report(results)

    # Each region funds within its budget, and its allocation is the sum of its grants.
    assert results["funding"]["funded"] >= 1 and results["evaluation"]["passed"] >= results["funding"]["funded"]
    granted: dict[str, Decimal] = defaultdict(Decimal)
    for line in results["ranking"]:
        for code, amount in line["grants"].items():
            granted[code] += Decimal(amount)
    for region in results["regions"]:
        assert Decimal(region["allocated"]) == granted[region["code"]] <= Decimal(region["budget"])
    assert results["funding"]["confirmed_by"] == sorted(code for code, amount in granted.items() if amount)
    ranks = [line["rank"] for line in results["ranking"] if line["rank"] is not None]
    assert ranks == list(range(1, len(ranks) + 1))

    # Every consortium is accounted for, and the evaluation covered every eligible proposal fully.
    submitted = results["submissions"]["submitted"]
    assert submitted + len(late) == 30 == results["submissions"]["drafted"]
    assert results["eligibility"]["eligible"] + results["eligibility"]["not_eligible"] == submitted
    assert results["evaluation"]["assessments"] == 3 * results["eligibility"]["eligible"]
    ranking = await get(client, f"{path}/ranking")
    assert ranking["completed_at"] is not None and len(ranking["items"]) == submitted

    await the_funded_projects_were_contracted_and_reported(client, call["id"], results)


def test_the_command_writes_four_files_the_same_for_the_same_seed(tmp_path: Path) -> None:
    runs = []
    for name in ("first", "second"):
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "services",
                "demo",
                "--proposals",
                "20",
                "--seed",
                "3",
                "--out",
                str(tmp_path / name),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=100,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        runs.append(done)
    for file in FILES:
        first, second = (tmp_path / "first" / file).read_bytes(), (tmp_path / "second" / file).read_bytes()
        assert first == second and first, file
    assert runs[0].stdout.replace("/first/", "/second/") == runs[1].stdout
    assert "Ranking list" in runs[0].stdout and "Budget use per region" in runs[0].stdout
    assert f"written to {tmp_path / 'first'}/: results.json, ranking.csv, regions.csv, budget-use.svg" in runs[0].stdout
    assert "regional manual checks" in runs[0].stderr and "results published" in runs[0].stderr
    assert "Monitoring per region" in runs[0].stdout and "reports of period 2" in runs[0].stderr
