// The lock model against a real PostgreSQL 15, statement kind by statement kind
// (ARCHITECTURE.md §4). For each statement: the model's locks must equal the
// strongest mode PostgreSQL holds on each relation (pg_locks), every fixture
// relation PostgreSQL locks above ACCESS SHARE must be reported or explicitly
// allow-listed below, rewrite must match a new relfilenode, the tables and views
// it creates must be the ones PostgreSQL created, and statements the model calls
// non-transactional must fail inside BEGIN. Scripts with AND CHAIN are run statement
// by statement to check which ones the model puts inside a transaction block.
#include "pg/lock_truth.hpp"

#include <catch2/catch.hpp>

#include "gates/sql/migration.hpp"

using schemagate::pgtest::LockCase;
using schemagate::pgtest::RewriteExpectation;
using schemagate::pgtest::with_history;
using schemagate::sql::LockMode;

namespace {

constexpr auto kRowShare = LockMode::kRowShare;
constexpr auto kShareUpdateExclusive = LockMode::kShareUpdateExclusive;
constexpr auto kShare = LockMode::kShare;
constexpr auto kRowExclusive = LockMode::kRowExclusive;
constexpr auto kShareRowExclusive = LockMode::kShareRowExclusive;
constexpr auto kExclusive = LockMode::kExclusive;
constexpr auto kAccessExclusive = LockMode::kAccessExclusive;

// The table behind an index: statements that name only the index lock it too
// (index_drop, reindex_index lock the heap before the index), and the SQL does not
// say which table that is.
constexpr std::string_view kTableBehindIndex = "the index's table, which the SQL does not name";
// REINDEX TABLE rebuilds each index under ACCESS EXCLUSIVE (reindex_index) while the
// table holds SHARE. PostgreSQL docs, REINDEX: it "takes an ACCESS EXCLUSIVE lock on
// the specific index being processed, which will block reads that attempt to use
// that index" -- and the planner opens every index of a table, so plain SELECTs on
// the table wait too. The SQL names none of the indexes.
constexpr std::string_view kIndexRebuilt = "an index of the table, rebuilt under ACCESS EXCLUSIVE";
// Which columns change type and from what is not in the SQL: ATColumnChangeRequiresRewrite
// skips the rewrite for binary-coercible changes (varchar(n) -> varchar(m>n), varchar -> text).
constexpr auto kDependsOnOldType = RewriteExpectation::kModelConservative;
// Statements on a partitioned table recurse to its partitions, which the SQL does not name.
constexpr std::string_view kInheritor = "a table that inherits from it, which the SQL does not name";
constexpr std::string_view kPartition = "a partition of the table, which the SQL does not name";
// Dropping a foreign key (with its column or table) drops the key's triggers on the
// referenced table under ACCESS EXCLUSIVE; which table that is, only the catalog knows.
constexpr std::string_view kReferencedTable = "the table a dropped foreign key references";

std::vector<LockCase> transactional_cases() {
  return {
      // Indexes
      {.sql = "CREATE INDEX parent_note_idx ON parent (note)"},
      {.sql = "CREATE UNIQUE INDEX loose_code_uidx ON loose (code)"},
      {.sql = "DROP INDEX child_qty_idx",
       .unreported = {{"child", kAccessExclusive, kTableBehindIndex, true}}},
      {.sql = "REINDEX INDEX child_qty_idx", .unreported = {{"child", kShare, kTableBehindIndex, true}}},
      {.sql = "REINDEX TABLE child",
       .unreported = {{"child_pkey", kAccessExclusive, kIndexRebuilt, true},
                      {"child_parent_idx", kAccessExclusive, kIndexRebuilt, true},
                      {"child_qty_idx", kAccessExclusive, kIndexRebuilt, true}}},
      // CONCURRENTLY false (or off, or 0) is a plain REINDEX: it runs in a transaction.
      {.sql = "REINDEX (CONCURRENTLY false) TABLE child",
       .unreported = {{"child_pkey", kAccessExclusive, kIndexRebuilt, true},
                      {"child_parent_idx", kAccessExclusive, kIndexRebuilt, true},
                      {"child_qty_idx", kAccessExclusive, kIndexRebuilt, true}}},
      {.sql = "REINDEX (VERBOSE false, CONCURRENTLY 0) INDEX child_qty_idx",
       .unreported = {{"child", kShare, kTableBehindIndex, true}}},
      {.sql = "ALTER INDEX child_qty_idx RENAME TO child_qty_index"},
      // ALTER TABLE ... ADD COLUMN
      {.sql = "ALTER TABLE parent ADD COLUMN extra text"},
      {.sql = "ALTER TABLE parent ADD COLUMN flag boolean DEFAULT false"},
      {.sql = "ALTER TABLE parent ADD COLUMN token double precision DEFAULT random()"},
      {.sql = "ALTER TABLE parent ADD COLUMN level integer NOT NULL DEFAULT 0"},
      {.sql = "ALTER TABLE parent ADD COLUMN doubled integer GENERATED ALWAYS AS (amount * 2) STORED"},
      {.sql = "ALTER TABLE parent ADD COLUMN seq_no bigint GENERATED ALWAYS AS IDENTITY"},
      {.sql = "ALTER TABLE parent ADD COLUMN ser serial"},
      {.sql = "ALTER TABLE child ADD COLUMN other_parent bigint REFERENCES parent (id)"},
      {.sql = "ALTER TABLE parent DROP COLUMN note"},
      // ALTER COLUMN TYPE
      {.sql = "ALTER TABLE parent ALTER COLUMN label TYPE varchar(50)", .rewrite = kDependsOnOldType},
      {.sql = "ALTER TABLE loose ALTER COLUMN amount TYPE bigint"},
      {.sql = "ALTER TABLE parent ALTER COLUMN label TYPE text", .rewrite = kDependsOnOldType},
      {.sql = "ALTER TABLE parent ALTER COLUMN label TYPE varchar(10)"},
      {.sql = "ALTER TABLE loose ALTER COLUMN code TYPE varchar(300)"},
      {.sql = "ALTER TABLE parent ALTER COLUMN label TYPE varchar(60), ALTER COLUMN note TYPE varchar",
       .rewrite = kDependsOnOldType},
      {.sql = "ALTER TABLE loose ALTER COLUMN code TYPE integer USING length(code)"},
      // Defaults, NOT NULL
      {.sql = "ALTER TABLE parent ALTER COLUMN amount SET DEFAULT 1"},
      {.sql = "ALTER TABLE parent ALTER COLUMN amount DROP DEFAULT"},
      {.sql = "ALTER TABLE parent ALTER COLUMN amount SET NOT NULL"},
      {.sql = "ALTER TABLE parent ALTER COLUMN code DROP NOT NULL"},
      // Constraints
      {.sql = "ALTER TABLE child ADD CONSTRAINT child_parent_fk2 FOREIGN KEY (parent_id) REFERENCES parent "
              "(id)"},
      {.sql =
           "ALTER TABLE child ADD CONSTRAINT child_parent_fk3 FOREIGN KEY (parent_id) REFERENCES parent (id) "
           "NOT VALID"},
      {.sql = "ALTER TABLE child ADD CONSTRAINT child_qty_small CHECK (qty < 1000000)"},
      {.sql = "ALTER TABLE child ADD CONSTRAINT child_qty_small CHECK (qty < 1000000) NOT VALID"},
      {.sql = "ALTER TABLE child VALIDATE CONSTRAINT child_qty_nv"},
      // Validating a foreign key reads the referenced table with a row-locking query
      // (RI_Initial_Check), which the SQL does not name.
      {.sql = "ALTER TABLE child VALIDATE CONSTRAINT child_parent_nv",
       .unreported = {{"parent", kRowShare, "the referenced table, queried to validate the key", true}}},
      {.sql = "ALTER TABLE parent ADD CONSTRAINT parent_amount_key UNIQUE (amount)"},
      {.sql = "ALTER TABLE parent ADD CONSTRAINT parent_label_key UNIQUE USING INDEX parent_label_uidx"},
      {.sql = "ALTER TABLE parent ADD CONSTRAINT parent_label_uidx UNIQUE USING INDEX parent_label_uidx"},
      {.sql = "ALTER TABLE loose ADD PRIMARY KEY (id)"},
      {.sql = "ALTER TABLE loose ADD CONSTRAINT loose_pkey PRIMARY KEY USING INDEX loose_id_uidx"},
      {.sql = "ALTER TABLE loose ADD CONSTRAINT loose_excl EXCLUDE USING btree (amount WITH =)"},
      {.sql = "ALTER TABLE child DROP CONSTRAINT child_qty_check"},
      // Not SHARE ROW EXCLUSIVE, as CREATE TRIGGER: PostgreSQL 15 takes ACCESS EXCLUSIVE.
      {.sql = "ALTER TABLE child ALTER CONSTRAINT child_parent_fk DEFERRABLE INITIALLY DEFERRED"},
      // Surprising: dropping a foreign key takes ACCESS EXCLUSIVE on the *referenced*
      // table too, to drop the key's action triggers there (RemoveTriggerById). The
      // SQL names only the referencing table and the constraint.
      {.sql = "ALTER TABLE child DROP CONSTRAINT child_parent_fk",
       .unreported = {{"parent", kAccessExclusive, "the referenced table: its RI triggers are dropped",
                       true}}},
      // Renames
      {.sql = "ALTER TABLE loose RENAME TO loose_renamed"},
      {.sql = "ALTER TABLE parent RENAME COLUMN note TO remark"},
      {.sql = "ALTER TABLE child RENAME CONSTRAINT child_qty_check TO child_qty_positive"},
      // Storage, statistics, options
      {.sql = "ALTER TABLE parent ALTER COLUMN amount SET STATISTICS 500"},
      {.sql = "ALTER TABLE parent SET (fillfactor = 70)"},
      {.sql = "ALTER TABLE parent SET (autovacuum_enabled = false)"},
      {.sql = "ALTER TABLE parent ALTER COLUMN note SET STORAGE EXTERNAL"},
      // Triggers, RLS, replica identity, owner
      {.sql = "ALTER TABLE child DISABLE TRIGGER child_touch"},
      {.sql = "ALTER TABLE child ENABLE TRIGGER child_touch"},
      {.sql = "ALTER TABLE child ENABLE ROW LEVEL SECURITY"},
      {.sql = "ALTER TABLE child FORCE ROW LEVEL SECURITY"},
      {.sql = "ALTER TABLE loose REPLICA IDENTITY FULL"},
      {.sql = "ALTER TABLE loose OWNER TO lt_owner"},
      {.sql = "ALTER TABLE loose SET UNLOGGED"},
      {.sql = "ALTER TABLE scratch SET LOGGED"},
      // Partitions, inheritance, schema
      {.sql = "ALTER TABLE events ATTACH PARTITION events_2025 FOR VALUES FROM ('2025-01-01') TO "
              "('2026-01-01')"},
      {.sql = "ALTER TABLE events DETACH PARTITION events_2024"},
      {.sql = "ALTER TABLE child CLUSTER ON child_qty_idx"},
      {.sql = "ALTER TABLE heir INHERIT base"},
      {.sql = "ALTER TABLE heir_linked NO INHERIT base"},
      {.sql = "ALTER TABLE loose SET SCHEMA archive"},
      // CREATE TABLE
      {.sql = "CREATE TABLE kid (id bigint PRIMARY KEY, parent_id bigint REFERENCES parent (id))"},
      {.sql =
           "CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')"},
      {.sql = "CREATE TABLE parent_copy (LIKE parent INCLUDING ALL)"},
      {.sql = "CREATE TABLE heir_new (note text) INHERITS (base)"},
      // TRUNCATE, DROP
      {.sql = "TRUNCATE loose", .rewrite = RewriteExpectation::kNewFileNoRewrite},
      // CASCADE truncates every table with a foreign key to the named ones (PostgreSQL
      // docs, TRUNCATE): which tables is catalog state, not SQL.
      {.sql = "TRUNCATE parent CASCADE",
       .unreported = {{"child", kAccessExclusive, "a referencing table, truncated by CASCADE", true}},
       .rewrite = RewriteExpectation::kNewFileNoRewrite},
      {.sql = "DROP TABLE loose"},
      {.sql = "DROP VIEW parent_view"},
      {.sql = "DROP MATERIALIZED VIEW parent_totals"},
      {.sql = "DROP SEQUENCE ticket_seq"},
      // Maintenance
      {.sql = "CLUSTER child USING child_qty_idx"},
      {.sql = "ANALYZE child"},
      {.sql = "REFRESH MATERIALIZED VIEW parent_totals"},
      {.sql = "REFRESH MATERIALIZED VIEW CONCURRENTLY parent_totals"},
      // Triggers, policies, comments
      {.sql = "CREATE TRIGGER child_audit AFTER INSERT ON child FOR EACH ROW EXECUTE FUNCTION touch()"},
      {.sql = "DROP TRIGGER child_touch ON child"},
      {.sql = "CREATE POLICY child_positive ON child USING (qty > 0)"},
      {.sql = "ALTER POLICY child_policy ON child USING (qty >= 0)"},
      {.sql = "DROP POLICY child_policy ON child"},
      {.sql = "COMMENT ON TABLE parent IS 'people'"},
      {.sql = "COMMENT ON COLUMN parent.note IS 'free text'"},
      // LOCK TABLE, every mode
      {.sql = "LOCK TABLE loose IN ACCESS SHARE MODE"},
      {.sql = "LOCK TABLE loose IN ROW SHARE MODE"},
      {.sql = "LOCK TABLE loose IN ROW EXCLUSIVE MODE"},
      {.sql = "LOCK TABLE loose IN SHARE UPDATE EXCLUSIVE MODE"},
      {.sql = "LOCK TABLE loose IN SHARE MODE"},
      {.sql = "LOCK TABLE loose IN SHARE ROW EXCLUSIVE MODE"},
      {.sql = "LOCK TABLE loose IN EXCLUSIVE MODE"},
      {.sql = "LOCK TABLE loose IN ACCESS EXCLUSIVE MODE"},
      {.sql = "LOCK TABLE loose"},
      // Privileges
      {.sql = "GRANT SELECT ON parent TO lt_owner"},
      {.sql = "REVOKE SELECT ON parent FROM lt_owner"},
      // DML and queries
      {.sql = "INSERT INTO loose (id, code, amount) VALUES (1000, 'x', 1)"},
      {.sql = "UPDATE loose SET amount = amount + 1 WHERE id = 1"},
      {.sql = "UPDATE child SET qty = 1 FROM parent WHERE parent.id = child.parent_id AND parent.amount = 1"},
      {.sql = "DELETE FROM loose WHERE id = 1"},
      {.sql = "SELECT count(*) FROM loose"},
      {.sql = "SELECT id FROM loose WHERE id = 1 FOR UPDATE"},
      {.sql =
           "MERGE INTO loose l USING parent p ON l.id = p.id WHEN MATCHED THEN UPDATE SET amount = p.amount "
           "WHEN NOT MATCHED THEN INSERT (id, code, amount) VALUES (p.id, p.code, p.amount)"},
      // A data-modifying WITH query locks its target as DML does; the WITH query's
      // name is not a relation.
      {.sql = "WITH gone AS (DELETE FROM scratch RETURNING id) UPDATE loose SET amount = 0 WHERE id IN "
              "(SELECT id FROM gone)"},
      {.sql = "WITH gone AS (DELETE FROM scratch RETURNING id) SELECT count(*) FROM gone"},
      {.sql = "WITH recent AS (SELECT id FROM parent WHERE amount > 50) SELECT count(*) FROM recent"},
      // SELECT ... INTO creates its table (the creates check below sees it exist).
      {.sql = "SELECT id, code INTO loose_copy FROM loose WHERE amount > 10"},
      {.sql = "SELECT id INTO parent_ids FROM parent UNION SELECT parent_id FROM child"},
      {.sql = "CREATE TABLE loose_copy AS SELECT * FROM loose"},
      // EXPLAIN takes the statement's locks while planning it; only ANALYZE runs it.
      {.sql = "EXPLAIN UPDATE loose SET amount = 0"},
      {.sql = "EXPLAIN (ANALYZE false) DELETE FROM loose"},
      {.sql = "EXPLAIN (ANALYZE, COSTS off) UPDATE loose SET amount = amount + 1 WHERE id = 1"},
      {.sql = "EXPLAIN CREATE TABLE loose_copy AS SELECT * FROM loose"},
      {.sql = "EXPLAIN (ANALYZE on, TIMING off) CREATE TABLE loose_copy AS SELECT * FROM loose"},
      // Sequences, views, types
      {.sql = "ALTER SEQUENCE ticket_seq RESTART WITH 100"},
      {.sql = "CREATE OR REPLACE VIEW parent_view AS SELECT id, code, label FROM parent"},
      {.sql =
           "CREATE VIEW child_view AS SELECT c.id, p.code FROM child c JOIN parent p ON p.id = c.parent_id"},
      {.sql = "CREATE MATERIALIZED VIEW child_totals AS SELECT parent_id, sum(qty) AS total FROM child GROUP "
              "BY 1"},
      // validateDomainConstraint checks every column of the domain type under SHARE on
      // its table; which tables use the domain is catalog state, not SQL.
      {.sql = "ALTER DOMAIN posint ADD CONSTRAINT posint_positive CHECK (VALUE > 0)",
       .unreported = {{"child", kShare, "a table with a column of the domain, scanned to validate it",
                       true}}},
      {.sql = "ALTER TYPE mood ADD VALUE 'happy'"},
      // Statistics, rules
      {.sql = "CREATE STATISTICS parent_stats ON amount, label FROM parent"},
      {.sql = "CREATE RULE parent_rule AS ON INSERT TO parent DO INSTEAD NOTHING"},
      {.sql = "CREATE OR REPLACE RULE parent_view_upd AS ON UPDATE TO parent_view DO INSTEAD NOTHING"},
      {.sql = "CREATE RULE parent_log AS ON DELETE TO parent DO ALSO INSERT INTO loose (id) VALUES (OLD.id)"},
      {.sql = "DROP STATISTICS parent_amount_stats",
       .unreported = {{"parent", kShareUpdateExclusive, "the table of the statistics object", true}}},
      {.sql = "ALTER STATISTICS parent_amount_stats SET STATISTICS 500"},
      // Row locks: FOR UPDATE locks the FROM items it names (by alias), others are read
      {.sql = "SELECT * FROM loose, child WHERE loose.id = child.id FOR UPDATE OF loose"},
      {.sql = "SELECT * FROM loose l JOIN child c ON c.id = l.id FOR NO KEY UPDATE OF c"},
      {.sql = "SELECT * FROM loose FOR SHARE SKIP LOCKED"},
      {.sql = "DELETE FROM loose WHERE id IN (SELECT id FROM scratch LIMIT 10 FOR UPDATE SKIP LOCKED)"},
      {.sql =
           "UPDATE child SET qty = 0 WHERE id IN (SELECT id FROM child WHERE qty < 0 LIMIT 100 FOR UPDATE)"},
      // Other command tags
      {.sql = "ALTER DEFAULT PRIVILEGES IN SCHEMA archive GRANT SELECT ON TABLES TO lt_owner"},
      {.sql = "ALTER TYPE mood OWNER TO lt_owner"},
      {.sql = "ALTER TYPE mood SET SCHEMA archive"},
      {.sql = "ALTER FUNCTION touch() OWNER TO lt_owner"},
      {.sql = "ALTER FUNCTION touch() RENAME TO touch2"},
      {.sql = "ALTER FUNCTION touch() SET search_path = public"},
      {.sql = "ALTER SCHEMA archive RENAME TO archive2"},
      {.sql = "ALTER DOMAIN posint RENAME TO positive_int"},
      {.sql = "ALTER TRIGGER child_touch ON child RENAME TO child_touched"},
      {.sql = "ALTER POLICY child_policy ON child RENAME TO child_everyone"},
      {.sql = "ALTER MATERIALIZED VIEW parent_totals RENAME COLUMN amount TO total"},
      {.sql = "CREATE TYPE pair AS (a integer, b integer)"},
      {.sql = "CREATE AGGREGATE total (integer) (SFUNC = int4pl, STYPE = integer)"},
      {.sql = "COMMENT ON SCHEMA archive IS 'old rows'"},
      {.sql = "COMMENT ON INDEX child_qty_idx IS 'by quantity'"},
      {.sql = "COMMENT ON CONSTRAINT child_qty_check ON child IS 'never negative'"},
      {.sql = "CREATE EXTENSION IF NOT EXISTS plpgsql"},
      {.sql = "CREATE SCHEMA IF NOT EXISTS archive"},
      {.sql = "SET CONSTRAINTS ALL DEFERRED"},
      {.sql = "SELECT pg_advisory_xact_lock(42)"},
      // More ALTER TABLE forms seen in real migrations
      {.sql = "ALTER TABLE child REPLICA IDENTITY USING INDEX child_pkey"},
      {.sql = "ALTER TABLE child ENABLE ALWAYS TRIGGER child_touch"},
      {.sql =
           "ALTER TABLE child SET (autovacuum_vacuum_scale_factor = 0.01, toast.autovacuum_enabled = false)"},
      {.sql = "ALTER TABLE child ALTER COLUMN qty SET (n_distinct = 10)"},
      {.sql = "ALTER TABLE loose ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY"},
      {.sql = "ALTER TABLE loose ADD COLUMN total numeric(10, 2) DEFAULT 0.0 NOT NULL"},
      {.sql = "ALTER TABLE loose ADD COLUMN tags jsonb DEFAULT '{}'"},
      {.sql = "ALTER TABLE loose ADD COLUMN token uuid DEFAULT gen_random_uuid()"},
      {.sql = "ALTER TABLE loose ALTER COLUMN amount TYPE numeric"},
      {.sql = "ALTER TABLE child DROP CONSTRAINT child_qty_check, ADD CONSTRAINT child_qty_min CHECK (qty >= "
              "1)"},
      {.sql = "ALTER TABLE parent ADD COLUMN IF NOT EXISTS note text"},
      {.sql = "ALTER TABLE parent ADD COLUMN code_key text UNIQUE"},
      {.sql =
           "ALTER TABLE child ADD CONSTRAINT child_loose_fk FOREIGN KEY (id) REFERENCES loose (id) ON DELETE "
           "CASCADE DEFERRABLE NOT VALID"},
      {.sql = "CREATE INDEX IF NOT EXISTS child_qty_idx ON child (qty)"},
      {.sql = "CREATE INDEX loose_code_inc ON loose (code) INCLUDE (amount) WHERE amount > 0"},
      {.sql = "CREATE INDEX loose_code_gin ON loose USING gin (to_tsvector('simple', code))"},
      {.sql = "CREATE TABLE IF NOT EXISTS parent (id integer)"},
      {.sql =
           "CREATE TABLE kid (id serial PRIMARY KEY, parent_id bigint REFERENCES parent ON DELETE SET NULL)"},
      {.sql =
           "CREATE TABLE events_2030 PARTITION OF events FOR VALUES FROM ('2030-01-01') TO ('2031-01-01')"},
      {.sql = "INSERT INTO loose (id, code) VALUES (1, 'x') ON CONFLICT (id) DO UPDATE SET code = "
              "EXCLUDED.code"},
      {.sql = "TRUNCATE loose, scratch RESTART IDENTITY", .rewrite = RewriteExpectation::kNewFileNoRewrite},
      // DO blocks: the block takes the locks of the statements its body runs
      {.sql = "DO $$ BEGIN ALTER TABLE loose ADD COLUMN note text; CREATE INDEX loose_note_idx ON loose "
              "(note); END $$"},
      {.sql =
           "DO $do$\nBEGIN\n  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'child_loose_fk') "
           "THEN\n    ALTER TABLE child ADD CONSTRAINT child_loose_fk FOREIGN KEY (id) REFERENCES loose (id) "
           "NOT VALID;\n  END IF;\nEND\n$do$"},
      {.sql =
           "DO $$ DECLARE n bigint; BEGIN SELECT count(*) INTO n FROM parent; UPDATE loose SET amount = n; "
           "EXECUTE 'LOCK TABLE scratch IN EXCLUSIVE MODE'; END $$"},
      {.sql = "DO 'BEGIN DELETE FROM scratch; END'"},
      // Partitioned and inherited tables: statements recurse to what the SQL does not name
      {.sql = "ALTER TABLE events ADD CONSTRAINT events_pk PRIMARY KEY (id, created)",
       .unreported = {{"events_2023", kAccessExclusive, kPartition, true},
                      {"events_2024", kAccessExclusive, kPartition, true}}},
      {.sql = "ALTER TABLE events ADD CONSTRAINT events_loose_fk FOREIGN KEY (id) REFERENCES loose (id)",
       .unreported = {{"events_2023", kShareRowExclusive, kPartition, true},
                      {"events_2024", kShareRowExclusive, kPartition, true}}},
      {.sql = "ALTER TABLE events DROP COLUMN payload",
       .unreported = {{"events_2023", kAccessExclusive, kPartition, true},
                      {"events_2024", kAccessExclusive, kPartition, true}}},
      {.sql = "ALTER TABLE events RENAME COLUMN payload TO body",
       .unreported = {{"events_2023", kAccessExclusive, kPartition, true},
                      {"events_2024", kAccessExclusive, kPartition, true}}},
      {.sql = "ALTER TABLE events ALTER COLUMN payload TYPE varchar(10)",
       .unreported = {{"events_2023", kAccessExclusive, kPartition, true},
                      {"events_2024", kAccessExclusive, kPartition, true}},
       .rewrite = kDependsOnOldType},
      {.sql = "ALTER TABLE events ALTER COLUMN payload SET STATISTICS 100",
       .unreported = {{"events_2023", kShareUpdateExclusive, kPartition, true},
                      {"events_2024", kShareUpdateExclusive, kPartition, true}}},
      {.sql = "DELETE FROM events",
       .unreported = {{"events_2023", kRowExclusive, kPartition, true},
                      {"events_2024", kRowExclusive, kPartition, true}}},
      {.sql = "UPDATE events SET payload = 'z'",
       .unreported = {{"events_2023", kRowExclusive, kPartition, true},
                      {"events_2024", kRowExclusive, kPartition, true}}},
      {.sql = "SELECT * FROM events FOR UPDATE",
       .unreported = {{"events_2023", kRowShare, kPartition, true},
                      {"events_2024", kRowShare, kPartition, true}}},
      {.sql = "ANALYZE events",
       .unreported = {{"events_2023", kShareUpdateExclusive, kPartition, true},
                      {"events_2024", kShareUpdateExclusive, kPartition, true}}},
      {.sql = "ALTER TABLE events OWNER TO lt_owner"},
      {.sql = "ALTER TABLE events ENABLE ROW LEVEL SECURITY"},
      {.sql = "ALTER TABLE events REPLICA IDENTITY FULL"},
      {.sql = "COMMENT ON TABLE events IS 'by day'"},
      {.sql = "ALTER TABLE base RENAME COLUMN code TO label",
       .unreported = {{"heir_linked", kAccessExclusive, kInheritor, true}}},
      {.sql = "ALTER TABLE base DROP COLUMN code",
       .unreported = {{"heir_linked", kAccessExclusive, kInheritor, true}}},
      {.sql = "LOCK TABLE base IN EXCLUSIVE MODE",
       .unreported = {{"heir_linked", kExclusive, kInheritor, true}}},
      {.sql = "TRUNCATE base",
       .unreported = {{"heir_linked", kAccessExclusive, kInheritor, true}},
       .rewrite = RewriteExpectation::kNewFileNoRewrite},
      {.sql = "CREATE INDEX base_code_idx ON base (code)"},
      // Foreign keys, views and indexes the history shows
      {.sql = "ALTER TABLE parent DROP CONSTRAINT parent_pkey CASCADE",
       .unreported = {{"child", kAccessExclusive, "a table whose foreign key on the constraint is dropped",
                       true}}},
      {.sql = "DROP INDEX parent_totals_id",
       .unreported = {{"parent_totals", kAccessExclusive, kTableBehindIndex, true}}},
      {.sql = "REINDEX TABLE parent",
       .unreported = {{"parent_pkey", kAccessExclusive, kIndexRebuilt, true},
                      {"parent_code_key", kAccessExclusive, kIndexRebuilt, true},
                      {"parent_label_uidx", kAccessExclusive, kIndexRebuilt, true}}},
      {.sql = "ALTER TABLE child ADD COLUMN pid bigint REFERENCES parent (id) ON DELETE CASCADE"},
      {.sql = "DROP VIEW parent_view"},
      {.sql = "REFRESH MATERIALIZED VIEW parent_totals"},
      {.sql = "ALTER TABLE parent RENAME TO people"},
      {.sql = "CLUSTER child USING child_parent_idx"},
      {.sql = "ALTER TABLE child SET WITHOUT CLUSTER"},
      // What the SQL cannot name: partitions, the other side of a foreign key, a view's tables
      {.sql = "CREATE INDEX events_payload_idx ON events (payload)",
       .unreported = {{"events_2023", kShare, kPartition, true}, {"events_2024", kShare, kPartition, true}}},
      {.sql = "ALTER TABLE events ADD COLUMN source text",
       .unreported = {{"events_2023", kAccessExclusive, kPartition, true},
                      {"events_2024", kAccessExclusive, kPartition, true}}},
      {.sql = "ALTER TABLE base ADD COLUMN extra integer",
       .unreported = {{"heir_linked", kAccessExclusive, kInheritor, true}}},
      {.sql = "LOCK TABLE events IN SHARE MODE",
       .unreported = {{"events_2023", kShare, kPartition, true}, {"events_2024", kShare, kPartition, true}}},
      // TRUNCATE gives the partitions new files; the partitioned parent has none.
      {.sql = "TRUNCATE events",
       .unreported = {{"events_2023", kAccessExclusive, kPartition, true},
                      {"events_2024", kAccessExclusive, kPartition, true}},
       .rewrite_after_fixture = RewriteExpectation::kNewFileNoRewrite},
      {.sql = "DROP TABLE events",
       .unreported = {{"events_2023", kAccessExclusive, kPartition, true},
                      {"events_2024", kAccessExclusive, kPartition, true}}},
      {.sql = "CREATE TRIGGER events_touch BEFORE UPDATE ON events FOR EACH ROW EXECUTE FUNCTION touch()",
       .unreported = {{"events_2023", kShareRowExclusive, kPartition, true},
                      {"events_2024", kShareRowExclusive, kPartition, true}}},
      {.sql = "ALTER TABLE events ALTER COLUMN payload SET DEFAULT 'none'",
       .unreported = {{"events_2023", kAccessExclusive, kPartition, true},
                      {"events_2024", kAccessExclusive, kPartition, true}}},
      {.sql = "DROP TABLE parent CASCADE",
       .unreported = {{"child", kAccessExclusive, "a table whose foreign key into it is dropped", true},
                      {"parent_view", kAccessExclusive, "a view over it, dropped by CASCADE", true},
                      {"parent_totals", kAccessExclusive, "a view over it, dropped by CASCADE", true}}},
      {.sql = "ALTER DOMAIN posint SET NOT NULL",
       .unreported = {{"child", kShare, "a table with a column of the domain, scanned to validate it",
                       true}}},
      {.sql = "DROP TYPE mood CASCADE",
       .unreported = {{"child", kAccessExclusive, "a table with a column of the type, dropped by CASCADE",
                       true}}},
      {.sql = "DROP INDEX parent_label_uidx",
       .unreported = {{"parent", kAccessExclusive, kTableBehindIndex, true}}},
      {.sql = "DROP TABLE child", .unreported = {{"parent", kAccessExclusive, kReferencedTable, true}}},
      {.sql = "ALTER TABLE child DROP COLUMN parent_id",
       .unreported = {{"parent", kAccessExclusive, kReferencedTable, true}}},
      {.sql = "LOCK TABLE parent_view IN SHARE MODE",
       .unreported = {{"parent", kShare, "the view's table: LOCK on a view locks what the view reads",
                       true}}},
  };
}

// Statements that cannot run in a transaction block. `blocker` is held by another
// session so that the statement waits at its strongest lock (or, for the
// concurrent forms, while holding it, waiting for older transactions).
std::vector<LockCase> non_transactional_cases() {
  return {
      // The concurrent forms hold SHARE UPDATE EXCLUSIVE as a session lock for the
      // whole build and wait for older transactions between phases (PostgreSQL
      // docs, CREATE INDEX, "Building Indexes Concurrently"): the blocker's
      // snapshot makes them wait while pg_locks shows what they hold.
      {.sql = "CREATE INDEX CONCURRENTLY parent_note_idx ON parent (note)",
       .blocker = "LOCK parent IN ACCESS SHARE MODE",
       .cleanup = "DROP INDEX parent_note_idx"},
      {.sql = "DROP INDEX CONCURRENTLY child_qty_idx",
       .unreported = {{"child", kShareUpdateExclusive, kTableBehindIndex, true}},
       .blocker = "LOCK child IN ACCESS SHARE MODE",
       .cleanup = "CREATE INDEX child_qty_idx ON child (qty)"},
      {.sql = "REINDEX INDEX CONCURRENTLY child_qty_idx",
       .unreported = {{"child", kShareUpdateExclusive, kTableBehindIndex, true}},
       .blocker = "LOCK child IN ACCESS SHARE MODE"},
      {.sql = "REINDEX TABLE CONCURRENTLY child", .blocker = "LOCK child IN ACCESS SHARE MODE"},
      // Surprising: CONCURRENTLY still ends with ACCESS EXCLUSIVE on the partition, in
      // its second transaction (PostgreSQL docs, ALTER TABLE, DETACH PARTITION). The
      // blocker holds the partition only, so the first transaction does not wait
      // and the statement is seen waiting for that ACCESS EXCLUSIVE lock.
      {.sql = "ALTER TABLE events DETACH PARTITION events_2024 CONCURRENTLY",
       .blocker = "LOCK events_2024 IN ACCESS SHARE MODE",
       .cleanup = "ALTER TABLE events ATTACH PARTITION events_2024 FOR VALUES FROM ('2024-01-01') TO "
                  "('2025-01-01')"},
      // VACUUM may also try ACCESS EXCLUSIVE to truncate empty pages at the end of
      // the table, but only conditionally (it gives up rather than wait: PostgreSQL
      // docs, VACUUM, TRUNCATE option), so it never blocks anyone for it.
      {.sql = "VACUUM child", .blocker = "LOCK child IN SHARE UPDATE EXCLUSIVE MODE"},
      {.sql = "VACUUM (FULL) child", .blocker = "LOCK child IN ACCESS SHARE MODE"},
      // FULL with a value: off / false / 0 is plain VACUUM (no new relfilenode).
      {.sql = "VACUUM (FULL false) child", .blocker = "LOCK child IN SHARE UPDATE EXCLUSIVE MODE"},
      {.sql = "VACUUM (FULL off, ANALYZE) loose", .blocker = "LOCK loose IN SHARE UPDATE EXCLUSIVE MODE"},
      {.sql = "VACUUM (FULL 1) loose", .blocker = "LOCK loose IN ACCESS SHARE MODE"},
      {.sql = "CREATE INDEX CONCURRENTLY IF NOT EXISTS loose_code_idx ON loose (code)",
       .blocker = "LOCK loose IN ACCESS SHARE MODE",
       .cleanup = "DROP INDEX loose_code_idx"},
  };
}

}  // namespace

TEST_CASE("lock model matches PostgreSQL 15 inside a transaction", "[pg]") {
  const auto& pg = schemagate::pgtest::fixture_server();
  std::vector<LockCase> cases = transactional_cases();
  auto observations = schemagate::pgtest::observe_in_transaction(pg, cases);
  for (std::size_t i = 0; i < cases.size(); ++i) {
    INFO(cases[i].sql);
    std::string error;
    auto facts = schemagate::pgtest::model_facts(cases[i].sql, error);
    REQUIRE(error.empty());
    CHECK(facts.transactional);
    CHECK(schemagate::pgtest::compare(cases[i], facts, observations[i]) == "");
    // After the fixture's own migrations, the schema history names what the SQL cannot.
    auto known = schemagate::pgtest::model_facts_after_fixture(cases[i].sql, error);
    REQUIRE(error.empty());
    CHECK(schemagate::pgtest::compare(with_history(cases[i]), known, observations[i]) == "");
  }
}

TEST_CASE("lock model matches PostgreSQL 15 for statements outside a transaction", "[pg]") {
  const auto& pg = schemagate::pgtest::fixture_server();
  for (const LockCase& c : non_transactional_cases()) {
    INFO(c.sql);
    std::string error;
    auto facts = schemagate::pgtest::model_facts(c.sql, error);
    REQUIRE(error.empty());
    CHECK_FALSE(facts.transactional);
    auto obs = schemagate::pgtest::observe_outside_transaction(pg, c);
    CHECK(schemagate::pgtest::compare(c, facts, obs) == "");
    auto known = schemagate::pgtest::model_facts_after_fixture(c.sql, error);
    REQUIRE(error.empty());
    CHECK(schemagate::pgtest::compare(with_history(c), known, obs) == "");
  }
}

TEST_CASE("statements the model keeps out of transaction blocks are refused inside one", "[pg]") {
  const auto& pg = schemagate::pgtest::fixture_server();
  pg.psql_ok("DROP DATABASE IF EXISTS lt_other;\nCREATE DATABASE lt_other;\n");
  // Statements that lock no fixture relation, so the blocking harness above has nothing to see.
  const std::vector<std::string> statements = {
      "CREATE DATABASE lt_more",
      "DROP DATABASE lt_other",
      "ALTER DATABASE lt_other SET TABLESPACE pg_default",
      "ALTER SYSTEM SET work_mem = '8MB'",
      "REINDEX SCHEMA archive",
      "REINDEX (CONCURRENTLY) SCHEMA archive",
      "CLUSTER",
      "VACUUM",
      "CREATE TABLESPACE lt_space LOCATION '/nonexistent'",
  };
  for (const std::string& sql : statements) {
    INFO(sql);
    std::string error;
    auto facts = schemagate::pgtest::model_facts(sql, error);
    REQUIRE(error.empty());
    CHECK_FALSE(facts.transactional);
    CHECK_FALSE(facts.not_transactional_why.empty());
    auto r = pg.psql("BEGIN;\n" + sql + ";\nROLLBACK;\n");
    CHECK(r.err.find("cannot run inside a transaction block") != std::string::npos);
  }
  // And their everyday neighbours run inside one.
  for (const std::string sql : {"ALTER DATABASE lt_other SET work_mem = '8MB'", "REINDEX TABLE child",
                                "CLUSTER child USING child_qty_idx", "ANALYZE"}) {
    INFO(sql);
    std::string error;
    CHECK(schemagate::pgtest::model_facts(sql, error).transactional);
    CHECK(pg.psql("BEGIN;\n" + sql + ";\nROLLBACK;\n").exit_code == 0);
  }
}

namespace {

// Whether PostgreSQL is inside a transaction block after `prefix`, run statement by
// statement as psql (and a plain script) runs it: SAVEPOINT is refused outside one.
bool in_transaction_block(const schemagate::pgtest::PgServer& pg, const std::string& prefix) {
  auto r = pg.psql(prefix + "SAVEPOINT lt_probe;\n");
  if (r.exit_code == 0) return true;
  INFO(prefix);
  INFO(r.err);
  REQUIRE(r.err.find("SAVEPOINT can only be used in transaction blocks") != std::string::npos);
  return false;
}

}  // namespace

TEST_CASE("transaction blocks match PostgreSQL 15 across COMMIT / ROLLBACK AND CHAIN", "[pg]") {
  using namespace schemagate::sql;
  const auto& pg = schemagate::pgtest::fixture_server();
  const std::vector<std::pair<std::string, std::string>> files = {
      {"chain.sql",
       "BEGIN;\nSELECT 1;\nCOMMIT AND CHAIN;\nSELECT 2;\nROLLBACK AND CHAIN;\nSELECT 3;\nCOMMIT;\nSELECT "
       "4;\n"},
      {"no_chain.sql", "START TRANSACTION READ ONLY;\nSELECT 1;\nCOMMIT AND NO CHAIN;\nSELECT 2;\n"},
      {"20240101120000_chain.sql", "-- +goose Up\nSELECT 1;\nCOMMIT AND CHAIN;\nSELECT 2;\n"},
  };
  for (const auto& [name, text] : files) {
    INFO(name);
    auto set = build_migration_set({MigrationInput{name, text}}, LoadOptions{});
    REQUIRE(set->scripts().size() == 1);
    const Script& script = *set->scripts().front();
    // goose sends BEGIN before the script (and COMMIT after it).
    std::string prefix = script.tool_transaction ? "BEGIN;\n" : "";
    for (const Statement& st : script.statements) {
      if (st.tag() != "TransactionStmt") {
        INFO(script.sql(st));
        CHECK(st.in_transaction == in_transaction_block(pg, prefix));
      }
      prefix += std::string(script.sql(st)) + ";\n";
    }
  }
}

TEST_CASE("relations created earlier in the same script are new", "[pg]") {
  using namespace schemagate::sql;
  auto set = build_migration_set(
      {MigrationInput{"001_init.sql",
                      "CREATE TABLE fresh (id bigint);\n"
                      "CREATE INDEX fresh_id_idx ON fresh (id);\n"
                      "ALTER TABLE fresh ADD COLUMN parent_id bigint REFERENCES parent (id);\n"}},
      LoadOptions{});
  REQUIRE(set->scripts().size() == 1);
  const Script& script = *set->scripts().front();
  REQUIRE(script.statements.size() == 3);
  const StatementFacts& index = script.statements[1].facts;
  REQUIRE(index.find(RelationName{"", "fresh"}) != nullptr);
  CHECK(index.find(RelationName{"", "fresh"})->is_new);
  CHECK(index.strongest_existing() == LockMode::kNone);
  const StatementFacts& fk = script.statements[2].facts;
  REQUIRE(fk.find(RelationName{"", "parent"}) != nullptr);
  CHECK(fk.find(RelationName{"", "fresh"})->is_new);
  CHECK_FALSE(fk.find(RelationName{"", "parent"})->is_new);
  CHECK(fk.strongest_existing() == LockMode::kShareRowExclusive);
}
