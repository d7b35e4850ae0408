//! The four parts of Manila a unit can run, and what each needs on the machine.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

/// One part of Manila.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// The REST API: `manila-wsgi` under Apache on 8776 behind haproxy on 8786, memcached for
    /// keystonemiddleware's token cache. Only this role registers keystone endpoints.
    Api,
    Scheduler,
    /// `manila-share`, running the back ends of the local manila-plugin subordinates.
    Share,
    Data,
}

/// Packages every role needs: the release is read from `manila-common`'s version.
pub const COMMON_PACKAGES: &[&str] = &["manila-common", "python3-manila"];

/// The eventlet API service the `manila-api` package ships: the API runs under Apache
/// instead, so this one is stopped, disabled and masked wherever the package is installed.
pub const EVENTLET_API: &str = "manila-api";

impl Role {
    pub const ALL: [Role; 4] = [Role::Api, Role::Scheduler, Role::Share, Role::Data];

    pub fn name(self) -> &'static str {
        match self {
            Role::Api => "api",
            Role::Scheduler => "scheduler",
            Role::Share => "share",
            Role::Data => "data",
        }
    }

    /// The packages of this role, besides [`COMMON_PACKAGES`].
    pub fn packages(self) -> &'static [&'static str] {
        match self {
            Role::Api => &[
                "manila-api",
                "apache2",
                "libapache2-mod-wsgi-py3",
                "haproxy",
                "memcached",
                "python3-memcache",
            ],
            Role::Scheduler => &["manila-scheduler"],
            Role::Share => &["manila-share"],
            Role::Data => &["manila-data"],
        }
    }

    /// The services this role runs.
    pub fn services(self) -> &'static [&'static str] {
        match self {
            Role::Api => &["apache2", "haproxy", "memcached"],
            Role::Scheduler => &["manila-scheduler"],
            Role::Share => &["manila-share"],
            Role::Data => &["manila-data"],
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The roles of a unit: never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Roles(BTreeSet<Role>);

impl Roles {
    pub fn all() -> Roles {
        Roles(Role::ALL.into_iter().collect())
    }

    pub fn has(&self, role: Role) -> bool {
        self.0.contains(&role)
    }

    pub fn iter(&self) -> impl Iterator<Item = Role> + '_ {
        self.0.iter().copied()
    }

    /// Packages to install, common ones first, each once.
    pub fn packages(&self) -> Vec<&'static str> {
        let mut packages = COMMON_PACKAGES.to_vec();
        for role in self.iter() {
            packages.extend(role.packages());
        }
        packages
    }

    /// Services the roles run, in role order.
    pub fn services(&self) -> Vec<&'static str> {
        self.iter()
            .flat_map(|r| r.services().iter().copied())
            .collect()
    }

    /// The roles in `self` that `now` no longer has.
    pub fn removed_in(&self, now: &Roles) -> Vec<Role> {
        self.0.difference(&now.0).copied().collect()
    }
}

/// `roles` that names no role, or one that does not exist.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RolesError {
    #[error("unknown role {}; expected a comma-separated list of api, scheduler, share and data, or all", databag::Quoted(.0))]
    Unknown(String),
    #[error(
        "names no role; expected a comma-separated list of api, scheduler, share and data, or all"
    )]
    Empty,
}

impl FromStr for Roles {
    type Err = RolesError;

    fn from_str(s: &str) -> Result<Roles, RolesError> {
        let mut roles = BTreeSet::new();
        for word in s.split(',').map(str::trim).filter(|w| !w.is_empty()) {
            match word.to_ascii_lowercase().as_str() {
                "all" => roles.extend(Role::ALL),
                "api" => {
                    roles.insert(Role::Api);
                }
                "scheduler" => {
                    roles.insert(Role::Scheduler);
                }
                "share" => {
                    roles.insert(Role::Share);
                }
                "data" => {
                    roles.insert(Role::Data);
                }
                _ => return Err(RolesError::Unknown(word.to_owned())),
            }
        }
        if roles.is_empty() {
            return Err(RolesError::Empty);
        }
        Ok(Roles(roles))
    }
}

impl fmt::Display for Roles {
    /// The canonical form, as recorded in unit state: `api,scheduler`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.iter().map(Role::name).collect();
        f.write_str(&names.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_in_any_order_and_print_canonically() {
        let roles: Roles = " data, API ,scheduler".parse().unwrap();
        assert_eq!(roles.to_string(), "api,scheduler,data");
        assert_eq!("all".parse::<Roles>().unwrap(), Roles::all());
        assert_eq!("share,all".parse::<Roles>().unwrap(), Roles::all());
    }

    #[test]
    fn bad_roles_are_named() {
        assert_eq!(
            "api,sharing".parse::<Roles>().unwrap_err().to_string(),
            "unknown role \"sharing\"; expected a comma-separated list of api, scheduler, share \
             and data, or all"
        );
        assert_eq!(" , ".parse::<Roles>().unwrap_err(), RolesError::Empty);
    }

    #[test]
    fn packages_and_services_follow_the_roles() {
        let roles: Roles = "share,data".parse().unwrap();
        assert_eq!(
            roles.packages(),
            [
                "manila-common",
                "python3-manila",
                "manila-share",
                "manila-data"
            ]
        );
        assert_eq!(roles.services(), ["manila-share", "manila-data"]);
        let all = Roles::all();
        assert_eq!(all.removed_in(&roles), [Role::Api, Role::Scheduler]);
        assert!(roles.removed_in(&all).is_empty());
    }
}
