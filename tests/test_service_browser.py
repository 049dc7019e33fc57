"""The web page in a real browser: Debian's headless chromium driven by Playwright against a
real server (its ``explain`` stubbed when the model has none yet). Type a text → label,
probability bars and highlighted words (and the note when they do not add up); upload a CSV →
download the scored CSV; screenshots under the test's tmp path (a desktop and a phone-sized
window)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from service_support import ROOT, free_port, running_server

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Debian's chromium is not installed at /usr/bin/chromium (apt-get install chromium)",
)


def not_adding_up(route: Any) -> None:
    """Answer ``/v1/explain`` with the server's explanations marked as not adding up."""
    body = route.fetch().json()
    for explanation in body["explanations"]:
        explanation["adds_up"] = False
    route.fulfill(json=body)


def test_page_scores_explains_and_scores_a_file(tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    port = free_port()
    server = [str(ROOT / "tests" / "service_stub_server.py"), str(port)]
    upload = tmp_path / "reviews.csv"
    with upload.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text"])
        writer.writerows(
            [
                [1, "An unforgettable, moving film."],
                [2, "A dull, predictable mess, with a comma"],
                [3, '=HYPERLINK("x") <script>alert(1)</script> boring'],
            ]
        )

    with (
        running_server(server, port, tmp_path / "server.log") as (base, _),
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900}, accept_downloads=True)
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(base + "/")
            expect(page.locator("#model-description")).to_contain_text("default")

            text = "A wonderful, moving film <b>with</b> superb acting."
            page.get_by_label("Text", exact=True).fill(text)
            page.get_by_role("button", name="Score", exact=True).click()
            expect(page.locator("#label")).to_have_text("positive", timeout=30_000)
            expect(page.locator("#bars .track")).to_have_count(2)
            highlighted = page.locator("#highlighted .tok")
            expect(highlighted.first).to_be_visible(timeout=30_000)
            assert page.locator("#highlighted").inner_text() == text  # escaped, not parsed
            assert page.locator("#highlighted b").count() == 0
            title = highlighted.filter(has_text="wonderful").get_attribute("title")
            assert title and title.startswith("wonderful: +")
            expect(page.locator("#gap-note")).to_be_hidden()  # a short text adds up
            page.screenshot(path=str(tmp_path / "page.png"), full_page=True)

            page.get_by_role("button", name="Model card").click()
            expect(page.locator("#card-text")).to_contain_text("lstm-sentiment model")
            expect(page.locator("#card-meta")).to_contain_text("checksum sha256:")
            page.screenshot(path=str(tmp_path / "page_card.png"))
            page.keyboard.press("Escape")

            page.get_by_label("File", exact=True).set_input_files(str(upload))
            expect(page.locator("#file-status")).to_contain_text("3 texts read")
            page.get_by_role("button", name="Score file").click()
            download_button = page.get_by_role("button", name="Download results (CSV)")
            expect(download_button).to_be_enabled(timeout=30_000)
            with page.expect_download() as info:
                download_button.click()
            saved = tmp_path / "predictions.csv"
            info.value.save_as(saved)
            page.screenshot(path=str(tmp_path / "page_file.png"), full_page=True)

            phone = browser.new_page(viewport={"width": 375, "height": 740})
            phone.route("**/v1/explain", not_adding_up)  # as a long review's may not
            phone.goto(base + "/")
            phone.get_by_label("Text", exact=True).fill("Boring and far too long.")
            phone.get_by_label("Text", exact=True).press("Control+Enter")
            expect(phone.locator("#label")).to_have_text("negative", timeout=30_000)
            expect(phone.locator("#highlighted .tok").first).to_be_visible(timeout=30_000)
            expect(phone.locator("#gap-note")).to_contain_text("do not add up")
            width = phone.evaluate("document.documentElement.scrollWidth")
            assert width <= 375, f"the page scrolls sideways on a phone ({width}px)"
            phone.screenshot(path=str(tmp_path / "page_phone.png"), full_page=True)
            assert errors == []
        finally:
            browser.close()

    rows = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8"))))
    assert [r["label"] for r in rows[:2]] == ["positive", "negative"]
    assert rows[1]["text"] == "A dull, predictable mess, with a comma"
    assert rows[2]["text"].startswith("'=HYPERLINK")  # a spreadsheet will not run it
    assert set(rows[0]) == {"text", "label", "p_negative", "p_positive", "note"}
    assert abs(float(rows[0]["p_negative"]) + float(rows[0]["p_positive"]) - 1) < 1e-5
    print(f"screenshots: {tmp_path / 'page.png'}, {tmp_path / 'page_phone.png'}")
