"""Shared figure plumbing: the project style, and byte-stable atomic PDF and 300 dpi PNG output."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from sparsenets.common.io import InputError, as_list, atomic_path  # noqa: E402


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
