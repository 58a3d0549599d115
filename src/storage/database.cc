#include "storage/database.h"

#include <cctype>

#include <unistd.h>
#include <atomic>
#include <charconv>
#include <condition_variable>
#include <filesystem>
#include <limits>
#include <mutex>
#include <random>
#include <stdexcept>
#include <system_error>

#include "storage/postgres/pg_driver.h"
#include "storage/sqlite/sqlite_driver.h"

namespace pasip::storage {
namespace {

constexpr std::string_view kUrlField = "database.url";

std::string DoubleToText(double d) {
  char buffer[64];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, d);
  if (ec != std::errc()) throw std::logic_error("double impossible à écrire en texte");
  return std::string(buffer, end);
}

std::logic_error ColumnError(std::size_t col, std::string_view what) {
  return std::logic_error("colonne " + std::to_string(col) + " : " + std::string(what));
}

// Integers written as text come back as text from some expressions; accept them whole only.
std::int64_t ParseInt(std::size_t col, const std::string& text) {
  std::int64_t out = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (ec != std::errc() || end != text.data() + text.size()) {
    throw ColumnError(col, "texte non entier");
  }
  return out;
}

double ParseReal(std::size_t col, const std::string& text) {
  double out = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (ec != std::errc() || end != text.data() + text.size()) {
    throw ColumnError(col, "texte non numérique");
  }
  return out;
}

// Hides the password of a PostgreSQL URL ("postgresql://user:secret@host" and
// "…?password=secret") so the description can be logged.
std::string RedactPassword(std::string_view url) {
  std::string out(url);
  const std::size_t scheme_end = out.find("://");
  if (scheme_end != std::string::npos) {
    const std::size_t authority = scheme_end + 3;
    const std::size_t at = out.find('@', authority);
    const std::size_t slash = out.find('/', authority);
    if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
      const std::size_t colon = out.find(':', authority);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  for (std::size_t pos = out.find("password="); pos != std::string::npos;
       pos = out.find("password=", pos + 1)) {
    const std::size_t start = pos + 9;
    std::size_t end = out.find('&', start);
    if (end == std::string::npos) end = out.size();
    out.replace(start, end - start, "***");
  }
  return out;
}

// A process-unique name for a private in-memory SQLite database.
std::string MemoryDatabaseName() {
  static std::atomic<std::uint64_t> counter{0};
  std::random_device random;
  return "/pasip-mem-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" +
         std::to_string(random());
}

Result<std::unique_ptr<Database>> OpenSqlite(std::string_view rest, std::string_view url,
                                             PoolOptions options) {
  std::string filename;
  if (rest == ":memory:") {
    // The memdb VFS shares one database between every connection of the process that opens
    // the same "/name", with ordinary locking (so the busy timeout applies), unlike shared
    // cache whose table locks fail at once. It lives while a connection is open: the factory
    // holds one for the lifetime of the pool.
    filename = "file:" + MemoryDatabaseName() + "?vfs=memdb";
  } else {
    if (!rest.starts_with("//") || rest.size() == 2) {
      return Fail(
          InvalidArgument("L'adresse SQLite doit avoir la forme « sqlite:///chemin/absolu.db », "
                          "« sqlite://chemin/relatif.db » ou « sqlite::memory: ».",
                          std::string(kUrlField)));
    }
    std::filesystem::path path(std::string(rest.substr(2)));
    std::error_code ec;
    path = std::filesystem::absolute(path, ec);
    if (!ec && path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) {
      return Fail(InvalidArgument(
          "Le dossier de la base de données SQLite ne peut pas être créé : " + ec.message() + ".",
          std::string(kUrlField)));
    }
    filename = path.string();
  }

  std::shared_ptr<Connection> keeper;
  if (rest == ":memory:") {
    PASIP_ASSIGN_OR_RETURN(connection, sqlite::SqliteConnection::Open(filename));
    keeper = std::move(connection);
  }
  auto database = std::make_unique<Database>(
      Dialect::kSqlite, std::string(url),
      [filename, keeper]() -> Result<std::unique_ptr<Connection>> {
        PASIP_ASSIGN_OR_RETURN(connection, sqlite::SqliteConnection::Open(filename));
        return std::unique_ptr<Connection>(std::move(connection));
      },
      options);
  // Fail now on an unusable file; the connection opened here stays in the pool.
  PASIP_TRY(database->Acquire());
  return database;
}

Result<std::unique_ptr<Database>> OpenPostgres(std::string_view url, PoolOptions options) {
  PASIP_TRY(postgres::PgConnection::CheckConnInfo(url));
  {
    // Fail now rather than at the first request when the server cannot be reached, and
    // tell the operator why (this runs at start-up, not on behalf of a user).
    std::string detail;
    auto probe = postgres::PgConnection::Open(std::string(url), &detail);
    if (!probe) {
      Error error = probe.error();
      if (const std::size_t end = detail.find('\n'); end != std::string::npos) detail.resize(end);
      if (!detail.empty()) error.message += " (" + detail + ")";
      return Fail(std::move(error));
    }
  }
  auto database = std::make_unique<Database>(
      Dialect::kPostgres, RedactPassword(url),
      [conninfo = std::string(url)]() -> Result<std::unique_ptr<Connection>> {
        PASIP_ASSIGN_OR_RETURN(connection, postgres::PgConnection::Open(conninfo));
        return std::unique_ptr<Connection>(std::move(connection));
      },
      options);
  return database;
}

}  // namespace

std::string Value::ToText() const {
  struct Visitor {
    std::string operator()(std::monostate) const { return {}; }
    std::string operator()(std::int64_t i) const { return std::to_string(i); }
    std::string operator()(double d) const { return DoubleToText(d); }
    std::string operator()(const std::string& s) const { return s; }
  };
  return std::visit(Visitor{}, v_);
}

std::int64_t Row::Int(std::size_t col) const {
  const Value::Variant& v = cells_.at(col).variant();
  if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
  if (const auto* d = std::get_if<double>(&v)) {
    // Exact whole numbers only (a SUM over integers is a numeric, hence a double, on
    // PostgreSQL).
    constexpr double kLimit = 9223372036854775808.0;  // 2^63
    if (*d >= -kLimit && *d < kLimit && static_cast<double>(static_cast<std::int64_t>(*d)) == *d) {
      return static_cast<std::int64_t>(*d);
    }
    throw ColumnError(col, "réel non entier");
  }
  if (const auto* s = std::get_if<std::string>(&v)) return ParseInt(col, *s);
  throw ColumnError(col, "NULL inattendu");
}

double Row::Real(std::size_t col) const {
  const Value::Variant& v = cells_.at(col).variant();
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
  if (const auto* s = std::get_if<std::string>(&v)) return ParseReal(col, *s);
  throw ColumnError(col, "NULL inattendu");
}

std::string Row::Text(std::size_t col) const {
  const Value& value = cells_.at(col);
  if (value.IsNull()) throw ColumnError(col, "NULL inattendu");
  return value.ToText();
}

std::optional<std::int64_t> Row::OptInt(std::size_t col) const {
  if (IsNull(col)) return std::nullopt;
  return Int(col);
}

std::optional<double> Row::OptReal(std::size_t col) const {
  if (IsNull(col)) return std::nullopt;
  return Real(col);
}

std::optional<std::string> Row::OptText(std::size_t col) const {
  if (IsNull(col)) return std::nullopt;
  return Text(col);
}

std::optional<TimePoint> Row::OptTime(std::size_t col) const {
  if (IsNull(col)) return std::nullopt;
  return Time(col);
}

Result<std::optional<Row>> Connection::QueryOne(std::string_view sql, Params params) {
  PASIP_ASSIGN_OR_RETURN(rows, Query(sql, params));
  if (rows.empty()) return std::optional<Row>();
  return std::optional<Row>(std::move(rows.front()));
}

Result<std::int64_t> Connection::InsertReturningId(std::string_view sql, Params params) {
  PASIP_ASSIGN_OR_RETURN(row, QueryOne(sql, params));
  if (!row || row->size() == 0 || row->IsNull(0)) {
    return Fail(Internal("L'enregistrement n'a pas renvoyé son identifiant."));
  }
  return row->Int(0);
}

Result<Transaction> Transaction::Begin(Connection& connection, Mode mode) {
  PASIP_TRY(connection.Begin(/*immediate=*/mode == Mode::kWrite));
  return Transaction(connection);
}

Transaction::Transaction(Transaction&& other) noexcept
    : connection_(other.connection_), open_(other.open_) {
  other.open_ = false;
}

Transaction::~Transaction() {
  // A failed rollback leaves the connection inside a transaction: Healthy() then reports
  // it and the pool drops it.
  if (open_) (void)connection_->Rollback();
}

Status Transaction::Commit() {
  if (!open_) return Fail(Internal("La transaction est déjà terminée."));
  PASIP_TRY(connection_->Commit());
  open_ = false;
  return Ok();
}

ConnectionLease::~ConnectionLease() {
  if (connection_ && owner_) owner_->Release(std::move(connection_));
}

ConnectionLease& ConnectionLease::operator=(ConnectionLease&& other) noexcept {
  if (this != &other) {
    if (connection_ && owner_) owner_->Release(std::move(connection_));
    owner_ = other.owner_;
    connection_ = std::move(other.connection_);
  }
  return *this;
}

struct Database::State {
  mutable std::mutex mutex;
  std::condition_variable freed;
  std::vector<std::unique_ptr<Connection>> idle;
  std::size_t open = 0;  // idle + leased + being opened
  std::size_t in_use = 0;
  std::uint64_t acquired_total = 0;
  std::uint64_t waited_total = 0;
};

Database::Database(Dialect dialect, std::string description, Factory factory, PoolOptions options)
    : dialect_(dialect),
      description_(std::move(description)),
      factory_(std::move(factory)),
      options_(options),
      state_(std::make_unique<State>()) {
  if (options_.max_connections == 0) options_.max_connections = 1;
}

// Every lease must be given back before: a lease outliving its Database is a bug.
Database::~Database() = default;

Result<ConnectionLease> Database::Acquire() {
  const auto deadline = std::chrono::steady_clock::now() + options_.acquire_timeout;
  std::unique_lock lock(state_->mutex);
  bool waited = false;
  for (;;) {
    if (!state_->idle.empty()) {
      std::unique_ptr<Connection> connection = std::move(state_->idle.back());
      state_->idle.pop_back();
      ++state_->in_use;
      ++state_->acquired_total;
      if (waited) ++state_->waited_total;
      return ConnectionLease(this, std::move(connection));
    }
    if (state_->open < options_.max_connections) {
      ++state_->open;  // reserve the slot, then open without holding the lock
      lock.unlock();
      Result<std::unique_ptr<Connection>> opened = factory_();
      lock.lock();
      if (!opened) {
        --state_->open;
        state_->freed.notify_one();
        return Fail(opened.error());
      }
      ++state_->in_use;
      ++state_->acquired_total;
      if (waited) ++state_->waited_total;
      return ConnectionLease(this, std::move(*opened));
    }
    waited = true;
    if (state_->freed.wait_until(lock, deadline) == std::cv_status::timeout &&
        state_->idle.empty() && state_->open >= options_.max_connections) {
      return Fail(
          Unavailable("La base de données est très sollicitée : aucune connexion ne s'est "
                      "libérée à temps. Veuillez réessayer dans un instant."));
    }
  }
}

void Database::Release(std::unique_ptr<Connection> connection) {
  const bool healthy = connection->Healthy();
  {
    std::lock_guard lock(state_->mutex);
    --state_->in_use;
    if (healthy) {
      state_->idle.push_back(std::move(connection));
    } else {
      --state_->open;
    }
  }
  state_->freed.notify_one();
  // An unhealthy connection is closed here, outside the lock.
}

PoolStats Database::Stats() const {
  std::lock_guard lock(state_->mutex);
  PoolStats stats;
  stats.size = state_->open;
  stats.in_use = state_->in_use;
  stats.capacity = options_.max_connections;
  stats.acquired_total = state_->acquired_total;
  stats.waited_total = state_->waited_total;
  return stats;
}

Status Database::Ping() {
  PASIP_ASSIGN_OR_RETURN(lease, Acquire());
  PASIP_ASSIGN_OR_RETURN(row, lease->QueryOne("SELECT 1"));
  if (!row || row->size() != 1 || row->IsNull(0) || row->Int(0) != 1) {
    return Fail(Unavailable("La base de données ne répond pas correctement."));
  }
  return Ok();
}

bool IsSqlIdentifier(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front()))) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

bool IsSqlTableName(std::string_view name) {
  const std::size_t dot = name.find('.');
  if (dot == std::string_view::npos) return IsSqlIdentifier(name);
  return IsSqlIdentifier(name.substr(0, dot)) && IsSqlIdentifier(name.substr(dot + 1));
}

Result<std::unique_ptr<Database>> OpenDatabase(std::string_view url, PoolOptions options) {
  if (url.starts_with("sqlite:")) return OpenSqlite(url.substr(7), url, options);
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    return OpenPostgres(url, options);
  }
  return Fail(InvalidArgument(
      "L'adresse de la base de données doit commencer par « sqlite: » ou « postgresql:// ».",
      std::string(kUrlField)));
}

}  // namespace pasip::storage
