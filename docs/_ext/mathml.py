"""Math written as MathML when the docs are built: browsers draw it themselves, so the pages load
no script and read the same offline. A formula the converter leaves a LaTeX command in is a
build warning (an error under ``-W``), so none reaches a page half drawn."""
import re

from docutils import nodes
from latex2mathml.converter import convert
from sphinx.util import logging

logger = logging.getLogger(__name__)


def mathml(latex: str, block: bool) -> str:
    """The MathML of a LaTeX formula; ``ValueError`` naming what the converter did not draw."""
    rendered = convert(latex.strip(), display="block" if block else "inline")
    left = re.findall(r"\\[A-Za-z]+", re.sub(r"<[^>]+>", "", rendered))
    if left:
        raise ValueError(f"the formula {latex.strip()!r} leaves {', '.join(left)} undrawn")
    return rendered


def _render(translator, node, block: bool) -> None:
    formulas = [f for f in node.astext().split("\n\n") if f.strip()] if block else [node.astext()]
    try:
        html = "".join(mathml(f, block) for f in formulas)
    except ValueError as err:
        logger.warning(str(err), location=node)
        html = "<code>" + "".join(formulas) + "</code>"
    translator.body.append(f'<div class="math-block">{html}</div>' if block else html)
    raise nodes.SkipNode


def visit_math(translator, node):
    _render(translator, node, block=False)


def visit_displaymath(translator, node):
    _render(translator, node, block=True)


def setup(app):
    app.add_html_math_renderer("mathml", (visit_math, None), (visit_displaymath, None))
    return {"parallel_read_safe": True, "parallel_write_safe": True}
