"""manila-manage, as the emulator runs it for the Manila charms' tests.

`db sync` and `db version` against the database the config files name (oslo.config: each
--config-file, else /etc/manila/manila.conf; the last `[database] connection` wins), as
Debian 12's manila 1:15.1.0 answers them; its alembic head is bb5938d74b73 (real-peers §1.3).
A sync is recorded, without the connection's password, on the machine
($MACHINE_ROOT/var/lib/manila/emulated-schema-syncs) and where every machine of the model
sees it ($MODEL_SHARED/manila-schema-syncs): the database is shared by the machines that
connect to it.
"""

import configparser
import json
import os
import re
import sys

HEAD = 'bb5938d74b73'
USAGE = ('usage: manila-manage [-h] [--config-dir DIR] [--config-file PATH] [--debug] '
         '[--version] {version,shell,logs,service,get,db,host,share,share_server} ...\n')
ROOT = os.environ['MACHINE_ROOT']
LOCAL = os.path.join(ROOT, 'var/lib/manila/emulated-schema-syncs')
SHARED = os.path.join(os.environ['MODEL_SHARED'], 'manila-schema-syncs')


def fail(code, message):
    sys.stderr.write(message)
    sys.exit(code)


def parse(args):
    files, words = [], []
    it = iter(args)
    for arg in it:
        if arg == '--config-file':
            path = next(it, None)
            if path is None:
                fail(2, USAGE + 'manila-manage: error: argument --config-file: expected one argument\n')
            files.append(path)
        elif arg.startswith('--config-file='):
            files.append(arg.split('=', 1)[1])
        elif arg in ('--debug', '-d', '--verbose', '-v', '--nodebug', '--noverbose'):
            continue
        elif arg.startswith('-'):
            fail(2, USAGE + f'manila-manage: error: unrecognized arguments: {arg}\n')
        else:
            words.append(arg)
    return files, words


def database(files):
    paths = files or ['/etc/manila/manila.conf']
    connection, missing = None, []
    for path in paths:
        full = os.path.join(ROOT, path.lstrip('/'))
        if not os.path.isfile(full):
            missing.append(path)
            continue
        config = configparser.RawConfigParser(strict=False, interpolation=None)
        config.read(full)
        if config.has_option('database', 'connection'):
            connection = config.get('database', 'connection')
    if files and missing:
        fail(1, 'oslo_config.cfg.ConfigFilesNotFoundError: Failed to find some config files: '
             + ','.join(missing) + '\n')
    if not connection:
        fail(1, 'oslo_db.exception.CantStartEngineError: '
             'No sql_connection parameter is established\n')
    return re.sub(r'^([^:]+://[^:@/]+):[^@]*@', r'\1@', connection)


def syncs(path):
    try:
        with open(path) as f:
            return [json.loads(line) for line in f if line.strip()]
    except FileNotFoundError:
        return []


def record(db):
    line = json.dumps({'tool': 'manila-manage', 'database': db, 'revision': HEAD,
                       'machine_root': ROOT}) + '\n'
    for path in (LOCAL, SHARED):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'a') as f:
            f.write(line)


def main(args):
    files, words = parse(args)
    if words in (['db', 'sync'], ['db', 'sync', 'head'], ['db', 'sync', HEAD]):
        record(database(files))
    elif words[:2] == ['db', 'sync'] and len(words) == 3:
        fail(1, "alembic.util.exc.CommandError: Can't locate revision identified by "
             f"'{words[2]}'\n")
    elif words == ['db', 'version']:
        db = database(files)
        revisions = [s['revision'] for s in syncs(LOCAL) + syncs(SHARED) if s['database'] == db]
        print(revisions[-1] if revisions else 'None')
    elif words[:1] == ['db']:
        fail(1, f'the emulated manila-manage does not implement `db {words[1] if len(words) > 1 else ""}`\n')
    elif words:
        fail(1, f'the emulated manila-manage does not implement `{words[0]}`\n')
    else:
        fail(2, USAGE + 'manila-manage: error: the following arguments are required: category\n')


main(sys.argv[1:])
