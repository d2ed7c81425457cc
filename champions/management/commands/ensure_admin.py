"""Make sure an administrator account exists, for the quick start.

``DJANGO_SUPERUSER_PASSWORD``, whenever it is given, is the account's password: set on a new
account and set again on an existing one, and the command says which. Without it a new account
gets a random password, printed as the command's last line (the quick start starts the server
right after, so it stays in sight), and an existing account keeps the password someone may have
changed.
"""

import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = _(
        "Create the administrator account unless it exists; set its password from "
        "DJANGO_SUPERUSER_PASSWORD when that is given, else print a generated one."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--username", default=os.environ.get("DJANGO_SUPERUSER_USERNAME", "admin")
        )

    def handle(self, *args, username, **options):
        User = get_user_model()
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD")
        account = User.objects.filter(username=username).first()
        if account is not None:
            if not password:
                self.stdout.write(
                    _("Administrator account “%(user)s” already exists; its password is unchanged.")
                    % {"user": username}
                )
                return
            account.set_password(password)
            account.save(update_fields=["password"])
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "Administrator account “%(user)s” exists; its password is now the one "
                        "in DJANGO_SUPERUSER_PASSWORD."
                    )
                    % {"user": username}
                )
            )
            return
        if password:
            User.objects.create_superuser(username=username, email="", password=password)
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "Created administrator “%(user)s” with the password in "
                        "DJANGO_SUPERUSER_PASSWORD."
                    )
                    % {"user": username}
                )
            )
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        self.stdout.write(
            _(
                "Set DJANGO_SUPERUSER_PASSWORD to choose the password; this one is not shown "
                "again (change it with: python manage.py changepassword %(user)s)."
            )
            % {"user": username}
        )
        self.stdout.write(
            self.style.SUCCESS(
                _("Created administrator “%(user)s”; password: %(password)s")
                % {"user": username, "password": password}
            )
        )
