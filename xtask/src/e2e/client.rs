//! Just enough of Keystone's and Manila's APIs for the end-to-end scenario: a token, then
//! share types, shares, access rules and snapshots, each waited for. Plain HTTP to loopback.
//! (A typed Manila client is its own piece of work; this one stays here.)

use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};

/// The newest microversion Debian 12's Manila (Zed) serves.
const MICROVERSION: &str = "2.73";

fn agent() -> ureq::Agent {
    // uwsgi's http-socket closes every connection after one answer: never reuse one.
    ureq::AgentBuilder::new()
        .max_idle_connections(0)
        .timeout(Duration::from_secs(60))
        .build()
}

/// A Keystone token for the admin user, scoped to the admin project.
pub(crate) struct Token {
    pub(crate) id: String,
    pub(crate) project_id: String,
}

impl Token {
    pub(crate) fn admin(keystone: &str, password: &str) -> Result<Token> {
        let body = json!({"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": "admin", "domain": {"id": "default"}, "password": password}}},
            "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}});
        let response = agent()
            .post(&format!("{keystone}/v3/auth/tokens"))
            .send_json(body)
            .map_err(|e| anyhow::anyhow!("keystone token: {}", describe(e)))?;
        let id = response
            .header("X-Subject-Token")
            .context("keystone token: no X-Subject-Token")?
            .to_owned();
        let body: Value = response.into_json().context("keystone token: not JSON")?;
        let project_id = body["token"]["project"]["id"]
            .as_str()
            .context("keystone token: no project id")?
            .to_owned();
        Ok(Token { id, project_id })
    }
}

/// The share API at `http://<host>:8786/v2/<project>` with a token.
pub(crate) struct Manila {
    base: String,
    token: String,
    agent: ureq::Agent,
}

/// What one call answered: the status and the JSON body (`Null` when empty).
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) body: Value,
}

impl Manila {
    pub(crate) fn new(endpoint: &str, token: &Token) -> Manila {
        Manila {
            base: format!("{endpoint}/v2/{}", token.project_id),
            token: token.id.clone(),
            agent: agent(),
        }
    }

    /// One call; any HTTP status is an answer, only a transport failure is an error.
    pub(crate) fn call(&self, method: &str, path: &str, body: Option<Value>) -> Result<Answer> {
        let request = self
            .agent
            .request(method, &format!("{}{path}", self.base))
            .set("X-Auth-Token", &self.token)
            .set("X-OpenStack-Manila-API-Version", MICROVERSION);
        let result = match body {
            Some(body) => request.send_json(body),
            None => request.call(),
        };
        let response = match result {
            Ok(response) => response,
            Err(ureq::Error::Status(_, response)) => response,
            Err(e) => bail!("manila {method} {path}: {e}"),
        };
        let status = response.status();
        let text = response.into_string().unwrap_or_default();
        let body = if text.trim().is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text)
                .with_context(|| format!("manila {method} {path}: answer is not JSON: {text}"))?
        };
        Ok(Answer { status, body })
    }

    /// A call that must answer one of `expected`.
    pub(crate) fn expect(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
        expected: &[u16],
    ) -> Result<Value> {
        let answer = self.call(method, path, body)?;
        if !expected.contains(&answer.status) {
            bail!(
                "manila {method} {path}: HTTP {} (expected {expected:?}): {}",
                answer.status,
                answer.body
            );
        }
        Ok(answer.body)
    }

    /// Waits until `GET /<kind>s/<id>` says `want`; an `error` status fails at once.
    pub(crate) fn wait_status(&self, kind: &str, id: &str, want: &str) -> Result<Value> {
        let started = Instant::now();
        loop {
            let body = self.expect("GET", &format!("/{kind}s/{id}"), None, &[200])?;
            let status = body[kind]["status"].as_str().unwrap_or_default().to_owned();
            if status == want {
                return Ok(body[kind].clone());
            }
            if status.starts_with("error") {
                bail!(
                    "{kind} {id} went to '{status}' (waiting for '{want}'): {}",
                    body[kind]
                );
            }
            if started.elapsed() > Duration::from_secs(120) {
                bail!("{kind} {id} is still '{status}' after 120 s (waiting for '{want}')");
            }
            std::thread::sleep(Duration::from_millis(500));
        }
    }

    /// Waits until `GET /<kind>s/<id>` is a 404.
    pub(crate) fn wait_gone(&self, kind: &str, id: &str) -> Result<()> {
        let started = Instant::now();
        loop {
            let answer = self.call("GET", &format!("/{kind}s/{id}"), None)?;
            if answer.status == 404 {
                return Ok(());
            }
            let status = answer.body[kind]["status"].as_str().unwrap_or_default();
            if status.starts_with("error") {
                bail!("{kind} {id} went to '{status}' while being deleted");
            }
            if started.elapsed() > Duration::from_secs(120) {
                bail!("{kind} {id} still there after 120 s (status '{status}')");
            }
            std::thread::sleep(Duration::from_millis(500));
        }
    }

    /// The id of share type `name`, created (public, with `extra_specs`) if missing.
    pub(crate) fn share_type(&self, name: &str, extra_specs: Value) -> Result<String> {
        let types = self.expect("GET", "/types", None, &[200])?;
        if let Some(id) = types["share_types"]
            .as_array()
            .and_then(|all| all.iter().find(|t| t["name"] == name))
            .and_then(|t| t["id"].as_str())
        {
            return Ok(id.to_owned());
        }
        let created = self.expect(
            "POST",
            "/types",
            Some(
                json!({"share_type": {"name": name, "share_type_access:is_public": true,
                                        "extra_specs": extra_specs}}),
            ),
            &[200, 202],
        )?;
        id_of(&created, "share_type")
    }
}

/// `body[kind]["id"]`.
pub(crate) fn id_of(body: &Value, kind: &str) -> Result<String> {
    body[kind]["id"]
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("no {kind} id in {body}"))
}

fn describe(error: ureq::Error) -> String {
    match error {
        ureq::Error::Status(code, response) => {
            let body = response.into_string().unwrap_or_default();
            format!(
                "HTTP {code}: {}",
                body.chars().take(300).collect::<String>()
            )
        }
        ureq::Error::Transport(transport) => transport.to_string(),
    }
}
