// The PostgreSQL driver: one Connection over one libpq connection (raw C API).
//
// Statements written with `?` placeholders are renumbered `$1…$n` and prepared once per
// connection. Parameters travel as text; results are read as text and typed from the
// column type (integers and booleans as int64, float and numeric as double, the rest as
// text). The session runs in UTC. BulkInsert streams rows with COPY … FROM STDIN.
// SQLSTATEs become pasip Errors with generic French messages; the server's own text stays
// in LastErrorDetail().
//
// Thread-safety: none; one thread at a time (the pool's lease guarantees it).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "storage/database.h"

struct pg_conn;
struct pg_result;

namespace pasip::storage::postgres {

// Rewrites each `?` placeholder of `sql` as `$1`, `$2`… and sets `count` to their number.
// A `?` inside a string ('…', E'…', $tag$…$tag$), a quoted identifier ("…") or a comment
// (-- …, /* … */) is left alone. PostgreSQL's `?` operators (jsonb) cannot be written.
std::string NumberPlaceholders(std::string_view sql, int& count);

class PgConnection final : public Connection {
 public:
  // Checks that `conninfo` (a postgresql:// URL or "key=value" text) is well formed; fails
  // with kInvalidArgument (field "database.url") otherwise.
  static Status CheckConnInfo(std::string_view conninfo);
  // Connects and sets the session time zone to UTC. Fails with kUnavailable when the server
  // cannot be reached or refuses the connection; `detail`, when given, receives libpq's
  // explanation (for the operator's log: it names the host and the user).
  static Result<std::unique_ptr<PgConnection>> Open(const std::string& conninfo,
                                                    std::string* detail = nullptr);
  ~PgConnection() override;
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  Dialect dialect() const override { return Dialect::kPostgres; }
  Result<Rows> Query(std::string_view sql, std::span<const Value> params) override;
  Result<std::int64_t> Execute(std::string_view sql, std::span<const Value> params) override;
  Status ExecuteScript(std::string_view sql) override;
  Status BulkInsert(std::string_view table, std::span<const std::string> columns,
                    std::span<const std::vector<Value>> rows) override;
  bool Healthy() const override;
  std::string LastErrorDetail() const override { return last_error_; }
  // `immediate` has no meaning here: PostgreSQL locks rows, not the database.
  Status Begin(bool immediate) override;
  Status Commit() override;
  Status Rollback() override;

  using Connection::Execute;
  using Connection::Query;

 private:
  struct Prepared {
    std::string name;
    int parameters = 0;
  };
  struct ResultDeleter {
    void operator()(pg_result* result) const;
  };
  using ResultPtr = std::unique_ptr<pg_result, ResultDeleter>;

  explicit PgConnection(pg_conn* conn) : conn_(conn) {}

  // Prepares `sql` on first use, then runs it with `params`.
  Result<ResultPtr> Run(std::string_view sql, std::span<const Value> params);
  // A simple-protocol command without parameters (BEGIN, COMMIT…).
  Result<ResultPtr> Simple(const std::string& sql);
  // Records the failure (`result` may be null) and translates it.
  Error Translate(const pg_result* result);

  pg_conn* conn_;
  std::map<std::string, Prepared, std::less<>> statements_;
  std::uint64_t next_statement_ = 0;
  std::string last_error_;
};

}  // namespace pasip::storage::postgres
