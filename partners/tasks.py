"""Celery tasks of partners: they take ids and call one service each."""

from celery import shared_task


@shared_task(name="partners.seat_summaries_count", ignore_result=True)
def seat_summaries_count_task() -> int:
    """The beat job (just after midnight): count every school's seat summary for the new day, so that the
    first filter of the roster that morning does not wait for the whole country's. First it puts back a
    row that is missing (seat_summary.rows_ensure), which on PostgreSQL the day's checks assume."""
    from partners.seat_summary import rows_ensure, summaries_ensure
    from schools.models import School

    rows_ensure()
    return summaries_ensure(School.objects.all()).counted
