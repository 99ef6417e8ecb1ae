"""Admin command line: create the first admin, reset factors, manage API tokens. Reads the same settings as the service.

    python -m triage.staff.cli create-admin --username NAME [--roles admin,caseworker] [--password-stdin]
    python -m triage.staff.cli reset-factors --username NAME [--password-stdin]
    python -m triage.staff.cli create-token --actor NAME --scopes case.read,stats.read [--days 30]
    python -m triage.staff.cli revoke-tokens --actor NAME
    python -m triage.staff.cli reseal

`reseal` runs after a key rotation: it re-seals every case's sealed fields to the current office
key and every TOTP secret to the current TOTP key; retired keys stay configured until it is done.

The password is asked for (not echoed) unless --password-stdin reads it from standard input.
The TOTP secret and an API token are printed once: the database keeps neither in clear.
Whoever runs this holds the service's secrets, so it is an operator's tool and needs no second admin.
"""

import argparse
import asyncio
import getpass
import sys

from meldestelle_shared.mongo import create_client
from meldestelle_shared.sealing import load_keyring
from meldestelle_shared.settings import secrets_dir
from triage.audit.log import SYSTEM, AuditLog
from triage.cases.resealing import reseal_cases
from triage.settings import Settings
from triage.staff import service, tokens
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
        if arguments.command in ("create-token", "revoke-tokens"):
            return await _tokens(arguments, settings, tokens.TokenRepository(database), AuditLog(database))
        staff, sessions = StaffRepository(database), SessionRepository(database)
        await staff.ensure_indexes()
        office_key = load_keyring(settings.office_private_key.get_secret_value(), settings.office_retired_private_keys.get_secret_value())
        totp_key = load_keyring(settings.totp_private_key.get_secret_value(), settings.totp_retired_private_keys.get_secret_value())
        if arguments.command == "reseal":
            cases = await reseal_cases(database, office_key=office_key)
            accounts = await service.reseal_totp_secrets(staff=staff, totp_key=totp_key, office_key=office_key)
            await AuditLog(database).append(SYSTEM, "keys.reseal", reason=f"case_values:{cases},totp_secrets:{accounts}")
            return f"re-sealed {cases} case value(s) to office key {office_key.current_id} and {accounts} TOTP secret(s) to TOTP key {totp_key.current_id}"
        username = arguments.username.strip().lower()
        if arguments.command == "create-admin":
            roles = [role.strip() for role in arguments.roles.split(",") if role.strip()]
            account, secret = await service.create_account(username, _password(arguments.password_stdin), roles, staff=staff, totp_key=totp_key)
        else:
            account = await staff.by_username(username)
            if account is None:
                raise SystemExit(f"No account is called {username}.")
            account, secret = await service.reset_factors(
                account["_id"], _password(arguments.password_stdin), staff=staff, sessions=sessions, totp_key=totp_key
            )
        return f"{account['username']} ({', '.join(account['roles'])})\nTOTP secret: {secret}\n{provisioning_uri(secret, account['username'])}"
    finally:
        await client.close()


async def _tokens(arguments: argparse.Namespace, settings: Settings, repository: tokens.TokenRepository, audit: AuditLog) -> str:
    if arguments.command == "revoke-tokens":
        count = await repository.revoke(arguments.actor.strip().lower())
        await audit.append(SYSTEM, "api_token.revoke", reason=f"actor:{arguments.actor.strip().lower()}")
        return f"{count} token(s) revoked"
    scopes = [scope.strip() for scope in arguments.scopes.split(",") if scope.strip()]
    token, document = tokens.new_token(arguments.actor, scopes, arguments.days, created_by="cli")
    await repository.insert(document)
    await audit.append(SYSTEM, "api_token.create", reason=f"actor:{document['actor']}")
    note = "" if settings.api_tokens_enabled else "\nNote: TRIAGE_API_TOKENS_ENABLED is off; the service refuses every token until it is on."
    return f"API token for {document['actor']} ({', '.join(document['scopes'])}), valid until {document['expires_at']:%Y-%m-%d %H:%M} UTC:\n{token}{note}"


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
    create_token = commands.add_parser("create-token", help="A scoped, expiring API token, printed once.")
    create_token.add_argument("--actor", required=True, help="The name the audit log records for this token's requests.")
    create_token.add_argument("--scopes", required=True, help=f"Comma-separated: {', '.join(sorted(tokens.SCOPES))}.")
    create_token.add_argument("--days", type=int, default=30, help=f"Days until it expires (1-{tokens.MAX_DAYS}).")
    revoke = commands.add_parser("revoke-tokens", help="Revoke every token of an actor.")
    revoke.add_argument("--actor", required=True)
    commands.add_parser("reseal", help="After a key rotation: re-seal cases to the office key and TOTP secrets to the TOTP key.")
    arguments = parser.parse_args(argv)
    try:
        print(asyncio.run(_run(arguments, Settings(_secrets_dir=secrets_dir()))))
    except (service.InvalidAccount, tokens.InvalidToken) as error:
        raise SystemExit(f"{error.field} {error.reason}") from None
    except UsernameTaken:
        raise SystemExit(f"The username {arguments.username} is taken.") from None


if __name__ == "__main__":
    main()
