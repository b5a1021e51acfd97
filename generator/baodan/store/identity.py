"""Who is running baodan: a member's own identity (age X25519 or SSH), found from the command
line, the environment, the default file or the demo, and public keys as members give them."""

from __future__ import annotations

import base64
import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

from pyrage import ssh, x25519

from baodan.core.errors import BaodanError, RecordError, Source
from baodan.core.files import write_atomic
from baodan.core.layout import DEMO_IDENTITY_FILE

# The public key of the demo identity committed with baodan (DEMO-IDENTITY.txt): its secret is
# public, so it must never guard real data (store/keyguard.py).
DEMO_PUBLIC_KEY = "age1xwcv7wetg3escpx25qmha3vd98hq9elfu5wv3ecw3e5fp28sff4q4u9mc9"


def default_identity_path() -> Path:
    """identity.txt in baodan's settings folder, where click's (and typer's) get_app_dir
    puts it; not asked of click, which every command would then import for this alone."""
    if sys.platform.startswith("win"):
        folder = os.environ.get("APPDATA")
        if folder is None:
            folder = os.path.expanduser("~")
    elif sys.platform == "darwin":
        folder = os.path.expanduser("~/Library/Application Support")
    else:
        folder = os.environ.get("XDG_CONFIG_HOME", os.path.expanduser("~/.config"))
    return Path(os.path.join(folder, "baodan")) / "identity.txt"


def parse_identities(text: str, origin: str) -> list:
    """Identities from an identity file's text: age X25519 lines (``#`` comments) or one SSH key."""
    if "PRIVATE KEY-----" in text:
        if ssh_key_has_passphrase(text):
            raise BaodanError(passphrase_problem(origin))
        try:
            return [ssh.Identity.from_buffer(text.encode())]
        except Exception as e:
            raise BaodanError(
                f"{origin} 不是可用的 SSH 私钥（内容不完整，或不是 ed25519 / RSA 私钥）",
                "从原来的私钥文件重新复制一份（-----BEGIN 到 -----END 之间一行都不能少）",
            ) from e
    found = []
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            found.append(x25519.Identity.from_str(line))
        except Exception as e:
            raise BaodanError(RecordError(Source(origin, n), "", *_not_a_key(line))) from e
    if not found:
        raise BaodanError(
            f"{origin} 里没有私钥", "身份文件应含一行 AGE-SECRET-KEY-1…，或一个 SSH 私钥"
        )
    return found


def _not_a_key(line: str) -> tuple[str, str]:
    """Why a line of an identity file is no age secret key, and what to do."""
    if line.upper().startswith("AGE-SECRET-KEY-1"):
        return (
            "这一行的 age 私钥不完整或抄错了（应为 AGE-SECRET-KEY-1 加 58 个字母和数字）",
            "从原来的密钥文件或打印的应急包重新复制这一整行",
        )
    if line.startswith(("age1", "ssh-")):
        return (
            "这一行是公钥，不是私钥",
            "--identity 要写你的私钥文件（公钥是发给别人的那一半）",
        )
    return (
        "这一行不是 age 私钥（应以 AGE-SECRET-KEY-1 开头）",
        "身份文件每行一个私钥，# 开头的是注释",
    )


def key_file_text(path: Path) -> str:
    """An identity file's text; a file that is not text is said to be no key file."""
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BaodanError(
            f"{path} 不是密钥文件（里面不是文字）",
            "--identity 要写你的私钥文件：一行 AGE-SECRET-KEY-1…，或 SSH 私钥"
            "（如 ~/.ssh/id_ed25519，不是 .pub 结尾的公钥）",
        ) from None


def ssh_key_has_passphrase(text: str) -> bool:
    """Whether an SSH private key is locked with a passphrase: an old PEM key says so in its
    headers; an OpenSSH key ("openssh-key-v1") names its cipher, "none" when not locked."""
    if "ENCRYPTED" in text:  # Proc-Type: 4,ENCRYPTED; BEGIN ENCRYPTED PRIVATE KEY
        return True
    body = "".join(line for line in text.splitlines() if line and "-----" not in line)
    try:
        data = base64.b64decode(body)
    except ValueError:
        return False
    magic = b"openssh-key-v1\0"
    if not data.startswith(magic) or len(data) < len(magic) + 4:
        return False
    size = int.from_bytes(data[len(magic) : len(magic) + 4], "big")
    return data[len(magic) + 4 : len(magic) + 4 + size] != b"none"


def passphrase_problem(origin: str) -> RecordError:
    """What to do with a passphrase-locked SSH key, in plain words: baodan asks for no
    passphrase (it runs in CI and hooks, where nobody could type one)."""
    return RecordError(
        Source(origin),
        "",
        "这是设了密码（口令）的 SSH 私钥：baodan 不会询问密码，所以用不了它",
        "两个办法任选其一：\n"
        "      ① 复制一份，只去掉副本的密码，专给 baodan 用（原私钥和它的密码不变）：\n"
        "         先复制为另一个文件（如 baodan-ssh-key），再运行 ssh-keygen -p -f baodan-ssh-key："
        "输入原密码，新密码留空（直接按两次回车）；这个副本没有密码保护，只能放在自己的电脑上、"
        "只让自己能读（chmod 600 baodan-ssh-key），"
        "用 --identity baodan-ssh-key 或环境变量 BAODAN_IDENTITY 指定它\n"
        f"      ② 另建一个 age 身份：age-keygen -o {default_identity_path()}（baodan 默认就读这个文件），"
        "把屏幕上显示的公钥（age1 开头）发给已有成员，请他运行 baodan member add 你的编号 --recipient 公钥",
    )


def identity_file_warning(source: IdentitySource) -> str | None:
    """A warning (Chinese) when the identity came from a file that other users of this
    computer can read or change, as ssh refuses such keys. None on Windows, where file
    modes mean nothing (the folder's access rules decide)."""
    if os.name == "nt" or source.is_demo or source.origin == "-":
        return None
    path = Path(source.origin)
    try:
        mode = path.stat().st_mode
    except OSError:  # not a file: the key came from $BAODAN_IDENTITY_KEY
        return None
    if not stat.S_ISREG(mode) or not mode & 0o077:
        return None
    return (
        f"你的私钥文件 {path} 本机其他用户也能读取（权限 {stat.S_IMODE(mode):o}）："
        f"运行 chmod 600 {path}，只让自己能读写"
    )


def parse_recipient(text: str):
    """A public key: ``age1…`` or an SSH ``ssh-ed25519``/``ssh-rsa`` line."""
    text = text.strip()
    try:
        if text.startswith("age1"):
            return x25519.Recipient.from_str(text)
        if text.startswith(("ssh-ed25519 ", "ssh-rsa ")):
            return ssh.Recipient.from_str(text)
    except Exception as e:
        raise BaodanError(f"公钥无法解析：{text[:40]}…（{e}）", "请复制完整的一行公钥") from e
    raise BaodanError(
        f"不认识的公钥格式：{text[:40]}",
        "只支持 age 公钥（age1…）或 SSH 公钥（ssh-ed25519 … / ssh-rsa …）",
    )


def is_demo_recipient(key: str) -> bool:
    return key.strip() == DEMO_PUBLIC_KEY


@dataclass
class IdentitySource:
    identities: list
    origin: str
    is_demo: bool = False


def find_identity(root: Path, explicit: Path | None = None) -> IdentitySource:
    """The user's identity: --identity, then $BAODAN_IDENTITY, $BAODAN_IDENTITY_KEY, the default
    file, and last the committed demo identity (which callers must warn about)."""
    if explicit is not None:
        import click  # as a command line names files

        text = (
            key_file_text(Path(click.format_filename(explicit))) if str(explicit) != "-" else None
        )
        if text is None:
            text = click.get_text_stream("stdin").read()
        return IdentitySource(parse_identities(text, str(explicit)), str(explicit))
    if env_file := os.environ.get("BAODAN_IDENTITY"):
        path = Path(env_file)
        if not path.is_file():
            raise BaodanError(f"环境变量 BAODAN_IDENTITY 指向的文件不存在：{path}", "请检查路径")
        return IdentitySource(parse_identities(key_file_text(path), str(path)), str(path))
    if env_key := os.environ.get("BAODAN_IDENTITY_KEY"):
        return IdentitySource(
            parse_identities(env_key, "$BAODAN_IDENTITY_KEY"), "$BAODAN_IDENTITY_KEY"
        )
    default = default_identity_path()
    if default.is_file():
        return IdentitySource(parse_identities(key_file_text(default), str(default)), str(default))
    demo = root / DEMO_IDENTITY_FILE
    if demo.is_file():
        return IdentitySource(
            parse_identities(key_file_text(demo), str(demo)), DEMO_IDENTITY_FILE, True
        )
    raise BaodanError(
        "找不到你的密钥（age 身份）",
        f"用 --identity 文件 指定；或设置 BAODAN_IDENTITY（文件路径）/ BAODAN_IDENTITY_KEY（密钥本身）；"
        f"或把密钥放在 {default}",
    )


def new_identity_file(path: Path) -> str:
    """Write a fresh age identity (0600) and return its public key."""
    ident = x25519.Identity.generate()
    public = str(ident.to_public())
    text = f"# baodan identity, created by baodan init\n# public key: {public}\n{ident}\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, text.encode(), mode=0o600)
    return public


def public_key_of(source: IdentitySource) -> str | None:
    ident = source.identities[0]
    return str(ident.to_public()) if isinstance(ident, x25519.Identity) else None
