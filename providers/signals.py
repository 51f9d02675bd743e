"""Providers and their contract participations are shown in the catalogue: saving or deleting
one invalidates the cached catalogue pages (``programs.caching``), with the catalogue's own
handlers. Connected in ProvidersConfig.ready(); no state of any record is changed here.
"""

from __future__ import annotations

from programs.signals import connect_model


def connect() -> None:
    from providers.models import ContractParticipation, Provider

    for model in (Provider, ContractParticipation):
        connect_model(model)
