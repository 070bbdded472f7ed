"""Shared figure plumbing: the project style, and byte-stable atomic PDF and 300 dpi PNG output."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import seaborn as sns  # noqa: E402

from sparsenets.common.io import InputError, as_list, atomic_path  # noqa: E402

# \textwidth of paper/paper.tex: letter paper (8.5 in) less the two 1 in margins of
# \usepackage[margin=1in]{geometry}; tests/test_figures.py asks LaTeX for it.
TEXT_WIDTH = 6.5
TEXT_HEIGHT = 9.0  # \textheight: 11 in less the two margins


def figsize(fraction: float = 1.0, height: float = 2.4) -> tuple[float, float]:
    """(width, height) in inches of a figure the paper includes at its natural size over
    `fraction` of the text width, so its text prints at the sizes of the style file."""
    if not 0 < fraction <= 1:
        raise ValueError(f"a figure spans a fraction of the text width in (0, 1], not {fraction}")
    if not 0 < height <= TEXT_HEIGHT:
        raise ValueError(f"a figure is at most the text height, {TEXT_HEIGHT} in, not {height}")
    return TEXT_WIDTH * fraction, height


def over_trials(ax, rows, x, y, estimator, interval=None, bars=False, **line) -> None:
    """`estimator` ("mean", "median") of y over the trials in `rows` at each x, with the central
    `interval` % of the trials as a band (or as bars); the line takes matplotlib's keywords
    (color, label, ...). Axis labels and the legend are left to the caller."""
    sns.lineplot(
        rows,
        x=x,
        y=y,
        estimator=estimator,
        errorbar=("pi", interval) if interval else None,
        err_style="bars" if bars else "band",
        err_kws={"lw": 0.8 if bars else 0},
        mec=line.get("color"),
        legend=False,
        ax=ax,
        **line,
    )
    ax.set(xlabel=None, ylabel=None)


def use_style(style_path) -> None:
    plt.style.use(style_path)


def save(fig, pdf_path, png_path) -> None:
    """Write the figure to whichever of the two paths is given (the PDF for the paper, the PNG
    for the report are drawn by separate jobs). No creation date or software version in the
    files: reruns give identical bytes."""
    if pdf_path:
        with atomic_path(pdf_path) as tmp:
            fig.savefig(tmp, format="pdf", metadata={"CreationDate": None, "Creator": None})
    if png_path:
        with atomic_path(png_path) as tmp:
            fig.savefig(tmp, format="png", metadata={"Software": None})
    plt.close(fig)


def each_figure(params, outputs):
    """(name, pdf, png) of every figure a job draws (one process: one start-up for a family's
    figures), with None for the format the job does not write; each is drawn with fresh rc
    settings, as if in a process of its own."""
    names = params["figures"]
    pdfs, pngs = (as_list(outputs.get(k, [None] * len(names))) for k in ("pdf", "png"))
    if not len(names) == len(pdfs) == len(pngs):
        raise InputError(f"{len(names)} figures need as many --out pdf (or png) paths")
    for name, pdf, png in zip(names, pdfs, pngs, strict=True):
        with plt.rc_context():
            yield name, pdf, png
