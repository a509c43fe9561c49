"""The bare baseline of bench/deadline_surge.py: the least a submission endpoint can do.

One endpoint validates the proposal with the same pydantic model as proposal_intake
(shared.proposals.ProposalDraft) and inserts it plus one outbox row with asyncpg, in one
transaction. No auth, no ORM, no rules, no receipt hash: what any service has to pay at least.

Started by the bench as a separate process, like proposal_intake's API:

    SURGE_BASELINE_DSN=postgresql://postgres@127.0.0.1:5432/<db> \\
        python -m uvicorn surge_baseline_app:app --app-dir bench --workers 2 --port 8100

The tables are created by the bench (see BASELINE_SCHEMA).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import asyncpg
from fastapi import FastAPI, Request, status

from shared.proposals import ProposalDraft

BASELINE_SCHEMA = """
CREATE TABLE submissions (
    id uuid PRIMARY KEY,
    applicant_id text NOT NULL,
    content json NOT NULL,
    submitted_at timestamptz NOT NULL
);
CREATE TABLE outbox (
    id bigserial PRIMARY KEY,
    event_id uuid NOT NULL UNIQUE,
    event_type text NOT NULL,
    envelope text NOT NULL,
    created_at timestamptz NOT NULL,
    published_at timestamptz
);
"""

# The same pool size as proposal_intake's engine (shared/db.py: pool_size 10 + max_overflow 10).
POOL_MIN, POOL_MAX = 10, 20


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    app.state.pool = await asyncpg.create_pool(os.environ["SURGE_BASELINE_DSN"], min_size=POOL_MIN, max_size=POOL_MAX)
    try:
        yield
    finally:
        await app.state.pool.close()


app = FastAPI(title="deadline surge baseline", lifespan=lifespan)


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/submissions", status_code=status.HTTP_201_CREATED)
async def submit(body: ProposalDraft, request: Request) -> dict[str, Any]:
    submission_id = uuid.uuid4()
    event_id = uuid.uuid4()
    now = datetime.now(UTC)
    content = body.model_dump_json()
    envelope = (
        json.dumps(
            {
                "id": str(event_id),
                "type": "proposal.submitted.v1",
                "time": now.isoformat(),
                "subject": str(submission_id),
            }
        )[:-1]
        + f',"data":{content}}}'
    )
    pool: asyncpg.Pool = request.app.state.pool
    async with pool.acquire() as connection, connection.transaction():
        await connection.execute(
            "INSERT INTO submissions (id, applicant_id, content, submitted_at) VALUES ($1, $2, $3::json, $4)",
            submission_id,
            request.headers.get("x-applicant", "anonymous"),
            content,
            now,
        )
        await connection.execute(
            "INSERT INTO outbox (event_id, event_type, envelope, created_at) VALUES ($1, $2, $3, $4)",
            event_id,
            "proposal.submitted.v1",
            envelope,
            now,
        )
    return {"id": str(submission_id), "received_at": now.isoformat()}
