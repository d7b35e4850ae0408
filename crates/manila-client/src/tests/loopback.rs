//! The client's HTTP behaviour against a small server on 127.0.0.1 that answers as Keystone
//! and Manila do: the token is reused, renewed when it nears expiry or when Manila refuses
//! it, and every Manila request carries the token and the negotiated microversion.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::thread;

use crate::*;

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    headers: BTreeMap<String, String>,
}

type Route = dyn Fn(&Seen, usize) -> (u16, Vec<(String, String)>, String) + Send + Sync;

/// Serves `route` (given the request and how many tokens were issued so far) until the
/// test ends; records every request.
struct Server {
    port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    fn start(route: Box<Route>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let record = Arc::clone(&seen);
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() || line.is_empty() {
                    continue;
                }
                let mut parts = line.split_whitespace();
                let method = parts.next().unwrap_or_default().to_owned();
                let path = parts.next().unwrap_or_default().to_owned();
                let mut headers = BTreeMap::new();
                loop {
                    let mut header = String::new();
                    reader.read_line(&mut header).unwrap();
                    let header = header.trim_end();
                    if header.is_empty() {
                        break;
                    }
                    if let Some((k, v)) = header.split_once(':') {
                        headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
                    }
                }
                let length: usize = headers
                    .get("content-length")
                    .and_then(|l| l.parse().ok())
                    .unwrap_or(0);
                let mut body = vec![0; length];
                reader.read_exact(&mut body).unwrap();
                let request = Seen {
                    method,
                    path,
                    headers,
                };
                let tokens = {
                    let mut seen = record.lock().unwrap();
                    seen.push(request.clone());
                    seen.iter()
                        .filter(|s| s.path.ends_with("/auth/tokens"))
                        .count()
                };
                let (status, extra, body) = route(&request, tokens);
                let mut answer = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n\
                     Content-Length: {}\r\nConnection: close\r\n",
                    body.len()
                );
                for (k, v) in extra {
                    answer.push_str(&format!("{k}: {v}\r\n"));
                }
                answer.push_str("\r\n");
                answer.push_str(&body);
                let _ = stream.write_all(answer.as_bytes());
            }
        });
        Server { port, seen }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    fn tokens_issued(&self) -> usize {
        self.seen()
            .iter()
            .filter(|s| s.path.ends_with("/auth/tokens"))
            .count()
    }
}

const SERVER_VERSIONS: &str = r#"{"versions": [{"id": "v2.0", "status": "CURRENT",
    "version": "2.80", "min_version": "2.0"}]}"#;

/// `GET /services` as the API reference shows it.
const SERVICES: &str = r#"{"services": [
    {"status": "enabled", "binary": "manila-share", "zone": "nova", "host": "manila2@generic1",
     "updated_at": "2015-09-07T13:03:57.000000", "state": "up", "id": 1},
    {"status": "enabled", "binary": "manila-scheduler", "zone": "nova", "host": "manila2",
     "updated_at": "2015-09-07T13:03:57.000000", "state": "down", "id": 2}]}"#;

/// Keystone and Manila on one port: tokens `tok-<n>` expiring at `expires_at`, and a
/// share-type list that refuses the tokens `refused` names.
fn cloud(expires_at: &'static str, refused: fn(&str) -> bool) -> Server {
    // The catalog names the server's own port, which is known only once it listens.
    let port = Arc::new(Mutex::new(0u16));
    let route_port = Arc::clone(&port);
    let server = Server::start(Box::new(move |request, tokens| {
        let port = *route_port.lock().unwrap();
        match (request.method.as_str(), request.path.as_str()) {
            ("POST", "/v3/auth/tokens") => {
                let body = format!(
                    r#"{{"token": {{"expires_at": "{expires_at}", "project": {{"id": "p1"}},
                    "catalog": [{{"type": "sharev2", "endpoints": [{{"interface": "internal",
                    "region_id": "RegionOne", "url": "http://127.0.0.1:{port}/v2/p1"}}]}}]}}}}"#
                );
                (
                    201,
                    vec![("X-Subject-Token".into(), format!("tok-{tokens}"))],
                    body,
                )
            }
            ("GET", "/") => (300, vec![], SERVER_VERSIONS.to_owned()),
            ("GET", path) if path.starts_with("/v2/p1/types") => {
                let token = request
                    .headers
                    .get("x-auth-token")
                    .cloned()
                    .unwrap_or_default();
                if refused(&token) {
                    (
                        401,
                        vec![],
                        r#"{"error": {"code": 401, "message": "Authentication required"}}"#.into(),
                    )
                } else {
                    (200, vec![], r#"{"share_types": []}"#.into())
                }
            }
            ("GET", path) if path.starts_with("/v2/p1/services") => {
                (200, vec![], SERVICES.to_owned())
            }
            _ => (
                404,
                vec![],
                r#"{"itemNotFound": {"code": 404, "message": "no"}}"#.into(),
            ),
        }
    }));
    *port.lock().unwrap() = server.port;
    server
}

fn connect(server: &Server) -> Result<Client, Error> {
    Client::connect(Settings::new(
        Auth::Keystone(Keystone {
            auth_url: format!("{}/v3", server.url()),
            username: "manila".into(),
            password: Secret::new("pw"),
            user_domain: Domain::Id("default".into()),
            project: Project::Id("p1".into()),
        }),
        Endpoint::Catalog {
            interface: Interface::Internal,
            region: Some("RegionOne".into()),
        },
    ))
}

fn manila_requests(server: &Server) -> Vec<Seen> {
    server
        .seen()
        .into_iter()
        .filter(|s| s.path.starts_with("/v2/"))
        .collect()
}

#[test]
fn a_token_is_reused_and_every_request_carries_it_and_the_microversion() {
    let server = cloud("2999-01-01T00:00:00.000000Z", |_| false);
    let client = connect(&server).unwrap();
    assert_eq!(client.endpoint(), format!("{}/v2/p1", server.url()));
    assert_eq!(client.microversion(), microversion::MAX_SUPPORTED);
    client.list_share_types().unwrap();
    client.list_share_types().unwrap();
    assert_eq!(server.tokens_issued(), 1);
    let requests = manila_requests(&server);
    assert_eq!(requests.len(), 2);
    for request in requests {
        assert_eq!(request.headers["x-auth-token"], "tok-1");
        assert_eq!(request.headers["x-openstack-manila-api-version"], "2.73");
        assert_eq!(request.path, "/v2/p1/types?is_public=all");
    }
    // The versions document is read without a token.
    let root = server.seen().into_iter().find(|s| s.path == "/").unwrap();
    assert!(!root.headers.contains_key("x-auth-token"));
}

#[test]
fn a_token_near_its_expiry_is_renewed_before_use() {
    let server = cloud("2000-01-01T00:00:00Z", |_| false);
    let client = connect(&server).unwrap();
    client.list_share_types().unwrap();
    client.list_share_types().unwrap();
    // One for the catalog, one per call.
    assert_eq!(server.tokens_issued(), 3);
    let tokens: Vec<String> = manila_requests(&server)
        .into_iter()
        .map(|s| s.headers["x-auth-token"].clone())
        .collect();
    assert_eq!(tokens, ["tok-2", "tok-3"]);
}

#[test]
fn a_refused_token_is_renewed_once() {
    let server = cloud("2999-01-01T00:00:00Z", |token| token == "tok-1");
    let client = connect(&server).unwrap();
    client.list_share_types().unwrap();
    assert_eq!(server.tokens_issued(), 2);

    let server = cloud("2999-01-01T00:00:00Z", |_| true);
    let client = connect(&server).unwrap();
    let error = client.list_share_types().unwrap_err();
    assert_eq!(error.api().map(|e| e.status), Some(401));
    // Renewed once, not forever.
    assert_eq!(server.tokens_issued(), 2);
    assert!(!format!("{error} {error:?}").contains("tok-"), "{error:?}");
}

#[test]
fn an_unreachable_keystone_is_a_transport_error_naming_the_url() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let server = Server {
        port,
        seen: Arc::default(),
    };
    let error = connect(&server).unwrap_err();
    let text = error.to_string();
    assert!(
        text.starts_with(&format!(
            "keystone token: no answer from http://127.0.0.1:{port}/v3/auth/tokens: cannot connect"
        )),
        "{text}"
    );
    assert!(!text.contains("pw"), "{text}");
}

#[test]
fn services_are_listed_with_their_filters() {
    let server = cloud("2999-01-01T00:00:00Z", |_| false);
    let client = connect(&server).unwrap();
    let filter = ServiceFilter {
        binary: Some("manila-share".into()),
        ..ServiceFilter::default()
    };
    let services = client.list_services(&filter).unwrap();
    let requests = manila_requests(&server);
    assert_eq!(requests[0].path, "/v2/p1/services?binary=manila-share");
    assert_eq!(requests[0].headers["x-auth-token"], "tok-1");
    assert_eq!(services.len(), 2);
    assert_eq!(services[0].host, "manila2@generic1");
    assert!(services[0].is_up());
    assert_eq!(services[1].binary, "manila-scheduler");
    assert!(!services[1].is_up());
}

/// A server that answers its connections in turn: `None` reads the request and closes the
/// connection without an answer (a reloading server closing a kept-alive connection), else
/// it answers the body. Returns its URL and the requests' paths as seen.
fn closing_server(script: Vec<Option<&'static str>>) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let record = Arc::clone(&seen);
    thread::spawn(move || {
        for (answer, stream) in script.into_iter().zip(listener.incoming()) {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let mut length = 0;
            loop {
                let mut header = String::new();
                reader.read_line(&mut header).unwrap();
                if header.trim_end().is_empty() {
                    break;
                }
                if let Some(value) = header.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = value.trim().parse().unwrap();
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            record.lock().unwrap().push(
                line.split_whitespace()
                    .take(2)
                    .collect::<Vec<_>>()
                    .join(" "),
            );
            if let Some(body) = answer {
                let _ = stream.write_all(
                    format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    )
                    .as_bytes(),
                );
            }
        }
    });
    (url, seen)
}

fn no_auth(url: &str) -> Client {
    Client::connect(Settings::new(
        Auth::NoAuth {
            user: "admin".to_owned(),
            project: "p1".to_owned(),
        },
        Endpoint::Url(format!("{url}/v2/p1")),
    ))
    .unwrap()
}

#[test]
fn an_idempotent_request_whose_connection_closed_unanswered_is_sent_once_more() {
    let (url, seen) = closing_server(vec![
        Some(SERVER_VERSIONS),
        None,
        Some(r#"{"share_types": []}"#),
        None,
        None,
    ]);
    let client = no_auth(&url);
    assert!(client.list_share_types().unwrap().is_empty());
    assert_eq!(client.resent(), 1);
    // Once only: a server that keeps closing is an error.
    assert!(client.list_share_types().is_err());
    assert_eq!(client.resent(), 2);
    assert_eq!(
        *seen.lock().unwrap(),
        [
            "GET /",
            "GET /v2/p1/types?is_public=all",
            "GET /v2/p1/types?is_public=all",
            "GET /v2/p1/types?is_public=all",
            "GET /v2/p1/types?is_public=all",
        ]
    );
}

#[test]
fn a_post_whose_connection_closed_unanswered_is_not_sent_again() {
    let (url, seen) = closing_server(vec![Some(SERVER_VERSIONS), None, None]);
    let client = no_auth(&url);
    let new = NewShareType {
        name: "t".to_owned(),
        driver_handles_share_servers: false,
        extra_specs: BTreeMap::new(),
        is_public: true,
        description: None,
    };
    let error = client.create_share_type(&new).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("connection closed before message completed"),
        "{error}"
    );
    assert_eq!(client.resent(), 0);
    assert_eq!(seen.lock().unwrap().len(), 2);
}
