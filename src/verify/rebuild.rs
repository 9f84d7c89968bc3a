//! Verify by rebuilding: the state the log replays to is written by the projection into a fresh
//! database made with the same migrations (in memory), and the live file is compared with it,
//! schema object by schema object and row by row (`db::compare`). The rebuilt database is made
//! as two, written at once on two threads (`projection::Part`): the forces first added in one,
//! the rest of them and every other table in the other, split where the two take about as long.
use anyhow::Result;
use rusqlite::Connection;

use crate::db::compare::Rebuilt;
use crate::projection::Part;
use crate::state::{Difference, State};

/// Rebuild the database `state` describes and name the first way `live` differs from it.
pub fn compare_with_rebuilt(live: &Connection, state: &State) -> Result<Option<Difference>> {
    let (first, second) =
        crate::threads::at_once(true, || rebuilt(state, Part::First), || rebuilt(state, Part::Second));
    let (first, second) = (first?, second?);
    crate::db::compare::first_difference(live, &Rebuilt { first: &first, second: &second })
}

/// A database in memory, made by the migrations, with the rows of `part` written from `state`.
fn rebuilt(state: &State, part: Part) -> Result<Connection> {
    let mut conn = crate::db::in_memory()?;
    // a note or review in the second may name a force whose row is in the first
    conn.pragma_update(None, "foreign_keys", false)?;
    let tx = conn.transaction()?;
    crate::projection::rebuild(&tx, state, part)?;
    tx.commit()?;
    Ok(conn)
}
