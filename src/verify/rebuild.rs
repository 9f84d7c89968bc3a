//! Verify by rebuilding: the state the log replays to is written by the projection into a fresh
//! database made with the same migrations (in memory), and the live file is compared with it,
//! schema object by schema object and row by row (`db::compare`).
use anyhow::Result;
use rusqlite::Connection;

use crate::state::{Difference, State};

/// Rebuild the database `state` describes and name the first way `live` differs from it.
pub fn compare_with_rebuilt(live: &Connection, state: &State) -> Result<Option<Difference>> {
    let mut rebuilt = crate::db::in_memory()?;
    let tx = rebuilt.transaction()?;
    crate::projection::rebuild(&tx, state)?;
    tx.commit()?;
    crate::db::compare::first_difference(live, &rebuilt)
}
