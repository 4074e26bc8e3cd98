#include "server/migration_cache.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <thread>

#include "gates/cluster_view.hpp"
#include "gates/common/digest.hpp"

namespace migration_cache_test {  // per-file scope: the tests are also built as one unity TU

using namespace schemagate;

namespace {
std::vector<sql::MigrationInput> inputs(const std::string& sql) {
  return {{"configmap/cm/1_a.up.sql", sql}, {"configmap/cm/1_a.down.sql", "DROP TABLE a;"}};
}
}  // namespace

TEST_CASE("migration cache: the same texts are parsed once, in any order") {
  server::MigrationCache cache;
  sql::LoadOptions load;
  auto first = cache.get(inputs("CREATE TABLE a (id int);"), load);
  auto in = inputs("CREATE TABLE a (id int);");
  std::swap(in[0], in[1]);
  auto second = cache.get(in, load);
  CHECK(first.get() == second.get());
  CHECK(cache.hits() == 1);
  CHECK(cache.misses() == 1);
  CHECK(first->statement_count() == 2);
}

TEST_CASE("migration cache: the key covers the texts, the PostgreSQL version and a forced format") {
  sql::LoadOptions load;
  auto k = server::MigrationCache::key_of(inputs("SELECT 1;"), load);
  CHECK(k != server::MigrationCache::key_of(inputs("SELECT 2;"), load));
  sql::LoadOptions pg11;
  pg11.pg_major = 11;
  CHECK(k != server::MigrationCache::key_of(inputs("SELECT 1;"), pg11));
  sql::LoadOptions plain;
  plain.format = sql::Format::kPlain;
  CHECK(k != server::MigrationCache::key_of(inputs("SELECT 1;"), plain));
  // Length-prefixed: moving bytes between name and text changes the key.
  CHECK(server::MigrationCache::key_of({{"ab", "c"}}, load) !=
        server::MigrationCache::key_of({{"a", "bc"}}, load));
}

TEST_CASE("migration cache: a digest taken at ingest keys like the text it stands for") {
  sql::LoadOptions load;
  auto plain = inputs("SELECT 1;");
  auto digested = inputs("SELECT 1;");
  for (auto& in : digested)
    in.digest = digest::sha256(in.text);
  CHECK(server::MigrationCache::key_of(plain, load) == server::MigrationCache::key_of(digested, load));
  // The digest is what is keyed: the text is not hashed again when it is given.
  digested[0].digest = digest::sha256("SELECT 2;");
  CHECK(server::MigrationCache::key_of(plain, load) != server::MigrationCache::key_of(digested, load));
}

TEST_CASE("migration cache: texts behind digests are filled in on a miss only") {
  server::MigrationCache cache;
  sql::LoadOptions load;
  const std::string up = "CREATE TABLE a (id int);";
  auto digest_only = [&] {
    std::vector<sql::MigrationInput> in{{"configmap/cm/1_a.up.sql", "", digest::sha256(up)}};
    return in;
  };
  int fills = 0;
  auto fill = [&](std::vector<sql::MigrationInput>& in) {
    ++fills;
    in[0].text = up;
  };
  auto first = cache.get(digest_only(), load, fill);
  CHECK(fills == 1);
  REQUIRE(first->statement_count() == 1);
  auto second = cache.get(digest_only(), load, fill);
  CHECK(fills == 1);  // a hit: the text was never needed
  CHECK(second.get() == first.get());
  // The same text given in full finds the same entry.
  CHECK(cache.get({{"configmap/cm/1_a.up.sql", up}}, load).get() == first.get());
}

TEST_CASE("migration cache: decoded ConfigMaps carry the digest of each .sql entry only") {
  auto cm = gates::configmap_from_json(nlohmann::json::parse(
      R"({"metadata": {"name": "m", "namespace": "acme"},
          "data": {"1_a.up.sql": "SELECT 1;", "README.md": "notes", "x.sql.bak": "SELECT 2;"}})"));
  REQUIRE(cm.sql_digests.size() == 1);
  CHECK(cm.sql_digests.at("1_a.up.sql") == digest::sha256("SELECT 1;"));
  CHECK(digest::to_hex(cm.sql_digests.at("1_a.up.sql")).size() == 64);
  CHECK(cm.data.size() == 3);
}

TEST_CASE("migration cache: least recently used sets are evicted past the limits") {
  server::MigrationCache cache(server::MigrationCache::Limits{2, 1u << 30});
  sql::LoadOptions load;
  auto a = cache.get(inputs("SELECT 1;"), load);
  cache.get(inputs("SELECT 2;"), load);
  cache.get(inputs("SELECT 1;"), load);  // a is now most recent
  cache.get(inputs("SELECT 3;"), load);  // evicts SELECT 2
  CHECK(cache.size() == 2);
  cache.get(inputs("SELECT 1;"), load);
  CHECK(cache.hits() == 2);
  cache.get(inputs("SELECT 2;"), load);
  CHECK(cache.misses() == 4);

  server::MigrationCache tiny(server::MigrationCache::Limits{10, 16});
  auto big = tiny.get(inputs("SELECT 1;"), load);  // larger than the whole budget: not kept
  CHECK(big != nullptr);
  CHECK(tiny.size() == 0);
}

TEST_CASE("migration cache: concurrent lookups of one set agree") {
  server::MigrationCache cache;
  sql::LoadOptions load;
  std::vector<std::shared_ptr<const sql::MigrationSet>> got(8);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < got.size(); ++i)
    threads.emplace_back([&, i] { got[i] = cache.get(inputs("CREATE TABLE a (id int);"), load); });
  for (auto& t : threads)
    t.join();
  CHECK(cache.size() == 1);
  for (const auto& s : got)
    CHECK(s->hash == got[0]->hash);
  CHECK(cache.hits() + cache.misses() == 8);
}

}  // namespace migration_cache_test
