"""Time baodan on the benchmark firm against a plain MkDocs Material build of as many pages.

    python benchmarks/run.py                      # the full run (minutes)
    python benchmarks/run.py --sizes 200 --repeat 1   # a quick look

At the main size (the size nearest 2,000 clients) it times, each in a subprocess of its own
so that time and peak memory are per process: (a) the public build ``baodan build``, (b) the
baseline, a plain mkdocs-material build of one simple page per client portal (kept out of
the nav) plus as many in-nav pages as the public site has, (c) ``baodan check``, also on a
smaller firm of about ``--check-records`` records, (d) the staff build ``baodan build
--staff``, (e) ``baodan serve``: one record changed, seconds until the preview has it. At
every size it times the public build, to show how the time per client grows. Each is run ``--repeat`` times; the table shows medians. Results
go to a JSON file (``benchmarks/out/`` by default, git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "generator")]  # this checkout's baodan

from baodan.core import files  # noqa: E402
from baodan.demo import generator as demo  # noqa: E402 (after the sys.path line)
from baodan.store import identity as who  # noqa: E402
from baodan.store import vault  # noqa: E402
from make_firm import IDENTITY_FILE, REPO, read_manifest  # noqa: E402
from make_firm import make_firm as write_firm  # noqa: E402
from weight import portal_weight  # noqa: E402

SIZES = (500, 1000, 2000, 4000, 10000)
PORTAL_DIR = "p"
FEED_DIR = "feeds"
TASKS = ("public", "baseline", "check", "staff")
LABELS = {
    "public": "baodan build",
    "baseline": "baseline: mkdocs build",
    "check": "baodan check",
    "staff": "baodan build --staff",
    "serve": "baodan serve: one record changed → site rebuilt",
}


@dataclass
class Run:
    wall: float  # seconds
    cpu: float  # user + system seconds, the process and its children
    rss_mb: float  # peak resident set of the process (or its largest child)


def timed(cmd: list[str], env: dict, cwd: Path) -> Run:
    """Run a command to completion; its own wall time, CPU time and peak RSS (os.wait4)."""
    with tempfile.TemporaryFile() as output:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=output, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode:
            output.seek(0)
            text = output.read().decode("utf-8", "replace")
            raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{text}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def baodan_env(firm: Path) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(REPO / "generator"), *filter(None, [env.get("PYTHONPATH")])]
    )
    env["BAODAN_IDENTITY"] = str(firm / "BENCH-IDENTITY.txt")
    env["BAODAN_TODAY"] = demo.DEMO_TODAY.isoformat()  # the date the firm was generated for
    env.pop("BAODAN_IDENTITY_KEY", None)
    # As on a staff member's machine, Python keeps baodan's compiled modules between runs
    # (pip compiled MkDocs' when it installed them); CI machines often turn this off.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def commands(firm: Path, baseline: Path | None) -> dict[str, list[str]]:
    baodan = [sys.executable, "-m", "baodan"]
    cmds = {
        "public": [*baodan, "build", "-C", str(firm)],
        "check": [*baodan, "check", "-C", str(firm)],
        "staff": [*baodan, "build", "--staff", "-C", str(firm)],
    }
    if baseline is not None:
        cmds["baseline"] = [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(baseline)]
    return cmds


def firm_at(work: Path, clients: int, seed: int) -> Path:
    """The benchmark firm of this size, generated once per work folder."""
    folder = work / f"firm-{clients}"
    if folder.is_dir():
        made = read_manifest(folder)
        if made.size["clients"] == clients and made.seed == seed:
            return folder
        shutil.rmtree(folder)
    write_firm(folder, clients, seed)
    return folder


def site_pages(site: Path) -> tuple[int, int]:
    """(pages in the nav, pages out of it) of a built site: one index.html per page. Out of the
    nav: the client portals and the feeds' calendar pages (one per subscribed client), which
    baodan writes itself; a plain Material site would have them as pages outside the nav."""
    pages = [p.relative_to(site).parts for p in site.rglob("index.html")]
    portals = sum(parts[0] in (PORTAL_DIR, FEED_DIR) and len(parts) > 2 for parts in pages)
    return len(pages) - portals, portals


PAGE = """# 页面 {n}

这是基准测试用的一个简单页面（第 {n} 页），与客户门户页一样不在导航中。
A simple page for the benchmark baseline: a heading and a short paragraph, nothing more.
"""


def write_baseline(folder: Path, firm: Path, portals: int, public_pages: int) -> Path:
    """A plain Material site: ``portals`` simple pages out of the nav, and ``public_pages``
    pages in the nav (the firm's lecture articles first, then simple pages)."""
    shutil.rmtree(folder, ignore_errors=True)
    docs = folder / "docs"
    (docs / PORTAL_DIR).mkdir(parents=True)
    for n in range(portals):
        (docs / PORTAL_DIR / f"{n:05d}.md").write_text(PAGE.format(n=n), "utf-8")
    nav = []
    lectures = sorted((firm / "records" / "lectures").glob("*.md"))[:public_pages]
    for path in lectures:
        body = path.read_text("utf-8").split("\n---", 1)[-1].partition("\n")[2]
        (docs / path.name).write_text(body, "utf-8")
        nav.append(path.name)
    for n in range(public_pages - len(lectures)):
        name = "index.md" if n == 0 else f"page-{n}.md"
        (docs / name).write_text(PAGE.format(n=n).replace("，与客户门户页一样不在导航中", ""))
        nav.insert(0, name) if n == 0 else nav.append(name)
    config = {
        "site_name": "baseline",
        "docs_dir": "docs",
        "site_dir": "site",
        "theme": {"name": "material", "language": "zh", "font": False},
        "plugins": [{"search": {"lang": "zh"}}, "tags"],
        "markdown_extensions": ["admonition", "attr_list", "md_in_html", "tables"],
        "nav": nav,
        "not_in_nav": f"/{PORTAL_DIR}/",
    }
    path = folder / "mkdocs.yml"
    path.write_text(json.dumps(config, ensure_ascii=False, indent=2), "utf-8")  # JSON is YAML
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, timeout: float = 120) -> str:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read().decode("utf-8", "replace")


def _edit_and_wait(firm: Path, port: int, proc, log, repeat: int) -> list[float]:
    deadline = time.monotonic() + 600
    while True:
        try:
            page = _get(f"http://127.0.0.1:{port}/", timeout=5)
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise SystemExit("baodan serve did not start:\n" + log.read().decode()) from None
            time.sleep(0.5)
    epoch = int(re.search(r"livereload\((\d+),", page).group(1))
    source = who.IdentitySource(
        who.parse_identities((firm / IDENTITY_FILE).read_text(), IDENTITY_FILE), "bench"
    )
    firm_vault = vault.open_vault(firm, source)
    target = min((firm / "records" / "clients").glob("*/client.yaml.age"))
    seconds = []
    for _ in range(repeat):
        time.sleep(1.0)  # let the file watcher settle
        plain = firm_vault.decrypt(target.read_bytes())
        started = time.perf_counter()
        files.write_atomic(target, firm_vault.encrypt(plain))
        epoch = int(_get(f"http://127.0.0.1:{port}/livereload/{epoch}/1"))
        seconds.append(time.perf_counter() - started)
    return seconds


def serve_latency(firm: Path, env: dict, repeat: int) -> dict:
    """Seconds from re-encrypting one record to `baodan serve` having rebuilt the site: the
    time MkDocs' live-reload long poll (/livereload/<epoch>/…) takes to answer."""
    port = free_port()
    cmd = [sys.executable, "-m", "baodan", "serve", "-C", str(firm), "--port", str(port)]
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(cmd, env=env, cwd=firm, stdout=log, stderr=subprocess.STDOUT)
        try:
            seconds = _edit_and_wait(firm, port, proc, log, repeat)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    return {"wall": statistics.median(seconds), "runs": seconds}


def measure(cmd: list[str], env: dict, cwd: Path, repeat: int) -> dict:
    runs = [timed(cmd, env, cwd) for _ in range(repeat)]
    return {
        "wall": statistics.median(r.wall for r in runs),
        "cpu": statistics.median(r.cpu for r in runs),
        "rss_mb": statistics.median(r.rss_mb for r in runs),
        "runs": [asdict(r) for r in runs],
    }


def machine() -> dict:
    cpu = (
        next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            platform.processor(),
        )
        if Path("/proc/cpuinfo").is_file()
        else platform.processor()
    )
    import material
    import mkdocs

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": platform.python_version(),
        "mkdocs": mkdocs.__version__,
        "material": getattr(material, "__version__", ""),
        "system": platform.platform(),
    }


def benchmark(
    sizes: list[int], repeat: int, work: Path, seed: int, check_records: int, log=print
) -> dict:
    main = min(sizes, key=lambda n: abs(n - demo.BENCHMARK.clients))
    result: dict = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "repeat": repeat,
        "main_size": main,
        "sizes": {},
        "main": {},
        "load_average_at_start": os.getloadavg(),  # other work on the machine skews wall times
    }
    for clients in sorted(sizes):
        log(f"firm of {clients} clients …")
        firm = firm_at(work, clients, seed)
        made = read_manifest(firm)
        env = baodan_env(firm)
        cmds = commands(firm, None)
        public = measure(cmds["public"], env, firm, repeat)
        entry = {
            "clients": clients,
            "records": made.records,
            "portals": made.portals,
            "public": public,
            "per_client_ms": public["wall"] / clients * 1000,
        }
        result["sizes"][str(clients)] = entry
        log(f"  public build {public['wall']:.2f} s, {public['rss_mb']:.0f} MB")
        if clients != main:
            continue
        public_pages, _ = site_pages(firm / "site")
        baseline = write_baseline(work / f"baseline-{clients}", firm, made.portals, public_pages)
        cmds = commands(firm, baseline)
        main_result = {"public": public, "pages": {"portals": made.portals, "public": public_pages}}
        main_result["portal_weight"] = portal_weight(firm / "site")
        for task in ("baseline", "check", "staff"):
            main_result[task] = measure(
                cmds[task], env if task != "baseline" else dict(os.environ), firm, repeat
            )
            log(f"  {LABELS[task]} {main_result[task]['wall']:.2f} s")
        # The check target is for a firm of a given number of records.
        smaller = firm_at(work, max(1, round(check_records * clients / made.records)), seed)
        main_result["check_records"] = {
            "records": read_manifest(smaller).records,
            **measure(commands(smaller, None)["check"], baodan_env(smaller), smaller, repeat),
        }
        log(f"  {check_label(main_result)} {main_result['check_records']['wall']:.2f} s")
        main_result["serve"] = serve_latency(firm, env, repeat)
        log(f"  {LABELS['serve']} {main_result['serve']['wall']:.2f} s")
        result["main"] = main_result
    result["load_average_at_end"] = os.getloadavg()
    return result


def check_label(main: dict) -> str:
    return f"baodan check ({main['check_records']['records']:,} records)"


def table(result: dict) -> str:
    """The results as Markdown tables."""
    main = result["main"]
    base = main["baseline"]["wall"]
    base_cpu = main["baseline"]["cpu"]
    entry = result["sizes"][str(result["main_size"])]
    heading = (
        f"Firm of {entry['clients']:,} clients, {entry['records']:,} encrypted records, "
        f"{entry['portals']:,} portals; baseline: {main['pages']['portals']:,} pages out of "
        f"the nav + {main['pages']['public']} in it. Median of {result['repeat']} runs. "
        f"Load average (1 min) at start {result['load_average_at_start'][0]:.1f}, "
        f"at end {result['load_average_at_end'][0]:.1f} on {result['machine']['cores']} cores."
    )
    lines = [
        heading,
        "",
        "| task | wall time | × baseline | CPU time | CPU × baseline | peak RSS |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for task in TASKS:
        m = main[task]
        lines.append(
            f"| {LABELS[task]} | {m['wall']:.2f} s | {m['wall'] / base:.2f} | "
            f"{m['cpu']:.2f} s | {m['cpu'] / base_cpu:.2f} | {m['rss_mb']:.0f} MB |"
        )
    m = main["check_records"]
    lines.append(
        f"| {check_label(main)} | {m['wall']:.2f} s | {m['wall'] / base:.2f} | "
        f"{m['cpu']:.2f} s | {m['cpu'] / base_cpu:.2f} | {m['rss_mb']:.0f} MB |"
    )
    lines.append(f"| {LABELS['serve']} | {main['serve']['wall']:.2f} s | | | | |")
    if weight := main.get("portal_weight"):
        lines += [
            "",
            f"A phone opening a portal downloads {weight['files']} files, "
            f"{weight['bytes']:,} bytes ({weight['gzipped']:,} gzipped).",
        ]
    lines += [
        "",
        "| clients | records | public build (wall) | CPU time | CPU per added client | peak RSS |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    previous = None
    for entry in result["sizes"].values():
        p = entry["public"]
        added = ""
        if previous:
            more = entry["clients"] - previous["clients"]
            added = f"{(p['cpu'] - previous['public']['cpu']) / more * 1000:.1f} ms"
        lines.append(
            f"| {entry['clients']:,} | {entry['records']:,} | {p['wall']:.2f} s | "
            f"{p['cpu']:.2f} s | {added} | {p['rss_mb']:.0f} MB |"
        )
        previous = entry
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--sizes",
        default=",".join(map(str, SIZES)),
        help="client counts, comma-separated (default: %(default)s)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs of each (median)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--check-records",
        type=int,
        default=13000,
        help="also time baodan check on a firm of about this many records (default: %(default)s)",
    )
    parser.add_argument(
        "--work", type=Path, help="keep the generated firms here and reuse them (default: temp)"
    )
    parser.add_argument("--out", type=Path, help="JSON file (default: benchmarks/out/<date>.json)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    work = args.work or Path(tempfile.mkdtemp(prefix="baodan-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        result = benchmark(
            sizes,
            args.repeat,
            work,
            args.seed,
            args.check_records,
            log=lambda s: print(s, flush=True),
        )
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    stamp = result["date"][:19].replace(":", "")
    out = args.out or REPO / "benchmarks" / "out" / f"{stamp}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", "utf-8")
    print()
    print(table(result))
    print(f"\nJSON: {out}")


if __name__ == "__main__":
    main()
