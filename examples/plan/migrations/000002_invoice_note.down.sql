-- schemagate:ignore lint.ban-drop-column rollback of 000002: drops the column its up migration added
ALTER TABLE invoices DROP COLUMN note;
