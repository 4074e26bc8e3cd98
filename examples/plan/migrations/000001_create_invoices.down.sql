-- schemagate:ignore lint.ban-drop-table rollback of 000001: drops the table its up migration created
DROP TABLE invoices;
