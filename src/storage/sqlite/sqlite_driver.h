// The SQLite driver: one Connection over one sqlite3 handle (raw C API).
//
// Each connection runs in WAL mode with foreign keys enforced, synchronous=FULL (an
// acknowledged write survives a power cut) and a 5 s busy timeout. Each distinct SQL text is
// prepared once and kept for the life of the connection. SQLite's errors become pasip
// Errors with generic French messages; the raw text stays in LastErrorDetail().
//
// Thread-safety: none; one thread at a time (the pool's lease guarantees it).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "storage/database.h"

struct sqlite3;
struct sqlite3_stmt;

namespace pasip::storage::sqlite {

class SqliteConnection final : public Connection {
 public:
  // Opens (creating it if needed) `filename`, a path or a "file:" URI. Fails with
  // kInvalidArgument (field "database.url") when the file cannot be opened or is not a
  // database, kUnavailable when it stays locked.
  static Result<std::unique_ptr<SqliteConnection>> Open(const std::string& filename);
  ~SqliteConnection() override;
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  Dialect dialect() const override { return Dialect::kSqlite; }
  Result<Rows> Query(std::string_view sql, std::span<const Value> params) override;
  Result<std::int64_t> Execute(std::string_view sql, std::span<const Value> params) override;
  Status ExecuteScript(std::string_view sql) override;
  // Atomic even outside a transaction (it runs inside a savepoint).
  Status BulkInsert(std::string_view table, std::span<const std::string> columns,
                    std::span<const std::vector<Value>> rows) override;
  bool Healthy() const override;
  std::string LastErrorDetail() const override { return last_error_; }
  Status Begin(bool immediate) override;
  Status Commit() override;
  Status Rollback() override;

  using Connection::Execute;
  using Connection::Query;

 private:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}

  // The cached statement for `sql`, prepared on first use.
  Result<sqlite3_stmt*> Prepare(std::string_view sql);
  Status Bind(sqlite3_stmt* statement, std::span<const Value> params);
  // Steps `statement` to the end, appending its rows to `rows` when not null.
  Status Run(sqlite3_stmt* statement, Rows* rows);
  // Records the failure `code` and translates it.
  Error Translate(int code);

  sqlite3* db_;
  std::map<std::string, sqlite3_stmt*, std::less<>> statements_;
  std::string last_error_;
  bool broken_ = false;
};

}  // namespace pasip::storage::sqlite
