"""The demo generator at any size: the committed demo stays as it was, and a firm of tens of
thousands of clients never runs out of names (benchmarks/make_firm.py makes such firms)."""

from __future__ import annotations

import re

from baodan.core import layout
from baodan.demo import generator as demo
from baodan.demo.documents import demo_documents
from baodan.demo.tables import INDUSTRIES
from baodan.store import identity as who
from baodan.store import vault
from baodan.store.documents import read_content

from .conftest import REPO


def test_the_committed_demo_is_exactly_what_the_generator_makes():
    """Scaling the generator must not change the demo firm (its seed and size)."""
    identities = who.parse_identities((REPO / layout.DEMO_IDENTITY_FILE).read_text(), "demo")
    demo_vault = vault.open_vault(REPO, who.IdentitySource(identities, "demo"))
    made = demo.render(demo.DEMO, lectures=demo.existing_lectures(REPO))
    documents = demo_documents(made)
    committed = {
        path.relative_to(REPO).as_posix()
        for path in (REPO / "records/clients").rglob("*")
        if path.is_file()
    }
    assert committed == {rel for rel in [*made, *documents] if rel.startswith("records/clients/")}
    for rel, text in made.items():
        data = (REPO / rel).read_bytes()
        plain = demo_vault.decrypt(data) if rel.endswith(".age") else data
        assert plain.decode("utf-8") == text, rel
    for rel, plain in documents.items():
        assert read_content(demo_vault, REPO / rel) == plain, rel


def test_names_never_run_out_for_20000_companies_and_40000_people():
    g = demo._Generator(demo.FirmSize(clients=0), seed=2026, today=demo.DEMO_TODAY)
    companies = [
        g.company_name(g.city()[0], g.rng.choice(g.rng.choice(INDUSTRIES)[1]))
        for _ in range(20_000)
    ]
    people = [g.person_name(g.rng.choice("男女"), g.birth(1950, 2004)) for _ in range(40_000)]
    assert len(set(companies)) == len(companies) and len(set(people)) == len(people)
    assert all(
        re.fullmatch(r"\w+有限公司(第[一二三四五六七八九十\d]+分公司)?", n) for n in companies
    )
    assert any(n.endswith("第二十分公司") for n in companies)  # branches past the brands
    assert all(len(n) in (2, 3) for n in people)
