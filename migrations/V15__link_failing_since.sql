-- When a link's failing spell began (SPEC section 16): set on a check that failed in a way that
-- may pass (a timeout, a refused connection, a 5xx, a failed name lookup), carried from the check
-- before it while the failures go on, NULL on any other result. Such a failure is `caution`
-- until one at least an hour after the spell began confirms it as `broken`.
ALTER TABLE link_checks ADD COLUMN failing_since TEXT;
