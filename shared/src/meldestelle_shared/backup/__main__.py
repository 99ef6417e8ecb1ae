"""`python -m meldestelle_shared.backup keygen DIR | create DIR | verify DIR [--hashes-only] | restore DIR [--replace]`."""

import argparse
import sys
from pathlib import Path

from pymongo.errors import PyMongoError

from meldestelle_shared.backup.create import create_backup
from meldestelle_shared.backup.errors import BackupError
from meldestelle_shared.backup.keys import ensure_backup_keys, private_key, public_key
from meldestelle_shared.backup.restore import restore_backup
from meldestelle_shared.backup.settings import BackupSettings
from meldestelle_shared.backup.verify import verify_backup


def main(argv: list[str] | None = None) -> int:
    """Run one backup command; errors are one line on stderr and exit status 2."""
    arguments = _parser().parse_args(argv)
    try:
        if arguments.command == "keygen":
            job, restore = ensure_backup_keys(arguments.folder)
            print(f"backup public key (for the backup job) in {job}\nbackup private key (keep offline) in {restore}")
            return 0
        settings = BackupSettings.from_environment()
        if arguments.command == "create":
            manifest = create_backup(settings, public_key(settings.public_key), arguments.folder)
            print(f"backup set {arguments.folder}: {len(manifest.archives)} archives, {sum(a.documents for a in manifest.archives)} documents")
        elif arguments.command == "verify":
            key = None if arguments.hashes_only else private_key(settings.private_key.get_secret_value())
            verified = verify_backup(arguments.folder, key)
            print(f"backup set {arguments.folder} is intact: {len(verified.manifest.archives)} archives"
                  + ("" if key is None else f", {verified.documents_checked} documents decrypted and counted"))  # fmt: skip
        else:
            restore_backup(settings, private_key(settings.private_key.get_secret_value()), arguments.folder, replace=arguments.replace)
            print(f"backup set {arguments.folder} restored")
    except BackupError as error:
        print(f"backup: error: {error}", file=sys.stderr)
        return 2
    except PyMongoError as error:
        print(f"backup: error: database: {type(error).__name__}: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"backup: error: {error.strerror or error}: {error.filename or ''}", file=sys.stderr)
        return 2
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m meldestelle_shared.backup", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("keygen", help="create the backup key pair in DIR/backup and DIR/backup-restore").add_argument("folder", type=Path)
    commands.add_parser("create", help="back up every source's databases into a new folder").add_argument("folder", type=Path)
    verify = commands.add_parser("verify", help="check a backup set against its manifest, without a database")
    verify.add_argument("folder", type=Path)
    verify.add_argument("--hashes-only", action="store_true", help="check files and hashes only (no private key needed)")
    restore = commands.add_parser("restore", help="verify a backup set, then restore it into empty databases")
    restore.add_argument("folder", type=Path)
    restore.add_argument("--replace", action="store_true", help="drop non-empty target databases first")
    return parser


if __name__ == "__main__":
    sys.exit(main())
