"""`jointcall demo --from-s3` on the embedded default: the call is started from the best topic of the Alpine
regions' S3 priorities, remembers it, and runs to published results."""

from __future__ import annotations

import httpx

from services.demo import ShiftedTimeline, Tokens, run_joint_call
from shared.clock import ShiftedClock

tokens = Tokens()


async def test_the_demo_starts_its_call_from_the_best_fundable_s3_topic_and_runs_it(
    embedded: tuple[httpx.AsyncClient, ShiftedClock],
) -> None:
    client, clock = embedded
    agency = tokens("agency")
    results = await run_joint_call(client, proposals=16, seed=5, timeline=ShiftedTimeline(clock), from_s3=True)

    topics = (await client.get("/s3-strategy/analysis/topics", params={"k": 3}, headers=agency)).json()["topics"]
    best = next(t for t in topics if all(float(r["indicative_budget"]) > 0 for r in t["regions"]))
    [started] = (await client.get(f"/s3-strategy/topics/{best['id']}/calls", headers=agency)).json()
    call = (await client.get(f"/call-definition/calls/{started['call_id']}", headers=agency)).json()
    config = call["configuration"]
    assert config["s3_topic"]["id"] == best["id"]
    assert config["topics"] == [best["label"]]
    assert {r["code"]: float(r["budget"]) for r in config["regions"]} == {
        r["code"]: float(r["indicative_budget"]) for r in best["regions"]
    }
    assert results["call"]["code"] == call["code"] == "ALP-DEMO-5"
    assert results["call"]["title"] == f"Alpine Space joint call on {best['label'].lower()}"
    assert results["call"]["regions"] == len(best["regions"])
    assert results["funding"]["published"] is True and results["funding"]["funded"] >= 1
