"""Dashboards, figures of the home pages and exports."""
