DROP INDEX invoices_status_idx;
-- schemagate:ignore lint.ban-drop-column rollback: drops the column its up migration added
ALTER TABLE invoices DROP COLUMN status;
