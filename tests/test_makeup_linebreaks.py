"""No stray line breaks inside a paragraph (real WeasyPrint, the print stylesheet).

A text run followed by an inline element (a citation, a link) ends with the space between them.
When the run fits the rest of the line but that space does not, WeasyPrint 70 broke after the
run's first word or hyphenation fragment ("en-" alone on a line in the sample issue, "R.," or
"Brown" in a reference, "and" in a paragraph): see ``pica_publish.engine_fixes._hang_trailing_spaces``. Each case below sets the measure to
the run's own width plus 1 px (less than a space), measured first in the same context, so that
the trigger holds whatever the fonts and the stylesheet make of the text.
"""

from __future__ import annotations

import html
from pathlib import Path

import pytest

from pica_publish.layout import Typesetter, page_boxes
from pica_publish.stages.typeset import allowed_roots, print_stylesheet

# From the sample issue (chapters/05-himalaya-china.md and its reference list).
PARAGRAPH_RUN = "entirely on pikas, with pika DNA in nearly all of its scats"
PARAGRAPH = (
    "<p>{run} <span class='citation'><a href='#ref'>(Harris et al. 2014)</a></span>, and the"
    " Pallas’s cat, which preys mainly on pikas here too, is likely to be similarly exposed. The"
    " extent and causes of rangeland degradation remain disputed.</p>"
)
REFERENCE_RUN = (
    "Amin R., Baral H. S., Lamichhane B. R., Poudyal L. P., Lee S., Jnawali S. R., Acharya K. P.,"
    " Upadhyaya G. P., Pandey M. B. &amp; Shrestha R. 2018."
)
REFERENCE = (
    "<section class='article-references'><div class='csl-entry'>{run} <a"
    " href='https://doi.org/10.11609/jott.3712.10.3.11361-11378'>The status of Nepal’s"
    " mammals</a>. Journal of Threatened Taxa 10, 11361–11378.</div></section>"
)
REFERENCE_ALONE = "<section class='article-references'><div class='csl-entry'>{run}</div></section>"


@pytest.fixture(scope="module")
def typesetter(tmp_path_factory: pytest.TempPathFactory) -> tuple[Typesetter, Path]:
    root = tmp_path_factory.mktemp("linebreaks")
    return Typesetter(allowed_roots(root), print_stylesheet()), root


def lay_out(typesetter: tuple[Typesetter, Path], block: str, width: float):
    """``block`` in an article body of ``width`` px; returns (wrapper box, [(text, right edge)]
    for the lines of the first paragraph or reference entry, right edges from the wrapper's
    left)."""
    from weasyprint.formatting_structure.boxes import BlockContainerBox, LineBox, TextBox

    engine, root = typesetter
    document = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"></head><body>'
        '<article class="article"><div class="article-body">'
        f'<div id="wrap" style="width: {width}px">{block}</div>'
        "</div></article></body></html>"
    )
    laid = engine.lay_out(document, root)
    boxes = [box for page in page_boxes(laid.document) for box in page.descendants()]
    wrapper = next(b for b in boxes if b.element is not None and b.element.get("id") == "wrap")
    container = next(
        b
        for b in wrapper.descendants()
        if isinstance(b, BlockContainerBox)
        and b.children
        and all(isinstance(child, LineBox) for child in b.children)
    )
    lines = []
    for line in container.children:
        text = "".join(t.text for t in line.descendants() if isinstance(t, TextBox))
        right = max(c.position_x + c.margin_width() for c in line.children)
        lines.append((text.strip(), right - wrapper.content_box_x()))
    return wrapper, lines


@pytest.mark.parametrize(
    ("template", "alone", "run", "lone"),
    [
        (PARAGRAPH, "<p>{run}</p>", PARAGRAPH_RUN, "en\u2010"),
        (REFERENCE, REFERENCE_ALONE, REFERENCE_RUN, "Amin"),
    ],
    ids=["justified-paragraph-hyphens-auto", "reference-hanging-indent"],
)
def test_a_run_that_fits_but_for_its_trailing_space_is_not_broken(
    typesetter, template, alone, run, lone
):
    # the run alone, on a wide measure: where its one line ends (indents included)
    _, probe = lay_out(typesetter, alone.format(run=run), 2000)
    assert len(probe) == 1
    width = probe[0][1] + 1  # the run fits on a line; the run and its trailing space do not
    wrapper, lines = lay_out(typesetter, template.format(run=run), width)
    assert wrapper.width == pytest.approx(width)
    texts = [text for text, _ in lines]
    assert lone not in texts, f"{lone!r} alone on a line: {texts}"
    assert texts[0] == html.unescape(run), texts  # the run fills the first line, then the call
    for text, right in lines[:-1]:
        assert right >= 0.8 * width, f"short line inside the paragraph: {text!r} in {texts}"
