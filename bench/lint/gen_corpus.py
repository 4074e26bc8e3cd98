#!/usr/bin/env python3
"""Generates a deterministic corpus of realistic PostgreSQL migrations for bench/lint.

Out: <out>/migrations/NNNN_<name>.{up,down}.sql (golang-migrate pairs, 2,000 files by
default) mixing what real migration histories hold: tables with identity keys and
foreign keys, indexes (some CONCURRENTLY), column adds with defaults, NOT VALID
constraints and validation, backfills, enum changes, PL/pgSQL functions and triggers
whose bodies contain semicolons, views, comments, goose-style files; and
<out>/big/schema_dump.sql, one ~5 MB file shaped like a pg_dump of a large schema
with seed data (multi-row INSERTs).

Usage: gen_corpus.py OUT_DIR [--pairs 1000] [--big-mb 5] [--seed 42]
"""
import argparse
import os
import random

TYPES = ["bigint", "integer", "text", "varchar(255)", "timestamptz", "boolean", "numeric(12,2)", "jsonb",
         "uuid", "date", "smallint", "double precision", "bytea", "inet", "text[]"]
WORDS = ["account", "order", "invoice", "customer", "payment", "shipment", "product", "inventory", "tenant",
         "user", "session", "event", "audit", "subscription", "plan", "coupon", "refund", "ledger", "note",
         "address", "region", "warehouse", "supplier", "contract", "ticket", "comment", "tag", "team"]
STATUS = ["pending", "active", "suspended", "closed", "archived", "failed", "refunded", "shipped"]


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.tables = []  # (name, [columns])

    def word(self):
        return self.r.choice(WORDS)

    def new_table_name(self):
        while True:
            n = f"{self.word()}_{self.word()}s" if self.r.random() < 0.5 else f"{self.word()}s"
            if all(n != t[0] for t in self.tables):
                return n
            if self.r.random() < 0.3:
                n = f"{n}_{len(self.tables)}"
                return n

    def column_def(self, name):
        t = self.r.choice(TYPES)
        parts = [name, t]
        roll = self.r.random()
        if roll < 0.25:
            parts.append("NOT NULL")
            if t in ("bigint", "integer", "smallint", "numeric(12,2)", "double precision"):
                parts.append("DEFAULT 0")
            elif t == "boolean":
                parts.append("DEFAULT false")
            elif t == "timestamptz":
                parts.append("DEFAULT now()")
            elif t in ("text", "varchar(255)"):
                parts.append("DEFAULT ''")
            elif t == "jsonb":
                parts.append("DEFAULT '{}'::jsonb")
            elif t == "uuid":
                parts.append("DEFAULT gen_random_uuid()")
        elif roll < 0.35 and t in ("text", "varchar(255)"):
            parts.append(f"CHECK (length({name}) <= 200)")
        return " ".join(parts), t

    def create_table(self):
        name = self.new_table_name()
        cols = ["id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY"]
        colnames = ["id"]
        if self.tables and self.r.random() < 0.6:
            parent = self.r.choice(self.tables)[0]
            fk = f"{parent.rstrip('s')}_id"
            cols.append(f"{fk} bigint NOT NULL REFERENCES {parent} (id) ON DELETE CASCADE")
            colnames.append(fk)
        for _ in range(self.r.randint(3, 14)):
            c = f"{self.word()}_{self.r.choice(['name', 'code', 'amount', 'at', 'count', 'flag', 'data', 'ref'])}"
            if c in colnames:
                continue
            d, _ = self.column_def(c)
            cols.append(d)
            colnames.append(c)
        cols.append("created_at timestamptz NOT NULL DEFAULT now()")
        cols.append("updated_at timestamptz NOT NULL DEFAULT now()")
        colnames += ["created_at", "updated_at"]
        self.tables.append((name, colnames))
        body = ",\n    ".join(cols)
        up = f"CREATE TABLE IF NOT EXISTS {name} (\n    {body}\n);\n"
        up += f"COMMENT ON TABLE {name} IS 'Stores {name.replace('_', ' ')}; owned by the {self.word()} team.';\n"
        if len(colnames) > 3:
            up += f"CREATE INDEX IF NOT EXISTS {name}_{colnames[1]}_idx ON {name} ({colnames[1]});\n"
        down = f"DROP TABLE IF EXISTS {name};\n"
        return f"create_{name}", up, down

    def add_index(self):
        name, cols = self.r.choice(self.tables)
        col = self.r.choice(cols[1:]) if len(cols) > 1 else "id"
        idx = f"{name}_{col}_{self.r.randint(1, 99)}_idx"
        conc = self.r.random() < 0.6
        where = f" WHERE {col} IS NOT NULL" if self.r.random() < 0.2 else ""
        uniq = "UNIQUE " if self.r.random() < 0.15 else ""
        up = (f"CREATE {uniq}INDEX {'CONCURRENTLY ' if conc else ''}IF NOT EXISTS {idx}\n"
              f"    ON {name} USING btree ({col}){where};\n")
        down = f"DROP INDEX {'CONCURRENTLY ' if conc else ''}IF EXISTS {idx};\n"
        return f"index_{idx}", up, down

    def add_column(self):
        name, cols = self.r.choice(self.tables)
        col = f"{self.word()}_{self.r.choice(['status', 'note', 'total', 'kind', 'score', 'label'])}"
        if col in cols:
            col += f"_{len(cols)}"
        d, _ = self.column_def(col)
        cols.append(col)
        up = "SET lock_timeout = '3s';\nSET statement_timeout = '10min';\n\n" if self.r.random() < 0.5 else ""
        up += f"ALTER TABLE {name} ADD COLUMN IF NOT EXISTS {d};\n"
        if self.r.random() < 0.3:
            up += f"COMMENT ON COLUMN {name}.{col} IS 'Added for the {self.word()} feature.';\n"
        down = f"ALTER TABLE {name} DROP COLUMN IF EXISTS {col};\n"
        return f"add_{col}_to_{name}", up, down

    def foreign_key(self):
        if len(self.tables) < 2:
            return self.add_column()
        (child, ccols), (parent, _) = self.r.sample(self.tables, 2)
        col = f"{parent.rstrip('s')}_ref_id"
        con = f"{child}_{col}_fkey"
        up = (f"ALTER TABLE {child} ADD COLUMN IF NOT EXISTS {col} bigint;\n"
              f"ALTER TABLE {child} ADD CONSTRAINT {con}\n    FOREIGN KEY ({col}) REFERENCES {parent} (id) NOT VALID;\n"
              f"ALTER TABLE {child} VALIDATE CONSTRAINT {con};\n")
        down = f"ALTER TABLE {child} DROP CONSTRAINT IF EXISTS {con};\nALTER TABLE {child} DROP COLUMN IF EXISTS {col};\n"
        ccols.append(col)
        return f"fk_{con}", up, down

    def backfill(self):
        name, cols = self.r.choice(self.tables)
        col = self.r.choice(cols[1:]) if len(cols) > 1 else "id"
        lo = self.r.randint(1, 10_000_000)
        up = (f"-- Backfill in one bounded batch; the application backfills the rest.\n"
              f"UPDATE {name}\n   SET updated_at = now()\n WHERE id BETWEEN {lo} AND {lo + 10000}\n"
              f"   AND {col} IS NOT NULL;\n")
        return f"backfill_{name}", up, "SELECT 1;\n"

    def function_and_trigger(self):
        name, _ = self.r.choice(self.tables)
        fn = f"{name}_touch_updated_at"
        up = (f"CREATE OR REPLACE FUNCTION {fn}() RETURNS trigger\n    LANGUAGE plpgsql AS $$\n"
              f"BEGIN\n    NEW.updated_at := now();\n    IF NEW.id IS NULL THEN\n"
              f"        RAISE EXCEPTION 'id must not be null; got %', NEW;\n    END IF;\n    RETURN NEW;\nEND;\n$$;\n\n"
              f"DROP TRIGGER IF EXISTS {fn}_trg ON {name};\n"
              f"CREATE TRIGGER {fn}_trg BEFORE UPDATE ON {name}\n    FOR EACH ROW EXECUTE FUNCTION {fn}();\n")
        down = f"DROP TRIGGER IF EXISTS {fn}_trg ON {name};\nDROP FUNCTION IF EXISTS {fn}();\n"
        return f"trigger_{fn}", up, down

    def enum(self):
        t = f"{self.word()}_status_{len(self.tables)}_{self.r.randint(0, 999)}"
        vals = ", ".join(f"'{v}'" for v in self.r.sample(STATUS, 4))
        up = f"DO $$ BEGIN\n    CREATE TYPE {t} AS ENUM ({vals});\nEXCEPTION WHEN duplicate_object THEN NULL;\nEND $$;\n"
        up += f"ALTER TYPE {t} ADD VALUE IF NOT EXISTS 'legacy' AFTER {vals.split(', ')[0]};\n"
        return f"enum_{t}", up, f"DROP TYPE IF EXISTS {t};\n"

    def view(self):
        name, cols = self.r.choice(self.tables)
        v = f"{name}_summary_v{self.r.randint(1, 9)}"
        sel = ", ".join(cols[: min(5, len(cols))])
        up = (f"CREATE OR REPLACE VIEW {v} AS\n    SELECT {sel}, count(*) OVER () AS total\n"
              f"      FROM {name}\n     WHERE created_at > now() - interval '30 days';\n")
        return f"view_{v}", up, f"DROP VIEW IF EXISTS {v};\n"

    def migration(self):
        if len(self.tables) < 3:
            return self.create_table()
        kind = self.r.choices(
            [self.create_table, self.add_index, self.add_column, self.foreign_key, self.backfill,
             self.function_and_trigger, self.enum, self.view], weights=[18, 18, 22, 10, 8, 8, 6, 10])[0]
        return kind()


def big_dump(g, size_mb):
    parts = ["-- PostgreSQL database dump (synthetic)\nSET statement_timeout = 0;\nSET lock_timeout = 0;\n"
             "SET client_encoding = 'UTF8';\nSET standard_conforming_strings = on;\n"
             "SELECT pg_catalog.set_config('search_path', '', false);\n\n"]
    size = len(parts[0])
    n = 0
    while size < size_mb * 1024 * 1024:
        n += 1
        _, up, _ = g.create_table()
        name, cols = g.tables[-1]
        chunk = up + "\n"
        rows = []
        for i in range(g.r.randint(20, 80)):
            rows.append(f"({n * 1000 + i}, '{g.word()} {g.r.choice(STATUS)} {i}', {g.r.randint(0, 10**6)}, "
                        f"'2024-0{g.r.randint(1, 9)}-1{g.r.randint(0, 9)} 12:00:00+00')")
        chunk += (f"CREATE TABLE seed_{n} (id bigint PRIMARY KEY, label text, amount bigint, at timestamptz);\n"
                  f"INSERT INTO seed_{n} (id, label, amount, at) VALUES\n    " + ",\n    ".join(rows) + ";\n")
        chunk += f"ALTER TABLE ONLY seed_{n} ADD CONSTRAINT seed_{n}_label_check CHECK (label <> '');\n\n"
        parts.append(chunk)
        size += len(chunk)
    return "".join(parts)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--pairs", type=int, default=1000)
    ap.add_argument("--big-mb", type=float, default=5)
    ap.add_argument("--seed", type=int, default=42)
    a = ap.parse_args()
    g = Gen(a.seed)
    mdir = os.path.join(a.out, "migrations")
    os.makedirs(mdir, exist_ok=True)
    for i in range(1, a.pairs + 1):
        name, up, down = g.migration()
        stem = f"{20240000000000 + i * 100}_{name[:60]}"
        with open(os.path.join(mdir, stem + ".up.sql"), "w") as f:
            f.write(up)
        with open(os.path.join(mdir, stem + ".down.sql"), "w") as f:
            f.write(down)
    bdir = os.path.join(a.out, "big")
    os.makedirs(bdir, exist_ok=True)
    with open(os.path.join(bdir, "schema_dump.sql"), "w") as f:
        f.write(big_dump(Gen(a.seed + 1), a.big_mb))


if __name__ == "__main__":
    main()
