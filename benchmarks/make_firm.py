"""Write the benchmark firm: a deterministic synthetic firm of any size, encrypted.

    python benchmarks/make_firm.py [FOLDER] [--clients 2000] [--seed 2026] [--history 20000]

The records come from the demo generator (``baodan.demo.generator``) at ``baodan.demo.generator.BENCHMARK`` scale,
or scaled in proportion to ``--clients``. Client records are encrypted to a fresh record key
held by one member, the fixed benchmark identity written to ``BENCH-IDENTITY.txt`` (not a
secret: it only ever opens fictional data). ``bench.json`` in the folder says what was made.
With ``--history N`` the folder is also a git repository of N commits over five years
(``firm_history.py``); without it, no git repository (a build then dates itself by the records).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "generator"))

from baodan.demo import generator as demo  # noqa: E402 (after the sys.path line)
from baodan.store import identity as who  # noqa: E402
from baodan.store import members, vault  # noqa: E402
from firm_history import write_history  # noqa: E402
from pyrage import x25519  # noqa: E402

BENCH_IDENTITY = "AGE-SECRET-KEY-1UQ64NGPYMQK4UAWWV0LJNUM8J6EMLUX8SEN70A3T3KPQ0T2Z2H8S38ZSCL"
IDENTITY_FILE = "BENCH-IDENTITY.txt"
MANIFEST = "bench.json"
COPIED = ("mkdocs.yml", "records/public")


def firm_size(clients: int) -> demo.FirmSize:
    """The benchmark firm's mix (5 policies, 1 claim, 10 interactions a client) at any size;
    insurers and lectures (the public pages) stay as in demo.BENCHMARK."""
    base = demo.BENCHMARK
    return demo.FirmSize(
        clients=clients,
        policies=base.policies * clients // base.clients,
        claims=base.claims * clients // base.clients,
        interactions=base.interactions * clients // base.clients,
        insurers=base.insurers,
        lectures=base.lectures,
    )


@dataclass
class BenchFirm:
    root: str
    identity_file: str
    seed: int
    size: dict
    records: int  # encrypted record files
    portals: int  # clients with a portal
    history: int = 0  # git commits (0: not a git repository)


def make_firm(
    folder: Path, clients: int = demo.BENCHMARK.clients, seed: int = 2026, history: int = 0
) -> BenchFirm:
    """Generate the firm into ``folder`` (which must be empty or absent); ``history``: commits
    of git history to write (0: none)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if any(folder.iterdir()):
        raise SystemExit(f"{folder} is not empty")
    identity = x25519.Identity.from_str(BENCH_IDENTITY)
    members.init_keys(folder, "bench", str(identity.to_public()))
    firm_vault = vault.open_vault(folder, who.IdentitySource([identity], "bench"))
    size = firm_size(clients)
    files = demo.generate(folder, size, firm_vault, seed=seed)
    for rel in COPIED:
        source, target = REPO / rel, folder / rel
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True)
        else:
            shutil.copy(source, target)
    identity_file = folder / IDENTITY_FILE
    identity_file.write_text(f"# baodan benchmark identity: fictional data only\n{identity}\n")
    if history:
        history = write_history(folder, files, firm_vault, history, demo.DEMO_TODAY, seed=seed)
    made = BenchFirm(
        root=str(folder),
        identity_file=str(identity_file),
        seed=seed,
        size=asdict(size),
        records=sum(rel.endswith(".age") for rel in files),
        portals=sum(
            rel.endswith("/client.yaml.age") and "\nportal:" in text for rel, text in files.items()
        ),
        history=history,
    )
    (folder / MANIFEST).write_text(json.dumps(asdict(made), indent=2) + "\n")
    return made


def read_manifest(folder: Path) -> BenchFirm:
    return BenchFirm(**json.loads((Path(folder) / MANIFEST).read_text()))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", nargs="?", type=Path, help="where to write (default: a temp dir)")
    parser.add_argument("--clients", type=int, default=demo.BENCHMARK.clients)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--history", type=int, default=0, help="also write N commits of git history (5 years)"
    )
    args = parser.parse_args(argv)
    folder = args.folder or Path(tempfile.mkdtemp(prefix="baodan-bench-"))
    made = make_firm(folder, args.clients, args.seed, args.history)
    print(
        f"{made.root}: {made.size['clients']} clients, {made.records} encrypted records, "
        f"{made.portals} portals, {made.history} commits; identity {made.identity_file}"
    )


if __name__ == "__main__":
    main()
