ALTER TABLE invoices ADD COLUMN status text;
CREATE INDEX invoices_status_idx ON invoices (status);
