from django.core.management.base import BaseCommand

from gongxin.registry.tasks import search_documents_rebuild


class Command(BaseCommand):
    help = "Rebuild every organization's search document (queued for the task worker, or now with --now)."

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="run here instead of queueing for the worker")

    def handle(self, *args, now, **options):
        if now:
            self.stdout.write(f"Rewrote {search_documents_rebuild.call()} search documents.")
        else:
            result = search_documents_rebuild.enqueue()
            self.stdout.write(f"Queued as task {result.id}; `gongxin db_worker` runs it.")
