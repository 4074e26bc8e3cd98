SET lock_timeout = '2s';
SET statement_timeout = '5min';

ALTER TABLE orders ADD COLUMN status text;
CREATE INDEX orders_status_idx ON orders (status);
ALTER TABLE orders ALTER COLUMN status SET NOT NULL;
