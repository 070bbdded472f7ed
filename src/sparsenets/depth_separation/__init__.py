"""Depth separation for ball indicators (Safran & Lee, COLT 2022)."""
