"""Views of the enrollment app (thin: authorize, fetch, validate, call a service, render)."""
