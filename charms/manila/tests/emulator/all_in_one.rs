//! One unit with every role: the whole of Manila on one machine.

use std::collections::BTreeSet;

use crate::support::{self, NOBLE_MANILA};

const UNIT: &str = "manila/0";

#[test]
fn one_unit_with_every_role_runs_the_whole_of_manila() {
    let mut world = support::all_in_one();
    for unit in [
        UNIT,
        "manila-generic-backend/0",
        "keystone/0",
        "mysql/0",
        "rabbitmq-server/0",
    ] {
        world.assert_status(unit, "active", "Unit is ready");
    }
    assert_eq!(world.model.workload_version("manila").unwrap(), "18.0.0");

    // Packages: every role's, nothing else.
    let installed: BTreeSet<&str> = world
        .model
        .packages(UNIT)
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let expected = [
        "apache2",
        "haproxy",
        "libapache2-mod-wsgi-py3",
        "manila-api",
        "manila-common",
        "manila-data",
        "manila-scheduler",
        "manila-share",
        "memcached",
        "python3-manila",
        "python3-memcache",
    ];
    assert_eq!(installed, BTreeSet::from(expected));
    assert_eq!(
        world.model.packages(UNIT).unwrap()["manila-common"],
        NOBLE_MANILA
    );

    // Services: Apache serves the API; the packaged eventlet API stays down for good.
    for name in [
        "manila-scheduler",
        "manila-data",
        "manila-share",
        "apache2",
        "haproxy",
        "memcached",
    ] {
        let service = world.service(UNIT, name);
        assert!(service.running && service.enabled, "{name}: {service:?}");
    }
    let eventlet = world.service(UNIT, "manila-api");
    assert!(
        !eventlet.running && !eventlet.enabled && eventlet.masked,
        "manila-api: {eventlet:?}"
    );

    // manila.conf: readable by the manila group only, and made of what the peers answered.
    let db = world.model.relation_id("manila", "mysql").unwrap();
    let db = world.model.unit_bag(db, "mysql/0").unwrap();
    let amqp = world
        .model
        .relation_id("manila", "rabbitmq-server")
        .unwrap();
    let amqp = world.model.unit_bag(amqp, "rabbitmq-server/0").unwrap();
    let identity = world.model.relation_id("manila", "keystone").unwrap();
    let identity = world.model.unit_bag(identity, "keystone/0").unwrap();
    assert_eq!(world.mode(UNIT, "/etc/manila/manila.conf"), Some(0o640));
    let conf = world.file(UNIT, "/etc/manila/manila.conf").unwrap();
    let expected_lines = [
        format!(
            "transport_url = rabbit://manila:{}@{}:5672/openstack",
            amqp["password"], amqp["hostname"]
        ),
        "[database]".to_owned(),
        format!(
            "connection = mysql+pymysql://manila:{}@{}:{}/manila",
            db["password"], db["db_host"], db["db_port"]
        ),
        "[keystone_authtoken]".to_owned(),
        format!(
            "www_authenticate_uri = http://{}:{}",
            identity["service_host"], identity["service_port"]
        ),
        format!(
            "auth_url = http://{}:{}",
            identity["auth_host"], identity["auth_port"]
        ),
        format!("username = {}", identity["service_username"]),
        format!("password = {}", identity["service_password"]),
        "memcached_servers = 127.0.0.1:11211".to_owned(),
        "enabled_share_backends = generic".to_owned(),
        "[generic]".to_owned(),
        "share_driver = manila.share.drivers.generic.GenericShareDriver".to_owned(),
        "share_backend_name = generic".to_owned(),
    ];
    for line in &expected_lines {
        assert!(
            conf.lines().any(|l| l == line),
            "manila.conf lacks {line:?}:\n{conf}"
        );
    }

    // The API's other files.
    let paste = world.file(UNIT, "/etc/manila/api-paste.ini").unwrap();
    assert!(paste.contains("[composite:osapi_share]"), "{paste}");
    let site = world
        .file(UNIT, "/etc/apache2/sites-available/manila-api.conf")
        .unwrap();
    assert!(site.contains("Listen 8776"), "{site}");
    assert!(site.contains("/usr/bin/manila-wsgi"), "{site}");
    assert_eq!(
        world.file(UNIT, "/etc/apache2/sites-enabled/manila-api.conf"),
        Some(site),
        "a2ensite links the site"
    );
    let haproxy = world.file(UNIT, "/etc/haproxy/haproxy.cfg").unwrap();
    let address = world.model.address(UNIT).unwrap().to_owned();
    assert!(haproxy.contains("bind *:8786"), "{haproxy}");
    assert!(
        haproxy.contains(&format!("server manila-0 {address}:8776")),
        "{haproxy}"
    );
    let memcached = world.file(UNIT, "/etc/memcached.conf").unwrap();
    assert!(memcached.lines().any(|l| l == "-p 11211"), "{memcached}");

    // The schema, synced once, on this unit's machine, in the database mysql gave.
    let syncs = world.schema_syncs();
    assert_eq!(syncs.len(), 1, "{syncs:#?}");
    let (machine, sync) = &syncs[0];
    assert_eq!(*machine, world.model.machine_of(UNIT).unwrap());
    assert_eq!(
        sync.database,
        format!(
            "mysql+pymysql://manila@{}:{}/manila",
            db["db_host"], db["db_port"]
        )
    );

    let ports: Vec<String> = world
        .model
        .opened_ports(UNIT)
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(ports, ["8786/tcp"]);

    // Keystone's catalog: v1 and v2, at this unit's address on the haproxy port.
    let url = |version: &str| format!("http://{address}:8786/{version}/%(tenant_id)s");
    assert_eq!(
        world.keystone_catalog(),
        [
            ("manila".to_owned(), url("v1"), "manila".to_owned()),
            ("manilav2".to_owned(), url("v2"), "manila".to_owned()),
        ]
    );
}
