"""`jointcall s3 import|matrix|topics`: load regions' S3 priorities into a running s3_strategy, show the synergy
matrix as a table and list the candidate joint topics, from the API or straight from a file (`--file`)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .examples import ALPINE_PRIORITIES

if TYPE_CHECKING:  # imported where used: `jointcall --help` and `jointcall token` do not load them
    import httpx

    from .domain.model import RegionPriorities
    from .domain.synergy import SynergyMatrix
    from .domain.topics import Topic

DEFAULT_URL = "http://127.0.0.1:8000/s3-strategy"


def add_commands(commands: Any, command: Callable[..., argparse.ArgumentParser]) -> None:
    """The `s3` command and its verbs; `command(subparsers, name, summary, description)` makes each parser."""
    s3 = command(
        commands,
        "s3",
        "S3 synergies: import regions' priorities, show the synergy matrix, list candidate joint topics",
        "Against a running s3_strategy (--url), or straight from a file (--file) with no server.",
    )
    verbs = s3.add_subparsers(required=True, metavar="ACTION")

    def common(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--url", default=DEFAULT_URL, help=f"base URL of s3_strategy (default {DEFAULT_URL})")
        parser.add_argument("--token", default=None, help="an agency token (default: issued with JOINTCALL_JWT_SECRET)")

    imp = command(verbs, "import", "import a JSON or CSV file of regions' priorities (all or nothing)")
    imp.add_argument(
        "file", type=Path, nargs="?", default=ALPINE_PRIORITIES, help="the file (default: the Alpine example)"
    )
    common(imp)
    imp.set_defaults(run=_import)

    for name, run, what in (
        ("matrix", _matrix, "print the synergy matrix of the regions as a table"),
        ("topics", _topics, "list the candidate joint topics, best first"),
    ):
        verb = command(verbs, name, what)
        verb.add_argument(
            "--file",
            type=Path,
            default=None,
            help="compute from this JSON/CSV file, no server needed (default: ask the server at --url)",
        )
        verb.add_argument("--svg", type=Path, default=None, help="also write the chart (SVG) here (default: no chart)")
        if name == "topics":
            verb.add_argument("-k", type=int, default=2, help="list topics shared by at least k regions")
            verb.add_argument("--limit", type=int, default=15, help="topics to list, best first")
            verb.add_argument(
                "--rate",
                action="append",
                default=None,
                metavar="CUR:RATE",
                help="exchange rate to EUR, repeatable (default CHF:1.05)",
            )
        common(verb)
        verb.set_defaults(run=run)


def _token(args: argparse.Namespace) -> str:
    if args.token:
        return str(args.token)
    from shared.tokens import issue_token, token_settings_from_environment

    secret, algorithm = token_settings_from_environment()
    return issue_token(secret, "agency", algorithm=algorithm)


def _client(args: argparse.Namespace) -> httpx.Client:
    import httpx

    return httpx.Client(base_url=args.url, headers={"Authorization": f"Bearer {_token(args)}"}, timeout=60)


def _local(path: Path) -> list[RegionPriorities]:
    from .domain.importing import parse_document

    content_type = "text/csv" if path.suffix.lower() == ".csv" else "application/json"
    regions, errors = parse_document(path.read_bytes(), content_type)
    if errors:
        raise SystemExit(
            "\n".join(
                [f"{path}: {len(errors)} error{'' if len(errors) == 1 else 's'}"]
                + [f"  {e.field}: {e.message}" for e in errors]
            )
        )
    return regions


def _import(args: argparse.Namespace) -> None:
    path: Path = args.file
    content_type = "text/csv" if path.suffix.lower() == ".csv" else "application/json"
    with _client(args) as client:
        response = client.post("/imports", content=path.read_bytes(), headers={"content-type": content_type})
    body = response.json()
    if response.status_code != 201:
        lines = [f"jointcall s3 import: {response.status_code} {body.get('detail', '')}"]
        lines += [f"  {e['field']}: {e['message']}" for e in body.get("errors", [])]
        raise SystemExit("\n".join(lines))
    print(f"imported {body['priorities']} priorities of {len(body['regions'])} regions: {', '.join(body['regions'])}")


def _matrix(args: argparse.Namespace) -> None:
    from .domain.charts import heatmap_svg
    from .domain.synergy import SynergyMatrix, synergy_matrix

    if args.file:
        matrix = synergy_matrix(_local(args.file))
    else:
        with _client(args) as client:
            data = _ok(client.get("/analysis/matrix"))
        matrix = SynergyMatrix(
            tuple(data["regions"]),
            tuple(data["names"]),
            tuple(tuple(r) for r in data["combined"]),
            tuple(tuple(r) for r in data["coded"]),
            tuple(tuple(r) for r in data["text"]),
        )
    print(matrix_table(matrix))
    if args.svg:
        args.svg.write_text(heatmap_svg(matrix), encoding="utf-8")
        print(f"written to {args.svg}", file=sys.stderr)


def _topics(args: argparse.Namespace) -> None:
    from .domain.charts import topics_svg
    from .domain.synergy import synergy_matrix
    from .domain.topics import candidate_topics

    rates = {"CHF": Decimal("1.05")}
    for text in args.rate or []:
        currency, _, value = text.partition(":")
        rates[currency] = Decimal(value)
    if args.file:
        regions = _local(args.file)
        topics = candidate_topics(regions, synergy_matrix(regions), k=args.k, rates=rates)[: args.limit]
        print(topics_table(topics))
        if args.svg:
            args.svg.write_text(topics_svg(topics), encoding="utf-8")
        return
    params: dict[str, Any] = {"k": args.k, "limit": args.limit, "rate": [f"{c}:{r}" for c, r in rates.items()]}
    with _client(args) as client:
        data = _ok(client.get("/analysis/topics", params=params))
        if args.svg:
            args.svg.write_text(client.get("/analysis/topics.svg", params=params).text, encoding="utf-8")
    print(topics_rows(data["topics"]))


def _ok(response: httpx.Response) -> Any:
    if response.status_code != 200:
        raise SystemExit(f"jointcall s3: {response.status_code} {response.text}")
    return response.json()


def matrix_table(matrix: SynergyMatrix) -> str:
    """Rows and columns by region code, values to 2 decimals."""
    width = max([6, *(len(code) for code in matrix.regions)])
    lines = [" " * width + "".join(f"{code:>{width + 1}}" for code in matrix.regions)]
    for code, row in zip(matrix.regions, matrix.combined, strict=True):
        lines.append(f"{code:<{width}}" + "".join(f"{value:>{width + 1}.2f}" for value in row))
    return "\n".join(lines)


def topics_table(topics: list[Topic]) -> str:
    return topics_rows(
        [
            {
                "id": t.id,
                "label": t.label,
                "region_count": t.region_count,
                "similarity": t.similarity,
                "total_budget": str(t.total_budget),
                "reporting_currency": t.reporting_currency,
                "regions": [{"code": r.code} for r in t.regions],
            }
            for t in topics
        ]
    )


def topics_rows(topics: list[dict[str, Any]]) -> str:
    lines = [f"{'rank':>4}  {'topic':<34} {'regions':>7} {'similarity':>10} {'budget':>14}  label / regions"]
    for rank, t in enumerate(topics, start=1):
        budget = f"{Decimal(t['total_budget']):,.0f} {t['reporting_currency']}"
        regions = ", ".join(r["code"] for r in t["regions"])
        lines.append(
            f"{rank:>4}  {t['id']:<34} {t['region_count']:>7} {t['similarity']:>10.3f} {budget:>14}  "
            f"{t['label']} ({regions})"
        )
    return "\n".join(lines)


def dump(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)
