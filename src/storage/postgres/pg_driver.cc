#include "storage/postgres/pg_driver.h"

#include <libpq-fe.h>

#include <cctype>
#include <charconv>
#include <cstring>

namespace pasip::storage::postgres {
namespace {

// Type OIDs from pg_type.h (server headers are not installed with libpq).
constexpr Oid kBoolOid = 16;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kOidOid = 26;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;
constexpr Oid kNumericOid = 1700;

constexpr std::size_t kMaxCachedStatements = 512;
constexpr std::size_t kCopyChunkBytes = 256 * 1024;
constexpr std::string_view kUrlField = "database.url";

bool IsIdentifierChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' ||
         static_cast<unsigned char>(c) >= 0x80;
}

// The length of a dollar-quote opening tag ("$$", "$body$") at `sql[i]`, or 0.
std::size_t DollarTagLength(std::string_view sql, std::size_t i) {
  std::size_t j = i + 1;
  if (j < sql.size() && std::isdigit(static_cast<unsigned char>(sql[j]))) return 0;  // $1
  while (j < sql.size() && sql[j] != '$') {
    if (!IsIdentifierChar(sql[j]) || sql[j] == '$') return 0;
    ++j;
  }
  return j < sql.size() ? j - i + 1 : 0;
}

Value ReadCell(const PGresult* result, int row, int col) {
  if (PQgetisnull(result, row, col)) return Value();
  const char* text = PQgetvalue(result, row, col);
  const std::size_t length = static_cast<std::size_t>(PQgetlength(result, row, col));
  switch (PQftype(result, col)) {
    case kInt8Oid:
    case kInt4Oid:
    case kInt2Oid:
    case kOidOid: {
      std::int64_t v = 0;
      const auto [end, ec] = std::from_chars(text, text + length, v);
      if (ec == std::errc() && end == text + length) return Value(static_cast<long long>(v));
      break;
    }
    case kFloat8Oid:
    case kFloat4Oid:
    case kNumericOid: {
      double v = 0;
      const auto [end, ec] = std::from_chars(text, text + length, v);
      if (ec == std::errc() && end == text + length) return Value(v);
      break;
    }
    case kBoolOid:
      return Value(length > 0 && text[0] == 't');
    default:
      break;
  }
  return Value(std::string(text, length));
}

// Appends `text` to a COPY text-format line, escaping what would end the field or the row.
void AppendCopyText(std::string& line, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '\\':
        line += "\\\\";
        break;
      case '\t':
        line += "\\t";
        break;
      case '\n':
        line += "\\n";
        break;
      case '\r':
        line += "\\r";
        break;
      default:
        line += c;
    }
  }
}

void IgnoreNotice(void*, const char*) {}

}  // namespace

std::string NumberPlaceholders(std::string_view sql, int& count) {
  count = 0;
  std::string out;
  out.reserve(sql.size() + 16);
  std::size_t i = 0;
  const std::size_t n = sql.size();
  while (i < n) {
    const char c = sql[i];
    if (c == '\'') {
      // E'…' strings escape with backslashes; standard strings only double the quote,
      // which the loop handles as two adjacent strings.
      const bool escapes = i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e') &&
                           (i == 1 || !IsIdentifierChar(sql[i - 2]));
      std::size_t j = i + 1;
      while (j < n && sql[j] != '\'') j += (escapes && sql[j] == '\\') ? 2 : 1;
      j = std::min(j + 1, n);
      out.append(sql.substr(i, j - i));
      i = j;
    } else if (c == '"') {
      std::size_t j = sql.find('"', i + 1);
      j = j == std::string_view::npos ? n : j + 1;
      out.append(sql.substr(i, j - i));
      i = j;
    } else if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
      std::size_t j = sql.find('\n', i);
      j = j == std::string_view::npos ? n : j + 1;
      out.append(sql.substr(i, j - i));
      i = j;
    } else if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
      int depth = 1;  // PostgreSQL block comments nest
      std::size_t j = i + 2;
      while (j < n && depth > 0) {
        if (sql[j] == '/' && j + 1 < n && sql[j + 1] == '*') {
          ++depth;
          j += 2;
        } else if (sql[j] == '*' && j + 1 < n && sql[j + 1] == '/') {
          --depth;
          j += 2;
        } else {
          ++j;
        }
      }
      out.append(sql.substr(i, j - i));
      i = j;
    } else if (c == '$' && (i == 0 || !IsIdentifierChar(sql[i - 1])) &&
               DollarTagLength(sql, i) > 0) {
      const std::size_t tag_length = DollarTagLength(sql, i);
      const std::string_view tag = sql.substr(i, tag_length);
      std::size_t j = sql.find(tag, i + tag_length);
      j = j == std::string_view::npos ? n : j + tag_length;
      out.append(sql.substr(i, j - i));
      i = j;
    } else if (c == '?') {
      out += '$';
      out += std::to_string(++count);
      ++i;
    } else {
      out += c;
      ++i;
    }
  }
  return out;
}

void PgConnection::ResultDeleter::operator()(pg_result* result) const { PQclear(result); }

Status PgConnection::CheckConnInfo(std::string_view conninfo) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(std::string(conninfo).c_str(), &error);
  if (error != nullptr) PQfreemem(error);
  if (options == nullptr) {
    return Fail(InvalidArgument("L'adresse de la base de données PostgreSQL est mal formée.",
                                std::string(kUrlField)));
  }
  PQconninfoFree(options);
  return Ok();
}

Result<std::unique_ptr<PgConnection>> PgConnection::Open(const std::string& conninfo,
                                                         std::string* detail) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (conn == nullptr) return Fail(Internal("Mémoire insuffisante pour joindre PostgreSQL."));
  std::unique_ptr<PgConnection> connection(new PgConnection(conn));
  if (PQstatus(conn) != CONNECTION_OK) {
    if (detail != nullptr) *detail = PQerrorMessage(conn);
    return Fail(Unavailable("La base de données PostgreSQL est injoignable."));
  }
  // Warnings such as "there is no transaction in progress" would go to stderr.
  PQsetNoticeProcessor(conn, IgnoreNotice, nullptr);
  if (PQsetClientEncoding(conn, "UTF8") != 0) {
    if (detail != nullptr) *detail = PQerrorMessage(conn);
    return Fail(Unavailable("La base de données PostgreSQL refuse l'encodage UTF-8."));
  }
  if (auto set = connection->Simple("SET TIME ZONE 'UTC'"); !set) {
    if (detail != nullptr) *detail = connection->last_error_;
    return Fail(set.error());
  }
  return connection;
}

PgConnection::~PgConnection() { PQfinish(conn_); }

Error PgConnection::Translate(const pg_result* result) {
  const char* message = result != nullptr ? PQresultErrorMessage(result) : "";
  last_error_ = (message != nullptr && *message != '\0') ? message : PQerrorMessage(conn_);
  if (PQstatus(conn_) != CONNECTION_OK) {
    return Unavailable("La connexion à la base de données a été perdue. Veuillez réessayer.");
  }
  const char* code = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const std::string_view sqlstate = code != nullptr ? code : "";
  if (sqlstate == "23505") return AlreadyExists("Cette valeur existe déjà.");
  if (sqlstate == "23503") {
    return FailedPrecondition(
        "Opération impossible : un élément lié n'existe pas, ou un autre élément dépend "
        "encore de celui-ci.");
  }
  if (sqlstate == "23502") return FailedPrecondition("Une information obligatoire est manquante.");
  if (sqlstate == "23514") {
    return FailedPrecondition("Une valeur ne respecte pas les règles attendues.");
  }
  if (sqlstate == "42501") {
    return PermissionDenied("Le compte de la base de données n'a pas le droit de faire cela.");
  }
  // Connection exceptions, server shutting down, too many connections, and the transient
  // conflicts a retry resolves (serialization failure, deadlock, lock not available).
  if (sqlstate.starts_with("08") || sqlstate.starts_with("57P") || sqlstate.starts_with("53") ||
      sqlstate == "40001" || sqlstate == "40P01" || sqlstate == "55P03") {
    return Unavailable("La base de données est occupée. Veuillez réessayer dans un instant.");
  }
  return Internal("Erreur interne de la base de données.");
}

Result<PgConnection::ResultPtr> PgConnection::Simple(const std::string& sql) {
  ResultPtr result(PQexec(conn_, sql.c_str()));
  const ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return Fail(Translate(result.get()));
  }
  return result;
}

Result<PgConnection::ResultPtr> PgConnection::Run(std::string_view sql,
                                                  std::span<const Value> params) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    if (statements_.size() >= kMaxCachedStatements && PQtransactionStatus(conn_) == PQTRANS_IDLE &&
        Simple("DEALLOCATE ALL")) {
      statements_.clear();
    }
    Prepared prepared;
    prepared.name = "pasip_" + std::to_string(next_statement_++);
    const std::string numbered = NumberPlaceholders(sql, prepared.parameters);
    ResultPtr result(
        PQprepare(conn_, prepared.name.c_str(), numbered.c_str(), prepared.parameters, nullptr));
    if (!result || PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
      return Fail(Translate(result.get()));
    }
    it = statements_.emplace(std::string(sql), std::move(prepared)).first;
  }
  const Prepared& prepared = it->second;
  if (static_cast<int>(params.size()) != prepared.parameters) {
    last_error_ = "expected " + std::to_string(prepared.parameters) + " parameters, got " +
                  std::to_string(params.size());
    return Fail(Internal("Nombre de paramètres SQL incorrect."));
  }
  std::vector<std::string> texts(params.size());
  std::vector<const char*> values(params.size(), nullptr);
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (params[i].IsNull()) continue;
    texts[i] = params[i].ToText();
    values[i] = texts[i].c_str();
  }
  ResultPtr result(PQexecPrepared(conn_, prepared.name.c_str(), prepared.parameters, values.data(),
                                  nullptr, nullptr, /*resultFormat=*/0));
  const ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    const char* code = result ? PQresultErrorField(result.get(), PG_DIAG_SQLSTATE) : nullptr;
    // After a schema change ("cached plan must not change result type") or a DISCARD, the
    // statement must be prepared again on the next call.
    if (code != nullptr && (std::strcmp(code, "0A000") == 0 || std::strcmp(code, "26000") == 0)) {
      statements_.erase(it);
    }
    return Fail(Translate(result.get()));
  }
  return result;
}

Result<Rows> PgConnection::Query(std::string_view sql, std::span<const Value> params) {
  PASIP_ASSIGN_OR_RETURN(result, Run(sql, params));
  const int row_count = PQntuples(result.get());
  const int column_count = PQnfields(result.get());
  Rows rows;
  rows.reserve(static_cast<std::size_t>(row_count));
  for (int r = 0; r < row_count; ++r) {
    std::vector<Value> cells;
    cells.reserve(static_cast<std::size_t>(column_count));
    for (int c = 0; c < column_count; ++c) cells.push_back(ReadCell(result.get(), r, c));
    rows.emplace_back(std::move(cells));
  }
  return rows;
}

Result<std::int64_t> PgConnection::Execute(std::string_view sql, std::span<const Value> params) {
  PASIP_ASSIGN_OR_RETURN(result, Run(sql, params));
  const char* tuples = PQcmdTuples(result.get());
  std::int64_t changed = 0;
  if (tuples != nullptr) std::from_chars(tuples, tuples + std::strlen(tuples), changed);
  return changed;
}

Status PgConnection::ExecuteScript(std::string_view sql) {
  PASIP_TRY(Simple(std::string(sql)));
  return Ok();
}

Status PgConnection::BulkInsert(std::string_view table, std::span<const std::string> columns,
                                std::span<const std::vector<Value>> rows) {
  if (!IsSqlTableName(table) || columns.empty()) {
    last_error_ = "bad table name or no columns: " + std::string(table);
    return Fail(Internal("Insertion groupée : nom de table ou de colonne invalide."));
  }
  std::string sql = "COPY " + std::string(table) + " (";
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (!IsSqlIdentifier(columns[i])) {
      last_error_ = "bad column name: " + columns[i];
      return Fail(Internal("Insertion groupée : nom de table ou de colonne invalide."));
    }
    sql += (i == 0 ? "" : ", ") + columns[i];
  }
  sql += ") FROM STDIN";
  {
    ResultPtr started(PQexec(conn_, sql.c_str()));
    if (!started || PQresultStatus(started.get()) != PGRES_COPY_IN) {
      return Fail(Translate(started.get()));
    }
  }

  std::string buffer;
  buffer.reserve(kCopyChunkBytes + 4096);
  bool mismatch = false;
  bool sent = true;
  for (const std::vector<Value>& row : rows) {
    if (row.size() != columns.size()) {
      mismatch = true;
      break;
    }
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (i > 0) buffer += '\t';
      if (row[i].IsNull()) {
        buffer += "\\N";
      } else if (const auto* text = std::get_if<std::string>(&row[i].variant())) {
        AppendCopyText(buffer, *text);
      } else {
        buffer += row[i].ToText();
      }
    }
    buffer += '\n';
    if (buffer.size() >= kCopyChunkBytes) {
      sent = PQputCopyData(conn_, buffer.data(), static_cast<int>(buffer.size())) == 1;
      buffer.clear();
      if (!sent) break;
    }
  }
  if (!mismatch && sent && !buffer.empty()) {
    sent = PQputCopyData(conn_, buffer.data(), static_cast<int>(buffer.size())) == 1;
  }
  // An error message makes the server abandon the COPY: nothing is inserted.
  PQputCopyEnd(conn_, mismatch ? "row of the wrong size" : nullptr);

  // The outcome of the COPY, then the null result that ends the command.
  Status status = Ok();
  while (PGresult* raw = PQgetResult(conn_)) {
    ResultPtr result(raw);
    if (status && PQresultStatus(raw) != PGRES_COMMAND_OK) status = Fail(Translate(raw));
    if (PQstatus(conn_) == CONNECTION_BAD) break;
  }
  if (mismatch) {
    last_error_ = "bulk insert row of the wrong size";
    return Fail(Internal("Insertion groupée : nombre de valeurs incorrect."));
  }
  if (status && !sent) return Fail(Translate(nullptr));
  return status;
}

bool PgConnection::Healthy() const {
  return PQstatus(conn_) == CONNECTION_OK && PQtransactionStatus(conn_) == PQTRANS_IDLE;
}

Status PgConnection::Begin(bool /*immediate*/) {
  PASIP_TRY(Simple("BEGIN"));
  return Ok();
}

Status PgConnection::Commit() {
  PASIP_ASSIGN_OR_RETURN(result, Simple("COMMIT"));
  // COMMIT of a transaction aborted by an earlier error succeeds but rolls back.
  if (std::string_view(PQcmdStatus(result.get())) == "ROLLBACK") {
    last_error_ = "COMMIT of an aborted transaction rolled back";
    return Fail(Internal("La transaction a été annulée à cause d'une erreur précédente."));
  }
  return Ok();
}

Status PgConnection::Rollback() {
  PASIP_TRY(Simple("ROLLBACK"));
  return Ok();
}

}  // namespace pasip::storage::postgres
