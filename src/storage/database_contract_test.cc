// The contract every driver honours, run on SQLite (a file and an in-memory database) and,
// when PASIP_TEST_PG_URL is set (scripts/with-postgres.sh sets it), on PostgreSQL. Each
// PostgreSQL test works in a schema of its own, dropped afterwards.
#include <gtest/gtest.h>

#include <unistd.h>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <random>
#include <thread>

#include "storage/database.h"
#include "storage/postgres/pg_driver.h"

namespace pasip::storage {
namespace {

enum class Backend { kSqliteFile, kSqliteMemory, kPostgres };

std::string BackendName(const testing::TestParamInfo<Backend>& info) {
  switch (info.param) {
    case Backend::kSqliteFile:
      return "SqliteFile";
    case Backend::kSqliteMemory:
      return "SqliteMemory";
    case Backend::kPostgres:
      return "Postgres";
  }
  return "Unknown";
}

std::string UniqueSuffix() {
  static std::atomic<int> counter{0};
  std::random_device random;
  return std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
         std::to_string(random() % 100000);
}

// Adds a libpq option to a postgresql:// URL, which may already have a query.
std::string WithOption(const std::string& url, const std::string& option) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + option;
}

class DatabaseContractTest : public testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    switch (GetParam()) {
      case Backend::kSqliteFile: {
        directory_ = std::filesystem::temp_directory_path() / ("pasip-contract-" + UniqueSuffix());
        // The driver creates the missing parent directories.
        url_ = "sqlite://" + (directory_ / "sub" / "test.db").string();
        break;
      }
      case Backend::kSqliteMemory:
        url_ = "sqlite::memory:";
        break;
      case Backend::kPostgres: {
        const char* base = std::getenv("PASIP_TEST_PG_URL");
        if (base == nullptr || *base == '\0') {
          GTEST_SKIP() << "PASIP_TEST_PG_URL n'est pas défini : tests PostgreSQL ignorés "
                          "(lancez-les avec scripts/with-postgres.sh).";
        }
        schema_ = "pasip_contract_" + UniqueSuffix();
        auto admin = OpenDatabase(base, {.max_connections = 1});
        ASSERT_TRUE(admin) << admin.error().ToString();
        admin_ = std::move(*admin);
        auto lease = admin_->Acquire();
        ASSERT_TRUE(lease);
        ASSERT_TRUE((*lease)->ExecuteScript("CREATE SCHEMA " + schema_));
        url_ = WithOption(base, "options=-csearch_path%3D" + schema_);
        break;
      }
    }
    auto db = Open();
    ASSERT_TRUE(db) << db.error().ToString();
    db_ = std::move(*db);
  }

  void TearDown() override {
    db_.reset();
    if (admin_) {
      {
        auto lease = admin_->Acquire();
        if (lease) (void)(*lease)->ExecuteScript("DROP SCHEMA " + schema_ + " CASCADE");
      }
      admin_.reset();
    }
    if (!directory_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(directory_, ec);
    }
  }

  Result<std::unique_ptr<Database>> Open(PoolOptions options = {}) {
    return OpenDatabase(url_, options);
  }

  bool IsSqlite() const { return db_->dialect() == Dialect::kSqlite; }
  // The one DDL difference the tests need.
  std::string IdColumn() const {
    return IsSqlite() ? "id INTEGER PRIMARY KEY"
                      : "id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY";
  }

  ConnectionLease Lease() {
    auto lease = db_->Acquire();
    if (!lease) throw std::runtime_error(lease.error().ToString());
    return std::move(*lease);
  }

  void Exec(Connection& connection, const std::string& script) {
    auto done = connection.ExecuteScript(script);
    ASSERT_TRUE(done) << done.error().ToString() << " — " << connection.LastErrorDetail();
  }

  std::int64_t Count(Connection& connection, const std::string& table) {
    auto row = connection.QueryOne("SELECT COUNT(*) FROM " + table);
    if (!row || !*row) throw std::runtime_error("COUNT impossible");
    return (*row)->Int(0);
  }

  std::filesystem::path directory_;
  std::string url_;
  std::string schema_;
  std::unique_ptr<Database> admin_;
  std::unique_ptr<Database> db_;
};

const std::vector<std::string>& TrickyTexts() {
  static const std::vector<std::string> texts = {
      "",
      "simple",
      "l'été, c'est « chaud »",
      "double \"guillemets\" et 'apostrophes'",
      "antislash \\ et \\N et \\. et \\\\",
      "tab\tnewline\nretour\r\nfin",
      "émoji 🙂 et 漢字 et ĳ",
      "point d'interrogation ? et $1 et :nom",
      "'; DROP TABLE t; --",
  };
  return texts;
}

TEST_P(DatabaseContractTest, RoundTripsEveryValueType) {
  auto lease = Lease();
  Exec(*lease, "CREATE TABLE v (" + IdColumn() + ", i BIGINT, r DOUBLE PRECISION, s TEXT, n TEXT)");
  const std::vector<std::int64_t> integers = {0, -1, 42, std::numeric_limits<std::int64_t>::max(),
                                              std::numeric_limits<std::int64_t>::min()};
  const std::vector<double> reals = {0.0, -0.5, 3.141592653589793, 1e-300, 1.7976931348623157e308,
                                     0.1};
  const auto& texts = TrickyTexts();
  const std::size_t count = std::max({integers.size(), reals.size(), texts.size()});
  for (std::size_t k = 0; k < count; ++k) {
    auto inserted = lease->Execute(
        "INSERT INTO v (i, r, s, n) VALUES (?, ?, ?, ?)",
        {Value(static_cast<long long>(integers[k % integers.size()])),
         Value(reals[k % reals.size()]), Value(texts[k % texts.size()]), Value(nullptr)});
    ASSERT_TRUE(inserted) << inserted.error().ToString() << " — " << lease->LastErrorDetail();
    EXPECT_EQ(*inserted, 1);
  }
  auto rows = lease->Query("SELECT i, r, s, n FROM v ORDER BY id");
  ASSERT_TRUE(rows) << rows.error().ToString();
  ASSERT_EQ(rows->size(), count);
  for (std::size_t k = 0; k < count; ++k) {
    const Row& row = (*rows)[k];
    EXPECT_EQ(row.Int(0), integers[k % integers.size()]);
    EXPECT_EQ(row.Real(1), reals[k % reals.size()]);
    EXPECT_EQ(row.Text(2), texts[k % texts.size()]);
    EXPECT_TRUE(row.IsNull(3));
    EXPECT_EQ(row.OptText(3), std::nullopt);
    EXPECT_EQ(row.OptInt(3), std::nullopt);
    EXPECT_THROW(row.Int(3), std::logic_error);
  }
  // The cells keep their type, whatever the dialect.
  const Row& first = rows->front();
  auto typed = lease->QueryOne("SELECT i, r, s, n FROM v ORDER BY id");
  ASSERT_TRUE(typed && *typed);
  EXPECT_EQ((*typed)->Int(0), first.Int(0));
  EXPECT_EQ((*typed)->Text(2), first.Text(2));
}

TEST_P(DatabaseContractTest, BooleansAndInstantsAreIntegers) {
  auto lease = Lease();
  Exec(*lease, "CREATE TABLE b (" + IdColumn() + ", flag BIGINT NOT NULL, at BIGINT)");
  const TimePoint instant = FromUnixSeconds(1'795'000'000);
  ASSERT_TRUE(lease->Execute("INSERT INTO b (flag, at) VALUES (?, ?)", {true, instant}));
  ASSERT_TRUE(lease->Execute("INSERT INTO b (flag, at) VALUES (?, ?)",
                             {false, std::optional<TimePoint>()}));
  auto rows = lease->Query("SELECT flag, at, flag = 1 FROM b ORDER BY id");
  ASSERT_TRUE(rows) << rows.error().ToString();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_TRUE((*rows)[0].Bool(0));
  EXPECT_EQ((*rows)[0].Time(1), instant);
  EXPECT_TRUE((*rows)[0].Bool(2));  // a comparison reads as an integer on both
  EXPECT_FALSE((*rows)[1].Bool(0));
  EXPECT_EQ((*rows)[1].OptTime(1), std::nullopt);
}

TEST_P(DatabaseContractTest, QuestionMarksInLiteralsAreNotPlaceholders) {
  auto lease = Lease();
  Exec(*lease, "CREATE TABLE q (" + IdColumn() + ", s TEXT, \"vraiment?\" TEXT)");
  auto inserted = lease->Execute(
      "INSERT INTO q (s, \"vraiment?\") -- pourquoi ?\n"
      "VALUES ('quoi ? l''été ?', /* et là ? */ ?)",
      {"oui"});
  ASSERT_TRUE(inserted) << inserted.error().ToString() << " — " << lease->LastErrorDetail();
  auto row = lease->QueryOne(
      "SELECT s, \"vraiment?\" FROM q WHERE s = 'quoi ? l''été ?' AND "
      "\"vraiment?\" = ?",
      {"oui"});
  ASSERT_TRUE(row) << row.error().ToString() << " — " << lease->LastErrorDetail();
  ASSERT_TRUE(*row);
  EXPECT_EQ((*row)->Text(0), "quoi ? l'été ?");
  EXPECT_EQ((*row)->Text(1), "oui");
}

TEST_P(DatabaseContractTest, QueryOneGivesNulloptWhenNoRow) {
  auto lease = Lease();
  Exec(*lease, "CREATE TABLE e (" + IdColumn() + ", s TEXT)");
  auto row = lease->QueryOne("SELECT s FROM e WHERE id = ?", {7});
  ASSERT_TRUE(row);
  EXPECT_FALSE(*row);
}

TEST_P(DatabaseContractTest, InsertReturningIdGivesTheNewId) {
  auto lease = Lease();
  Exec(*lease, "CREATE TABLE p (" + IdColumn() + ", name TEXT NOT NULL)");
  auto first = lease->InsertReturningId("INSERT INTO p (name) VALUES (?) RETURNING id", {"Anne"});
  ASSERT_TRUE(first) << first.error().ToString() << " — " << lease->LastErrorDetail();
  auto second = lease->InsertReturningId("INSERT INTO p (name) VALUES (?) RETURNING id", {"Bob"});
  ASSERT_TRUE(second);
  EXPECT_GT(*second, *first);
  auto name =
      lease->QueryOne("SELECT name FROM p WHERE id = ?", {Value(static_cast<long long>(*second))});
  ASSERT_TRUE(name && *name);
  EXPECT_EQ((*name)->Text(0), "Bob");
}

TEST_P(DatabaseContractTest, ExecuteCountsChangedRows) {
  auto lease = Lease();
  Exec(*lease, "CREATE TABLE c (" + IdColumn() + ", k BIGINT)");
  for (int k = 0; k < 5; ++k) ASSERT_TRUE(lease->Execute("INSERT INTO c (k) VALUES (?)", {k}));
  auto updated = lease->Execute("UPDATE c SET k = k + 10 WHERE k >= ?", {2});
  ASSERT_TRUE(updated);
  EXPECT_EQ(*updated, 3);
  auto none = lease->Execute("DELETE FROM c WHERE k = ?", {1000});
  ASSERT_TRUE(none);
  EXPECT_EQ(*none, 0);
}

TEST_P(DatabaseContractTest, UniqueViolationIsAlreadyExists) {
  auto lease = Lease();
  Exec(*lease, "CREATE TABLE u (" + IdColumn() + ", email TEXT NOT NULL UNIQUE)");
  ASSERT_TRUE(lease->Execute("INSERT INTO u (email) VALUES (?)", {"anne@exemple.fr"}));
  auto again = lease->Execute("INSERT INTO u (email) VALUES (?)", {"anne@exemple.fr"});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(again.error().message.find("anne@"), std::string::npos);  // no data leaked
  EXPECT_FALSE(lease->LastErrorDetail().empty());
  // The connection is still usable.
  EXPECT_EQ(Count(*lease, "u"), 1);
}

TEST_P(DatabaseContractTest, ConstraintViolationsAreFailedPrecondition) {
  auto lease = Lease();
  Exec(*lease, "CREATE TABLE parent (" + IdColumn() + ")");
  Exec(*lease,
       "CREATE TABLE child (" + IdColumn() +
           ", parent_id BIGINT NOT NULL REFERENCES parent (id), age BIGINT CHECK (age >= 0))");
  auto orphan = lease->Execute("INSERT INTO child (parent_id) VALUES (?)", {999});
  ASSERT_FALSE(orphan);
  EXPECT_EQ(orphan.error().code, ErrorCode::kFailedPrecondition);

  auto missing = lease->Execute("INSERT INTO child (parent_id) VALUES (?)", {nullptr});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kFailedPrecondition);

  auto parent = lease->InsertReturningId("INSERT INTO parent DEFAULT VALUES RETURNING id");
  ASSERT_TRUE(parent) << parent.error().ToString() << " — " << lease->LastErrorDetail();
  const Value parent_id(static_cast<long long>(*parent));
  auto negative =
      lease->Execute("INSERT INTO child (parent_id, age) VALUES (?, ?)", {parent_id, -3});
  ASSERT_FALSE(negative);
  EXPECT_EQ(negative.error().code, ErrorCode::kFailedPrecondition);

  ASSERT_TRUE(lease->Execute("INSERT INTO child (parent_id, age) VALUES (?, ?)", {parent_id, 3}));
  auto still_used = lease->Execute("DELETE FROM parent WHERE id = ?", {parent_id});
  ASSERT_FALSE(still_used);
  EXPECT_EQ(still_used.error().code, ErrorCode::kFailedPrecondition);
}

TEST_P(DatabaseContractTest, BadSqlIsInternal) {
  auto lease = Lease();
  auto bad = lease->Query("SELEC 1");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInternal);
  auto wrong_count = lease->Query("SELECT ?", {1, 2});
  ASSERT_FALSE(wrong_count);
  EXPECT_EQ(wrong_count.error().code, ErrorCode::kInternal);
}

TEST_P(DatabaseContractTest, TransactionRollsBackWhenDestroyed) {
  auto lease = Lease();
  Exec(*lease, "CREATE TABLE t (" + IdColumn() + ", s TEXT)");
  {
    auto tx = Transaction::Begin(*lease);
    ASSERT_TRUE(tx) << tx.error().ToString();
    ASSERT_TRUE(tx->connection().Execute("INSERT INTO t (s) VALUES (?)", {"perdu"}));
    EXPECT_EQ(Count(tx->connection(), "t"), 1);
  }
  EXPECT_EQ(Count(*lease, "t"), 0);
  EXPECT_TRUE(lease->Healthy());
}

TEST_P(DatabaseContractTest, TransactionCommits) {
  auto lease = Lease();
  Exec(*lease, "CREATE TABLE t (" + IdColumn() + ", s TEXT)");
  {
    auto tx = Transaction::Begin(*lease);
    ASSERT_TRUE(tx);
    ASSERT_TRUE(tx->connection().Execute("INSERT INTO t (s) VALUES (?)", {"gardé"}));
    auto committed = tx->Commit();
    ASSERT_TRUE(committed) << committed.error().ToString();
    EXPECT_FALSE(tx->Commit());  // only once
  }
  EXPECT_EQ(Count(*lease, "t"), 1);
  // Another connection sees the committed row.
  auto other = Lease();
  EXPECT_EQ(Count(*other, "t"), 1);
  // A read transaction works too.
  auto read = Transaction::Begin(*other, Transaction::Mode::kRead);
  ASSERT_TRUE(read);
  EXPECT_EQ(Count(read->connection(), "t"), 1);
  EXPECT_TRUE(read->Commit());
}

TEST_P(DatabaseContractTest, ConnectionLeftInTransactionIsNotReused) {
  {
    auto lease = Lease();
    ASSERT_TRUE(lease->Begin(true));
    EXPECT_FALSE(lease->Healthy());
  }
  EXPECT_EQ(db_->Stats().in_use, 0u);
  auto lease = Lease();
  EXPECT_TRUE(lease->Healthy());
  auto tx = Transaction::Begin(*lease);
  EXPECT_TRUE(tx) << (tx ? "" : tx.error().ToString());
}

TEST_P(DatabaseContractTest, BulkInsertsTenThousandRows) {
  auto lease = Lease();
  Exec(*lease, "CREATE TABLE bulk (k BIGINT NOT NULL, r DOUBLE PRECISION, s TEXT)");
  const auto& texts = TrickyTexts();
  std::vector<std::vector<Value>> rows;
  constexpr int kRows = 10'000;
  rows.reserve(kRows);
  for (int k = 0; k < kRows; ++k) {
    rows.push_back({Value(k), k % 7 == 0 ? Value() : Value(k / 4.0),
                    k % 11 == 0 ? Value() : Value(texts[k % texts.size()])});
  }
  const std::vector<std::string> columns = {"k", "r", "s"};
  {
    auto tx = Transaction::Begin(*lease);
    ASSERT_TRUE(tx);
    auto inserted = lease->BulkInsert("bulk", columns, rows);
    ASSERT_TRUE(inserted) << inserted.error().ToString() << " — " << lease->LastErrorDetail();
    ASSERT_TRUE(tx->Commit());
  }
  EXPECT_EQ(Count(*lease, "bulk"), kRows);
  auto back = lease->Query("SELECT k, r, s FROM bulk ORDER BY k");
  ASSERT_TRUE(back);
  ASSERT_EQ(back->size(), static_cast<std::size_t>(kRows));
  for (int k = 0; k < kRows; ++k) {
    const Row& row = (*back)[k];
    ASSERT_EQ(row.Int(0), k);
    ASSERT_EQ(row.OptReal(1), k % 7 == 0 ? std::nullopt : std::optional<double>(k / 4.0)) << k;
    ASSERT_EQ(row.OptText(2),
              k % 11 == 0 ? std::nullopt : std::optional<std::string>(texts[k % texts.size()]))
        << k;
  }
}

TEST_P(DatabaseContractTest, BulkInsertIsAllOrNothing) {
  auto lease = Lease();
  Exec(*lease, "CREATE TABLE bulk (k BIGINT PRIMARY KEY)");
  const std::vector<std::string> columns = {"k"};
  const std::vector<std::vector<Value>> rows = {{1}, {2}, {2}, {3}};
  auto inserted = lease->BulkInsert("bulk", columns, rows);
  ASSERT_FALSE(inserted);
  EXPECT_EQ(inserted.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(Count(*lease, "bulk"), 0);
  EXPECT_TRUE(lease->Healthy());

  const std::vector<std::vector<Value>> ragged = {{1}, {2, 3}};
  EXPECT_FALSE(lease->BulkInsert("bulk", columns, ragged));
  EXPECT_FALSE(lease->BulkInsert("bulk; DROP TABLE bulk", columns, rows));
  EXPECT_EQ(Count(*lease, "bulk"), 0);
}

TEST_P(DatabaseContractTest, PoolTimesOutWhenExhausted) {
  auto small = Open({.max_connections = 2, .acquire_timeout = std::chrono::milliseconds(100)});
  ASSERT_TRUE(small) << small.error().ToString();
  Database& pool = **small;
  std::uint64_t acquired_before = 0;
  {
    auto a = pool.Acquire();
    auto b = pool.Acquire();
    ASSERT_TRUE(a && b);
    acquired_before = pool.Stats().acquired_total;
    EXPECT_EQ(pool.Stats().in_use, 2u);
    EXPECT_EQ(pool.Stats().size, 2u);
    EXPECT_EQ(pool.Stats().capacity, 2u);
    const auto start = std::chrono::steady_clock::now();
    auto c = pool.Acquire();
    const auto waited = std::chrono::steady_clock::now() - start;
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().code, ErrorCode::kUnavailable);
    EXPECT_GE(waited, std::chrono::milliseconds(90));
    EXPECT_LT(waited, std::chrono::seconds(3));

    // A connection given back by another thread serves the waiting one.
    std::thread releaser([lease = std::move(*a)]() mutable {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      ConnectionLease dropped = std::move(lease);
    });
    auto d = pool.Acquire();
    releaser.join();
    ASSERT_TRUE(d) << d.error().ToString();
    EXPECT_GE(pool.Stats().waited_total, 1u);
  }
  const PoolStats stats = pool.Stats();
  EXPECT_EQ(stats.in_use, 0u);
  EXPECT_EQ(stats.size, 2u);
  EXPECT_EQ(stats.acquired_total, acquired_before + 1);
}

TEST_P(DatabaseContractTest, LeaseMoveAssignmentGivesBackTheOldConnection) {
  auto small = Open({.max_connections = 2, .acquire_timeout = std::chrono::milliseconds(50)});
  ASSERT_TRUE(small);
  auto a = (*small)->Acquire();
  auto b = (*small)->Acquire();
  ASSERT_TRUE(a && b);
  *a = std::move(*b);
  EXPECT_EQ((*small)->Stats().in_use, 1u);
  EXPECT_TRUE((*small)->Acquire());
}

TEST_P(DatabaseContractTest, ConcurrentWritersFromFourThreads) {
  {
    auto lease = Lease();
    Exec(*lease, "CREATE TABLE w (" + IdColumn() + ", thread BIGINT, k BIGINT)");
  }
  constexpr int kThreads = 4;
  constexpr int kPerThread = 50;
  std::atomic<int> failures{0};
  std::vector<std::string> errors(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int k = 0; k < kPerThread; ++k) {
        auto lease = db_->Acquire();
        if (!lease) {
          ++failures;
          errors[t] = lease.error().ToString();
          continue;
        }
        auto tx = Transaction::Begin(**lease);
        Status done = tx ? Status() : Status(Fail(tx.error()));
        if (done) {
          done = tx->connection()
                     .Execute("INSERT INTO w (thread, k) VALUES (?, ?)", {t, k})
                     .map([](std::int64_t) {});
        }
        if (done) {
          auto count = tx->connection().QueryOne("SELECT COUNT(*) FROM w WHERE thread = ?", {t});
          if (!count || !*count || (*count)->Int(0) != k + 1)
            done = Fail(Internal("mauvais compte"));
        }
        if (done) done = tx->Commit();
        if (!done) {
          ++failures;
          errors[t] = done.error().ToString() + " — " + (*lease)->LastErrorDetail();
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& error : errors) EXPECT_EQ(error, "");
  EXPECT_EQ(failures.load(), 0);
  auto lease = Lease();
  EXPECT_EQ(Count(*lease, "w"), kThreads * kPerThread);
  EXPECT_LE(db_->Stats().size, PoolOptions{}.max_connections);
}

TEST_P(DatabaseContractTest, ConnectionsShareTheSameData) {
  auto a = Lease();
  auto b = Lease();
  Exec(*a, "CREATE TABLE shared_data (s TEXT)");
  ASSERT_TRUE(a->Execute("INSERT INTO shared_data (s) VALUES (?)", {"vu"}));
  EXPECT_EQ(Count(*b, "shared_data"), 1);
}

TEST_P(DatabaseContractTest, Pings) {
  auto ping = db_->Ping();
  EXPECT_TRUE(ping) << ping.error().ToString();
}

TEST_P(DatabaseContractTest, ScriptRunsSeveralStatements) {
  auto lease = Lease();
  Exec(*lease,
       "CREATE TABLE s1 (k BIGINT); CREATE TABLE s2 (k BIGINT);\n"
       "INSERT INTO s1 (k) VALUES (1); INSERT INTO s2 (k) VALUES (2);");
  EXPECT_EQ(Count(*lease, "s1"), 1);
  EXPECT_EQ(Count(*lease, "s2"), 1);
  auto failed =
      lease->ExecuteScript("INSERT INTO s1 (k) VALUES (3); SELECT nonsense FROM nowhere;");
  EXPECT_FALSE(failed);
}

INSTANTIATE_TEST_SUITE_P(Drivers, DatabaseContractTest,
                         testing::Values(Backend::kSqliteFile, Backend::kSqliteMemory,
                                         Backend::kPostgres),
                         BackendName);

// Driver- or dialect-specific checks, outside the shared contract.

TEST(SqliteDatabaseTest, FileDatabaseUsesWalForeignKeysAndFullSync) {
  const auto directory =
      std::filesystem::temp_directory_path() / ("pasip-pragmas-" + UniqueSuffix());
  {
    auto db = OpenDatabase("sqlite://" + (directory / "p.db").string());
    ASSERT_TRUE(db) << db.error().ToString();
    // Every pooled connection is configured, not only the first.
    auto a = (*db)->Acquire();
    auto b = (*db)->Acquire();
    ASSERT_TRUE(a && b);
    for (Connection* connection : {&**a, &**b}) {
      auto mode = connection->QueryOne("PRAGMA journal_mode");
      ASSERT_TRUE(mode && *mode);
      EXPECT_EQ((*mode)->Text(0), "wal");
      auto keys = connection->QueryOne("PRAGMA foreign_keys");
      ASSERT_TRUE(keys && *keys);
      EXPECT_EQ((*keys)->Int(0), 1);
      auto sync = connection->QueryOne("PRAGMA synchronous");
      ASSERT_TRUE(sync && *sync);
      EXPECT_EQ((*sync)->Int(0), 2);
    }
  }
  std::filesystem::remove_all(directory);
}

TEST(SqliteDatabaseTest, RelativePathIsUnderTheWorkingDirectory) {
  const auto directory =
      std::filesystem::temp_directory_path() / ("pasip-relative-" + UniqueSuffix());
  std::filesystem::create_directories(directory);
  const auto previous = std::filesystem::current_path();
  std::filesystem::current_path(directory);
  {
    auto db = OpenDatabase("sqlite://var/rel.db");
    ASSERT_TRUE(db) << db.error().ToString();
    EXPECT_TRUE(std::filesystem::exists(directory / "var" / "rel.db"));
  }
  std::filesystem::current_path(previous);
  std::filesystem::remove_all(directory);
}

TEST(SqliteDatabaseTest, MemoryDatabasesAreSeparate) {
  auto a = OpenDatabase("sqlite::memory:");
  auto b = OpenDatabase("sqlite::memory:");
  ASSERT_TRUE(a && b);
  auto la = (*a)->Acquire();
  auto lb = (*b)->Acquire();
  ASSERT_TRUE(la && lb);
  ASSERT_TRUE((*la)->ExecuteScript("CREATE TABLE only_in_a (k BIGINT)"));
  EXPECT_FALSE((*lb)->Query("SELECT * FROM only_in_a"));
}

TEST(SqliteDatabaseTest, MemoryDatabaseOutlivesItsConnections) {
  auto db = OpenDatabase("sqlite::memory:", {.max_connections = 1});
  ASSERT_TRUE(db);
  {
    auto lease = (*db)->Acquire();
    ASSERT_TRUE(lease);
    ASSERT_TRUE((*lease)->ExecuteScript("CREATE TABLE kept (k BIGINT)"));
    // Leaving a transaction open makes the pool close this connection.
    ASSERT_TRUE((*lease)->Begin(false));
  }
  auto lease = (*db)->Acquire();
  ASSERT_TRUE(lease);
  EXPECT_TRUE((*lease)->Query("SELECT * FROM kept"));
}

TEST(SqliteDatabaseTest, NotADatabaseIsInvalidArgument) {
  const auto directory =
      std::filesystem::temp_directory_path() / ("pasip-notadb-" + UniqueSuffix());
  std::filesystem::create_directories(directory);
  {
    std::FILE* file = std::fopen((directory / "x.db").c_str(), "w");
    ASSERT_NE(file, nullptr);
    std::fputs(
        "ceci n'est pas une base de données, mais un texte assez long pour le voir.\n"
        "ceci n'est pas une base de données, mais un texte assez long pour le voir.\n",
        file);
    std::fclose(file);
  }
  auto db = OpenDatabase("sqlite://" + (directory / "x.db").string());
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(db.error().field, "database.url");
  std::filesystem::remove_all(directory);
}

TEST(OpenDatabaseTest, UnknownSchemeIsInvalidArgument) {
  for (const char* url : {"mysql://localhost/pasip", "", "pasip.db", "sqlite:", "sqlite:/x.db"}) {
    auto db = OpenDatabase(url);
    ASSERT_FALSE(db) << url;
    EXPECT_EQ(db.error().code, ErrorCode::kInvalidArgument) << url;
    EXPECT_EQ(db.error().field, "database.url") << url;
  }
}

TEST(OpenDatabaseTest, UnreachablePostgresIsUnavailable) {
  auto db = OpenDatabase("postgresql://nobody:secret@127.0.0.1:1/pasip?connect_timeout=2");
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(db.error().message.find("secret"), std::string::npos);
}

TEST(OpenDatabaseTest, MalformedPostgresUrlIsInvalidArgument) {
  auto db = OpenDatabase("postgresql://[::1/pasip");
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(db.error().field, "database.url");
}

TEST(PlaceholderTest, NumbersOnlyRealPlaceholders) {
  int count = 0;
  EXPECT_EQ(postgres::NumberPlaceholders("SELECT ?, ?", count), "SELECT $1, $2");
  EXPECT_EQ(count, 2);
  EXPECT_EQ(postgres::NumberPlaceholders(
                "SELECT '?', 'it''s ?', \"col?\", E'\\'?', ? -- ?\n, /* ? /* ? */ ? */ ?", count),
            "SELECT '?', 'it''s ?', \"col?\", E'\\'?', $1 -- ?\n, /* ? /* ? */ ? */ $2");
  EXPECT_EQ(count, 2);
  EXPECT_EQ(postgres::NumberPlaceholders("SELECT $$ ? $$, $tag$ ?$ $tag$, ?", count),
            "SELECT $$ ? $$, $tag$ ?$ $tag$, $1");
  EXPECT_EQ(count, 1);
  EXPECT_EQ(postgres::NumberPlaceholders("SELECT 'unterminated ?", count),
            "SELECT 'unterminated ?");
  EXPECT_EQ(count, 0);
}

TEST(ValueTest, ToText) {
  EXPECT_EQ(Value().ToText(), "");
  EXPECT_EQ(Value(-42).ToText(), "-42");
  EXPECT_EQ(Value(std::numeric_limits<std::int64_t>::min()).ToText(), "-9223372036854775808");
  EXPECT_EQ(Value(0.1).ToText(), "0.1");
  EXPECT_EQ(Value(1e300).ToText(), "1e+300");
  EXPECT_EQ(Value("é").ToText(), "é");
  EXPECT_EQ(Value(true).ToText(), "1");
  EXPECT_TRUE(Value(std::optional<int>()).IsNull());
  EXPECT_EQ(Value(std::optional<int>(3)).ToText(), "3");
}

TEST(RowTest, ConvertsOrThrows) {
  const Row row({Value(7), Value(2.0), Value(2.5), Value("12"), Value("douze"), Value()});
  EXPECT_EQ(row.Int(0), 7);
  EXPECT_EQ(row.Real(0), 7.0);
  EXPECT_EQ(row.Text(0), "7");
  EXPECT_EQ(row.Int(1), 2);
  EXPECT_THROW(row.Int(2), std::logic_error);
  EXPECT_EQ(row.Text(2), "2.5");
  EXPECT_EQ(row.Int(3), 12);
  EXPECT_EQ(row.Real(3), 12.0);
  EXPECT_THROW(row.Int(4), std::logic_error);
  EXPECT_THROW(row.Real(4), std::logic_error);
  EXPECT_THROW(row.Text(5), std::logic_error);
  EXPECT_EQ(row.OptText(5), std::nullopt);
  EXPECT_THROW(row.Int(6), std::out_of_range);
}

}  // namespace
}  // namespace pasip::storage
