"""Background tasks of the enrollment (Django tasks API; `manage.py db_worker` runs them)."""

from __future__ import annotations

from django.tasks import task


@task()
def issue_document(event_id: int) -> int:
    """Render and store the document of one event (idempotent: a second run finds it)."""
    from enrollment.documents import document_for_event
    from enrollment.models import ParticipationEvent

    return document_for_event(ParticipationEvent.objects.get(pk=event_id)).pk
