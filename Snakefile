"""sparsenets: every dataset, model, metric, figure and number of the paper, then the PDF."""

from snakemake.utils import min_version, validate

from sparsenets import FAMILIES

min_version("9.0")


# The paper scale by default; a config file given on the command line (e.g. config/smoke.yaml)
# replaces it whole, also inside cluster jobs, which get `--configfiles` but no replace flag.
if not workflow.overwrite_configfiles:

    configfile: "config/config.yaml"


report: "workflow/report/workflow.rst"


validate(config, "workflow/schemas/config.schema.yaml")


include: "workflow/rules/common.smk"


# Each family in the config plugs in its rules (and validates its section); the paper follows.
for family in [f for f in FAMILIES if f in config]:

    include: f"workflow/rules/{family}.smk"


include: "workflow/rules/paper.smk"


localrules:
    all,


rule all:
    default_target: True
    input:
        f"{RESULTS}/paper/paper.pdf",
        f"{RESULTS}/paper/arxiv.tar.gz",
        f"{RESULTS}/MANIFEST.json",
