"""The Art. 9 page (EU Platform Work Directive 2024/2831): one city's rules as its partners read
them, every figure taken from the city's policy (docs/rules.md R1-R9, R12, PWD-11).

Plain HTML with its style inline, nothing loaded from anywhere, no network: it opens from a file or
an e-mail attachment (a small inline script only marks the page as laid out, for the browser
test). Every text goes through the ``transparency`` catalog; every number is the policy's own (no
rounding: a threshold is shown as the policy states it), in the language's format.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from pathlib import Path

from mila_standing.domain.policy import CityPolicy
from mila_standing.usecases.messages.catalog import TRANSPARENCY, Words
from mila_standing.usecases.messages.people import Figure, People, exact

LOCALES = Path(__file__).parent / "locales"
STYLE = """
body{font:16px/1.55 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;color:#212529;background:#f8f9fa}
main{max-width:860px;margin:0 auto;padding:28px 24px 48px;background:#fff;min-height:100vh}
h1{font-size:27px;line-height:1.25;margin:0 0 6px}
h2{font-size:20px;margin:30px 0 8px;border-bottom:1px solid #dee2e6;padding-bottom:4px}
.lede{color:#495057;margin:0 0 8px}.meta{color:#6c757d;font-size:13.5px;margin:0 0 18px}
table{border-collapse:collapse;width:100%;font-size:15px;margin:8px 0}
th,td{border:1px solid #dee2e6;padding:6px 9px;text-align:left;vertical-align:top}th{background:#f1f3f5}
td.n{font-variant-numeric:tabular-nums;font-weight:600}
.box{background:#e7f5ff;border-left:4px solid #1c7ed6;padding:10px 14px;margin:12px 0}
ul{padding-left:22px}li{margin:3px 0}code{font-size:14px}
"""


# Marks the page once laid out (for a headless browser's check): data-ready, or data-errors naming
# what overflows the page's width (a table too wide for a phone is unreadable). Inline, optional:
# the page reads the same without it.
CHECK = """
window.addEventListener('load',function(){var m=document.querySelector('main'),bad=[];
document.querySelectorAll('table,p,ul,h1,h2').forEach(function(e,i){if(e.scrollWidth>m.clientWidth+1){bad.push(e.tagName+i);}});
var r=document.documentElement;if(bad.length){r.setAttribute('data-errors',bad.join(' '));}
r.setAttribute('data-ready','1');r.setAttribute('data-sections',String(document.querySelectorAll('h2').length));});
"""


class Page:
    def __init__(self, policy: CityPolicy, city: str, lang: str):
        self.policy, self.lang = policy, lang
        self.w = Words(lang, domain=TRANSPARENCY, locales=LOCALES)
        self.notice_words = Words(lang)
        self.p = People(lang)
        self.city = "-".join(part.capitalize() for part in city.split("-"))
        self.parts: list[str] = []

    # --- building blocks ---------------------------------------------------------------------------
    def number(self, value: Figure) -> str:
        """A policy figure exactly as the policy states it, in the language's format."""
        return self.p.number(exact(value))

    def percent(self, rate: Figure) -> str:
        return self.p.exact_percent(exact(rate))

    def h2(self, text: str) -> None:
        self.parts.append(f"<h2>{html.escape(text)}</h2>")

    def para(self, *sentences: str | None, css: str = "") -> None:
        body = " ".join(html.escape(s) for s in sentences if s)
        self.parts.append(f'<p class="{css}">{body}</p>' if css else f"<p>{body}</p>")

    def items(self, entries: list[str]) -> None:
        self.parts.append("<ul>" + "".join(f"<li>{html.escape(e)}</li>" for e in entries) + "</ul>")

    def table(self, head: list[str], rows: list[list[str]], numeric: int | None = None) -> None:
        cells = "".join(f"<th>{html.escape(h)}</th>" for h in head)
        body = "".join(
            "<tr>"
            + "".join(
                f'<td class="n">{html.escape(c)}</td>' if i == numeric else f"<td>{html.escape(c)}</td>"
                for i, c in enumerate(row)
            )
            + "</tr>"
            for row in rows
        )
        self.parts.append(f"<table><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>")

    @property
    def human_review(self) -> bool:
        return self.policy.decision_mode == "human_review"

    # --- the page --------------------------------------------------------------------------------------
    def html(self, sections: Sequence[Callable[[Page], None]]) -> str:
        w = self.w
        title = w._("How Mila decides about partners in %(city)s", city=self.city)
        self.parts.append(f"<h1>{html.escape(title)}</h1>")
        self.para(
            w._(
                "Mila uses an automated system to keep partners' standing fair. This page explains, before it is "
                "used, which data it uses, which decisions it takes or proposes, which a person at Mila takes, and "
                "every threshold that applies in %(city)s.",
                city=self.city,
            ),
            css="lede",
        )
        self.para(
            w._(
                "Information under Art. 9 of the EU Platform Work Directive (2024/2831). Rules of version "
                "%(version)s for %(city)s.",
                version=self.policy.version,
                city=self.city,
            ),
            css="meta",
        )
        for section in sections:
            section(self)
        return (
            f'<!DOCTYPE html>\n<html lang="{self.lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)}</title><style>{STYLE}</style></head>"
            f'<body><main data-city="{html.escape(self.city)}" data-version="{html.escape(self.policy.version)}">'
            + "\n".join(self.parts)
            + f"</main><script>{CHECK}</script></body></html>\n"
        )
