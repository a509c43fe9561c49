"""What the secretariat's pages compute from the APIs' answers, without I/O: the evaluators' CSV read into the
API's bodies, the assignment's load per evaluator, the what-if compared with the current funding, and the bar
chart of budget use drawn as SVG (presentation attributes only: the policy allows no inline style)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from .i18n import N_

CSV_COLUMNS = (
    "name",
    "email",
    "organisation",
    "organisation_legal_id",
    "country",
    "region_code",
    "expertise",
    "max_load",
)
REQUIRED_COLUMNS = ("name", "email", "organisation", "country", "max_load")


@dataclass(frozen=True)
class RowProblem:
    """One problem of the CSV: its line in the file (1 is the header), the column at fault ("" for the row)."""

    line: int
    column: str
    message: str


@dataclass
class ParsedCsv:
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (line, EvaluatorIn body)
    problems: list[RowProblem] = field(default_factory=list)


def parse_evaluators_csv(text: str) -> ParsedCsv:
    """The evaluators of a CSV file, one per row, as the API's registration bodies. Columns by header name
    (`CSV_COLUMNS`; `expertise` separated by `;`); what the portal can tell without the API (a missing column, a
    load that is not a whole number) is a problem at its line and column. The API checks everything else."""
    parsed = ParsedCsv()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        for column in missing:
            parsed.problems.append(RowProblem(1, column, N_("The header has no column of this name.")))
        return parsed
    for row in reader:
        line = reader.line_num
        values = {str(k).strip(): (v or "").strip() for k, v in row.items() if k is not None}
        if not any(values.values()):
            continue
        body: dict[str, Any] = {key: values.get(key, "") for key in ("name", "email", "organisation", "country")}
        for optional in ("organisation_legal_id", "region_code"):
            if values.get(optional):
                body[optional] = values[optional]
        body["expertise"] = [item.strip() for item in values.get("expertise", "").split(";") if item.strip()]
        load = values.get("max_load", "")
        if not load.isdigit():
            parsed.problems.append(RowProblem(line, "max_load", N_("Give the maximum load as a whole number.")))
            continue
        body["max_load"] = int(load)
        parsed.rows.append((line, body))
    if not parsed.rows and not parsed.problems:
        parsed.problems.append(RowProblem(1, "", N_("The file lists no evaluator.")))
    return parsed


@dataclass(frozen=True)
class Load:
    evaluator_id: str
    name: str
    country: str
    assigned: int
    max_load: int


def loads(evaluators: list[dict[str, Any]], assigned: list[dict[str, Any]]) -> list[Load]:
    """How many proposals each evaluator has against their maximum, most loaded first."""
    counts: dict[str, int] = {}
    for item in assigned:
        for evaluator_id in item.get("evaluator_ids") or []:
            counts[evaluator_id] = counts.get(evaluator_id, 0) + 1
    rows = [
        Load(e["id"], e["name"], e["country"], counts.get(e["id"], 0), int(e.get("max_load") or 0)) for e in evaluators
    ]
    return sorted(rows, key=lambda row: (-row.assigned, row.name))


def countries_of(evaluator_ids: list[str], evaluators: list[dict[str, Any]]) -> list[str]:
    country = {e["id"]: e["country"] for e in evaluators}
    return sorted({country.get(evaluator_id, "?") for evaluator_id in evaluator_ids})


@dataclass(frozen=True)
class Change:
    proposal_id: str
    acronym: str
    rank: int
    now: str
    what_if: str


def changes(current: list[dict[str, Any]], what_if: list[dict[str, Any]]) -> list[Change]:
    """The proposals whose status the what-if changes, in rank order."""
    before = {d["proposal_id"]: d["status"] for d in current}
    return [
        Change(d["proposal_id"], d["acronym"], d["rank"], before.get(d["proposal_id"], ""), d["status"])
        for d in what_if
        if before.get(d["proposal_id"]) != d["status"]
    ]


def top_ups_of(form: dict[str, Any], region_codes: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """The top-up per region typed in the what-if form (`top_up_<code>`), and the fields that are not amounts."""
    top_ups: dict[str, str] = {}
    errors: dict[str, str] = {}
    for code in region_codes:
        raw = str(form.get(f"top_up_{code}") or "").strip().replace(" ", "").replace("\u00a0", "")
        if not raw:
            continue
        try:
            amount = Decimal(raw.replace(",", "")) if raw.count(",") and "." in raw else Decimal(raw.replace(",", "."))
        except InvalidOperation:
            errors[f"top_up_{code}"] = N_("Give the top-up as an amount, such as 50000 or 50000.00.")
            continue
        if amount < 0:
            errors[f"top_up_{code}"] = N_("A top-up cannot be negative.")
            continue
        if amount:
            top_ups[code] = str(amount)
    return top_ups, errors


@dataclass(frozen=True)
class Bar:
    label: str
    y: int
    budget_width: int
    used_width: int
    text: str
    css: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    label_width: int
    bars: list[Bar]


def budget_chart(series: list[tuple[str, str, list[dict[str, Any]]]], key: str, money: Any) -> Chart:
    """Bars of budget use per region: for each (label, css class, regions) series, per region, the budget as the
    bar's outline and what is allocated as its fill. `key` is "" for the region's currency, "_reporting" for the
    reporting currency. In their own currencies bars are scaled per region (its largest budget across the series
    is full width), so regions of different currencies compare by share; in the reporting currency all share one
    scale. `money` formats a Money dict."""
    label_width, full, row = 180, 360, 22
    bars: list[Bar] = []
    codes: list[str] = []
    for _, _, regions in series:
        for region in regions:
            if region["region_code"] not in codes:
                codes.append(region["region_code"])
    y = 4
    overall = max(
        (Decimal(str(region[f"budget{key}"]["amount"])) for _, _, regions in series for region in regions),
        default=Decimal(0),
    )
    for code in codes:
        widest = Decimal(0)
        for _, _, regions in series:
            for region in regions:
                if region["region_code"] == code:
                    widest = max(widest, Decimal(str(region[f"budget{key}"]["amount"])))
        if key:  # one currency for all: one scale, so regions compare by amount
            widest = overall
        for name, css, regions in series:
            found = [r for r in regions if r["region_code"] == code]
            if not found:
                continue
            region = found[0]
            budget = Decimal(str(region[f"budget{key}"]["amount"]))
            used = Decimal(str(region[f"allocated{key}"]["amount"]))
            budget_width = int(full * budget / widest) if widest else 0
            used_width = int(full * min(used, budget) / widest) if widest else 0
            text = f"{money(region[f'allocated{key}'])} / {money(region[f'budget{key}'])}"
            bars.append(Bar(f"{code} {name}".strip(), y, budget_width, used_width, text, css))
            y += row
        y += 8
    return Chart(label_width + full + 260, y + 4, label_width, bars)
