"""Views of the providers app (thin: authorize, fetch, validate, call a service, render)."""
