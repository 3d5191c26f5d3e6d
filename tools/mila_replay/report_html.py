"""The what-if report as one self-contained HTML page: tables and inline SVG charts, no network.

Drawn from ``report.json``'s figures only (the page never computes a figure of its own). A small
inline script checks, once the page is laid out, that every chart has drawn something; it marks
the page ``data-ready`` (or lists what failed in ``data-errors``) so a headless browser can tell.
"""

from __future__ import annotations

import html
import json
from typing import Any

from .whatif import COUNTS, statement_text

COLOURS = {"a": "#3b5bdb", "b": "#e8590c"}
LABELS = {
    "warnings": "warnings",
    "suspensions": "suspensions",
    "exclusions": "exclusions",
    "closures": "closures (fraud)",
    "pending_decisions": "pending decisions (human review)",
    "commission_cents": "commission",
    "restricted_at_end": "restricted at the end",
    "pending_at_end": "awaiting a decision at the end",
}
RESTRICTION_COUNTS = ("suspensions", "exclusions", "closures", "pending_decisions")

STYLE = """
body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;color:#212529;background:#f8f9fa}
main{max-width:1180px;margin:0 auto;padding:24px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:32px 0 8px;border-bottom:1px solid #dee2e6}
h3{font-size:16px;margin:16px 0 6px}
.lede{color:#495057;margin:0 0 16px}
.cards{display:flex;flex-wrap:wrap;gap:12px}
.card{background:#fff;border:1px solid #dee2e6;border-radius:8px;padding:12px 16px;min-width:160px}
.card b{display:block;font-size:22px}.card span{color:#6c757d;font-size:13px}
table{border-collapse:collapse;background:#fff;width:100%;font-size:14px;margin:6px 0}
th,td{border:1px solid #dee2e6;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f1f3f5}td.n{text-align:right;font-variant-numeric:tabular-nums}
.up{color:#c92a2a}.down{color:#2b8a3e}
.a{color:#3b5bdb;font-weight:600}.b{color:#e8590c;font-weight:600}
.why{color:#495057;font-size:12.5px}
.few{background:#fff3bf}
.charts{display:flex;flex-wrap:wrap;gap:16px}
figure{background:#fff;border:1px solid #dee2e6;border-radius:8px;margin:0;padding:8px}
figcaption{font-size:13px;color:#495057;margin-bottom:4px}
svg text{font:11px system-ui,sans-serif;fill:#495057}
.legend span{display:inline-block;width:12px;height:12px;margin:0 4px -2px 12px;border-radius:2px}
details{margin:6px 0}
"""

CHECK = """
(function(){
  var errors=[];
  window.addEventListener('error',function(e){errors.push(String(e.message));
    document.documentElement.setAttribute('data-errors',errors.join('; '));});
  window.addEventListener('load',function(){
    var charts=document.querySelectorAll('svg.chart');
    charts.forEach(function(svg){
      var box=svg.getBBox();var marks=svg.querySelectorAll('.mark').length;
      if(!(box.width>0&&box.height>0))errors.push('chart '+svg.id+' is empty');
      if(svg.dataset.expectMarks==='1'&&marks===0)errors.push('chart '+svg.id+' has no marks');
    });
    var tables=document.querySelectorAll('table').length;
    document.documentElement.setAttribute('data-charts',String(charts.length));
    document.documentElement.setAttribute('data-tables',String(tables));
    if(errors.length)document.documentElement.setAttribute('data-errors',errors.join('; '));
    else document.documentElement.setAttribute('data-ready','1');
  });
})();
"""


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def euros(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(int(cents)), 100)
    return f"{sign}€{whole:,}.{rest:02d}"


def _value(count: str, value: int) -> str:
    return euros(value) if count == "commission_cents" else f"{value:,}"


def _cell(count: str, a: int, b: int) -> str:
    change = b - a
    # More notices or restrictions under B show red, fewer green; commission is neither good nor bad.
    css = "" if count == "commission_cents" or change == 0 else ("up" if change > 0 else "down")
    return (
        f"<td class='n {css}' data-a='{a}' data-b='{b}'>{esc(_value(count, a))} → <b>{esc(_value(count, b))}</b></td>"
    )


# --- charts ----------------------------------------------------------------------------------------


def grouped_bars(chart_id: str, categories: list[str], series: dict[str, list[int]], caption: str) -> str:
    """One group per category, one bar per policy, the count on each bar."""
    width, bar, gap, top, left = 560, 22, 18, 16, 110
    height = top + len(categories) * (2 * bar + gap) + 24
    peak = max([1, *(v for values in series.values() for v in values)])
    scale = (width - left - 50) / peak
    parts = []
    for row, category in enumerate(categories):
        y0 = top + row * (2 * bar + gap)
        parts.append(f"<text x='{left - 8}' y='{y0 + bar + 4}' text-anchor='end'>{esc(category)}</text>")
        for n, (side, values) in enumerate(series.items()):
            y = y0 + n * bar
            w = max(values[row] * scale, 0.5)
            parts.append(
                f"<rect class='mark' x='{left}' y='{y}' width='{w:.1f}' height='{bar - 3}' "
                f"fill='{COLOURS[side]}'><title>{side.upper()}: {values[row]}</title></rect>"
            )
            parts.append(f"<text x='{left + w + 4:.1f}' y='{y + bar - 8}'>{side.upper()} {values[row]:,}</text>")
    parts.append(f"<line x1='{left}' x2='{left}' y1='{top - 4}' y2='{height - 20}' stroke='#868e96'/>")
    return _figure(chart_id, width, height, "".join(parts), caption, expect_marks=bool(categories))


def histogram(
    chart_id: str,
    bins: dict[str, int],
    lo: float,
    hi: float,
    width_of_bin: float,
    lines: list[tuple[float, str, str]],
    caption: str,
    percent: bool = False,
) -> str:
    """Partners per bin of a figure, with each policy's threshold as a vertical line."""
    width, height, left, bottom, top = 540, 210, 36, 30, 22
    plot_w, plot_h = width - left - 12, height - top - bottom
    peak = max([1, *bins.values()])

    def x(value: float) -> float:
        return left + (min(max(value, lo), hi) - lo) / (hi - lo) * plot_w

    parts = [f"<line x1='{left}' x2='{left + plot_w}' y1='{top + plot_h}' y2='{top + plot_h}' stroke='#868e96'/>"]
    for start, count in bins.items():
        x0, x1 = x(float(start)), x(float(start) + width_of_bin)
        h = count / peak * plot_h
        parts.append(
            f"<rect class='mark' x='{x0:.1f}' y='{top + plot_h - h:.1f}' width='{max(x1 - x0 - 1, 1):.1f}' "
            f"height='{h:.1f}' fill='#adb5bd'><title>{esc(start)}: {count} partners</title></rect>"
        )
    steps = 8
    for n in range(steps + 1):
        value = lo + (hi - lo) * n / steps
        label = f"{value:.1%}" if percent else f"{value:.2f}".rstrip("0").rstrip(".")
        parts.append(f"<text x='{x(value):.1f}' y='{height - 12}' text-anchor='middle'>{label}</text>")
    parts.append(f"<text x='{left - 4}' y='{top + 4}' text-anchor='end'>{peak}</text>")
    for n, (value, side, label) in enumerate(lines):
        xv = x(value)
        dash = "" if side == "a" else " stroke-dasharray='5 3'"
        parts.append(
            f"<line class='threshold' x1='{xv:.1f}' x2='{xv:.1f}' y1='{top - 4}' y2='{top + plot_h}' "
            f"stroke='{COLOURS[side]}' stroke-width='2'{dash}><title>{esc(label)}</title></line>"
        )
        parts.append(
            f"<text x='{xv + 3:.1f}' y='{top - 8 + 10 * (n % 2)}' style='fill:{COLOURS[side]}'>{esc(label)}</text>"
        )
    return _figure(chart_id, width, height, "".join(parts), caption, expect_marks=bool(bins))


def timeline_chart(chart_id: str, days: list[str], series: dict[str, list[int]], caption: str) -> str:
    """Notices per day: one line per policy."""
    width, height, left, bottom, top = 1100, 180, 36, 28, 12
    plot_w, plot_h = width - left - 12, height - top - bottom
    peak = max([1, *(v for values in series.values() for v in values)])
    span = max(len(days) - 1, 1)
    parts = [
        f"<line x1='{left}' x2='{left + plot_w}' y1='{top + plot_h}' y2='{top + plot_h}' stroke='#868e96'/>",
        f"<text x='{left - 4}' y='{top + 8}' text-anchor='end'>{peak}</text>",
    ]
    for side, values in series.items():
        points = " ".join(
            f"{left + n / span * plot_w:.1f},{top + plot_h - v / peak * plot_h:.1f}" for n, v in enumerate(values)
        )
        dash = "" if side == "a" else " stroke-dasharray='6 3'"
        if points:
            parts.append(
                f"<polyline class='mark' points='{points}' fill='none' stroke='{COLOURS[side]}' "
                f"stroke-width='2'{dash}/>"
            )
    every = max(1, len(days) // 10)
    for n in range(0, len(days), every):
        parts.append(
            f"<text x='{left + n / span * plot_w:.1f}' y='{height - 8}' text-anchor='middle'>{esc(days[n][5:])}</text>"
        )
    return _figure(chart_id, width, height, "".join(parts), caption, expect_marks=bool(days))


def _figure(chart_id: str, width: int, height: int, body: str, caption: str, expect_marks: bool) -> str:
    return (
        f"<figure><figcaption>{esc(caption)}</figcaption>"
        f"<svg class='chart' id='{esc(chart_id)}' data-expect-marks='{int(expect_marks)}' width='{width}' "
        f"height='{height}' viewBox='0 0 {width} {height}' role='img' aria-label='{esc(caption)}'>"
        f"{body}</svg></figure>"
    )


# --- page --------------------------------------------------------------------------------------------


def render(report: dict[str, Any]) -> str:
    policies = report["policies"]
    overall = report["overall"]
    cities = report["cities"]
    a_name, b_name = esc(policies["a"]["path"]), esc(policies["b"]["path"])
    out = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width,initial-scale=1'>",
        f"<title>What-if: {a_name} vs {b_name}</title><style>{STYLE}</style>",
        f"<script>{CHECK}</script></head><body><main>",
        "<h1>What if the policy changed?</h1>",
        f"<p class='lede'>The same history ({esc(report['history']['path'])}, "
        f"{report['history']['lines']:,} events) replayed through the real functions under "
        f"<span class='a'>A = {a_name}</span> (policy version {esc(policies['a']['version'])}) and "
        f"<span class='b'>B = {b_name}</span> (policy version {esc(policies['b']['version'])}). "
        f"{len(report['differences']):,} partners end differently or get different notices.</p>",
    ]
    out.append("<div class='cards'>")
    for count in ("warnings", "suspensions", "exclusions", "pending_decisions", "commission_cents"):
        a, b = overall["a"][count], overall["b"][count]
        out.append(
            f"<div class='card'><span>{esc(LABELS[count])}</span><b><span class='a'>{_value(count, a)}</span>"
            f" → <span class='b'>{_value(count, b)}</span></b></div>"
        )
    out.append(f"<div class='card'><span>partners who differ</span><b>{len(report['differences']):,}</b></div>")
    out.append(
        f"<div class='card'><span>restricted on few ratings or jobs (A → B)</span><b>"
        f"<span class='a'>{sum(1 for r in report['few_samples'] if r['policy'] == 'a')}</span> → "
        f"<span class='b'>{sum(1 for r in report['few_samples'] if r['policy'] == 'b')}</span></b></div>"
    )
    out.append("</div>")
    out.append(_counts_table(cities, overall))
    out.append(_charts(report))
    out.append(_differences(report["differences"]))
    out.append(_few(report["restrictions"]))
    out.append(_history(report))
    out.append(
        "<script type='application/json' id='figures'>"
        + json.dumps({k: report[k] for k in ("cities", "overall")}).replace("</", "<\\/")
        + "</script>"
    )
    out.append("</main></body></html>\n")
    return "".join(out)


def _counts_table(cities: dict[str, Any], overall: dict[str, Any]) -> str:
    rows = [
        "<h2>Per city</h2><p class='lede'>Each cell: <span class='a'>A</span> → <span class='b'>B</span>. "
        "Notices issued over the whole history; commission net of refunds (R10); the last two columns are "
        "the partners' standing at the end.</p><table id='counts'><tr><th>city</th>"
    ]
    rows += [f"<th>{esc(LABELS[count])}</th>" for count in COUNTS]
    rows.append("</tr>")
    for city, sides in [*cities.items(), ("all cities", overall)]:
        rows.append(f"<tr><td><b>{esc(city)}</b></td>")
        for count in COUNTS:
            a, b = sides["a"][count], sides["b"][count]
            rows.append(_cell(count, a, b))
        rows.append("</tr>")
    rows.append("</table>")
    return "".join(rows)


def _charts(report: dict[str, Any]) -> str:
    cities = report["cities"]
    names = list(cities)
    out = [
        "<h2>Charts</h2><p class='legend'>"
        f"<span style='background:{COLOURS['a']}'></span>A: {esc(report['policies']['a']['path'])}"
        f"<span style='background:{COLOURS['b']}'></span>B: {esc(report['policies']['b']['path'])} (dashed)</p>",
        "<div class='charts'>",
    ]
    series = {side: [sum(cities[c][side][k] for k in RESTRICTION_COUNTS) for c in names] for side in ("a", "b")}
    out.append(
        grouped_bars(
            "restrictions-per-city",
            names,
            series,
            "Restrictions per city (suspensions, exclusions, closures, pending decisions)",
        )
    )
    timeline = report["timeline"]
    out.append("</div><div class='charts'>")
    out.append(
        timeline_chart(
            "timeline-warnings",
            timeline["days"],
            {side: timeline[side]["warnings"] for side in ("a", "b")},
            "Warnings per day (notices timeline)",
        )
    )
    out.append(
        timeline_chart(
            "timeline-restrictions",
            timeline["days"],
            {side: timeline[side]["restrictions"] for side in ("a", "b")},
            "Restrictions and proposals per day (notices timeline)",
        )
    )
    out.append("</div>")
    for city, figures in report["distributions"].items():
        thresholds = figures["thresholds"]
        out.append(f"<h3>{esc(city)}</h3><div class='charts'>")
        lines = []
        for side in ("a", "b"):
            lines.append(
                (
                    thresholds[side]["rating_minimum"],
                    side,
                    f"{side.upper()} minimum {thresholds[side]['rating_minimum']:g}",
                )
            )
        # From 3 stars up unless someone is lower: the thresholds live there, and so do most partners.
        low = min([3.0, *(float(k) for k in figures["rating_averages"]), *(value - 0.2 for value, _, _ in lines)])
        out.append(
            histogram(
                f"ratings-{city}",
                figures["rating_averages"],
                max(1.0, low),
                5.0,
                figures["bin_width"]["rating_averages"],
                lines,
                f"{city}: rating averages (partners per 0.1 star) against each policy's minimum",
            )
        )
        lines = [
            (
                thresholds[side]["cancellation_maximum"],
                side,
                f"{side.upper()} maximum {thresholds[side]['cancellation_maximum']:.1%}",
            )
            for side in ("a", "b")
            if thresholds[side]["cancellation_maximum"] is not None
        ]
        rates = figures["cancellation_rates"]
        top = max(
            [
                0.2,
                *(float(k) + figures["bin_width"]["cancellation_rates"] for k in rates),
                *(value + 0.02 for value, _, _ in lines),
            ]
        )
        out.append(
            histogram(
                f"cancellations-{city}",
                rates,
                0.0,
                min(top, 1.0),
                figures["bin_width"]["cancellation_rates"],
                lines,
                f"{city}: cancellation rates (partners per 2 %) against each policy's city maximum",
                percent=True,
            )
        )
        out.append("</div>")
    return "".join(out)


def _standing(side: dict[str, Any]) -> str:
    status = side["status"] or "—"
    reason = f" ({side['reason']})" if side.get("reason") else ""
    pending = side.get("pending_decision")
    pending_text = f"<br>awaiting a decision: {esc(pending['action'])} ({esc(pending['reason'])})" if pending else ""
    sample = (
        f"<br><span class='why'>rating {side['rating_average']:.3g} over {side['rating_count']} ratings; "
        if side.get("rating_average") is not None
        else "<br><span class='why'>no ratings; "
    )
    sample += (
        f"cancellation rate {side['cancellation_rate']:.1%} over {side['resolved_jobs']} jobs</span>"
        if side.get("cancellation_rate") is not None
        else "no resolved jobs</span>"
    )
    notices = "".join(
        f"<li>{esc(n['at'][:10])} <b>{esc(n['type'])}</b><br><span class='why'>"
        f"{esc(statement_text(n.get('reasons')))}</span></li>"
        for n in side["notices"]
    )
    return f"<b>{esc(status)}{esc(reason)}</b>{pending_text}{sample}" + (
        f"<details><summary>{len(side['notices'])} notices</summary><ul>{notices}</ul></details>"
        if side["notices"]
        else "<br>no notices"
    )


def _differences(differences: list[dict[str, Any]]) -> str:
    out = [
        f"<h2>Partners who differ ({len(differences):,})</h2>",
        "<p class='lede'>Final standing or notices differ; each notice carries its statement of reasons (R12.1).</p>",
    ]
    if not differences:
        return "".join(out) + "<p>None: both policies treat every partner alike on this history.</p>"
    out.append(
        "<table id='differences'><tr><th>partner</th><th>city</th><th class='a'>under A</th>"
        "<th class='b'>under B</th></tr>"
    )
    for entry in differences:
        out.append(
            f"<tr><td>{esc(entry['partner_id'])}</td><td>{esc(entry['city'])}</td>"
            f"<td>{_standing(entry['a'])}</td><td>{_standing(entry['b'])}</td></tr>"
        )
    out.append("</table>")
    return "".join(out)


def _few(restrictions: list[dict[str, Any]]) -> str:
    out = [
        "<h2>Restrictions and their samples</h2>",
        "<p class='lede'>Every restriction or proposal, with the sample it rested on. Highlighted: fewer "
        "ratings or jobs than the policy's window (the sample it calls full).</p>",
    ]
    if not restrictions:
        return "".join(out) + "<p>No restrictions under either policy.</p>"
    out.append(
        "<table id='restrictions'><tr><th>policy</th><th>partner</th><th>city</th><th>notice</th>"
        "<th>rule</th><th>at</th><th>sample</th></tr>"
    )
    ordered = sorted(
        restrictions,
        key=lambda r: (not r["few"], r["sample"] if r["sample"] is not None else 10**9, r["partner_id"], r["policy"]),
    )
    for r in ordered:
        sample = f"{r['sample']} {r['unit']} of {r['window']}" if r["sample"] is not None else "— (no window)"
        out.append(
            f"<tr class='{'few' if r['few'] else ''}'><td class='{r['policy']}'>{r['policy'].upper()}</td>"
            f"<td>{esc(r['partner_id'])}</td><td>{esc(r['city'])}</td><td>{esc(r['type'])}</td>"
            f"<td>{esc(r['rule'])}</td><td>{esc(r['at'][:10])}</td><td class='n'>{esc(sample)}</td></tr>"
        )
    out.append("</table>")
    return "".join(out)


def _history(report: dict[str, Any]) -> str:
    history = report["history"]
    runs = report["runs"]
    out = ["<h2>The history and the runs</h2><ul>"]
    for side in ("a", "b"):
        run = runs[side]
        out.append(
            f"<li><span class='{side}'>{side.upper()}</span>: {run['stream_records']:,} stream records, "
            f"{run['invocations']:,} invocations, {run['seconds']:.1f} s on {esc(run['engine'])}</li>"
        )
    out.append(
        f"<li>both runs {'in parallel' if report['parallel'] else 'one after the other'}: "
        f"{report['seconds']:.1f} s</li></ul>"
    )
    imported = history.get("import")
    if imported:
        out.append(
            "<h3>What the export could not tell</h3><table id='gaps'><tr><th>not reconstructed</th><th>count</th></tr>"
        )
        for what, count in imported["not_reconstructed"].items():
            out.append(f"<tr><td>{esc(what)}</td><td class='n'>{count:,}</td></tr>")
        for what in imported["not_in_a_snapshot"]:
            out.append(f"<tr><td>{esc(what)}</td><td class='n'>not in a snapshot</td></tr>")
        bad = imported["bad_items"]
        out.append(f"<tr><td>bad items (skipped)</td><td class='n'>{bad['count']:,}</td></tr></table>")
        if bad["items"]:
            out.append(
                "<details><summary>bad items</summary><ul>"
                + "".join(
                    f"<li>{esc(b['where'])}: {esc(b['table'])}: {esc(b['reason'])}</li>" for b in bad["items"][:200]
                )
                + "</ul></details>"
            )
    return "".join(out)
