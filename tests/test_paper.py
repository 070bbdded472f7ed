"""The paper build: macros, checklist and compute tables, the LaTeX run (errors, determinism)."""

import json
import re
import shutil
from pathlib import Path

import pytest

from sparsenets import FAMILIES
from sparsenets.common import latex
from sparsenets.paper.stages import STAGES

REPO = Path(__file__).resolve().parents[1]
needs_latexmk = pytest.mark.skipif(shutil.which("latexmk") is None, reason="latexmk not installed")

BENCH_HEADER = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"


def claim(id, verdict="reproduced", **fields):
    base = dict(
        id=id,
        source="Li et al. (2021), Thm. 1",
        statement="a statement",
        kind="bound",
        measure="err",
        value=0.5,
        interval=[0.4, 0.6],
        interval_method="t",
        trials=10,
        expected="< 1",
        verdict=verdict,
        criterion_cannot_fail=False,
        control={"description": "none", "value": None, "verdict": "not run"},
        parts=[],
        evidence=[],
    )
    return {**base, **fields}


def write_family(root: Path, family: str, claims: list, numbers: dict) -> dict:
    folder = root / family
    folder.mkdir(parents=True)
    (folder / "claims.json").write_text(json.dumps(claims))
    (folder / "numbers.json").write_text(json.dumps(numbers))
    return {"claims": str(folder / "claims.json"), "numbers": str(folder / "numbers.json")}


def run_macros(tmp_path, families: dict) -> str:
    files = [write_family(tmp_path, f, c, n) for f, (c, n) in families.items()]
    inputs = {"claims": [f["claims"] for f in files], "numbers": [f["numbers"] for f in files]}
    out = tmp_path / "paper" / "macros.tex"
    STAGES["macros"](inputs, {"macros": str(out)}, {})
    return out.read_text()


# --- macros ----------------------------------------------------------------------------------


def test_macros_keep_values_verbatim_and_count_claims(tmp_path):
    claims = [claim("a"), claim("b", "partial"), claim("c", "not reproduced"), claim("d")]
    claims[0]["criterion_cannot_fail"] = True
    text = run_macros(tmp_path, {"sparse_dnn": (claims, {"InitScale": "$10^{-5}$"})})
    assert r"\newcommand{\InitScale}{$10^{-5}$}" in text
    assert r"\newcommand{\NumClaims}{4}" in text
    assert r"\newcommand{\NumReproduced}{2}" in text
    assert r"\newcommand{\NumNotReproduced}{1}" in text
    assert r"\newcommand{\SparseDnnNumPartial}{1}" in text
    assert r"\newcommand{\NumFamilies}{1}" in text
    assert r"\newcommand{\NumConsistent}{0}" in text
    assert r"\newcommand{\NumCannotFail}{1}" in text


@pytest.mark.parametrize("name", ["Init_Scale", "Init2", "", "Ünicode"])
def test_macros_reject_bad_names(tmp_path, name):
    with pytest.raises(SystemExit) as err:
        run_macros(tmp_path, {"diagonal": ([claim("a")], {name: "1"})})
    assert repr(name) in str(err.value)
    assert "diagonal/numbers.json" in str(err.value)


def test_macros_reject_a_name_used_by_two_families(tmp_path):
    with pytest.raises(SystemExit) as err:
        run_macros(
            tmp_path,
            {"diagonal": ([claim("a")], {"Depth": "2"}), "splines": ([claim("b")], {"Depth": "3"})},
        )
    message = str(err.value)
    assert "'Depth'" in message
    assert "diagonal/numbers.json" in message and "splines/numbers.json" in message


def test_macros_reject_a_family_name_clashing_with_a_count(tmp_path):
    with pytest.raises(SystemExit, match="NumClaims"):
        run_macros(tmp_path, {"diagonal": ([claim("a")], {"NumClaims": "7"})})


@pytest.mark.parametrize("value", [3, "{unbalanced", "closed}{"])
def test_macros_reject_unformatted_or_unbalanced_values(tmp_path, value):
    with pytest.raises(SystemExit, match="Width"):
        run_macros(tmp_path, {"diagonal": ([claim("a")], {"Width": value})})


# --- checklist -------------------------------------------------------------------------------


def test_escape_tex_specials():
    assert latex.escape("a_b 50% R&D #1 {x} ~ ^ \\") == (
        r"a\_b 50\% R\&D \#1 \{x\} \textasciitilde{} \textasciicircum{} \textbackslash{}"
    )


@pytest.mark.parametrize(
    "value, text",
    [
        (0.123456, "0.123"),
        (1.2345e-5, r"$1.23\times 10^{-5}$"),
        (123456.0, r"$1.23\times 10^{5}$"),
        (42, "42"),
        (None, "n/a"),
        ([1.0, 2.5], "[1, 2.5]"),
        (list(range(10)), r"[0, 1, 2, \ldots, 9] (10 values)"),
    ],
)
def test_format_value(value, text):
    assert latex.format_value(value) == text


def test_checklist_has_one_escaped_row_per_claim(tmp_path):
    nasty = "error_rate < 5% & support #S = {1, 2}"
    claims = {
        "diagonal": [claim("D1_early", measure=nasty), claim("D2", "partial")],
        "splines": [claim("S1", "inconclusive", criterion_cannot_fail=True, value=None)],
    }
    inputs = {"claims": [write_family(tmp_path, f, c, {})["claims"] for f, c in claims.items()]}
    out = tmp_path / "paper" / "tables" / "checklist.tex"
    STAGES["checklist"](inputs, {"checklist": str(out)}, {})
    text = out.read_text()
    assert r"error\_rate \textless{} 5\% \& support \#S = \{1, 2\}" in text
    assert r"diagonal\newline D1\_\allowbreak{}early" in text
    assert r"\emph{inconclusive}\newline (criterion cannot fail)" in text
    assert r"0.5\newline [0.4, 0.6]" in text
    # the claims table: every row carries the 8 column separators of 9 columns
    table = text.split(r"\end{longtable}")[0]
    rows = [line for line in table.splitlines() if r"\newline" in line]
    assert len(rows) == 3
    assert all(len(re.findall(r"(?<!\\)&", row)) == 8 for row in rows)
    # then the families' criteria tables and the criteria changes
    assert r"\label{tab:criteria}" in text and r"\label{tab:changes}" in text
    assert r"diagonal-\allowbreak{}early-\allowbreak{}stopping" in text


# --- compute ---------------------------------------------------------------------------------


def write_bench(path: Path, rows: list) -> None:
    """rows: (wall s, max RSS) or (wall s, max RSS, CPU s); CPU defaults to half the wall time."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [(*r, r[0] / 2)[:3] for r in rows]
    lines = [f"{s}\t0:00:00\t{rss}\t1\t1\t1\t0\t0\t0\t{cpu}\n" for s, rss, cpu in rows]
    path.write_text(BENCH_HEADER + "".join(lines))


def test_compute_table_sums_per_rule_and_skips_paper_rules(tmp_path):
    bench = tmp_path / "benchmarks"
    write_bench(bench / "diagonal_train" / "convergence-N2.tsv", [(1.5, 120.3)])
    write_bench(bench / "diagonal_train" / "nested" / "N3.tsv", [(2.25, "NA")])
    write_bench(bench / "splines_fit" / "all.tsv", [(10.0, 800.0)])
    write_bench(bench / "paper_pdf" / "all.tsv", [(99.0, 9999.0)])
    out = tmp_path / "paper" / "tables" / "compute.tex"
    STAGES["compute"]({}, {"compute": str(out)}, {"benchmarks": str(bench)})
    text = out.read_text()
    assert r"\texttt{diagonal\_train} & 2 & 3.8 & 1.9 & 2.2 & 120 \\" in text
    assert r"\texttt{splines\_fit} & 1 & 10.0 & 5.0 & 10.0 & 800 \\" in text
    assert r"\emph{diagonal, all rules}" not in text  # one rule: no subtotal
    assert r"All rules & 3 & 13.8 & 6.9 & 10.0 & 800 \\" in text
    assert "paper" not in text.replace("paper_", "")  # no paper_* row
    assert "9999" not in text


def test_compute_table_sums_each_family(tmp_path):
    bench = tmp_path / "b"
    write_bench(bench / "splines_train" / "a.tsv", [(2.0, 10.0)])
    write_bench(bench / "splines_train" / "b.tsv", [(3.0, 30.0)])
    write_bench(bench / "splines_optimum" / "all.tsv", [(5.0, 20.0)])
    write_bench(bench / "sparse_dnn_fit" / "x.tsv", [(7.0, 5.0)])
    write_bench(bench / "sparse_dnn_claims" / "all.tsv", [(1.0, 5.0)])
    lines = latex.compute_table(latex.read_benchmarks(bench)).splitlines()
    total = lines.index(r"\emph{splines, all rules} & 3 & 10.0 & 5.0 & 5.0 & 30 \\")
    assert lines[total - 2 : total] == [
        r"\texttt{splines\_optimum} & 1 & 5.0 & 2.5 & 5.0 & 20 \\",
        r"\texttt{splines\_train} & 2 & 5.0 & 2.5 & 3.0 & 30 \\",
    ]
    assert r"\emph{sparse\_dnn, all rules} & 2 & 8.0 & 4.0 & 7.0 & 5 \\" in lines
    assert r"All rules & 5 & 18.0 & 9.0 & 7.0 & 30 \\" in lines


def test_compute_table_marks_missing_memory_and_cpu(tmp_path):
    write_bench(tmp_path / "b" / "r" / "x.tsv", [(1.0, "NA", "NA")])
    text = latex.compute_table(latex.read_benchmarks(tmp_path / "b"))
    assert r"\texttt{r} & 1 & 1.0 & -- & 1.0 & -- \\" in text


def test_log_errors_keep_context_lines():
    log = "noise\n./paper.tex:3: Undefined control sequence.\nl.3 Hello \\Nope\n\nmore\n"
    assert latex.log_errors(log) == [
        "./paper.tex:3: Undefined control sequence.",
        "l.3 Hello \\Nope",
    ]


# --- pdf -------------------------------------------------------------------------------------

PREAMBLE = "\\documentclass{article}\n\\pdftrailerid{}\n\\pdfsuppressptexinfo=-1\n"


def build(folder: Path, body: str, extra_sections: dict | None = None) -> Path:
    """Write a tiny paper under folder/src and build it into folder/out/paper.pdf."""
    src = folder / "src"
    (src / "sections").mkdir(parents=True)
    (src / "paper.tex").write_text(body)
    sections = []
    for name, text in (extra_sections or {}).items():
        (src / "sections" / name).write_text(text)
        sections.append(str(src / "sections" / name))
    out = folder / "out" / "paper.pdf"
    inputs = {"tex": str(src / "paper.tex"), "sections": sections}
    STAGES["pdf"](inputs, {"pdf": str(out)}, {"source_date_epoch": 1700000000})
    return out


@needs_latexmk
def test_pdf_is_byte_identical_across_builds(tmp_path):
    body = PREAMBLE + (
        "\\usepackage{hyperref}\n\\begin{document}\n\\title{T}\\date{\\today}\\maketitle\n"
        "\\section{A}\\label{s}See \\ref{s}.\n\\input{sections/one}\n\\end{document}\n"
    )
    sections = {"one.tex": "Section text.\n"}
    first = build(tmp_path / "a", body, sections)
    second = build(tmp_path / "b", body, sections)
    assert first.read_bytes() == second.read_bytes()
    assert b"/CreationDate (D:20231114221320Z)" in first.read_bytes()  # SOURCE_DATE_EPOCH, UTC
    rebuilt = build_again(tmp_path / "a")
    assert rebuilt == first.read_bytes()


@needs_latexmk
def test_pdf_after_an_edit_equals_a_build_from_clean(tmp_path):
    """The build folder is kept between builds; an edit that moves a reference and a citation
    must still give the bytes of a build from clean."""
    body = PREAMBLE + (
        "\\usepackage{hyperref}\n\\begin{document}\n\\input{sections/one}\n"
        "\\section{B}\\label{b}See Section~\\ref{a} and~\\ref{b}.\n\\end{document}\n"
    )
    before = {"one.tex": "\\section{A}\\label{a}One.\n"}
    after = {"one.tex": "\\section{Z}Moved.\n\\section{A}\\label{a}One.\n"}
    build(tmp_path / "a", body, before)
    (tmp_path / "a" / "src" / "sections" / "one.tex").write_text(after["one.tex"])
    edited = build_again(tmp_path / "a")
    assert edited == build(tmp_path / "b", body, after).read_bytes()


def build_again(folder: Path) -> bytes:
    out = folder / "out" / "paper.pdf"
    src = folder / "src"
    inputs = {"tex": str(src / "paper.tex"), "sections": [str(p) for p in src.glob("sections/*")]}
    STAGES["pdf"](inputs, {"pdf": str(out)}, {"source_date_epoch": 1700000000})
    return out.read_bytes()


@needs_latexmk
def test_pdf_fails_on_undefined_macro_with_the_log_line(tmp_path):
    body = PREAMBLE + "\\begin{document}\nHello \\NoSuchMacro{} world.\n\\end{document}\n"
    with pytest.raises(SystemExit) as err:
        build(tmp_path, body)
    message = str(err.value)
    assert message.startswith(f"LaTeX failed building {tmp_path / 'out' / 'paper.pdf'}")
    assert "paper.tex:5: Undefined control sequence" in message
    assert r"l.5 Hello \NoSuchMacro" in message
    assert str(tmp_path / "out" / "build" / "paper.log") in message
    assert not (tmp_path / "out" / "paper.pdf").exists()


@needs_latexmk
@pytest.mark.parametrize(
    "use, warning",
    [
        (r"\cite{nobody2024}", "Citation `nobody2024' on page 1 undefined"),
        (r"\ref{sec:none}", "Reference `sec:none' on page 1 undefined"),
    ],
)
def test_pdf_fails_on_undefined_citation_or_reference(tmp_path, use, warning):
    body = PREAMBLE + f"\\begin{{document}}\nAs shown in {use}.\n\\end{{document}}\n"
    with pytest.raises(SystemExit, match=re.escape(warning)):
        build(tmp_path, body)


@needs_latexmk
def test_pdf_removes_stale_copies_of_deleted_sections(tmp_path):
    body = (
        PREAMBLE
        + "\\begin{document}\n\\input{sections/one}\\input{sections/two}\n\\end{document}\n"
    )
    build(tmp_path, body, {"one.tex": "One.\n", "two.tex": "Two.\n"})
    (tmp_path / "src" / "sections" / "one.tex").unlink()
    with pytest.raises(SystemExit, match="one"):
        build_again(tmp_path)


def test_pdf_explains_a_missing_latexmk(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(SystemExit, match="envs/apt.txt"):
        STAGES["pdf"]({"tex": str(tmp_path / "paper.tex")}, {"pdf": str(tmp_path / "p.pdf")}, {})


@needs_latexmk
def test_the_paper_builds_from_family_outputs(tmp_path):
    """The real paper.tex, intro, appendix and refs.bib, with a stand-in for each family section:
    every citation resolves and every macro the shared text uses is generated."""
    results = tmp_path / "results"
    family = write_family(results, "diagonal", [claim("D1_x", statement="50% & #1")], {})
    paper = results / "paper"
    build = {"build": {"git": {"commit": None, "dirty": None}, "scale": "smoke"}}
    STAGES["macros"](family, {"macros": str(paper / "macros.tex")}, build)
    STAGES["checklist"](family, {"checklist": str(paper / "tables" / "checklist.tex")}, {})
    write_bench(results / "benchmarks" / "diagonal_train" / "x.tsv", [(1.0, 10.0)])
    compute = {"benchmarks": str(results / "benchmarks")}
    STAGES["compute"]({}, {"compute": str(paper / "tables" / "compute.tex")}, compute)

    src = tmp_path / "paper"
    shutil.copytree(REPO / "paper", src)
    for name in FAMILIES:
        title = name.replace("_", " ")
        (src / "sections" / f"{name}.tex").write_text(f"\\section{{{title}}}\nStand-in.\n")
    inputs = {
        "tex": str(src / "paper.tex"),
        "bib": str(src / "refs.bib"),
        "sections": [str(p) for p in sorted((src / "sections").glob("*.tex"))],
    }
    params = {"source_date_epoch": 0, "families": list(FAMILIES)}
    STAGES["pdf"](inputs, {"pdf": str(paper / "paper.pdf")}, params)
    assert (paper / "paper.pdf").read_bytes().startswith(b"%PDF")
    assert (paper / "families.tex").read_text().count("\\input{sections/") == len(FAMILIES)
