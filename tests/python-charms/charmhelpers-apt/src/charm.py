#!/usr/bin/env python3
"""A hooks charm on charmhelpers: installs memcached, configures and restarts it."""

import os

from charmhelpers.core import hookenv, host
from charmhelpers.fetch import apt_install, filter_installed_packages

PACKAGES = ['memcached']
CONF = '/etc/memcached-demo/memcached.conf'


def install():
    missing = filter_installed_packages(PACKAGES)
    hookenv.log(f'installing {missing}')
    apt_install(missing, fatal=True)
    assert not filter_installed_packages(PACKAGES), 'memcached still missing'
    host.adduser('demo', system_user=True)
    host.mkdir(os.path.dirname(CONF), owner='memcache', group='memcache', perms=0o750)
    host.write_file(CONF, b'-m 64\n', owner='memcache', group='memcache', perms=0o640)
    host.service_restart('memcached')
    assert host.service_running('memcached')
    release = host.lsb_release()
    hookenv.status_set('active', f"memcached on {release['DISTRIB_CODENAME']}")


def main():
    hook = os.environ['JUJU_DISPATCH_PATH'].split('/')[-1]
    if hook == 'install':
        install()


if __name__ == '__main__':
    main()
