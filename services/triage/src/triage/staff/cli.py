"""Admin command line: create the first admin, reset an account's factors. Reads the same settings as the service.

    python -m triage.staff.cli create-admin --username NAME [--roles admin,caseworker] [--password-stdin]
    python -m triage.staff.cli reset-factors --username NAME [--password-stdin]

The password is asked for (not echoed) unless --password-stdin reads it from standard input.
The TOTP secret is printed once: enter it, or the otpauth:// URI, in an authenticator app.
"""

import argparse
import asyncio
import getpass
import sys

from meldestelle_shared.mongo import create_client
from meldestelle_shared.sealing import load_private_key
from meldestelle_shared.settings import secrets_dir
from triage.settings import Settings
from triage.staff import service
from triage.staff.factors import provisioning_uri
from triage.staff.repository import SessionRepository, StaffRepository, UsernameTaken


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password (at least 12 characters): ")
    if first != getpass.getpass("Repeat the password: "):
        raise SystemExit("The passwords differ.")
    return first


async def _run(arguments: argparse.Namespace, settings: Settings) -> str:
    client = create_client(settings.mongodb, app_name="triage-cli")
    try:
        database = client[settings.database]
        staff, sessions = StaffRepository(database), SessionRepository(database)
        await staff.ensure_indexes()
        office_key = load_private_key(settings.office_private_key.get_secret_value())
        username = arguments.username.strip().lower()
        if arguments.command == "create-admin":
            roles = [role.strip() for role in arguments.roles.split(",") if role.strip()]
            account, secret = await service.create_account(username, _password(arguments.password_stdin), roles, staff=staff, office_key=office_key)
        else:
            account = await staff.by_username(username)
            if account is None:
                raise SystemExit(f"No account is called {username}.")
            account, secret = await service.reset_factors(
                account["_id"], _password(arguments.password_stdin), staff=staff, sessions=sessions, office_key=office_key
            )
        return f"{account['username']} ({', '.join(account['roles'])})\nTOTP secret: {secret}\n{provisioning_uri(secret, account['username'])}"
    finally:
        await client.close()


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and run one command."""
    parser = argparse.ArgumentParser(prog="python -m triage.staff.cli", description="Manage triage staff accounts.")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-admin", help="Create an account (an admin by default).")
    create.add_argument("--username", required=True)
    create.add_argument("--roles", default="admin", help="Comma-separated: admin, lead, caseworker.")
    create.add_argument("--password-stdin", action="store_true")
    reset = commands.add_parser("reset-factors", help="New password and TOTP secret; unlocks the account, ends its sessions.")
    reset.add_argument("--username", required=True)
    reset.add_argument("--password-stdin", action="store_true")
    arguments = parser.parse_args(argv)
    try:
        print(asyncio.run(_run(arguments, Settings(_secrets_dir=secrets_dir()))))
    except service.InvalidAccount as error:
        raise SystemExit(f"{error.field} {error.reason}") from None
    except UsernameTaken:
        raise SystemExit(f"The username {arguments.username} is taken.") from None


if __name__ == "__main__":
    main()
