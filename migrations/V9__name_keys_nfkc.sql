-- Force names are now unique after Unicode NFKC normalisation, full case folding and collapsing
-- white space (validate::name_key), where they were unique ignoring case alone. The keys cannot
-- be computed in SQL: `Db::migrate` recomputes every `forces.name_key` (db::forces::rekey_names)
-- before this migration is recorded, and refuses a database in which two forces would now share
-- one name. This migration is the marker that makes a database written before it run that step.
SELECT 1 WHERE 0;
