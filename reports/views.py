"""Views of the reports app (thin: authorize, fetch, validate, call a service, render)."""
