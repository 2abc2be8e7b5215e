import pytest

from gongxin.core.models import AuditEvent
from gongxin.registry.models import SearchDocument
from gongxin.registry.selectors import SearchFilters, organization_search
from gongxin.registry.tasks import search_documents_rebuild

pytestmark = pytest.mark.django_db


def test_rebuild_repairs_stale_and_missing_documents(make_org):
    a = make_org("珠海市游艇行业协会")
    b = make_org("佛山市陶瓷行业协会", region="440600")
    SearchDocument.objects.filter(organization=a).update(tokens="x", text="x")
    SearchDocument.objects.filter(organization=b).delete()
    assert not list(organization_search(actor=None, q="游艇", filters=SearchFilters()))
    assert search_documents_rebuild.call() == 2
    assert [o.name for o in organization_search(actor=None, q="游艇", filters=SearchFilters())] == [a.name]
    assert [o.name for o in organization_search(actor=None, q="陶瓷", filters=SearchFilters())] == [b.name]
    assert search_documents_rebuild.call() == 0  # idempotent
    assert AuditEvent.objects.filter(action="registry.search_rebuild").count() == 2


def test_rebuild_can_be_queued_for_the_worker(make_org):
    result = search_documents_rebuild.enqueue()
    assert result.status == "READY"


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_a_queued_rebuild(make_org):
    from django.core.management import call_command

    org = make_org("珠海市帆船运动协会")
    SearchDocument.objects.filter(organization=org).update(tokens="x", text="x")
    result = search_documents_rebuild.enqueue()
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    result.refresh()
    assert result.status == "SUCCESSFUL"
    assert result.return_value == 1
    assert [o.name for o in organization_search(actor=None, q="帆船", filters=SearchFilters())] == [org.name]
