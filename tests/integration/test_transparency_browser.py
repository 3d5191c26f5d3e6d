"""The Art. 9 page (`mila-standing transparency`, CONTRACT §6) in a real headless browser, as a
partner opens it: it lays out without errors, nothing wider than the page, in its language, with
the city's thresholds; and a screenshot can be taken (docs/transparency.png is one)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from mila_admin.cli import main

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(BROWSER is None, reason="needs Debian's chromium (make setup installs it)")
@pytest.mark.parametrize(
    ("lang", "heading", "minimum"), [("de", "Ihre Bewertung", "4,3 Sterne"), ("en", "Your rating", "4.3 stars")]
)
def test_contract_6_the_leipzig_page_opens_in_a_headless_browser_and_shows_the_thresholds(
    tmp_path, lang, heading, minimum
):
    page = tmp_path / f"leipzig-{lang}.html"
    assert main(["transparency", "--city", "leipzig", "--lang", lang, "--out", str(page)]) == 0
    flags = [
        str(BROWSER),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-extensions",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--enable-logging=stderr",
        "--v=0",
    ]
    for width in (1000, 400):  # a desktop and a phone
        dom = subprocess.run(
            [*flags, f"--window-size={width},900", "--dump-dom", page.as_uri()],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert dom.returncode == 0, dom.stderr[-2000:]
        head = dom.stdout[:300]
        assert f'lang="{lang}"' in head and 'data-ready="1"' in head and "data-errors" not in head, head
        assert 'data-sections="9"' in head
        assert heading in dom.stdout and minimum in dom.stdout
        assert "Uncaught" not in dom.stderr
    shot = tmp_path / "page.png"
    subprocess.run(
        [*flags, "--hide-scrollbars", "--window-size=1000,1400", f"--screenshot={shot}", page.as_uri()],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000


def test_the_screenshot_in_the_docs_exists():
    shot = Path(__file__).resolve().parents[2] / "docs" / "transparency.png"
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
