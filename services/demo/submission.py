"""Phases up to the deadline: the agency defines and publishes the call; consortia draft, pre-check, fix what
the pre-check flags as blocking, and submit; a few submit late."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from . import documents
from .api import DemoError, Headers, all_pages, checked, is_problem
from .call import alpine_call_body
from .consortia import Behaviour, Consortium
from .context import Run
from .timeline import Timeline

INTAKE = "/proposal-intake"


@dataclass
class Drafted:
    consortium: Consortium
    proposal_id: str
    headers: Headers


async def define_call(
    run: Run, timeline: Timeline, proposals: int, code: str, *, body: dict[str, Any] | None = None
) -> datetime:
    """Create and publish the call (`body`, default the Alpine example closing after the timeline's window for
    `proposals`); its deadline. A repeated create (409: the code exists) finds the call."""
    if body is None:
        body = alpine_call_body(timeline.now(), window=timeline.submission_window(proposals), code=code)
    created = await run.client.post("/call-definition/calls", json=body, headers=run.agency)
    call = checked(created) if created.status_code != 409 else await _call_with_code(run, code, body)
    if call["status"] == "draft":
        published = await run.client.post(f"/call-definition/calls/{call['id']}/publish", headers=run.agency)
        if published.status_code == 409:  # published by an earlier attempt of this very request
            published = await run.client.get(f"/call-definition/calls/{call['id']}", headers=run.agency)
        call = checked(published)
    run.call = call
    return datetime.fromisoformat(call["deadline"])


async def _call_with_code(run: Run, code: str, body: dict[str, Any]) -> Any:
    for call in await all_pages(run.client, "/call-definition/calls/all", run.agency, limit=200):
        if call["code"] == code:
            if abs(datetime.fromisoformat(call["deadline"]) - _deadline_of(body)).total_seconds() > 1:
                raise DemoError(f"a call with code {code} already exists: give the demo another code")
            return call
    raise DemoError(f"call {code} was refused, but no call has that code")


def _deadline_of(body: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(body["stages"][-1]["deadline"])


async def draft_all(run: Run) -> list[Drafted]:
    """Every consortium drafts and pre-checks; blocking problems are fixed before anyone submits."""
    with run.progress.phase("drafts and pre-checks", len(run.consortia)):
        first, *others = run.consortia
        drafted = [await run.until(lambda: _draft_if_call_known(run, first), "proposal_intake to know the call")]
        run.progress.step()
        drafted += await run.each(others, lambda consortium: _draft(run, consortium))
    for entry in drafted:
        run.proposal_ids[entry.consortium.acronym] = entry.proposal_id
    run.tally.drafted = len(drafted)
    return drafted


async def _draft(run: Run, consortium: Consortium) -> Drafted:
    drafted = await _draft_if_call_known(run, consortium)
    if drafted is None:
        raise DemoError(f"{consortium.acronym}: proposal_intake does not know the call")
    return drafted


async def _draft_if_call_known(run: Run, consortium: Consortium) -> Drafted | None:
    """None while proposal_intake cannot know the call yet (503 not-yet-known; 404 from a stack before the
    back-fill of a call just published)."""
    headers = run.tokens(f"consortium:{consortium.applicant}")
    created = await run.client.post(f"{INTAKE}/calls/{run.call_id}/proposals", json=consortium.draft, headers=headers)
    if created.status_code in (404, 503):
        return None
    drafted = Drafted(consortium, checked(created)["id"], headers)
    await complete_draft(run, drafted)
    return drafted


async def complete_draft(run: Run, drafted: Drafted) -> None:
    """Pre-check the stored draft (its consortium's `draft`), fix what the pre-check shows as blocking, and
    attach the documents this stage requires."""
    consortium = drafted.consortium
    report = await _precheck(run, drafted)
    stored = consortium.draft
    if any(verdict["outcome"] == "fail" for verdict in report["consortium"]):
        await replace_draft(run, drafted, consortium.corrected)
        run.tally.fixed_after_precheck += 1
        stored = consortium.corrected
    first = consortium is run.consortia[0]
    await documents.attach(run, stored, drafted.proposal_id, drafted.headers, first=first)


async def _precheck(run: Run, drafted: Drafted) -> Any:
    found = checked(await run.client.get(f"{INTAKE}/proposals/{drafted.proposal_id}/precheck", headers=drafted.headers))
    if found["report"] is None:
        raise DemoError(f"{drafted.consortium.acronym}: the pre-check found the draft incomplete: {found['missing']}")
    return found["report"]


async def replace_draft(run: Run, drafted: Drafted, body: dict[str, Any]) -> None:
    """PUT with the current ETag (read again if a repeated PUT already moved it on: the content is the same)."""
    path = f"{INTAKE}/proposals/{drafted.proposal_id}"
    for _ in range(3):
        etag = (await run.client.get(path, headers=drafted.headers)).headers.get("ETag", "")
        replaced = await run.client.put(path, json=body, headers={**drafted.headers, "If-Match": etag})
        if replaced.status_code != 412:
            checked(replaced)
            return
    raise DemoError(f"{drafted.consortium.acronym}: the draft kept changing under its consortium")


async def submit_all(run: Run, drafted: list[Drafted]) -> None:
    """Submissions one after the other, in a fixed order: the ranking's last tie-break is the submission instant,
    so a fixed order keeps the results the same from run to run. Late consortia wait for the deadline."""
    on_time = [entry for entry in drafted if entry.consortium.behaviour is not Behaviour.LATE]
    with run.progress.phase("submissions", len(on_time)):
        for entry in on_time:
            await _submit_on_time(run, entry)
            run.progress.step()


async def _submit_on_time(run: Run, entry: Drafted) -> None:
    consortium = entry.consortium
    receipt = await submit(run, entry, version=1)
    if receipt is None:
        run.tally.late_refused += 1  # the deadline came first (a slow or interrupted run)
        return
    run.tally.submitted += 1
    run.submitted.append(consortium.acronym)
    if consortium.defect is not None and consortium.defect.regional and consortium.behaviour is not Behaviour.RESUBMIT:
        if not receipt["warnings"]:
            raise DemoError(f"{consortium.acronym}: the receipt does not warn of its regional problem")
        run.tally.with_regional_warnings += 1
    if consortium.behaviour is Behaviour.RETRY:  # the answer got lost: the same request again
        run.tally.retried += 1
        run.tally.identical_receipts += await submit(run, entry, version=1) == receipt
    elif consortium.behaviour is Behaviour.RESUBMIT:  # the receipt's warnings convinced it to fix the request
        await replace_draft(run, entry, consortium.corrected)
        await documents.attach(run, consortium.corrected, entry.proposal_id, entry.headers, first=False)
        if await submit(run, entry, version=2) is not None:
            run.tally.resubmitted += 1


async def submit(run: Run, entry: Drafted, *, version: int) -> Any:
    """The receipt, or None when the deadline has passed (409 problem+json)."""
    key = f"{run.call_id}:{entry.consortium.acronym}:{version}" + (f":stage-{run.stage}" if run.stage > 1 else "")
    response = await run.client.post(
        f"{INTAKE}/proposals/{entry.proposal_id}/submit", headers={**entry.headers, "Idempotency-Key": key}
    )
    return None if is_problem(response, 409) else checked(response)


async def submit_late(run: Run, drafted: list[Drafted]) -> None:
    """After the deadline: each late submission must be refused with 409 problem+json."""
    late = [entry for entry in drafted if entry.consortium.behaviour is Behaviour.LATE]
    with run.progress.phase("late submissions", len(late)):
        for entry in late:
            if await submit(run, entry, version=1) is not None:
                raise DemoError(f"{entry.consortium.acronym} was accepted after the deadline")
            run.tally.late_refused += 1
            run.progress.step()


async def draft_full_proposals(run: Run, pre_proposal_ids: dict[str, str]) -> list[Drafted]:
    """Stage 2: each invited consortium starts its full proposal from its pre-proposal (`pre_proposal_ids` by
    acronym; proposal_intake pre-fills it and binds it), completes it on the full form, pre-checks it and
    attaches the documents."""
    with run.progress.phase("full proposals drafted", len(run.consortia)):
        drafted = await run.each(run.consortia, lambda c: _start_full_proposal(run, c, pre_proposal_ids[c.acronym]))
    for entry in drafted:
        run.proposal_ids[entry.consortium.acronym] = entry.proposal_id
    run.tally.drafted = len(drafted)
    return drafted


async def _start_full_proposal(run: Run, consortium: Consortium, pre_proposal_id: str) -> Drafted:
    headers = run.tokens(f"consortium:{consortium.applicant}")
    started = await run.client.post(f"{INTAKE}/proposals/{pre_proposal_id}/full-proposal", headers=headers)
    if is_problem(started, 409) and "proposal_id" in started.json():  # started by an earlier attempt
        proposal_id = str(started.json()["proposal_id"])
    else:
        proposal_id = str(checked(started)["id"])
    drafted = Drafted(consortium, proposal_id, headers)
    await replace_draft(run, drafted, consortium.draft)
    await complete_draft(run, drafted)
    return drafted
