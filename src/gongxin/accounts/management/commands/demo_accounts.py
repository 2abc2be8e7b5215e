from django.conf import settings
from django.core.management.base import BaseCommand

from gongxin.accounts.models import User
from gongxin.accounts.services import DEMO_ACCOUNTS, DEMO_PASSWORD, demo_accounts_ensure


class Command(BaseCommand):
    help = "Create the demo accounts if missing and print them."

    def handle(self, *args, **options):
        created = {u: p for u, _r, p in demo_accounts_ensure()}
        self.stdout.write("Demo accounts (username / password / role / scope):")
        for username, _display, _role, _unit, _j in DEMO_ACCOUNTS:
            user = User.objects.filter(username=username).select_related("jurisdiction", "organization").first()
            if user is None:
                continue
            password = created.get(username) or (DEMO_PASSWORD if settings.DEMO else "(set earlier)")
            scope = user.jurisdiction or user.organization or user.sponsor_unit or user.unit_name or "—"
            self.stdout.write(f"  {username:<18} {password:<20} {user.get_role_display()}  {scope}")
