#include <catch2/catch.hpp>

#include "support/gate_test.hpp"

namespace tenant_scoped_keys_test {  // per-file scope: the tests are also built as one unity TU

using namespace schemagate::testing;

static const std::string kGate = "tenancy.tenant-scoped-keys";
static const std::string kShared = "tenancy:\n  model: shared-schema\n";

static Run shared(const std::string& sql, const std::string& extra = "") {
  RunOptions o;
  o.policy_yaml = kShared + extra;
  return run_sql(sql, o);
}

TEST_CASE("tenant-scoped-keys fires on a unique key and a foreign key without the tenant column") {
  auto run = shared(
      "CREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id bigint NOT NULL, number text UNIQUE,\n"
      "  customer_id bigint REFERENCES customers (id));\n");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 2);
  // Both sit at the statement start; findings at one position are ordered by message.
  CHECK(found[1].message ==
        "Unique key on invoices (number) leaves out tenant_id: one tenant's row can block another tenant's "
        "insert "
        "and reveal that it exists.");
  CHECK(found[1].help == "Lead the key with the tenant column: (tenant_id, number).");
  CHECK(found[0].message ==
        "Foreign key from invoices (customer_id) to customers leaves out tenant_id: a row of one tenant can "
        "reference another tenant's row.");
}

TEST_CASE("tenant-scoped-keys fires on CREATE UNIQUE INDEX and ALTER TABLE ADD CONSTRAINT") {
  auto run = shared(
      "CREATE UNIQUE INDEX CONCURRENTLY invoices_number ON invoices (number);\n"
      "ALTER TABLE invoices ADD CONSTRAINT inv_cust FOREIGN KEY (customer_id) REFERENCES customers (id) NOT "
      "VALID;\n");
  CHECK(run.positions(kGate) == std::vector<std::string>{"1:1", "2:1"});
}

TEST_CASE("tenant-scoped-keys is silent for composite keys, primary keys by default, and other models") {
  CHECK(shared("CREATE TABLE i (id bigint PRIMARY KEY, tenant_id bigint, n text, c bigint, UNIQUE "
               "(tenant_id, n),\n"
               "  FOREIGN KEY (tenant_id, c) REFERENCES customers (tenant_id, id));")
            .of(kGate)
            .empty());
  CHECK(run_sql("CREATE TABLE i (n text UNIQUE);").of(kGate).empty());
}

TEST_CASE("tenant-scoped-keys options include_primary_keys and exempt_tables") {
  std::string pk = "gates:\n  tenancy.tenant-scoped-keys:\n    include_primary_keys: true\n";
  auto run = shared("CREATE TABLE i (id bigint PRIMARY KEY, tenant_id bigint);", pk);
  REQUIRE(run.of(kGate).size() == 1);
  CHECK(run.of(kGate)[0].message.rfind("Primary key on i (id) leaves out tenant_id", 0) == 0);
  std::string ex = "gates:\n  tenancy.tenant-scoped-keys:\n    exempt_tables: [countries]\n";
  CHECK(shared("CREATE TABLE countries (code text UNIQUE);", ex).of(kGate).empty());
}

TEST_CASE("tenant-scoped-keys can be suppressed with a reason") {
  CHECK(shared("-- schemagate:ignore tenancy.tenant-scoped-keys global invoice numbers by contract\n"
               "CREATE UNIQUE INDEX CONCURRENTLY n ON invoices (number);")
            .of(kGate)
            .empty());
}

}  // namespace tenant_scoped_keys_test
