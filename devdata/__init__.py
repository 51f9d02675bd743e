"""Generators of demo, volume and report data: the top floor, above every domain app.

May import every app; no domain app imports it. Commands: `seed_demo`, `generate_volume`,
`generate_report_data`.
"""
