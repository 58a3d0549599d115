#include "storage/sqlite/sqlite_driver.h"

#include <sqlite3.h>

#include <cctype>

namespace pasip::storage::sqlite {
namespace {

constexpr int kBusyTimeoutMs = 5000;
// Repositories use a bounded set of statements; the bound only guards against a caller
// that builds SQL text dynamically.
constexpr std::size_t kMaxCachedStatements = 512;
constexpr std::string_view kUrlField = "database.url";

bool OnlySpaceOrSemicolons(const char* text) {
  for (; text != nullptr && *text != '\0'; ++text) {
    if (!std::isspace(static_cast<unsigned char>(*text)) && *text != ';') return false;
  }
  return true;
}

// Resets a statement and forgets its bindings when the work with it is over, whatever the
// outcome, so the cached statement is ready for the next call and holds no read lock.
class ResetOnExit {
 public:
  explicit ResetOnExit(sqlite3_stmt* statement) : statement_(statement) {}
  ~ResetOnExit() {
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
  }
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;

 private:
  sqlite3_stmt* statement_;
};

}  // namespace

Result<std::unique_ptr<SqliteConnection>> SqliteConnection::Open(const std::string& filename) {
  // Memory statistics take a process-wide mutex on every allocation; pasip does not use
  // them. Must be set before SQLite initialises, hence once, before the first open.
  static const bool memstatus_off = [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return true;
  }();
  (void)memstatus_off;
  sqlite3* db = nullptr;
  const int flags =
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(filename.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_close_v2(db);  // accepts a null handle
    if (rc == SQLITE_NOMEM) return Fail(Internal("Mémoire insuffisante pour ouvrir SQLite."));
    return Fail(InvalidArgument("Le fichier de la base de données SQLite ne peut pas être ouvert.",
                                std::string(kUrlField)));
  }
  std::unique_ptr<SqliteConnection> connection(new SqliteConnection(db));
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  // WAL lets readers work while one writer writes. An in-memory database keeps its own
  // journal mode and ignores the request. Reads of a large directory (100,000 services is
  // about 120 MB) go through a memory map and a 16 MB page cache per connection rather than
  // a read() system call per 4 KB page.
  const Status configured = connection->ExecuteScript(
      "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; "
      "PRAGMA synchronous=FULL; PRAGMA mmap_size=268435456; PRAGMA cache_size=-16384;");
  if (!configured) {
    const int code = sqlite3_extended_errcode(db) & 0xff;
    if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT) {
      return Fail(InvalidArgument("Le fichier indiqué n'est pas une base de données SQLite.",
                                  std::string(kUrlField)));
    }
    if (code == SQLITE_CANTOPEN || code == SQLITE_READONLY || code == SQLITE_PERM) {
      return Fail(InvalidArgument(
          "Le fichier de la base de données SQLite ne peut pas être ouvert en écriture.",
          std::string(kUrlField)));
    }
    return Fail(configured.error());
  }
  return connection;
}

SqliteConnection::~SqliteConnection() {
  for (auto& [sql, statement] : statements_) sqlite3_finalize(statement);
  // Rolls back a transaction left open.
  sqlite3_close_v2(db_);
}

Error SqliteConnection::Translate(int code) {
  last_error_ = sqlite3_errstr(code);
  if (const char* message = sqlite3_errmsg(db_); message != nullptr) {
    last_error_ = message;
  }
  switch (code) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      return AlreadyExists("Cette valeur existe déjà.");
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      return FailedPrecondition(
          "Opération impossible : un élément lié n'existe pas, ou un autre élément dépend "
          "encore de celui-ci.");
    case SQLITE_CONSTRAINT_NOTNULL:
      return FailedPrecondition("Une information obligatoire est manquante.");
    case SQLITE_CONSTRAINT_CHECK:
      return FailedPrecondition("Une valeur ne respecte pas les règles attendues.");
    default:
      break;
  }
  switch (code & 0xff) {
    case SQLITE_CONSTRAINT:
      return FailedPrecondition("L'opération ne respecte pas une règle de la base de données.");
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Unavailable("La base de données est occupée. Veuillez réessayer dans un instant.");
    case SQLITE_FULL:
      return Unavailable("Le disque de la base de données est plein.");
    case SQLITE_IOERR:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_CANTOPEN:
    case SQLITE_NOMEM:
      broken_ = true;
      break;
    default:
      break;
  }
  return Internal("Erreur interne de la base de données.");
}

Result<sqlite3_stmt*> SqliteConnection::Prepare(std::string_view sql) {
  if (auto it = statements_.find(sql); it != statements_.end()) return it->second;
  if (statements_.size() >= kMaxCachedStatements) {
    for (auto& [text, statement] : statements_) sqlite3_finalize(statement);
    statements_.clear();
  }
  sqlite3_stmt* statement = nullptr;
  const char* tail = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &statement, &tail);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(statement);
    return Fail(Translate(rc));
  }
  if (statement == nullptr) {
    last_error_ = "empty statement";
    return Fail(Internal("Instruction SQL vide."));
  }
  // `tail` points into `sql`, which need not be null-terminated: check the rest by length.
  const std::string rest(tail, sql.data() + sql.size() - tail);
  if (!OnlySpaceOrSemicolons(rest.c_str())) {
    sqlite3_finalize(statement);
    last_error_ = "several statements: " + std::string(sql);
    return Fail(Internal("Une seule instruction SQL est permise ici."));
  }
  statements_.emplace(std::string(sql), statement);
  return statement;
}

Status SqliteConnection::Bind(sqlite3_stmt* statement, std::span<const Value> params) {
  if (sqlite3_bind_parameter_count(statement) != static_cast<int>(params.size())) {
    last_error_ = "expected " + std::to_string(sqlite3_bind_parameter_count(statement)) +
                  " parameters, got " + std::to_string(params.size());
    return Fail(Internal("Nombre de paramètres SQL incorrect."));
  }
  for (std::size_t i = 0; i < params.size(); ++i) {
    const int index = static_cast<int>(i) + 1;
    const Value::Variant& v = params[i].variant();
    int rc = SQLITE_OK;
    if (const auto* integer = std::get_if<std::int64_t>(&v)) {
      rc = sqlite3_bind_int64(statement, index, *integer);
    } else if (const auto* real = std::get_if<double>(&v)) {
      rc = sqlite3_bind_double(statement, index, *real);
    } else if (const auto* text = std::get_if<std::string>(&v)) {
      // SQLITE_STATIC: `params` outlives the step, and the bindings are cleared right after.
      rc = sqlite3_bind_text64(statement, index, text->data(), text->size(), SQLITE_STATIC,
                               SQLITE_UTF8);
    } else {
      rc = sqlite3_bind_null(statement, index);
    }
    if (rc != SQLITE_OK) return Fail(Translate(rc));
  }
  return Ok();
}

Status SqliteConnection::Run(sqlite3_stmt* statement, Rows* rows) {
  const int columns = sqlite3_column_count(statement);
  for (;;) {
    const int rc = sqlite3_step(statement);
    if (rc == SQLITE_DONE) return Ok();
    if (rc != SQLITE_ROW) return Fail(Translate(rc));
    if (rows == nullptr) continue;
    std::vector<Value> cells;
    cells.reserve(columns);
    for (int c = 0; c < columns; ++c) {
      switch (sqlite3_column_type(statement, c)) {
        case SQLITE_INTEGER:
          cells.emplace_back(static_cast<long long>(sqlite3_column_int64(statement, c)));
          break;
        case SQLITE_FLOAT:
          cells.emplace_back(sqlite3_column_double(statement, c));
          break;
        case SQLITE_TEXT:
        case SQLITE_BLOB: {
          const auto* data = static_cast<const char*>(
              sqlite3_column_type(statement, c) == SQLITE_TEXT
                  ? static_cast<const void*>(sqlite3_column_text(statement, c))
                  : sqlite3_column_blob(statement, c));
          const int size = sqlite3_column_bytes(statement, c);
          cells.emplace_back(std::string(data == nullptr ? "" : data, data == nullptr ? 0 : size));
          break;
        }
        default:
          cells.emplace_back();
          break;
      }
    }
    rows->emplace_back(std::move(cells));
  }
}

Result<Rows> SqliteConnection::Query(std::string_view sql, std::span<const Value> params) {
  PASIP_ASSIGN_OR_RETURN(statement, Prepare(sql));
  ResetOnExit reset(statement);
  PASIP_TRY(Bind(statement, params));
  Rows rows;
  PASIP_TRY(Run(statement, &rows));
  return rows;
}

Result<std::int64_t> SqliteConnection::Execute(std::string_view sql,
                                               std::span<const Value> params) {
  PASIP_ASSIGN_OR_RETURN(statement, Prepare(sql));
  ResetOnExit reset(statement);
  PASIP_TRY(Bind(statement, params));
  const sqlite3_int64 before = sqlite3_total_changes64(db_);
  PASIP_TRY(Run(statement, nullptr));
  // sqlite3_changes64 keeps the count of the last INSERT/UPDATE/DELETE, even when this
  // statement was something else.
  if (sqlite3_total_changes64(db_) == before) return std::int64_t{0};
  return static_cast<std::int64_t>(sqlite3_changes64(db_));
}

Status SqliteConnection::ExecuteScript(std::string_view sql) {
  const std::string script(sql);
  const int rc = sqlite3_exec(db_, script.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return Fail(Translate(sqlite3_extended_errcode(db_)));
  return Ok();
}

Status SqliteConnection::BulkInsert(std::string_view table, std::span<const std::string> columns,
                                    std::span<const std::vector<Value>> rows) {
  if (!IsSqlTableName(table) || columns.empty()) {
    last_error_ = "bad table name or no columns: " + std::string(table);
    return Fail(Internal("Insertion groupée : nom de table ou de colonne invalide."));
  }
  std::string sql = "INSERT INTO " + std::string(table) + " (";
  std::string placeholders;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (!IsSqlIdentifier(columns[i])) {
      last_error_ = "bad column name: " + columns[i];
      return Fail(Internal("Insertion groupée : nom de table ou de colonne invalide."));
    }
    sql += (i == 0 ? "" : ", ") + columns[i];
    placeholders += i == 0 ? "?" : ", ?";
  }
  sql += ") VALUES (" + placeholders + ")";
  PASIP_ASSIGN_OR_RETURN(statement, Prepare(sql));

  // A savepoint makes the insertion all-or-nothing, inside a transaction or not.
  PASIP_TRY(ExecuteScript("SAVEPOINT pasip_bulk_insert"));
  Status status = Ok();
  for (const std::vector<Value>& row : rows) {
    if (row.size() != columns.size()) {
      last_error_ = "row of " + std::to_string(row.size()) + " values for " +
                    std::to_string(columns.size()) + " columns";
      status = Fail(Internal("Insertion groupée : nombre de valeurs incorrect."));
      break;
    }
    ResetOnExit reset(statement);
    status = Bind(statement, row);
    if (status) status = Run(statement, nullptr);
    if (!status) break;
  }
  if (!status) {
    const std::string detail = last_error_;
    (void)ExecuteScript("ROLLBACK TO pasip_bulk_insert; RELEASE pasip_bulk_insert");
    last_error_ = detail;
    return status;
  }
  return ExecuteScript("RELEASE pasip_bulk_insert");
}

bool SqliteConnection::Healthy() const { return !broken_ && sqlite3_get_autocommit(db_) != 0; }

Status SqliteConnection::Begin(bool immediate) {
  PASIP_TRY(Execute(immediate ? "BEGIN IMMEDIATE" : "BEGIN"));
  return Ok();
}

Status SqliteConnection::Commit() {
  PASIP_TRY(Execute("COMMIT"));
  return Ok();
}

Status SqliteConnection::Rollback() {
  PASIP_TRY(Execute("ROLLBACK"));
  return Ok();
}

}  // namespace pasip::storage::sqlite
