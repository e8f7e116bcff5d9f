"""Headway: run a company on OKRs and KPIs together."""
