"""Hand-written demo data loaded by `manage.py seed_demo` (see `devdata.catalogue`).

- `regions.json`: the few Kreise, Gemeinden and postal codes the demo needs (facts only).
- `programs.py`: care programs and the funds' contracts for them (texts in our own words).
- `providers.py`: the plan from which the demo providers are generated deterministically.
- `accounts.py`: the demo logins.
"""
