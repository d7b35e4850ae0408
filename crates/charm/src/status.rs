//! The unit's workload status, collected from every component during a hook and decided once.

use juju::Status;
use serde::{Deserialize, Serialize};

/// A status and its message, as `status-set` takes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitStatus {
    pub status: Status,
    pub message: String,
}

impl UnitStatus {
    /// A status with `message` made printable: a control character in it (which a value
    /// quoted from relation data or config could carry) is escaped (`\n`), and a message
    /// longer than [`MAX_MESSAGE`] characters is cut, so a status is always one line of
    /// readable length.
    pub fn new(status: Status, message: impl Into<String>) -> Self {
        UnitStatus {
            status,
            message: printable(message.into()),
        }
    }
}

/// The longest status message, in characters.
pub(crate) const MAX_MESSAGE: usize = 1024;

fn printable(message: String) -> String {
    let clean = message.chars().all(|c| !c.is_control()) && message.len() <= MAX_MESSAGE;
    if clean {
        return message;
    }
    let mut out = String::new();
    for (count, c) in message.chars().enumerate() {
        if count == MAX_MESSAGE {
            out.push_str("...");
            break;
        }
        if c.is_control() {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    out
}

/// The message for services that should run and do not (charms.openstack's words, which
/// [`plan::apply`](crate::plan::apply) shows in place of an `active` status).
pub fn services_not_running(services: &[&str]) -> String {
    format!(
        "Services not running that should be: {}",
        services.join(", ")
    )
}

/// Statuses reported during one hook. The runtime sets the decided one at the end of a hook
/// that succeeded, and only when it differs from the one set last.
///
/// Priority is blocked > maintenance > waiting > active ([`juju::Status`] orders them so);
/// the messages of the winning priority are joined with ", " in report order. A hook in which
/// nothing is reported leaves the unit's status alone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatusBoard {
    reports: Vec<UnitStatus>,
}

impl StatusBoard {
    pub fn report(&mut self, status: Status, message: impl Into<String>) {
        self.reports.push(UnitStatus::new(status, message));
    }

    /// The operator must act: bad config, a missing relation, an unsupported release.
    pub fn blocked(&mut self, message: impl Into<String>) {
        self.report(Status::Blocked, message);
    }

    /// This unit is busy with something that takes a while.
    pub fn maintenance(&mut self, message: impl Into<String>) {
        self.report(Status::Maintenance, message);
    }

    /// Waiting on a related application (data not there yet).
    pub fn waiting(&mut self, message: impl Into<String>) {
        self.report(Status::Waiting, message);
    }

    /// The workload is offered as configured.
    pub fn active(&mut self, message: impl Into<String>) {
        self.report(Status::Active, message);
    }

    pub fn reports(&self) -> &[UnitStatus] {
        &self.reports
    }

    /// The status to set, or `None` when nothing was reported.
    pub fn decide(&self) -> Option<UnitStatus> {
        let winner = self.reports.iter().map(|r| r.status).max()?;
        let mut messages: Vec<&str> = Vec::new();
        for report in self.reports.iter().filter(|r| r.status == winner) {
            if !report.message.is_empty() && !messages.contains(&report.message.as_str()) {
                messages.push(&report.message);
            }
        }
        Some(UnitStatus::new(winner, messages.join(", ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_highest_priority_wins_and_its_messages_join_in_order() {
        let mut board = StatusBoard::default();
        board.active("Unit is ready");
        board.waiting("Waiting for database");
        board.blocked("Invalid config: 'port': is not set");
        board.maintenance("Installing");
        board.blocked("Missing relation: amqp");
        board.blocked("Missing relation: amqp");
        assert_eq!(
            board.decide(),
            Some(UnitStatus::new(
                Status::Blocked,
                "Invalid config: 'port': is not set, Missing relation: amqp"
            ))
        );
    }

    #[test]
    fn priorities_rank_maintenance_over_waiting_over_active() {
        let mut board = StatusBoard::default();
        board.active("ready");
        board.waiting("");
        board.waiting("for db");
        assert_eq!(
            board.decide(),
            Some(UnitStatus::new(Status::Waiting, "for db"))
        );
        board.maintenance("upgrading");
        assert_eq!(board.decide().unwrap().status, Status::Maintenance);
    }

    #[test]
    fn messages_are_one_printable_line() {
        let status = UnitStatus::new(Status::Blocked, "bad 'a\nb'\t");
        assert_eq!(status.message, "bad 'a\\nb'\\t");
        let long = UnitStatus::new(Status::Blocked, "x".repeat(5000));
        assert_eq!(long.message.chars().count(), MAX_MESSAGE + 3);
    }

    #[test]
    fn nothing_reported_decides_nothing() {
        assert_eq!(StatusBoard::default().decide(), None);
    }
}
