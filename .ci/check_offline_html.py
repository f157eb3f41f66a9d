"""Check that built HTML pages load nothing from another host (no script, stylesheet, font or
image by URL) and that their formulas are MathML, so the manual reads the same offline.

    python .ci/check_offline_html.py docs/_build/html
"""
import re
import sys
from pathlib import Path

REMOTE = re.compile(r"""<(script|link|img|iframe|source)\b[^>]*\b(src|href)\s*=\s*["']?(https?:)?//""", re.I)
LINK_KINDS = re.compile(r"""rel\s*=\s*["']?(stylesheet|preload|icon|modulepreload)""", re.I)


def problems(root: Path) -> list[str]:
    found = []
    for page in sorted(root.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        for match in REMOTE.finditer(text):
            tag = text[match.start():text.find(">", match.start()) + 1]
            if match.group(1).lower() == "link" and not LINK_KINDS.search(tag):
                continue  # a plain hyperlink-like <link> (canonical, search) loads nothing
            found.append(f"{page.relative_to(root)}: loads {tag[:120]}")
        if re.search(r'class="math notranslate|mathjax', text, re.I):
            found.append(f"{page.relative_to(root)}: has formulas left for a script to draw")
    return found


if __name__ == "__main__":
    root = Path(sys.argv[1])
    bad = problems(root)
    print("\n".join(bad) or f"{root}: every page loads only its own files")
    sys.exit(1 if bad else 0)
