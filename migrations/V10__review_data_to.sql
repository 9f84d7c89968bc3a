-- How current a force's published data is (SPEC section 12): a review may record the newest
-- day the force's data covers (YYYY-MM-DD). NULL for a review that did not say, as every review
-- before this migration.
ALTER TABLE reviews ADD COLUMN data_to TEXT;
