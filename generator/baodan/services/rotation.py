"""New links for a client whose old ones leaked: `baodan portal rotate`, `baodan feed rotate`.

A client's portal shows the address of their calendar feed. So the two are renewed together:
whoever holds an old portal link read the old feed address off it, and would read a new one
off the same portal. A client who has both gets both renewed by either command; a client's
first portal or first feed token (nothing leaked yet) leaves the other as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from baodan.core.today import today
from baodan.services.changes import update_record
from baodan.services.feeds import feed_addresses
from baodan.services.portal import PortalAccess, access_for
from baodan.store.portal_crypto import new_access_code, new_portal_id
from baodan.store.workspace import Workspace, current_client, new_token
from baodan.web.feeds import SubscribeLinks

SERVICES = {"portal": "专属页面", "feed": "日历订阅"}


@dataclass
class Rotation:
    client_id: str
    name: str
    renewed: str  # what the command was for: "portal" or "feed"
    first: bool  # the client had no portal (feed token) before
    portal: PortalAccess | None  # the new link and code; None: the portal did not change
    feed: SubscribeLinks | None  # the new addresses; None: the feed did not change


def rotate_portal(ws: Workspace, target: str) -> Rotation:
    """A new portal id and access code (or a first), and a new feed token when the client
    has one: see the module docstring."""
    return _rotate(ws, target, "portal")


def rotate_feed(ws: Workspace, target: str) -> Rotation:
    """A new feed token (or a first), and a new portal id and code when the client has a
    portal: see the module docstring."""
    return _rotate(ws, target, "feed")


def _rotate(ws: Workspace, target: str, renewed: str) -> Rotation:
    """Edit the encrypted client record in place (comments, key order and layout stay), once
    for both changes; every new link is made first, so a missing site_url changes nothing."""
    path, client = current_client(
        ws, target, SERVICES[renewed], f"baodan {renewed} rotate", today()
    )
    both = client.portal is not None and client.feed is not None
    access = links = None
    if renewed == "portal" or both:
        # 128 random bits: no need to compare with other clients (baodan check would catch it).
        portal_id, code = new_portal_id(), new_access_code()
        access = access_for(ws, client, portal_id, code)
    if renewed == "feed" or both:
        token = new_token(16)
        links = feed_addresses(ws, token)

    def change(data) -> None:
        if access is not None:
            if data.get("portal"):
                data["portal"]["id"] = portal_id
                data["portal"]["key"] = code
            else:  # a first portal goes before the feed token, where the template has it
                keys = list(data)
                at = keys.index("feed") if "feed" in keys else len(keys)
                data.insert(at, "portal", {"id": portal_id, "key": code})
        if links is not None:
            if data.get("feed"):
                data["feed"]["token"] = token
            else:  # a first token goes beside the portal keys, where the template has it
                keys = list(data)
                at = keys.index("portal") + 1 if "portal" in keys else len(keys)
                data.insert(at, "feed", {"token": token})

    update_record(ws, path, change)
    first = (client.portal if renewed == "portal" else client.feed) is None
    return Rotation(client.id, client.name, renewed, first, access, links)
