"""Shared figure plumbing: the project style, and byte-stable atomic PDF + 300 dpi PNG output."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from sparsenets.common.io import atomic_path  # noqa: E402


def use_style(style_path) -> None:
    plt.style.use(style_path)


def save(fig, pdf_path, png_path) -> None:
    # No creation date or software version in the files: reruns give identical bytes.
    with atomic_path(pdf_path) as tmp:
        fig.savefig(tmp, format="pdf", metadata={"CreationDate": None, "Creator": None})
    with atomic_path(png_path) as tmp:
        fig.savefig(tmp, format="png", metadata={"Software": None})
    plt.close(fig)
