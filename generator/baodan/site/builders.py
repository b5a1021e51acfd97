"""Which page builders make each build. A builder is a function SiteContext -> list[GeneratedPage]."""

from __future__ import annotations

from .public_pages import firm_pages, knowledge_base
from .staff_pages import staff_assets, staff_clients, staff_policies, staff_today

# The public build: deployable, so only public content or ciphertext.
PUBLIC_BUILDERS = [firm_pages, knowledge_base]

# The staff build adds these to the public pages; it is never deployed.
# Today's queues open the staff section ("员工工作台"); other staff sections follow with nav
# paths under it, e.g. ("员工工作台", "理赔").
STAFF_BUILDERS: list = [staff_assets, staff_today, staff_clients, staff_policies]
