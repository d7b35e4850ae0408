#!/usr/bin/env python3
"""A machine charm that calls every operation ops's model backend offers a machine charm.

Every handler does its part and lets any error escape: a hook fails exactly when the
emulator answers something ops does not accept.
"""

import logging
import os

import ops

logger = logging.getLogger(__name__)


class EverythingCharm(ops.CharmBase):
    """Exercises the model backend; see the module docstring."""

    _stored = ops.StoredState()

    def __init__(self, framework: ops.Framework):
        super().__init__(framework)
        self._stored.set_default(hooks=0, fixture_token='', storage='')
        observe = framework.observe
        observe(self.on.install, self._on_install)
        observe(self.on.start, self._on_start)
        observe(self.on.config_changed, self._on_config_changed)
        observe(self.on.leader_elected, self._on_leader_elected)
        observe(self.on.update_status, self._on_update_status)
        observe(self.on.data_storage_attached, self._on_storage_attached)
        observe(self.on.logs_storage_attached, self._on_storage_attached)
        observe(self.on.cluster_relation_changed, self._on_peer_changed)
        observe(self.on.db_relation_joined, self._on_db_joined)
        observe(self.on.db_relation_changed, self._on_db_changed)
        observe(self.on.secret_changed, self._on_secret_changed)
        observe(self.on.secret_remove, self._on_secret_remove)
        observe(self.on.report_action, self._on_report)
        observe(self.on.fail_me_action, self._on_fail_me)

    def _count(self):
        self._stored.hooks += 1

    def _on_install(self, event: ops.InstallEvent):
        self._count()
        self.unit.status = ops.MaintenanceStatus('installing')
        self.unit.set_workload_version('1.2.3')
        self.unit.open_port('tcp', 8080)
        self.unit.open_port('icmp')
        # A unit secret, read back by its label.
        self.unit.add_secret({'token': 'unit-secret'}, label='unit-token')
        assert self.model.get_secret(label='unit-token').get_content()['token'] == 'unit-secret'

    def _on_start(self, event: ops.StartEvent):
        self._count()
        ports = {(p.protocol, p.port) for p in self.unit.opened_ports()}
        assert ports == {('tcp', 8080), ('icmp', None)}, ports
        self.unit.status = ops.ActiveStatus('started')

    def _on_config_changed(self, event: ops.ConfigChangedEvent):
        self._count()
        greeting = self.config['greeting']
        peers = self.model.get_relation('cluster')
        if peers is not None:
            peers.data[self.unit]['greeting'] = greeting
        binding = self.model.get_binding('admin')
        assert binding is not None and binding.network.bind_address is not None

    def _on_leader_elected(self, event: ops.LeaderElectedEvent):
        self._count()
        assert self.unit.is_leader()
        self.app.status = ops.ActiveStatus(f'leader of {self.app.planned_units()} planned units')

    def _on_update_status(self, event: ops.UpdateStatusEvent):
        self._count()
        planned = self.app.planned_units()
        if self.unit.is_leader():
            self.app.status = ops.ActiveStatus(f'{planned} units planned')
            # The leader reads the application's status back (status-get --application).
            assert self.app.status.message == f'{planned} units planned'
        self.unit.status = ops.ActiveStatus(f'ready, {planned} planned, {self._stored.hooks} hooks')

    def _on_storage_attached(self, event: ops.StorageAttachedEvent):
        self._count()
        location = event.storage.location
        if event.storage.name == 'data':
            self._stored.storage = str(location)
            assert self.model.storages['data'][0].location == location
            if not self.model.storages['logs']:
                self.model.storages.request('logs', 1)

    def _on_peer_changed(self, event: ops.RelationChangedEvent):
        self._count()
        if event.unit is not None:
            assert event.relation.data[event.unit].get('greeting') is not None

    def _on_db_joined(self, event: ops.RelationJoinedEvent):
        self._count()
        address = self.model.get_binding(event.relation).network.ingress_address
        event.relation.data[self.unit]['address'] = str(address)
        if self.unit.is_leader():
            try:
                secret = self.model.get_secret(label='db-password')
            except ops.SecretNotFoundError:
                secret = self.app.add_secret({'password': 's3cret'}, label='db-password')
            secret.grant(event.relation)
            info = secret.get_info()
            assert info.label == 'db-password', info
            event.relation.data[self.app]['secret'] = secret.id

    def _on_db_changed(self, event: ops.RelationChangedEvent):
        self._count()
        uri = event.relation.data[event.relation.app].get('secret')
        if not uri:
            return
        secret = self.model.get_secret(id=uri, label='fixture-token')
        self._stored.fixture_token = secret.get_content()['token']
        event.relation.data[self.unit]['seen-token'] = self._stored.fixture_token

    def _on_secret_changed(self, event: ops.SecretChangedEvent):
        self._count()
        assert event.secret.label == 'fixture-token', event.secret.label
        self._stored.fixture_token = event.secret.get_content(refresh=True)['token']
        relation = self.model.get_relation('db')
        relation.data[self.unit]['seen-token'] = self._stored.fixture_token

    def _on_secret_remove(self, event: ops.SecretRemoveEvent):
        self._count()
        event.secret.remove_revision(event.revision)

    def _on_report(self, event: ops.ActionEvent):
        event.log('reporting')
        event.set_results({
            'hooks': self._stored.hooks,
            'planned': self.app.planned_units(),
            'fixture-token': self._stored.fixture_token,
            'storage': self._stored.storage,
            'detail': event.params['detail'],
        })

    def _on_fail_me(self, event: ops.ActionEvent):
        event.log('about to fail')
        event.fail('failed on purpose')


if __name__ == '__main__':
    # StoredState in both of ops's stores: unit 1 keeps it in Juju (state-get/state-set),
    # the others in the charm directory's SQLite file.
    ops.main(
        EverythingCharm,
        use_juju_for_storage=os.environ.get('JUJU_UNIT_NAME', '').endswith('/1'),
    )
