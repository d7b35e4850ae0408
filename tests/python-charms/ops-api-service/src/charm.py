#!/usr/bin/env python3
"""An OpenStack-style API service charm on ops, the Python side of manila's hook-cost benchmark.

Written as an ops-framework OpenStack charm is written: every event runs one reconcile that
asks the database, the broker and keystone for access (publishing only keys whose value
differs), reads their answers from the remote units, renders one configuration file (only
when its text changed) and sets the unit's status. It runs no service: the benchmark
compares what the framework and the charm cost per hook, not a workload.
"""

import os
import pathlib

import jinja2
import ops

CONF = pathlib.Path('/etc/ops-api-service/api.conf')
SERVICE = 'opsapi'
PORT = 8786


class ApiServiceCharm(ops.CharmBase):
    """See the module docstring."""

    def __init__(self, framework: ops.Framework):
        super().__init__(framework)
        for event in (
            self.on.install,
            self.on.config_changed,
            self.on.upgrade_charm,
            self.on.update_status,
        ):
            framework.observe(event, self._reconcile)
        for endpoint in ('shared-db', 'amqp', 'identity-service'):
            relation_events = self.on[endpoint]
            framework.observe(relation_events.relation_joined, self._reconcile)
            framework.observe(relation_events.relation_changed, self._reconcile)
            framework.observe(relation_events.relation_broken, self._reconcile)

    def _reconcile(self, event: ops.EventBase):
        address = str(self.model.get_binding('shared-db').network.ingress_address)
        url = f'http://{address}:{PORT}/v2'
        self._request('shared-db', {
            'database': SERVICE, 'username': SERVICE, 'hostname': address,
        })
        self._request('amqp', {'username': SERVICE, 'vhost': 'openstack'})
        self._request('identity-service', {
            'service': SERVICE,
            'region': self.config['region'],
            'public_url': url,
            'internal_url': url,
            'admin_url': url,
        })

        database = self._answer('shared-db', ('db_host', 'password'))
        broker = self._answer('amqp', ('hostname', 'password'))
        identity = self._answer(
            'identity-service',
            ('auth_host', 'auth_port', 'service_username', 'service_password',
             'service_tenant'),
        )
        missing = [
            name for name, answer in (
                ('shared-db', database), ('amqp', broker), ('identity-service', identity),
            ) if answer is None
        ]
        if missing:
            self.unit.status = ops.WaitingStatus(f"incomplete relations: {', '.join(missing)}")
            return

        environment = jinja2.Environment(
            loader=jinja2.FileSystemLoader(os.path.join(self.charm_dir, 'templates')),
            autoescape=False,
            keep_trailing_newline=True,
        )
        text = environment.get_template('api.conf.j2').render(
            debug=self.config['debug'],
            database=database,
            broker=broker,
            identity=identity,
            service=SERVICE,
        )
        if not CONF.exists() or CONF.read_text() != text:
            CONF.parent.mkdir(parents=True, exist_ok=True)
            CONF.write_text(text)
            CONF.chmod(0o640)
        self.unit.status = ops.ActiveStatus('Unit is ready')

    def _request(self, endpoint: str, wanted: dict):
        """Publishes `wanted` on every relation of `endpoint`, only the keys that differ."""
        for relation in self.model.relations[endpoint]:
            mine = relation.data[self.unit]
            changed = {key: value for key, value in wanted.items() if mine.get(key) != value}
            if changed:
                mine.update(changed)

    def _answer(self, endpoint: str, keys: tuple):
        """The first remote unit's bag on `endpoint` holding every key of `keys`, else None."""
        for relation in self.model.relations[endpoint]:
            for unit in relation.units:
                bag = relation.data[unit]
                if all(bag.get(key) for key in keys):
                    return dict(bag)
        return None


if __name__ == '__main__':
    ops.main(ApiServiceCharm)
