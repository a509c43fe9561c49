"""Document upload: a 100 MB PDF streamed to proposal_intake, with the server's peak memory reported.

Run (a few seconds per store; PostgreSQL on localhost for the database store):

    .venv/bin/python bench/document_upload.py [--mb 100] [--store files|database|both]

proposal_intake runs in a process of its own (uvicorn, one worker) on a fresh data folder (the file store, on
SQLite) or a fresh PostgreSQL database (the database store: 1 MiB chunk rows written in the upload's
transaction). A published call whose narrative takes up to 200 MiB is put into its call copy, a consortium
drafts a proposal, then streams a generated PDF of --mb megabytes (one page, a large content stream) from a
generator, never holding it whole either. The server's peak resident memory (VmHWM of /proc/<pid>/status) is
read after a 1 MB warm-up upload and again after the large upload and its download: flat memory means the
peak barely moves however large the file. Exit status 1 if the peak grew by more than --max-growth-mb.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import socket
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

POSTGRES = os.environ.get("JOINTCALL_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PIECE = 256 * 1024


def pdf_pieces(total: int) -> Iterator[bytes]:
    """A one-page PDF of about `total` bytes, produced piece by piece (its content stream is padding)."""
    head = b"%PDF-1.4\n"
    objects = [
        b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n",
        b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n",
        b"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>\nendobj\n",
    ]
    length = max(total - 600, 0)
    stream_head = b"4 0 obj\n<< /Length %d >>\nstream\n" % length
    offsets, position = [], len(head)
    yield head
    for obj in objects:
        offsets.append(position)
        position += len(obj)
        yield obj
    offsets.append(position)
    yield stream_head
    line = b"% jointcall padding" + b" " * 44 + b"\n"  # 64 bytes
    piece = line * (PIECE // len(line))
    left = length
    while left > 0:
        chunk = piece[:left]
        left -= len(chunk)
        yield chunk
    tail_start = position + len(stream_head) + length
    yield b"\nendstream\nendobj\n"
    xref_at = tail_start + len(b"\nendstream\nendobj\n")
    xref = b"xref\n0 5\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % at for at in offsets)
    yield xref + b"trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref_at


async def streamed(total: int, digest: hashlib._Hash) -> AsyncIterator[bytes]:
    for piece in pdf_pieces(total):
        digest.update(piece)
        yield piece


# --- the server process ----------------------------------------------------------------------------------


def serve(data_dir: Path, port: int, database_url: str | None, store: str, call_id: str) -> None:
    import uvicorn

    from services.call_definition.examples import alpine_call, redated
    from services.proposal_intake.app import SERVICE
    from services.proposal_intake.settings import Settings
    from shared.calls import CallConfiguration
    from shared.clock import SystemClock
    from shared.events import CallPublished, make_envelope
    from shared.service import build_app, migrate, open_runtime
    from tests.helpers import call_snapshot

    extra = {"database_url": database_url} if database_url else {}
    settings = Settings(data_dir=data_dir, document_store=store, **extra)  # type: ignore[arg-type]
    migrate(SERVICE, settings.database_url)
    now = datetime.now(UTC)
    body = redated(alpine_call(documents=True), now - timedelta(hours=1))
    body["stages"][-1]["deadline"] = (now + timedelta(hours=2)).isoformat()
    for key, days in (("eligibility_check_due", 30), ("evaluation_due", 60), ("decisions_due", 90)):
        body[key] = (now + timedelta(days=days)).isoformat()
    body["documents"][0].update({"max_bytes": 200 * 1024 * 1024})
    config = CallConfiguration.model_validate(body)
    call = call_snapshot(config, call_id=uuid.UUID(call_id), revision=1)

    async def publish() -> None:
        runtime = open_runtime(SERVICE, settings)
        envelope = make_envelope(CallPublished(call=call), source="bench", subject=call_id, clock=SystemClock())
        for subscription in SERVICE.subscriptions(runtime):
            await subscription.handler(envelope)
        await runtime.engine.dispose()

    asyncio.run(publish())
    uvicorn.run(build_app(SERVICE, settings), host="127.0.0.1", port=port, log_level="warning")


# --- the client ------------------------------------------------------------------------------------------


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def measure(store: str, megabytes: int) -> dict[str, float]:
    from services.proposal_intake.settings import Settings
    from shared.http.auth import issue_token
    from tests.helpers import proposal_body

    database_url = None
    if store == "database":
        import asyncpg

        name = f"jc_bench_documents_{uuid.uuid4().hex[:8]}"
        admin = await asyncpg.connect(POSTGRES)
        await admin.execute(f'CREATE DATABASE "{name}"')
        await admin.close()
        database_url = POSTGRES.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + f"/{name}"
    port, call_id = free_port(), str(uuid.uuid4())
    with tempfile.TemporaryDirectory() as data_dir:
        command = [sys.executable, __file__, "--serve", data_dir, str(port), store, call_id]
        if database_url:
            command.append(database_url)
        server = await asyncio.create_subprocess_exec(*command, cwd=ROOT)
        try:
            token = issue_token(Settings().jwt_secret, "consortium:bench")
            headers = {"Authorization": f"Bearer {token}"}
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=300) as client:
                for _ in range(600):  # migrations first: slow on a busy machine
                    try:
                        if (await client.get("/healthz")).status_code == 200:
                            break
                    except httpx.TransportError:
                        await asyncio.sleep(0.2)
                created = await client.post(f"/calls/{call_id}/proposals", json=proposal_body(), headers=headers)
                created.raise_for_status()
                url = f"/proposals/{created.json()['id']}/documents/narrative"
                warm = await client.put(url, content=streamed(1024 * 1024, hashlib.sha256()), headers=headers)
                warm.raise_for_status()
                before = peak_rss_mb(server.pid)
                digest = hashlib.sha256()
                started = time.perf_counter()
                uploaded = await client.put(url, content=streamed(megabytes * 1024 * 1024, digest), headers=headers)
                upload_s = time.perf_counter() - started
                uploaded.raise_for_status()
                assert uploaded.json()["sha256"] == digest.hexdigest(), "the stored hash differs from the sent bytes"
                after_upload = peak_rss_mb(server.pid)
                received, started = hashlib.sha256(), time.perf_counter()
                async with client.stream("GET", f"{url}/content", headers=headers) as download:
                    async for piece in download.aiter_bytes():
                        received.update(piece)
                download_s = time.perf_counter() - started
                assert received.hexdigest() == digest.hexdigest(), "the download differs from the upload"
                after_download = peak_rss_mb(server.pid)
        finally:
            server.terminate()
            await asyncio.wait_for(server.wait(), timeout=10)
    if database_url:
        import asyncpg

        admin = await asyncpg.connect(POSTGRES)
        await admin.execute(f'DROP DATABASE IF EXISTS "{database_url.rsplit("/", 1)[1]}" WITH (FORCE)')
        await admin.close()
    size_mb = uploaded.json()["size"] / 1024 / 1024
    return {
        "size_mb": size_mb,
        "peak_rss_before_mb": before,
        "peak_rss_after_upload_mb": after_upload,
        "peak_rss_after_download_mb": after_download,
        "upload_s": upload_s,
        "upload_mb_s": size_mb / upload_s,
        "download_s": download_s,
    }


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        data_dir, port, store, call_id, *url = sys.argv[2:]
        serve(Path(data_dir), int(port), url[0] if url else None, store, call_id)
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=int, default=100)
    parser.add_argument("--store", choices=("files", "database", "both"), default="both")
    parser.add_argument("--max-growth-mb", type=float, default=30.0)
    args = parser.parse_args()
    failed = False
    for store in ("files", "database") if args.store == "both" else (args.store,):
        figures = asyncio.run(measure(store, args.mb))
        growth = figures["peak_rss_after_download_mb"] - figures["peak_rss_before_mb"]
        print(
            f"{store:8} {figures['size_mb']:.0f} MB: upload {figures['upload_s']:.1f} s "
            f"({figures['upload_mb_s']:.0f} MB/s), download {figures['download_s']:.1f} s; server peak RSS "
            f"{figures['peak_rss_before_mb']:.0f} MB after a 1 MB warm-up, "
            f"{figures['peak_rss_after_upload_mb']:.0f} MB after the upload, "
            f"{figures['peak_rss_after_download_mb']:.0f} MB after the download "
            f"(+{growth:.0f} MB)"
        )
        failed |= growth > args.max_growth_mb
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
