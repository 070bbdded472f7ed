"""sparsenets: every dataset, model, metric, figure and number of the paper, then the PDF."""

from snakemake.utils import min_version, validate

min_version("9.0")


configfile: "config/config.yaml"


validate(config, "workflow/schemas/config.schema.yaml")


include: "workflow/rules/common.smk"
include: "workflow/rules/diagonal.smk"
include: "workflow/rules/paper.smk"


rule all:
    default_target: True
    input:
        f"{RESULTS}/paper/paper.pdf",
