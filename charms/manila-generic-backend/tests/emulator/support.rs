//! The shared Manila testbed (`tests/testbed`), under the name these tests use.

pub(crate) use manila_testbed::*;
