"""Contract terms: what a contract promises about dates, in one place below enrollment.

- ``deadlines``: the pure date arithmetic (BGB §§ 187, 188, 193; revocation, start, binding,
  notice), no database and no clock;
- ``schedule``: the dates of a participation computed from a contract;
- ``policy``: the terms in plain words, with example dates.

The catalogue explains these terms before anyone enrolls and the enrollment computes with
them, so both floors read the same rules from here.
"""
