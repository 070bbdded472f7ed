"""Page width and printed text sizes of a one-page PDF figure as matplotlib writes it.

A text object (BT … ET) prints at its `Tf` size times the scale of the current transformation
(`cm`, `Tm`); mathtext writes a formula as one text object, its sub- and superscripts at 70 % of
the formula's size. The streams are read with zlib (matplotlib compresses them with Flate).
"""

import math
import re
import zlib

from sparsenets.common.plotting import TEXT_HEIGHT, TEXT_WIDTH

TOKEN = re.compile(
    rb"\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f\s]*>|/[^\s/\[\]()<>]+|[-+]?(?:\d+\.?\d*|\.\d+)|[A-Za-z'\"*]+"
)
NUMBER = re.compile(rb"[-+]?(?:\d+\.?\d*|\.\d+)$")


def _media_box(pdf: bytes):
    return map(float, re.search(rb"/MediaBox\s*\[([^\]]*)\]", pdf).group(1).split())


def page_width(pdf: bytes) -> float:
    """Width in inches of the (first) page's MediaBox."""
    x0, _, x1, _ = _media_box(pdf)
    return (x1 - x0) / 72


def page_height(pdf: bytes) -> float:
    x0, y0, x1, y1 = _media_box(pdf)
    return (y1 - y0) / 72


def _streams(pdf: bytes):
    for m in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:  # a decompressor ignores the end-of-line bytes after the data
            yield zlib.decompressobj().decompress(m.group(1))
        except zlib.error:  # an image or font stream that is not Flate-compressed
            continue


def _scale(a, b, c, d) -> float:
    return math.sqrt(abs(a * d - b * c))


def text_objects(pdf: bytes) -> list[list[float]]:
    """Printed sizes (pt) of the font runs of each text object, in drawing order."""
    objects = []
    for stream in _streams(pdf):
        stack, ctm, operands, text, tm = [], 1.0, [], None, 1.0
        for token in TOKEN.findall(stream):
            if NUMBER.match(token):
                operands.append(float(token))
                continue
            if not token[:1].isalpha() and token[:1] not in b"'\"":
                operands.append(token)
                continue
            if token == b"q":
                stack.append(ctm)
            elif token == b"Q" and stack:
                ctm = stack.pop()
            elif token == b"cm" and len(operands) >= 6:
                ctm *= _scale(*operands[-6:-2])
            elif token == b"BT":
                text, tm = [], 1.0
            elif token == b"Tm" and text is not None:
                tm = _scale(*operands[-6:-2])
            elif token == b"Tf" and text is not None:
                text.append(operands[-1] * ctm * tm)
            elif token == b"ET" and text is not None:
                objects.append(text)
                text = None
            operands = []
    return objects


# Print-ready: no text below 7 pt (a formula's sub- and superscripts are mathtext's fractions of
# its size, as in LaTeX); no page wider than the paper's text width or taller than its height.
MIN_TEXT_PT = 7.0
MAX_WIDTH_IN = TEXT_WIDTH
MAX_HEIGHT_IN = TEXT_HEIGHT


def problems(pdf: bytes) -> list[str]:
    """What keeps a figure from printing at its natural size in the paper (empty: nothing)."""
    found = []
    if page_width(pdf) > MAX_WIDTH_IN + 1e-6:
        found.append(f"page {page_width(pdf):.2f} in wide > {MAX_WIDTH_IN} in")
    if page_height(pdf) > MAX_HEIGHT_IN + 1e-6:
        found.append(f"page {page_height(pdf):.2f} in tall > {MAX_HEIGHT_IN} in")
    objects = text_objects(pdf)
    if not objects:
        found.append("no text found")
    for sizes in objects:
        if max(sizes) < MIN_TEXT_PT - 1e-6:
            found.append(f"text at {max(sizes):g} pt < {MIN_TEXT_PT:g} pt")
    return sorted(set(found))


def min_text_size(pdf: bytes) -> float:
    """The smallest text object's size (pt)."""
    return min(max(sizes) for sizes in text_objects(pdf))
