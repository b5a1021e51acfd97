"""Building feeds on the second core gives exactly the files a one-core build gives."""

from __future__ import annotations

from datetime import date

from baodan.records import load_firm
from baodan.web.builders import builders_for
from baodan.web.context import TEMPLATES, SiteContext, make_env
from baodan.web.parallel import run_builders


def test_parallel_and_serial_builds_give_the_same_files(firm):
    loaded, errors = load_firm(firm.root, firm.vault())
    assert not errors
    for staff in (False, True):
        ctx = SiteContext(loaded, date(2026, 11, 27), staff, make_env(TEMPLATES), options={})
        serial = run_builders(ctx, builders_for(staff), parallel=False)
        parallel = run_builders(ctx, builders_for(staff), parallel=True)
        assert [(p.uri, p.content) for p in parallel] == [(p.uri, p.content) for p in serial]
        assert any(p.uri.endswith(".ics") for p in serial)
