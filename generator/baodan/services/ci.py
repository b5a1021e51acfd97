"""CI templates for the firm's own repository: GitHub Actions or GitLab CI (package data)."""

from __future__ import annotations

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


def package_spec() -> str:
    """What CI installs: this baodan's version, when it is an installed distribution."""
    try:
        return f"baodan=={metadata.version('baodan')}"
    except metadata.PackageNotFoundError:
        return "baodan"


def render(host: str) -> str:
    source, _ = HOSTS[host]
    text = resources.files("baodan").joinpath(f"data/ci/{source}").read_text("utf-8")
    return text.replace("@@PACKAGE@@", package_spec())


def write_ci(root: Path, host: str, *, force: bool = False) -> Path:
    if host not in HOSTS:
        raise BaodanError(f"不支持的 CI：{host}", "可选：" + "、".join(HOSTS))
    target = root / HOSTS[host][1]
    if target.exists() and not force:
        raise BaodanError(f"{HOSTS[host][1]} 已存在", "确认要覆盖就加 --force")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render(host), "utf-8")
    return target


def notes(host: str) -> list[str]:
    """What the firm still has to do by hand after the template is written."""
    return [
        "先加入 CI 成员：age-keygen -o ci.txt，再 baodan member add ci -r <ci.txt 里的公钥>，提交",
        *NEXT_STEPS[host],
        "把 ci.txt 里 AGE-SECRET-KEY-1 开头的那行填进上面的密钥，然后删除 ci.txt",
    ]
