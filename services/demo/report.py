"""The demo's consolidated results as people read them (pure): a text summary with the ranking list and the
budget use per region, results.json, ranking.csv, regions.csv and a bar chart of budget use per region (SVG)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from decimal import Decimal
from xml.sax.saxutils import escape

from .results import MoneyTotals, Monitoring, RankingLine, RegionLine, Results, ShortlistSummary, TwoStage

FILES = ("results.json", "ranking.csv", "regions.csv", "budget-use.svg")


def render_files(results: Results) -> dict[str, str]:
    """The four files by name, as text."""
    return {
        "results.json": results_json(results),
        "ranking.csv": ranking_csv(results),
        "regions.csv": regions_csv(results),
        "budget-use.svg": budget_svg(results),
    }


def results_json(results: Results) -> str:
    return json.dumps(results, indent=2, ensure_ascii=False) + "\n"


# --- text -----------------------------------------------------------------------------------------------------


def text_report(results: Results, *, top: int = 20) -> str:
    summary = _summary(results)
    two_stage = results.get("two_stage")
    if two_stage is not None:  # the call, stage 1 and the shortlist per region; then stage 2 as a one-stage call
        header, stage_two = summary[:3], summary[3:]
        summary = [*header, *_stage_one(results, two_stage), "", "Stage 2: the full proposals", *stage_two]
    parts = [*summary, "", *_ranking_table(results, top), "", *_regions_table(results)]
    if two_stage is not None:
        parts += ["", *_stages_table(results, two_stage)]
    if results["monitoring"] is not None:
        parts += ["", *_monitoring(results["monitoring"])]
    return "\n".join(parts) + "\n"


def _stage_one(results: Results, two_stage: TwoStage) -> list[str]:
    """Stage 1 of a two-stage call in words, then the oversubscription per region at the shortlist."""
    one = two_stage["stage_one"]
    sub, elig, ev, short = one["submissions"], one["eligibility"], one["evaluation"], one["shortlist"]
    reasons = ", ".join(f"{rule.split('.')[-1]} {count}" for rule, count in elig["reasons"].items()) or "none"
    overrides = "".join(f", {code} {factor}" for code, factor in short["region_factors"].items())
    return [
        "Stage 1: the pre-proposals (indicative budgets, no documents)",
        f"submissions  {sub['drafted']} drafted, {sub['fixed_after_precheck']} fixed after the pre-check, "
        f"{sub['submitted']} submitted ({sub['resubmitted']} corrected and resubmitted); {sub['retried']} retried "
        f"with the same Idempotency-Key: {sub['identical_receipts']} identical receipts; {sub['late_refused']} "
        "late: refused with 409",
        f"eligibility  {elig['eligible']} eligible, {elig['not_eligible']} not eligible by the stage-1 rules "
        f"({reasons})",
        f"evaluation   {ev['evaluators']} experts, {ev['assessments']} assessments on {' and '.join(ev['criteria'])}; "
        f"{ev['passed']} passed the stage-1 thresholds, {ev['not_passed']} did not; the regions gave "
        f"{ev['fit_answers']} go / no-go answers, {ev['no_go']} no-go",
        f"shortlist    factor {short['factor']}{overrides}: {short['invited']} invited, {short['cap_reached']} left "
        f"out only by a region's cap, {short['no_go']} by a region's no-go, {short['below_threshold']} below the "
        f"thresholds, {short['ineligible']} ineligible (what-if at factor {short['what_if_factor']}: "
        f"{short['what_if_invited']} invited); regions confirmed, invitations published",
        "",
        *_oversubscription_table(results, short),
    ]


def _oversubscription_table(results: Results, short: ShortlistSummary) -> list[str]:
    names = {region["code"]: region["name"] for region in results["regions"]}
    header = [
        "region",
        "name",
        "cur",
        "budget",
        "requested by invited",
        "factor reached",
        "cap",
        "invited",
        "left out by its cap",
    ]
    rows = [
        [
            r["code"],
            names.get(r["code"], r["code"]),
            r["currency"],
            _money(r["budget"]),
            _money(r["requested"]),
            f"{r['factor_reached']}x" if r["factor_reached"] is not None else "-",
            f"{_money(r['cap'])} ({r['factor']}x)",
            str(r["invited"]),
            str(r["cap_reached"]),
        ]
        for r in short["regions"]
    ]
    title = (
        "Oversubscription per region at the shortlist (cap: factor x budget; requested: the invited pre-proposals' "
        "indicative funding; left out: pre-proposals its cap kept out, each counted under every region whose cap "
        "it would pass)"
    )
    return [title, *_table(header, rows, right={3, 4, 5, 6, 7, 8})]


def _stages_table(results: Results, two_stage: TwoStage) -> list[str]:
    names = {region["code"]: region["name"] for region in results["regions"]}
    header = ["region", "name", "pre-proposals", "invited", "full proposals", "funded"]
    figures = two_stage["stages"]
    codes = [region["code"] for region in results["regions"] if region["code"] in figures]
    rows = [
        [code, names.get(code, ""), *(str(figures[code][key]) for key in STAGE_KEYS)]  # type: ignore[literal-required]
        for code in [*codes, "total"]
    ]
    rows[-1][1] = ""
    title = "Both stages per region (a proposal counts in every region with partners in it; total: each once)"
    return [title, *_table(header, rows, right={2, 3, 4, 5})]


STAGE_KEYS = ("pre_proposals", "invited", "full_proposals", "funded")


def _summary(results: Results) -> list[str]:
    call, sub, elig = results["call"], results["submissions"], results["eligibility"]
    ev, fund = results["evaluation"], results["funding"]
    reasons = ", ".join(f"{rule.split('.')[-1]} {count}" for rule, count in elig["reasons"].items())
    rates = ", ".join(
        f"1 {code} = {rate} {call['reporting_currency']}" for code, rate in call["reporting_rates"].items()
    )
    confirmed = "every region funding partners" if fund["confirmed_by"] else "no region"
    return [
        f"{call['title']} ({call['code']})",
        f"{call['regions']} regions, {' and '.join(call['currencies'])} ({rates}); {call['consortia']} consortia, "
        f"seed {call['seed']}",
        "",
        f"submissions  {sub['drafted']} drafted, {sub['fixed_after_precheck']} fixed after the pre-check, "
        f"{sub['submitted']} submitted ({sub['with_regional_warnings']} despite a regional warning, "
        f"{sub['resubmitted']} corrected and resubmitted)",
        f"             {sub['retried']} retried with the same Idempotency-Key: {sub['identical_receipts']} identical "
        f"receipts; {sub['late_refused']} late: refused with 409",
        f"documents    {sub['documents_attached']} attached (narratives and partners' letters); "
        f"{sub['refused_over_page_limit']} narrative refused over the page limit, then sent within it; "
        f"{ev['documents_read']} read by the evaluators who scored them",
        f"eligibility  {elig['eligible']} eligible, {elig['not_eligible']} not eligible ({reasons}); "
        f"{elig['manual_checks']} manual checks closed, {elig['manual_checks_failed']} failed",
        f"evaluation   {ev['evaluators']} experts, {ev['conflicts_declared']} conflicts declared, "
        f"{ev['assessments']} assessments; {ev['passed']} passed the thresholds, {ev['not_passed']} did not",
        f"funding      {fund['funded']} funded, {fund['reserve']} on the reserve list, {fund['declined']} declined; "
        f"confirmed by {confirmed} ({len(fund['confirmed_by'])}); "
        f"results {'published' if fund['published'] else 'not published'}",
    ]


def _ranking_table(results: Results, top: int) -> list[str]:
    criteria = list(results["ranking"][0]["scores"]) if results["ranking"] else []
    ranked = [line for line in results["ranking"] if line["rank"] is not None]
    shown = ranked[:top]
    header = ["rank", "acronym", "status", *criteria, "weighted", "grants"]
    rows = [
        [
            str(line["rank"]),
            line["acronym"],
            line["status"],
            *(line["scores"].get(c, "") for c in criteria),
            line["weighted_total"] or "",
            _grants(line, results),
        ]
        for line in shown
    ]
    rest = len(ranked) - len(shown)
    others = len(results["ranking"]) - len(ranked)
    more = [f"{rest} more ranked"] if rest else []
    more += [f"{others} below the thresholds or ineligible"] if others else []
    footer = [f"... {' and '.join(more)}: see ranking.csv"] if more else []
    title = f"Ranking list ({len(ranked)} passed the thresholds, best first)"
    return [title, *_table(header, rows, right={0, *range(3, 4 + len(criteria))}), *footer]


def _grants(line: RankingLine, results: Results) -> str:
    currency = {region["code"]: region["currency"] for region in results["regions"]}
    return ", ".join(f"{code} {_money(amount)} {currency.get(code, '')}" for code, amount in line["grants"].items())


def _regions_table(results: Results) -> list[str]:
    reporting = results["totals"]["reporting_currency"]
    header = [
        "region",
        "name",
        "cur",
        "budget",
        "allocated",
        "remaining",
        "funding gap",
        "use",
        "funded",
        f"gap {reporting}",
    ]
    rows = [
        [
            r["code"],
            r["name"],
            r["currency"],
            _money(r["budget"]),
            _money(r["allocated"]),
            _money(r["remaining"]),
            _money(r["funding_gap"]),
            f"{r['use_percent']}%",
            str(r["funded_proposals"]),
            _money(r["funding_gap_reporting"]),
        ]
        for r in results["regions"]
    ]
    totals = results["totals"]
    rows += [_total_row(f"total {code}", code, sums) for code, sums in totals["by_currency"].items()]
    rows.append(_total_row(f"total in {reporting}", reporting, totals["reporting"]))
    title = "Budget use per region (funding gap: what the region must add to fund the whole reserve list)"
    return [title, *_table(header, rows, right={3, 4, 5, 6, 7, 8, 9})]


def _total_row(label: str, currency: str, sums: MoneyTotals) -> list[str]:
    use = _percent(sums["allocated"], sums["budget"])
    money = [_money(sums["budget"]), _money(sums["allocated"]), _money(sums["remaining"]), _money(sums["funding_gap"])]
    return [label, "", currency, *money, use, "", ""]


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], *, right: set[int]) -> list[str]:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        padded = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))]
        return "  ".join(padded).rstrip()

    return [line(header), *(line(row) for row in rows)]


def _money(amount: str) -> str:
    return f"{Decimal(amount):,.0f}"


def _percent(part: str, whole: str) -> str:
    return f"{Decimal(part) * 100 / Decimal(whole):.1f}%" if Decimal(whole) else "-"


def _monitoring(m: Monitoring) -> list[str]:
    """After the results: the decline and the reserve, then per region the projects it funds, their reports,
    payments held and indicator totals."""
    projects = ", ".join(f"{count} {status}" for status, count in m["projects"].items())
    lines = ["After the results: grant agreements and joint reporting", f"projects     {projects}"]
    if m["decline"]:
        d = m["decline"]
        lines.append(
            f"declined     {d['region']} declined its grant to {d['acronym']} ({d['partners']} partner(s), "
            f"{_money(d['released'])} {d['currency']} back to {d['region']})"
        )
    for r in m["reserve"]:
        funded = ", ".join(r["funded"]) or "nothing fundable"
        confirmed = f", confirmed by {', '.join(r['confirmed_by'])} and funded by the agency" if r["funded"] else ""
        lines.append(f"reserve      offer {r['offer_round']}: {funded}{confirmed}")
    ttc = m["time_to_contract_days"]
    lines.append(f"contracting  {ttc if ttc is not None else '-'} days from offer to signature on average")
    if m["clock_moved"]:
        reports = ", ".join(f"{count} {status}" for status, count in m["reports"].items())
        late = "; late: " + ", ".join(m["late"]) if m["late"] else ""
        held = f"; payments held by {', '.join(m['payments_held'])}" if m["payments_held"] else ""
        lines.append(f"reporting    {m['reporting_periods_passed']} periods passed: reports {reports}{late}{held}")
    else:
        lines.append("reporting    on the real clock: reported ahead of the periods' end, nothing late")
    indicators = [i["key"] for i in m["indicators"]]
    header = [
        "region",
        "cur",
        "projects",
        "started",
        "days to sign",
        "accepted",
        "overdue",
        "held",
        "committed",
        "reported costs",
        *indicators,
    ]
    rows = [
        [
            r["code"],
            r["currency"],
            str(r["projects"]),
            str(r["started"]),
            r["time_to_contract_days"] or "-",
            str(r["reports_accepted"]),
            str(r["reports_overdue"]),
            str(r["payments_held"]),
            _money(r["committed"]),
            _money(r["reported_costs"]),
            *(_number(r["indicators"].get(key, "0")) for key in indicators),
        ]
        for r in m["regions"]
    ]
    rows.append(
        ["call", "", "", "", "", "", "", "", "", "", *(_against(i["total"], i["target"]) for i in m["indicators"])]
    )
    units = ", ".join(f"{i['key']} in {i['unit']}" for i in m["indicators"])
    title = f"Monitoring per region (indicators over accepted reports, the call's total against its target; {units})"
    return [*lines, "", title, *_table(header, rows, right=set(range(2, len(header))))]


def _against(total: str, target: str | None) -> str:
    return f"{_number(total)} / {_number(target)}" if target is not None else _number(total)


def _number(value: str) -> str:
    return f"{Decimal(value):,f}".rstrip("0").rstrip(".") if "." in value else f"{Decimal(value):,}"


# --- CSV ------------------------------------------------------------------------------------------------------


def ranking_csv(results: Results) -> str:
    criteria = list(results["ranking"][0]["scores"]) if results["ranking"] else []
    regions = [(r["code"], r["currency"]) for r in results["regions"]]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["rank", "acronym", "status", *criteria, "weighted_total", *(f"{c} ({cur})" for c, cur in regions), "reasons"]
    )
    for line in results["ranking"]:
        writer.writerow(
            [
                line["rank"] if line["rank"] is not None else "",
                line["acronym"],
                line["status"],
                *(line["scores"].get(c, "") for c in criteria),
                line["weighted_total"] or "",
                *(line["grants"].get(code, "") for code, _ in regions),
                "; ".join(line["reasons"]),
            ]
        )
    return out.getvalue()


REGION_COLUMNS = (
    "code",
    "name",
    "currency",
    "budget",
    "allocated",
    "remaining",
    "funding_gap",
    "funded_proposals",
    "budget_reporting",
    "allocated_reporting",
    "funding_gap_reporting",
    "use_percent",
)


def regions_csv(results: Results) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(REGION_COLUMNS)
    for region in results["regions"]:
        writer.writerow([region[column] for column in REGION_COLUMNS])  # type: ignore[literal-required]
    return out.getvalue()


# --- SVG ------------------------------------------------------------------------------------------------------

ROW, BAR, CHART, TOP = 32, 18, 420, 76
COLOURS = {"budget": "#e2e8f0", "allocated": "#2b6cb0", "text": "#1a202c", "muted": "#4a5568", "grid": "#a0aec0"}


def budget_svg(results: Results) -> str:
    """Per region, the share of its budget the funding decisions allocate, with the amounts and the funding gap."""
    regions = results["regions"]
    labels = [_region_label(region) for region in regions]
    notes = [_region_note(region) for region in regions]
    left = 16 + _text_width(max(labels, key=len, default="")) + 10  # the labels end 10 px before the bars
    width = left + CHART + 10 + _text_width(max(notes, key=len, default="")) + 16
    height = TOP + ROW * len(regions) + 24
    title = f"{results['call']['code']}: budget use per region"
    subtitle = (
        "allocated share of each region's budget, in its currency; funding gap: what it must add for the reserve list"
    )
    width = max(width, 16 + _text_width(subtitle) + 16)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        'font-family="Helvetica, Arial, sans-serif" font-size="13">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="16" y="28" font-size="17" font-weight="bold" fill="{COLOURS["text"]}">{escape(title)}</text>',
        f'<text x="16" y="48" fill="{COLOURS["muted"]}">{escape(subtitle)}</text>',
        *_axis(left, TOP - 8, TOP + ROW * len(regions) - 8),
    ]
    for index, region in enumerate(regions):
        parts += _region_bar(region, left, TOP + index * ROW, labels[index], notes[index])
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _text_width(text: str) -> int:
    """Room for `text` at 13 px: a generous average (Helvetica's digits are 7.2 px) so nothing is cut off."""
    return round(len(text) * 7.5)


def _axis(left: int, top: int, bottom: int) -> list[str]:
    parts = []
    for percent in (0, 25, 50, 75, 100):
        x = left + CHART * percent // 100
        parts.append(
            f'<line x1="{x}" y1="{top}" x2="{x}" y2="{bottom}" stroke="{COLOURS["grid"]}" stroke-width="0.5"/>'
        )
        parts.append(f'<text x="{x}" y="{top - 4}" text-anchor="middle" fill="{COLOURS["muted"]}">{percent}%</text>')
    return parts


def _region_label(region: RegionLine) -> str:
    return f"{region['code']} {region['name']}"


def _region_note(region: RegionLine) -> str:
    currency = region["currency"]
    note = f"{_money(region['allocated'])} of {_money(region['budget'])} {currency} ({region['use_percent']}%)"
    if Decimal(region["funding_gap"]):
        note += f", gap {_money(region['funding_gap'])} {currency}"
    return note


def _region_bar(region: RegionLine, left: int, y: int, label: str, note: str) -> list[str]:
    share = min(Decimal(region["use_percent"]), Decimal(100))
    used = f"{share * CHART / 100:.1f}"
    return [
        f'<text x="{left - 10}" y="{y + 14}" text-anchor="end" fill="{COLOURS["text"]}">{escape(label)}</text>',
        f'<rect x="{left}" y="{y}" width="{CHART}" height="{BAR}" fill="{COLOURS["budget"]}"/>',
        f'<rect x="{left}" y="{y}" width="{used}" height="{BAR}" fill="{COLOURS["allocated"]}"/>',
        f'<text x="{left + CHART + 10}" y="{y + 14}" fill="{COLOURS["muted"]}">{escape(note)}</text>',
    ]
