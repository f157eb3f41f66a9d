"""Check that every link between the built HTML pages lands: the page exists and, when the link
names a place in it (``page.html#anchor``), the page has that anchor. The source-code pages'
``[docs]`` links and the API cross-references are links like any other.

    python .ci/check_links.py docs/_build/html
"""
import re
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

HREF = re.compile(r'href="([^"]+)"')
ANCHOR = re.compile(r'id="([^"]+)"')


def problems(root: Path) -> list[str]:
    anchors: dict[Path, set[str]] = {}

    def ids(page: Path) -> set[str] | None:
        if page not in anchors:
            anchors[page] = set(ANCHOR.findall(page.read_text(errors="replace"))) if page.is_file() else None
        return anchors[page]

    found = []
    for page in sorted(root.rglob("*.html")):
        for href in HREF.findall(page.read_text(errors="replace")):
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or href.startswith(("mailto:", "javascript:")):
                continue  # another host: the offline check looks at what loads, not at what is linked
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page.resolve()
            if target.is_dir():
                target = target / "index.html"
            if target.suffix != ".html":
                if not target.exists():
                    found.append(f"{page.relative_to(root)}: {href} (no such file)")
                continue
            have = ids(target)
            if have is None:
                found.append(f"{page.relative_to(root)}: {href} (no such page)")
            elif parts.fragment and unquote(parts.fragment) not in have:
                found.append(f"{page.relative_to(root)}: {href} (no such place in the page)")
    return found


if __name__ == "__main__":
    bad = problems(Path(sys.argv[1]))
    for line in bad:
        print(line)
    sys.exit(1 if bad else 0)
