"""axe-core, the accessibility checker (bundled by axe-playwright-python), run in a page that
Playwright shows: what a screen-reader or low-vision user would stumble on.

Minimal, for the public pages and the portal (tests/test_portal_a11y.py); the staff pages'
lane may grow it."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

SERIOUS = ("serious", "critical")


def violations(page, impacts: tuple[str, ...] = SERIOUS) -> list[str]:
    """The page's axe violations of these impacts, one line each: rule, impact, the elements
    (CSS selectors) and axe's summary of what is wrong with the first."""
    found = Axe().run(page).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): "
        + ", ".join(str(n["target"]) for n in v["nodes"][:5])
        + f" — {v['nodes'][0].get('failureSummary', '')[:200]}"
        for v in found
        if v["impact"] in impacts
    ]
