import getpass
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.onboarding import district_create


class _OneLineErrors(CommandParser):
    """Bad arguments end with one line on stderr and exit code 2 (argparse alone prints its usage too)."""

    def error(self, message):
        if getattr(self, "called_from_command_line", False):
            self.exit(2, f"create_district: {message}\n")
        super().error(message)


class Command(BaseCommand):
    help = ("Create a district and its first district administrator (who then creates everyone else under "
            "Manage users). The password is asked for twice, or read from standard input with --password-stdin.")

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.__class__ = _OneLineErrors  # same parser, one-line errors
        return parser

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help='the district\'s name, e.g. "Springfield Public Schools"')
        parser.add_argument("--org-code", required=True, help="DESE organization code (8 digits)")
        parser.add_argument("--admin-username", required=True)
        parser.add_argument("--admin-first-name", required=True)
        parser.add_argument("--admin-last-name", required=True)
        parser.add_argument("--admin-email", required=True)
        how = parser.add_mutually_exclusive_group()
        how.add_argument("--password-stdin", action="store_true",
                         help="read the administrator's password from the first line of standard input")
        how.add_argument("--email-link", action="store_true",
                         help="set no password: email the administrator a one-time link to choose one (needs a mail "
                              "server: EMAIL_URL or EMAIL_HOST, and a worker)")

    def handle(self, *args, name, org_code, admin_username, admin_first_name, admin_last_name, admin_email,
               password_stdin, email_link=False, **options):
        """Exit code 2 with one line on stderr for any bad input; nothing is written then (one transaction)."""
        password = None if email_link else self._password(password_stdin)
        try:
            district, user = district_create(
                name=name, org_code=org_code, admin_username=admin_username, admin_first_name=admin_first_name,
                admin_last_name=admin_last_name, admin_email=admin_email, admin_password=password)
        except ValidationError as exc:
            raise CommandError(_one_line(exc), returncode=2) from exc
        how = (f"who chooses a password from the link emailed to {user.email}" if email_link
               else "who signs in at /accounts/login/")
        self.stdout.write(f"Created district {district.name} ({district.org_code}) and its district administrator "
                          f"{user.username}, {how} and sets up two-factor sign-in.")

    def _password(self, from_stdin: bool) -> str:
        if from_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        elif sys.stdin.isatty():
            password = getpass.getpass("Password for the district administrator: ")
            if getpass.getpass("The same password again: ") != password:
                raise CommandError("The two passwords differ.", returncode=2)
        else:
            raise CommandError("Give the administrator's password with --password-stdin (standard input is not a "
                               "terminal to ask on).", returncode=2)
        if not password:
            raise CommandError("The administrator's password may not be empty.", returncode=2)
        return password


def _one_line(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{field.replace('_', ' ')}: {' '.join(messages)}"
                         for field, messages in exc.message_dict.items())
    return " ".join(exc.messages)
