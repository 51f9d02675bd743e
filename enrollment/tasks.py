"""Background tasks of the enrollment (Django tasks API; `manage.py db_worker` runs them)."""

from __future__ import annotations

from django.tasks import task


@task()
def issue_document(event_id: int) -> int:
    """Render and store the document of one event (idempotent: a second run finds it)."""
    from enrollment.documents import document_for_event
    from enrollment.models import ParticipationEvent

    return document_for_event(ParticipationEvent.objects.get(pk=event_id)).pk


@task()
def issue_activation_letter_batch(batch_id: int) -> dict:
    """Issue and render the letters of one batch (a finished batch is left alone)."""
    from django.utils import timezone

    from enrollment.accounts.letters import BatchNotStartable, activation_letter_batch_run
    from enrollment.models import ActivationLetterBatch

    batch = ActivationLetterBatch.objects.get(pk=batch_id)
    try:
        batch = activation_letter_batch_run(batch=batch, now=timezone.now())
    except BatchNotStartable:
        return {"status": batch.status, "skipped": True}
    return {"status": batch.status, "letters": batch.done, "pages": batch.pages}
