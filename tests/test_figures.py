"""Print-ready figures: sized from the paper's text width, included at natural size, no text
below 7 pt, byte-identical redraws. Every figure of a smoke run is checked in test_workflow.py."""

import ast
import re
import shutil
import subprocess
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from pdf_text import MIN_TEXT_PT, min_text_size, page_width, problems
from sparsenets.common.plotting import TEXT_HEIGHT, TEXT_WIDTH, figsize, save, use_style
from sparsenets.diagonal.figures import kernel

REPO = Path(__file__).resolve().parents[1]
STYLE = REPO / "workflow/style/matplotlibrc"


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed")
def test_text_width_is_the_papers(tmp_path):
    """LaTeX reports \\textwidth under the paper's document class and geometry lines."""
    preamble = [
        line
        for line in (REPO / "paper/paper.tex").read_text().splitlines()
        if line.startswith(r"\documentclass") or "{geometry}" in line
    ]
    assert len(preamble) == 2, preamble
    (tmp_path / "w.tex").write_text(
        "\n".join(
            [
                *preamble,
                r"\begin{document}\typeout{WIDTH=\the\textwidth,HEIGHT=\the\textheight}\end{document}",
            ]
        )
    )
    run = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-draftmode", "w.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    width, height = map(
        float, re.search(r"WIDTH=([\d.]+)pt,HEIGHT=([\d.]+)pt", run.stdout).groups()
    )
    assert width / 72.27 == pytest.approx(TEXT_WIDTH, abs=1e-4)
    assert height / 72.27 == pytest.approx(TEXT_HEIGHT, abs=1e-4)


def test_figsize_is_a_fraction_of_the_text_width():
    assert figsize() == (TEXT_WIDTH, 2.4)
    assert figsize(0.48, 2.5) == (pytest.approx(0.48 * TEXT_WIDTH), 2.5)
    for fraction in (0, 1.2):
        with pytest.raises(ValueError, match="fraction of the text width"):
            figsize(fraction)
    with pytest.raises(ValueError, match="text height"):
        figsize(1.0, TEXT_HEIGHT + 0.5)


def test_every_figure_size_comes_from_the_helper():
    """No inch width in a figures module: each figsize= is a call of plotting.figsize."""
    for path in sorted((REPO / "src/sparsenets").glob("*/figures.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.keyword) and node.arg == "figsize":
                call = node.value
                assert isinstance(call, ast.Call) and getattr(call.func, "id", "") == "figsize", (
                    f"{path.relative_to(REPO)}:{node.value.lineno}: figsize not from the helper"
                )


def test_the_paper_includes_figures_at_their_natural_size():
    sources = [*(REPO / "paper").rglob("*.tex"), REPO / "src/sparsenets/common/latex.py"]
    scaled = [
        f"{p.relative_to(REPO)}: {m.group(0)}"
        for p in sources
        for m in re.finditer(r"\\includegraphics\s*\[[^\]]*\]", p.read_text())
    ]
    assert not scaled, scaled


def _draw(tmp_path, name, size, fontsize=None):
    use_style(STYLE)
    fig, ax = plt.subplots(figsize=size)
    ax.plot([1, 10], [1, 100], label="a line")
    ax.set_xscale("log")
    ax.set_xlabel(r"iteration $t$")
    ax.set_ylabel(r"$\|w_t-w^\star\|_2^2$")
    ax.legend()
    ax.set_title("title", fontsize=fontsize)
    save(fig, tmp_path / f"{name}.pdf", None)
    return (tmp_path / f"{name}.pdf").read_bytes()


def test_pdf_check_reads_sizes_and_flags_small_text_and_wide_pages(tmp_path):
    """The negative controls: 5 pt text, a page wider than the text."""
    good = _draw(tmp_path, "good", figsize(1.0))
    assert page_width(good) == pytest.approx(TEXT_WIDTH)
    assert min_text_size(good) == 7.5  # the legend: legend.fontsize
    assert problems(good) == []
    assert problems(_draw(tmp_path, "small", figsize(0.5), fontsize=5)) == [
        f"text at 5 pt < {MIN_TEXT_PT:g} pt"
    ]
    assert problems(_draw(tmp_path, "wide", (7.0, 2.4))) == [f"page 7.00 in wide > {TEXT_WIDTH} in"]
    assert problems(_draw(tmp_path, "tall", (6.5, 9.5))) == [
        f"page 9.50 in tall > {TEXT_HEIGHT} in"
    ]


def _kernel_tables():
    rng = np.random.default_rng(0)
    steps = np.arange(0, 200, 10)
    trajectory = pd.DataFrame(
        [
            {"depth": depth, "trial": trial, "step": s, "err2": np.exp(-s / 50) + rng.random()}
            for depth in (2, 3)
            for trial in range(4)
            for s in steps
        ]
    )
    measures = pd.DataFrame(
        [
            {"depth": depth, "measure": m, "value": 0.1}
            for depth in (2, 3)
            for m in ("ridge_err2", "ls_err2")
        ]
    )
    return {"trajectory": trajectory, "measures": measures}


def test_a_seaborn_band_figure_redraws_to_identical_bytes(tmp_path):
    drawn = []
    for k in range(2):
        use_style(STYLE)
        pdf, png = tmp_path / f"{k}.pdf", tmp_path / f"{k}.png"
        save(kernel(_kernel_tables()), pdf, png)
        drawn.append((pdf.read_bytes(), png.read_bytes()))
    assert drawn[0] == drawn[1]
    assert problems(drawn[0][0]) == []
