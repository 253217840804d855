"""A static HTML dashboard of one scan: open the file in a browser, no server and no script needed."""

from __future__ import annotations

import html
from collections.abc import Mapping

from secreview import cwe
from secreview.store.reports import ScanSummary

_STYLE = """
body{font-family:system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:.3em .6em;text-align:right}
th{background:#f3f3f3}td.name,th.name{text-align:left}tr.failed td{background:#fde8e8}
.bars{display:grid;grid-template-columns:max-content 1fr max-content;gap:.2em .6em;align-items:center;max-width:60em}
.bar{background:#4a78b5;height:1em}h2{margin-top:1.6em}
"""


def render(scan: ScanSummary) -> str:
    reviewed = [r for r in scan.repositories if r.status == "reviewed"]
    shown = sum(r.shown for r in reviewed)
    parts = [
        "<!doctype html>", "<html lang='en'><head><meta charset='utf-8'>",
        f"<title>secreview scan {scan.scan_id}</title><style>{_STYLE}</style></head><body>",
        f"<h1>secreview scan {scan.scan_id}</h1>",
        f"<p>{_e(scan.status)} &middot; executor {_e(scan.executor)} &middot; started {_e(scan.started_at)}"
        f"{' &middot; finished ' + _e(scan.finished_at) if scan.finished_at else ''}</p>",
        f"<p>{len(scan.repositories)} repositories ({scan.failed} failed), "
        f"{sum(r.files for r in reviewed)} files, {sum(r.lines for r in reviewed)} lines, "
        f"<strong>{shown}</strong> findings shown.</p>",
        "<h2>By severity</h2>", _bars(scan.by_severity),
        "<h2>By CWE-1000 pillar</h2>", _bars({f"CWE-{k} {cwe.PILLARS.get(k, '')}": v for k, v in scan.by_pillar.items()}),
        "<h2>Top CWEs</h2>", _bars({f"CWE-{k} {cwe.lookup(k).name}": v for k, v in list(scan.by_cwe.items())[:15]}),
        "<h2>Repositories</h2>", _repositories(scan),
        "<h2>Rules</h2>", _bars(dict(list(scan.by_rule.items())[:25])),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _repositories(scan: ScanSummary) -> str:
    rows = ["<table><tr><th class='name'>repository</th><th class='name'>commit</th><th>files</th><th>lines</th>"
            "<th>shown</th><th>new</th><th>fixed</th><th>hidden</th><th class='name'>by severity</th>"
            "<th>seconds</th></tr>"]
    for r in scan.repositories:
        if r.status != "reviewed":
            rows.append(f"<tr class='failed'><td class='name'>{_e(r.name)}</td>"
                        f"<td class='name' colspan='9'>failed: {_e(r.error or '')}</td></tr>")
            continue
        severities = ", ".join(f"{_e(k)} {v}" for k, v in r.by_severity.items()) or "&ndash;"
        rows.append(f"<tr><td class='name'>{_e(r.name)}</td><td class='name'>{_e((r.commit or 'working tree')[:12])}"
                    f"</td><td>{r.files}</td><td>{r.lines}</td><td>{r.shown}</td><td>{_dash(r.new)}</td>"
                    f"<td>{_dash(r.fixed)}</td><td>{r.hidden}</td><td class='name'>{severities}</td>"
                    f"<td>{r.seconds:.1f}</td></tr>")
    rows.append("</table>")
    return "\n".join(rows)


def _bars(counts: Mapping[str, int]) -> str:
    if not counts:
        return "<p>none</p>"
    top = max(counts.values()) or 1
    cells = [f"<span>{_e(str(label))}</span><div><div class='bar' style='width:{100 * value / top:.1f}%'></div></div>"
             f"<span>{value}</span>" for label, value in counts.items()]
    return "<div class='bars'>" + "".join(cells) + "</div>"


def _dash(value: int | None) -> str:
    return "&ndash;" if value is None else str(value)


def _e(text: str) -> str:
    return html.escape(text, quote=True)
