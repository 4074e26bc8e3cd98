DROP INDEX invoices_status_idx;
ALTER TABLE invoices DROP COLUMN status;
