// The one small database interface every repository is written against.
//
// A Database is a pool of Connections to one SQLite file or one PostgreSQL database. SQL is
// written once with `?` placeholders (the PostgreSQL driver numbers them) and bound with
// typed Values; both drivers prepare each distinct statement once per connection and reuse
// it. Errors from the drivers are translated here into pasip Errors: a unique violation
// is kAlreadyExists, a lost connection kUnavailable, anything else kInternal.
//
// Thread-safety: a Database is thread-safe; a Connection is used by one thread at a time
// (hold its ConnectionLease for the duration of the work).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace pasip::storage {

enum class Dialect { kSqlite, kPostgres };

// A bound parameter or a column value. Booleans are stored as 0/1 integers and instants as
// Unix seconds on both databases, so repositories never depend on the dialect for them.
class Value {
 public:
  using Variant = std::variant<std::monostate, std::int64_t, double, std::string>;

  Value() = default;
  Value(std::nullptr_t) {}
  Value(int v) : v_(static_cast<std::int64_t>(v)) {}
  Value(long v) : v_(static_cast<std::int64_t>(v)) {}
  Value(long long v) : v_(static_cast<std::int64_t>(v)) {}
  Value(unsigned v) : v_(static_cast<std::int64_t>(v)) {}
  Value(bool v) : v_(static_cast<std::int64_t>(v ? 1 : 0)) {}
  Value(double v) : v_(v) {}
  Value(std::string v) : v_(std::move(v)) {}
  Value(std::string_view v) : v_(std::string(v)) {}
  Value(const char* v) : v_(std::string(v)) {}
  Value(TimePoint t) : v_(ToUnixSeconds(t)) {}
  template <typename T>
  Value(const std::optional<T>& v) {
    if (v) *this = Value(*v);
  }

  bool IsNull() const { return std::holds_alternative<std::monostate>(v_); }
  const Variant& variant() const { return v_; }
  // The value as text, for drivers that send parameters as text (PostgreSQL).
  std::string ToText() const;

 private:
  Variant v_;
};

// One result row. Accessors convert between integer, real and text as needed and throw
// std::logic_error on a NULL or an impossible conversion: a schema bug, not user input.
class Row {
 public:
  explicit Row(std::vector<Value> cells) : cells_(std::move(cells)) {}

  std::size_t size() const { return cells_.size(); }
  bool IsNull(std::size_t col) const { return cells_.at(col).IsNull(); }
  std::int64_t Int(std::size_t col) const;
  double Real(std::size_t col) const;
  std::string Text(std::size_t col) const;
  bool Bool(std::size_t col) const { return Int(col) != 0; }
  TimePoint Time(std::size_t col) const { return FromUnixSeconds(Int(col)); }
  std::optional<std::int64_t> OptInt(std::size_t col) const;
  std::optional<double> OptReal(std::size_t col) const;
  std::optional<std::string> OptText(std::size_t col) const;
  std::optional<TimePoint> OptTime(std::size_t col) const;

 private:
  std::vector<Value> cells_;
};

using Rows = std::vector<Row>;
using Params = std::initializer_list<Value>;

class Connection {
 public:
  virtual ~Connection() = default;
  virtual Dialect dialect() const = 0;

  // Runs one statement and returns every row it produced (none for a plain write).
  virtual Result<Rows> Query(std::string_view sql, std::span<const Value> params) = 0;
  // Runs one statement and returns the number of rows it changed.
  virtual Result<std::int64_t> Execute(std::string_view sql, std::span<const Value> params) = 0;
  // Runs a script of several statements without parameters (migrations).
  virtual Status ExecuteScript(std::string_view sql) = 0;
  // Appends many rows to `table` at once: COPY on PostgreSQL, one reused prepared INSERT
  // on SQLite. Must be called inside a Transaction for atomicity.
  virtual Status BulkInsert(std::string_view table, std::span<const std::string> columns,
                            std::span<const std::vector<Value>> rows) = 0;
  // False once the connection is known to be broken, or when it was left inside a
  // transaction; the pool then drops it instead of lending it again.
  virtual bool Healthy() const = 0;
  // The driver's own text for the last failure, for server logs only: it may quote data,
  // so it never goes into an Error shown to users. Empty when the driver keeps none.
  virtual std::string LastErrorDetail() const { return {}; }

  // Used by Transaction; `immediate` takes the write lock at once on SQLite.
  virtual Status Begin(bool immediate) = 0;
  virtual Status Commit() = 0;
  virtual Status Rollback() = 0;

  // Conveniences over the virtual calls.
  Result<Rows> Query(std::string_view sql, Params params = {}) {
    return Query(sql, std::span<const Value>(params.begin(), params.size()));
  }
  Result<std::int64_t> Execute(std::string_view sql, Params params = {}) {
    return Execute(sql, std::span<const Value>(params.begin(), params.size()));
  }
  // First row, or nullopt when there is none.
  Result<std::optional<Row>> QueryOne(std::string_view sql, Params params = {});
  // Runs an INSERT … RETURNING id and gives the id.
  Result<std::int64_t> InsertReturningId(std::string_view sql, Params params = {});
};

// RAII transaction: rolled back when destroyed unless Commit() succeeded.
class Transaction {
 public:
  enum class Mode { kRead, kWrite };
  static Result<Transaction> Begin(Connection& connection, Mode mode = Mode::kWrite);
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();

  Status Commit();
  Connection& connection() { return *connection_; }

 private:
  explicit Transaction(Connection& connection) : connection_(&connection) {}
  Connection* connection_;
  bool open_ = true;
};

struct PoolStats {
  std::size_t size = 0;      // connections open
  std::size_t in_use = 0;    // leased now
  std::size_t capacity = 0;  // maximum
  std::uint64_t acquired_total = 0;
  std::uint64_t waited_total = 0;  // acquisitions that had to wait for a free connection
};

class Database;

// A connection borrowed from the pool, given back when destroyed.
class ConnectionLease {
 public:
  ConnectionLease(Database* owner, std::unique_ptr<Connection> connection)
      : owner_(owner), connection_(std::move(connection)) {}
  ConnectionLease(ConnectionLease&&) noexcept = default;
  // Gives back the connection held so far before taking the other one.
  ConnectionLease& operator=(ConnectionLease&& other) noexcept;
  ~ConnectionLease();

  Connection& operator*() { return *connection_; }
  Connection* operator->() { return connection_.get(); }

 private:
  Database* owner_;
  std::unique_ptr<Connection> connection_;
};

struct PoolOptions {
  std::size_t max_connections = 8;
  std::chrono::milliseconds acquire_timeout{5000};
};

// A pool of connections opened by a driver-supplied factory.
class Database {
 public:
  using Factory = std::function<Result<std::unique_ptr<Connection>>()>;
  Database(Dialect dialect, std::string description, Factory factory, PoolOptions options);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  Dialect dialect() const { return dialect_; }
  // The URL without its password, for logs.
  const std::string& description() const { return description_; }
  // Fails with kUnavailable when no connection can be opened or none frees up in time.
  Result<ConnectionLease> Acquire();
  PoolStats Stats() const;
  // Checks that a connection can be had and answers a trivial query (for /readyz).
  Status Ping();

 private:
  friend class ConnectionLease;
  void Release(std::unique_ptr<Connection> connection);

  struct State;
  Dialect dialect_;
  std::string description_;
  Factory factory_;
  PoolOptions options_;
  std::unique_ptr<State> state_;
};

// True for a name of [A-Za-z0-9_] not starting with a digit: the only kind of identifier
// that code splices into SQL text (table names of BulkInsert, role names of grants).
bool IsSqlIdentifier(std::string_view name);
// "table" or "schema.table", each part an IsSqlIdentifier.
bool IsSqlTableName(std::string_view name);

// Opens `url`: "sqlite:///absolute/path.db", "sqlite://relative/path.db", "sqlite::memory:"
// or "postgresql://user:password@host:port/dbname?…" (also "postgres://"). Fails with
// kInvalidArgument (field "database.url") on an unknown scheme or an unusable path, and
// kUnavailable when the server cannot be reached.
Result<std::unique_ptr<Database>> OpenDatabase(std::string_view url, PoolOptions options = {});

}  // namespace pasip::storage
