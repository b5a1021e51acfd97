"""A lecture article is published as written: `baodan check` (and so every build) refuses raw
HTML, script-running attributes, javascript:/data: links and images from other hosts in it,
naming file and line in Chinese; plain Markdown passes."""

from __future__ import annotations

from datetime import date

import pytest
from baodan.checks.lectures import check_lecture_markup
from baodan.models import Firm, Lecture, Settings

from .helpers import run_cli, tree_digest

TODAY = date(2026, 11, 27)

FRONT = {
    "title": "讲座",
    "date": "2026-03-01",
    "time": "14:00-16:00",
    "venue": "会议室",
    "speaker": "王芳",
}
GOOD = """开场白，见[官网](https://example.com/a?b=1&c=2)、[邮箱](mailto:a@b.cn)、[电话](tel:95518)。

## 一、材料 { #materials .bd-topic }

| 险种 | 材料 |
| :--- | ---: |
| 医疗险 | 病历、发票 |

![示意图](../assets/claims.png){ width="300" }

!!! tip "提示"
    先报案，再备料。

```html
<script>这只是代码示例</script>
```

<div markdown>
**加粗** 与 *斜体*，<https://example.com>
</div>
"""
# (the body's line that holds it, the body, what the message says)
BAD = [
    (2, "正文\n\n<script>alert(1)</script>\n", "不能用 HTML 标签 <script>"),
    (0, '<iframe src="https://evil.example"></iframe>', "不能用 HTML 标签 <iframe>"),
    (1, "a\n<img src=x.png onerror=alert(1)>", "<img> 不能带 onerror 属性"),
    (0, "## 标题 { onclick=alert(1) }", "<h2> 不能带 onclick 属性"),
    (0, '<p style="position:fixed;inset:0">x</p>', "<p> 不能带 style 属性"),
    (0, '<a href="javascript:alert(1)">x</a>', "链接“javascript:alert(1)”"),
    (0, "[点这里](javascript:alert(1))", "链接“javascript:alert(1)”"),
    (0, "[x](data:text/html,hi)", "不是网页、邮箱或电话地址"),
    (0, "![x](https://evil.example/track.png)", "图片“https://evil.example/track.png”不在本站"),
    (0, "<svg onload=alert(1)></svg>", "不能用 HTML 标签 <svg>"),
    (0, '<table><tr><td style="color:red">x</td></tr></table>', "不能带样式 style=“color:red”"),
]


def _firm(body: str) -> Firm:
    lec = Lecture.model_validate(FRONT)
    lec._path, lec._body, lec._body_line = "records/lectures/2026-03-01-x.md", body, 11
    return Firm(
        settings=Settings.model_validate({"name": "x", "contact": {"phone": "1"}}), lectures=[lec]
    )


def test_plain_markdown_with_links_tables_and_the_sites_images_passes():
    assert check_lecture_markup(_firm(GOOD), TODAY) == []


@pytest.mark.parametrize(("line", "body", "message"), BAD)
def test_what_could_run_or_load_from_elsewhere_is_refused_with_its_line(line, body, message):
    [error] = check_lecture_markup(_firm(body), TODAY)
    assert message in error.message
    assert error.source == ("records/lectures/2026-03-01-x.md", 11 + line)
    assert error.hint  # what to do instead, in Chinese


def test_a_link_written_with_character_references_is_still_refused():
    [error] = check_lecture_markup(_firm("[x](javascript&#58;alert(1))"), TODAY)
    assert "javascript:alert(1)" in error.message


@pytest.mark.slow  # builds a site
def test_check_names_the_file_and_line_and_the_build_publishes_nothing(firm, capsys):
    lecture = sorted((firm.root / "records/lectures").glob("*.md"))[-1]
    text = lecture.read_text("utf-8")
    lines = text.count("\n")
    lecture.write_text(text + "\n<img src=x onerror=alert(1)>\n", "utf-8")
    code, _, err = run_cli(capsys, "check")
    assert code == 1
    rel = lecture.relative_to(firm.root).as_posix()
    assert f"{rel}:{lines + 2}: 字段 正文: 讲稿里的 <img> 不能带 onerror 属性" in err
    before = tree_digest(firm.root)
    code, _, err = run_cli(capsys, "build")
    assert code == 1 and "不能带 onerror 属性" in err
    assert tree_digest(firm.root) == before
