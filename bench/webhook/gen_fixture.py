#!/usr/bin/env python3
"""Writes the benchmark's inputs into OUT_DIR: cluster-state.yaml (the examples' state
plus a ConfigMap holding 20 clean golang-migrate migrations, up and down) and
review.json (an AdmissionReview CREATE of a Job that mounts it)."""
import json
import sys
from pathlib import Path

src, out = Path(sys.argv[1]), Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
header = "    SET lock_timeout = '5s';\n    SET statement_timeout = '15min';\n\n"
files = {}
for i in range(20):
    version = f"202405{(i // 9) + 1:02d}{(i % 9) + 10:02d}0000"
    if i % 2 == 0:
        name = f"{version}_create_ledger_{i}"
        up = (f"    CREATE TABLE tenant_acme.ledger_{i} (\n"
              f"        id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
              f"        order_id    bigint NOT NULL,\n"
              f"        amount      numeric(12, 2) NOT NULL,\n"
              f"        note        text,\n"
              f"        created_at  timestamptz NOT NULL DEFAULT now()\n"
              f"    );\n"
              f"    CREATE INDEX ledger_{i}_order_idx ON tenant_acme.ledger_{i} (order_id);\n")
        down = f"    DROP TABLE tenant_acme.ledger_{i};\n"
    else:
        name = f"{version}_orders_add_field_{i}"
        up = f"    ALTER TABLE tenant_acme.orders ADD COLUMN field_{i} text;\n"
        down = f"    ALTER TABLE tenant_acme.orders DROP COLUMN field_{i};\n"
    files[f"{name}.up.sql"] = header + up
    files[f"{name}.down.sql"] = header + down

cm = ["---", "apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: orders-migrations-bench",
      "  namespace: tenant-acme", "  labels:", "    app.kubernetes.io/name: orders", "data:"]
for k in sorted(files):
    cm.append(f"  {k}: |")
    cm.append(files[k].rstrip("\n"))
state = (src / "examples/cluster-state.yaml").read_text().rstrip("\n") + "\n" + "\n".join(cm) + "\n"
(out / "cluster-state.yaml").write_text(state)

review = (src / "examples/reviews/clean-create.json").read_text()
review = review.replace("orders-migrations-v3", "orders-migrations-bench").replace("orders-migrate-v3", "orders-migrate-bench")
json.loads(review)
(out / "review.json").write_text(review)
