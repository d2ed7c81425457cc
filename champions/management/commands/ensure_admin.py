"""Make sure an administrator account exists, for the quick start.

The password comes from ``DJANGO_SUPERUSER_PASSWORD``; without it a random one is generated and
printed once. An existing account is left as it is, so running the quick start again never
resets a password someone has changed.
"""

import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the administrator account unless it exists (password from env or printed)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--username", default=os.environ.get("DJANGO_SUPERUSER_USERNAME", "admin")
        )

    def handle(self, *args, username, **options):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            self.stdout.write(f"Administrator account “{username}” already exists; left as it is.")
            return
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD")
        generated = not password
        if generated:
            password = secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        if generated:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Created administrator “{username}” with password: {password}\n"
                    "(set DJANGO_SUPERUSER_PASSWORD to choose one; this one is not shown again)"
                )
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Created administrator “{username}” (password from DJANGO_SUPERUSER_PASSWORD)."
                )
            )
