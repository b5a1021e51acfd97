"""CI templates for the firm's own repository: GitHub Actions or GitLab CI (package data).

CI holds the key to every record, so what it runs is pinned: third-party actions by commit
(in the templates), and baodan itself by a source the firm names (`--package`): an exact
version from an index, a git repository at a tag or commit, or a wheel committed to the
repository. A bare name would install whatever an index serves that day under that name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path

from baodan.core.errors import BaodanError

# host → (template in data/ci/, where it goes in the firm's repository)
HOSTS = {
    "github": ("github.yml", ".github/workflows/baodan.yml"),
    "gitlab": ("gitlab-ci.yml", ".gitlab-ci.yml"),
}
NEXT_STEPS = {
    "github": [
        "在仓库 Settings → Secrets and variables → Actions 新建密钥 BAODAN_IDENTITY_KEY（CI 成员的私钥）",
        "Settings → Pages → Source 选 GitHub Actions",
    ],
    "gitlab": [
        "在 Settings → CI/CD → Variables 新建变量 BAODAN_IDENTITY_KEY（CI 成员的私钥，勾选 Masked）",
        "合并到默认分支后，网站由 GitLab Pages 发布",
    ],
}
DEFAULT_INDEX = "https://pypi.org/simple"

# Characters an address may hold: it is written into YAML and read by pip, never by a shell;
# no "@" before the host (a password or token in the address would be committed with it).
SAFE = r"[A-Za-z0-9._~:/+=%-]+"
VERSION = r"\d+(\.\d+)*[A-Za-z0-9.+-]*"
PINNED_VERSION = re.compile(rf"baodan=={VERSION}")
GIT_URL = re.compile(rf"(baodan @ )?git\+https://{SAFE}\.git@(?P<ref>[^@/#\s]+)(#egg=baodan)?")
# A commit, or a release tag with at least major.minor (tags like "v1" are moved on purpose).
GIT_PIN = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}|v?\d+\.\d+[A-Za-z0-9.+-]*")
WHEEL = re.compile(r"(\./)?([A-Za-z0-9._-]+/)*baodan-[A-Za-z0-9._+-]+\.whl")
INDEX_URL = re.compile(rf"https://{SAFE}")


@dataclass(frozen=True)
class CiSource:
    """Where CI gets baodan (a pip requirement or a wheel's path) and the index pip uses."""

    package: str
    index_url: str = DEFAULT_INDEX


def ci_source(package: str | None, index_url: str | None = None) -> CiSource:
    """The firm's pinned source for baodan, or a Chinese error saying how to name one."""
    spec = (package or "").strip()
    git = GIT_URL.fullmatch(spec)
    pinned = len(spec) <= 300 and (
        PINNED_VERSION.fullmatch(spec)
        or (git and GIT_PIN.fullmatch(git["ref"]))
        or (WHEEL.fullmatch(spec) and ".." not in spec.split("/"))
    )
    if not pinned:
        raise BaodanError(
            f"CI 要安装的 baodan 没有固定版本：{spec[:80] or '（没写 --package）'}",
            "CI 持有全部记录的解密密钥：不固定版本，谁能往软件源发布同名的包，谁就能在 CI "
            "里拿到密钥。用 --package 写明以下三种之一："
            f"baodan=={_installed()}（软件源上的确切版本，公司自己的源另加 --index-url）；"
            "git+https://git.example.cn/it/baodan.git@v0.1.0（git 仓库的版本标签或 40 位提交号）；"
            "vendor/baodan-0.1.0-py3-none-any.whl（提交在本仓库里的安装包）",
        )
    index = (index_url or DEFAULT_INDEX).strip()
    if not INDEX_URL.fullmatch(index):
        raise BaodanError(
            f"软件源地址不对：{index[:80]}", "写 https:// 开头的地址，如 https://pypi.org/simple"
        )
    return CiSource(spec, index)


def _installed() -> str:
    try:
        return metadata.version("baodan")
    except metadata.PackageNotFoundError:
        return "0.1.0"


def render(host: str, source: CiSource) -> str:
    template, _ = HOSTS[host]
    text = resources.files("baodan").joinpath(f"data/ci/{template}").read_text("utf-8")
    return text.replace("@@PACKAGE@@", source.package).replace("@@INDEX@@", source.index_url)


def check_host(host: str) -> None:
    if host not in HOSTS:
        raise BaodanError(f"不支持的 CI：{host}", "可选：" + "、".join(HOSTS))


def write_ci(root: Path, host: str, source: CiSource, *, force: bool = False) -> Path:
    check_host(host)
    target = root / HOSTS[host][1]
    if target.exists() and not force:
        raise BaodanError(f"{HOSTS[host][1]} 已存在", "确认要覆盖就加 --force")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render(host, source), "utf-8")
    return target


def notes(host: str, source: CiSource) -> list[str]:
    """What the firm still has to do by hand after the template is written."""
    wheel = [f"提交安装包 {source.package}"] if source.package.endswith(".whl") else []
    return [
        "先加入 CI 成员：age-keygen -o ci.txt，再 baodan member add ci -r <ci.txt 里的公钥>，提交",
        *wheel,
        *NEXT_STEPS[host],
        "把 ci.txt 里 AGE-SECRET-KEY-1 开头的那行填进上面的密钥，然后删除 ci.txt",
        "升级 baodan 时，用新的 --package 重新运行 baodan ci（加 --force），提交改动",
    ]
