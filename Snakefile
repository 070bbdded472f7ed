"""sparsenets: every dataset, model, metric, figure and number of the paper, then the PDF."""

from snakemake.utils import min_version, validate

from sparsenets import FAMILIES

min_version("9.0")


# The paper scale. A config file on the command line (config/smoke.yaml, or your own override)
# holds only what differs and is merged onto it, key by key; Snakemake passes it on to cluster
# jobs, which merge it the same way. The merged config is validated below.
configfile: "config/config.yaml"


report: "workflow/report/workflow.rst"


validate(config, "workflow/schemas/config.schema.yaml")


include: "workflow/rules/common.smk"


# Each family in the config plugs in its rules (and validates its section), then its figures,
# claims and target rules come from one helper; the paper follows.
for family in [f for f in FAMILIES if f in config]:

    include: f"workflow/rules/{family}.smk"

    family_rules(family)


include: "workflow/rules/paper.smk"


# `snakemake figures` (make figures): every family's figures, without the paper.
rule figures:
    input:
        family_files("figures"),
        family_files("pngs"),
    localrule: True


rule all:
    default_target: True
    input:
        f"{RESULTS}/paper/paper.pdf",
        f"{RESULTS}/paper/arxiv.tar.gz",
        f"{RESULTS}/MANIFEST.json",
    localrule: True
