"""`jointcall demo --from-s3`: the call is not typed in but chosen from the regions' S3 priorities.

The agency imports the Alpine regions' priorities into s3_strategy, reads the candidate topics, takes the best
one every region of which can fund (each has an indicative budget on it), and starts the call from it: the draft
in call_definition comes with the topic as its S3 area, the topic's regions and their indicative budgets; the
rest (timeline, evaluation, each region's rules) is the Alpine example's. Then the call is published and runs as
in the plain demo.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from ..call_definition.examples import alpine_call
from ..s3_strategy.examples import alpine_priorities
from .api import DemoError, checked
from .call import alpine_call_body
from .context import Run
from .timeline import Timeline

S3 = "/s3-strategy"
# What the topic fills in; everything else of a region's annex comes from the Alpine example.
FROM_TOPIC = frozenset({"code", "name", "currency", "budget", "s3_areas"})
CALL_FIELDS = (
    "time_zone",
    "eligibility_check_due",
    "evaluation_due",
    "decisions_due",
    "max_duration_months",
    "trl",
    "consortium_rules",
    "ineligible_partner_policy",
)


async def define_call_from_topic(run: Run, timeline: Timeline, proposals: int, code: str, k: int = 3) -> datetime:
    """Import the priorities, start the call from the best fundable topic, publish it; its deadline."""
    imported = await run.client.post(
        f"{S3}/imports",
        content=json.dumps(alpine_priorities()),
        headers={**run.agency, "content-type": "application/json"},
    )
    checked(imported)
    topics = checked(await run.client.get(f"{S3}/analysis/topics", params={"k": k}, headers=run.agency))["topics"]
    fundable = [t for t in topics if all(float(r["indicative_budget"]) > 0 for r in t["regions"])]
    if not fundable:
        raise DemoError(f"no topic shared by {k} regions has an indicative budget in each of them")
    topic = fundable[0]
    template = alpine_call_body(timeline.now(), window=timeline.submission_window(proposals), code=code)
    annexes = {region["code"]: region for region in alpine_call()["regions"]}
    body: dict[str, Any] = {
        "code": code,
        "title": f"Alpine Space joint call on {topic['label'].lower()}",
        "stages": template["stages"],
        "evaluation": template["evaluation"],
        "call": {key: template[key] for key in CALL_FIELDS if key in template},
        "region_rules": {
            r["code"]: {key: value for key, value in annexes[r["code"]].items() if key not in FROM_TOPIC}
            for r in topic["regions"]
            if r["code"] in annexes
        },
    }
    started = await run.client.post(f"{S3}/topics/{topic['id']}/calls", json=body, headers=run.agency)
    if started.status_code == 409:  # a repeat of this very request: the call exists
        calls = checked(await run.client.get(f"{S3}/topics/{topic['id']}/calls", headers=run.agency))
        call_id = next((c["call_id"] for c in calls if c["call_code"] == code), None)
        if call_id is None:
            raise DemoError(f"a call with code {code} already exists: give the demo another code")
    else:
        call_id = checked(started)["call_id"]
    run.progress.note(
        f"S3 topic {topic['id']} ({topic['label']}): {topic['region_count']} regions, "
        f"similarity {topic['similarity']:.2f}, {float(topic['total_budget']):,.0f} {topic['reporting_currency']}"
    )
    published = await run.client.post(f"/call-definition/calls/{call_id}/publish", headers=run.agency)
    if published.status_code == 409:
        published = await run.client.get(f"/call-definition/calls/{call_id}", headers=run.agency)
    run.call = checked(published)
    return datetime.fromisoformat(run.call["deadline"])
