"""Which page builders make each build. A builder is a function SiteContext -> list[GeneratedPage].

Most make MkDocs pages; those in web/offload.OFF_PAGE make files MkDocs only copies
(portals, feeds), built on other cores and written straight into the site folder.
"""

from __future__ import annotations

from baodan.web.feeds import client_feeds, lecture_feed, staff_feeds
from baodan.web.knowledge_base import knowledge_base
from baodan.web.portal_pages import client_portals, portal_assets
from baodan.web.privacy_pages import privacy_queue
from baodan.web.public_pages import firm_pages
from baodan.web.report_pages import partners_page, report_pages, training_page
from baodan.web.robots import robots_txt
from baodan.web.service_pages import care_pages, claims_page, incidents_page, tasks_page
from baodan.web.staff_pages import staff_assets, staff_clients, staff_policies, staff_today

# The public build: deployable, so only public content or ciphertext.
PUBLIC_BUILDERS = [
    firm_pages,
    knowledge_base,
    portal_assets,
    client_portals,
    client_feeds,
    lecture_feed,
    robots_txt,
]

# What the public build's pages and files are made from, besides client.yaml.age: it reads
# only these slots of a client's folder (interactions, two thirds of the records, are staff
# work). The staff build and `baodan check` read every record. A test builds the public site
# from all records and from these alone and compares every file.
PUBLIC_SLOTS = ("policies", "claims", "documents")

# What only clients and crawlers of the deployed site need; the staff build leaves it out.
PUBLIC_ONLY = {portal_assets, client_portals, client_feeds, robots_txt}

# The staff build adds these to the public pages; it is never deployed.
# Today's queues open the staff section ("员工工作台"); other staff sections follow with nav
# paths under it, e.g. ("员工工作台", "理赔").
STAFF_BUILDERS: list = [
    staff_assets,
    staff_today,
    staff_clients,
    staff_policies,
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


def builders_for(staff: bool) -> list:
    if not staff:
        return PUBLIC_BUILDERS
    return [b for b in PUBLIC_BUILDERS if b not in PUBLIC_ONLY] + STAFF_BUILDERS


def slots_for(staff: bool) -> tuple[str, ...] | None:
    """The client-folder slots a build reads (None: all)."""
    return None if staff else PUBLIC_SLOTS
