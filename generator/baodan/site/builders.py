"""Which page builders make each build. A builder is a function SiteContext -> list[GeneratedPage]."""

from __future__ import annotations

from ..feeds import client_feeds, lecture_feed, staff_feeds
from .privacy_pages import privacy_queue
from .public_pages import firm_pages, knowledge_base
from .report_pages import partners_page, report_pages, training_page
from .service_pages import care_pages, claims_page, incidents_page, tasks_page

# The public build: deployable, so only public content or ciphertext.
PUBLIC_BUILDERS = [firm_pages, knowledge_base, client_feeds, lecture_feed]

# The staff build adds these to the public pages; it is never deployed.
STAFF_BUILDERS: list = [
    staff_feeds,
    claims_page,
    care_pages,
    tasks_page,
    incidents_page,
    report_pages,
    training_page,
    partners_page,
    privacy_queue,
]
