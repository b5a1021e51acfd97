"""The documented procedures for removing data from git history, as `forget` and
`member remove` print them (the long form is docs/privacy.md)."""

from __future__ import annotations

DOCS = "docs/privacy.md"


def erase_paths(paths: list[str]) -> list[str]:
    """Steps that remove files from every commit, every branch and every copy."""
    args = " ".join(f"--path {p}" for p in paths)
    return [
        "从 git 历史中彻底删除（否则旧提交里仍有这些加密文件，持有旧密钥的人可以解密）：",
        "  1. 先提交本次删除，并确认所有同事都已推送各自的分支；",
        "  2. 安装 git-filter-repo（pip install git-filter-repo），在一个全新克隆里运行：",
        f"       git filter-repo {args} --invert-paths",
        "  3. 重新添加远程仓库地址，强制推送全部分支和标签：",
        "       git push --force --all && git push --force --tags",
        "  4. 请每位成员删除旧克隆，重新 git clone（旧克隆里仍有历史）；",
        "  5. 清理托管平台上的旧数据：合并请求的引用与 CI 缓存、制品（GitHub 需联系客服清除 "
        "refs/pull/*）；",
        "  6. 备份：按备份保留期限删除，或在备份清单中登记“到期后不得恢复此客户”。",
        f"详细说明见 {DOCS}“从 git 历史中删除数据”。",
    ]


def after_member_removed() -> list[str]:
    """What to do when old history must not stay readable to a removed member."""
    return [
        "接下来：",
        "  1. 把本次全部改动放在同一个提交里：git add -A records && git commit -m '移除成员 …'",
        "  2. 在 git 托管平台上撤销此人的仓库权限（否则他仍能拉取旧历史）；",
        "  3. 如果旧历史必须对此人不可读（例如密钥或电脑丢失）：只能改写历史，"
        "让旧版本从仓库中消失——用新密钥的当前记录另起一段历史，旧仓库离线封存；",
        f"     步骤见 {DOCS}“移除成员之后”。他本机已有的副本无法收回，必要时按泄露处理"
        "（baodan exposure 客户编号）。",
    ]
