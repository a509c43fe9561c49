"""PostgreSQL and RabbitMQ for the integration tests.

In CI (CI=true) they must be reachable and the tests fail loudly otherwise; elsewhere the tests
skip with the reason. Every test gets fresh databases and its own exchange and queue prefix.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pika
import pytest

from services.registry import SERVICES
from shared.service import open_runtime
from tests.integration.processes import Processes

POSTGRES_URL = os.environ.get("JOINTCALL_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
RABBITMQ_URL = os.environ.get("JOINTCALL_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")


def _unavailable(what: str, error: BaseException) -> None:
    message = f"{what} is not reachable ({type(error).__name__}: {error})"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{message}: integration tests must run in CI", pytrace=False)
    pytest.skip(f"{message}; start it to run the integration tests")


@pytest.fixture(scope="session")
def infrastructure() -> None:
    try:
        asyncio.run(_ping_postgres())
    except Exception as exc:
        _unavailable(f"PostgreSQL at {POSTGRES_URL}", exc)
    try:
        pika.BlockingConnection(pika.URLParameters(RABBITMQ_URL)).close()
    except Exception as exc:
        _unavailable(f"RabbitMQ at {RABBITMQ_URL}", exc)


async def _ping_postgres() -> None:
    connection = await asyncpg.connect(POSTGRES_URL, timeout=5)
    await connection.close()


@dataclass
class Stack:
    """Per-test names: databases, exchange and queue prefix, and the environment that selects them."""

    suffix: str
    database_urls: dict[str, str]
    exchange: str
    queue_prefix: str

    @property
    def env(self) -> dict[str, str]:
        env = {
            "JOINTCALL_RABBITMQ_URL": RABBITMQ_URL,
            "JOINTCALL_EXCHANGE": self.exchange,
            "JOINTCALL_QUEUE_PREFIX": self.queue_prefix,
            "JOINTCALL_RETRY_DELAY_MS": "300",
            "JOINTCALL_RELAY_POLL_INTERVAL_S": "0.05",
        }
        env.update({f"JOINTCALL_{name.upper()}_DATABASE_URL": url for name, url in self.database_urls.items()})
        return env


@pytest.fixture
async def stack(infrastructure: None) -> AsyncIterator[Stack]:
    suffix = uuid.uuid4().hex[:10]
    names = {service: f"jc_test_{service}_{suffix}" for service in SERVICES}
    admin = await asyncpg.connect(POSTGRES_URL)
    for database in names.values():
        await admin.execute(f'CREATE DATABASE "{database}"')
    base = POSTGRES_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    created = Stack(
        suffix=suffix,
        database_urls={service: f"{base}/{database}" for service, database in names.items()},
        exchange=f"jointcall.test.{suffix}",
        queue_prefix=f"jctest.{suffix}",
    )
    try:
        yield created
    finally:
        for database in names.values():
            await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await admin.close()
        _delete_topology(created)


def _delete_topology(stack: Stack) -> None:
    connection = pika.BlockingConnection(pika.URLParameters(RABBITMQ_URL))
    channel = connection.channel()
    for definition in SERVICES.values():
        settings = definition.settings_class(database_url="sqlite+aiosqlite:///:memory:")
        for subscription in definition.subscriptions(open_runtime(definition, settings)):
            for suffix in ("", ".retry", ".dead"):
                channel.queue_delete(f"{stack.queue_prefix}.{subscription.queue}{suffix}")
    channel.exchange_delete(stack.exchange)
    connection.close()


@pytest.fixture
def queue_cleanup() -> Iterator[list[str]]:
    """Names of queues (with their .retry/.dead siblings) and exchanges a test declared itself."""
    names: list[str] = []
    yield names
    connection = pika.BlockingConnection(pika.URLParameters(RABBITMQ_URL))
    channel = connection.channel()
    for name in names:
        if name.startswith("exchange:"):
            channel.exchange_delete(name.removeprefix("exchange:"))
        else:
            for suffix in ("", ".retry", ".dead"):
                channel.queue_delete(f"{name}{suffix}")
    connection.close()


@pytest.fixture
def processes(stack: Stack, tmp_path: Path) -> Iterator[Processes]:
    """The stack's processes (none running yet), its databases migrated and its queues declared."""
    running = Processes(env=stack.env, log_dir=tmp_path)
    running.run("migrate", "all")
    try:
        yield running
    finally:
        running.stop_all()
