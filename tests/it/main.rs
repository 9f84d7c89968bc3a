//! Integration tests: the `admin` binary on real SQLite files, as users meet it.
mod testenv;

mod architecture;
mod audit;
mod corpus;
mod directory;
mod docs;
mod editor;
mod evidence;
mod hints;
mod history;
mod hostile;
mod integrity;
mod links;
mod lookups;
mod notes;
mod only_writer;
mod page;
mod publish;
mod readme;
mod reliability;
mod restore;
mod signing;
mod team;
mod times;
mod ux;
