"""The paper: macros, appendix tables and the PDF, built from every family's outputs."""
