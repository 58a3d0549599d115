#include "http/message.h"

#include <uriparser/Uri.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

#include "core/text.h"

namespace pasip::http {
namespace {

constexpr std::string_view kMalformedParameters = "Paramètres mal formés.";
constexpr std::string_view kInvalidText =
    "Paramètres mal formés : le texte envoyé n'est pas un texte valide (UTF-8).";

char LowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes %XX escapes (and '+' when asked). nullopt on a truncated or non-hexadecimal escape,
// on %00 and on a raw NUL: uriparser hands back C strings, which a NUL would cut short.
std::optional<std::string> Unescape(std::string_view raw, bool plus_to_space) {
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c == '\0') return std::nullopt;
    if (c == '%') {
      if (i + 2 >= raw.size()) return std::nullopt;
      const int high = HexValue(raw[i + 1]);
      const int low = HexValue(raw[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      const char decoded = static_cast<char>(high * 16 + low);
      if (decoded == '\0') return std::nullopt;
      out.push_back(decoded);
      i += 2;
    } else if (c == '+' && plus_to_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// Checks every pair's escapes before uriparser, which silently keeps invalid ones as text.
Status CheckEscapes(std::string_view encoded) {
  std::size_t start = 0;
  while (start <= encoded.size()) {
    std::size_t end = encoded.find('&', start);
    if (end == std::string_view::npos) end = encoded.size();
    const std::string_view pair = encoded.substr(start, end - start);
    const std::size_t equals = pair.find('=');
    const std::string_view raw_name = pair.substr(0, equals);
    const std::optional<std::string> name = Unescape(raw_name, true);
    if (!name) return Fail(InvalidArgument(std::string(kMalformedParameters)));
    if (equals != std::string_view::npos && !Unescape(pair.substr(equals + 1), true)) {
      return Fail(InvalidArgument(std::string(kMalformedParameters),
                                  text::IsValidUtf8(*name) ? *name : std::string()));
    }
    start = end + 1;
  }
  return Ok();
}

struct QueryListDeleter {
  void operator()(UriQueryListA* list) const { uriFreeQueryListA(list); }
};

bool IsTokenSpace(char c) { return c == ' ' || c == '\t'; }

}  // namespace

std::string_view MethodName(Method m) {
  switch (m) {
    case Method::kGet:
      return "GET";
    case Method::kHead:
      return "HEAD";
    case Method::kPost:
      return "POST";
    case Method::kPut:
      return "PUT";
    case Method::kPatch:
      return "PATCH";
    case Method::kDelete:
      return "DELETE";
    case Method::kOptions:
      return "OPTIONS";
    case Method::kOther:
      break;
  }
  return "OTHER";
}

Method ParseMethod(std::string_view name) {
  // Methods are case-sensitive (RFC 9110 §9.1): "get" is not GET.
  for (Method m : {Method::kGet, Method::kHead, Method::kPost, Method::kPut, Method::kPatch,
                   Method::kDelete, Method::kOptions}) {
    if (MethodName(m) == name) return m;
  }
  return Method::kOther;
}

bool CaseInsensitiveLess::operator()(std::string_view a, std::string_view b) const {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                      [](char x, char y) { return LowerAscii(x) < LowerAscii(y); });
}

Result<FormData> FormData::Parse(std::string_view encoded) {
  if (encoded.empty()) return FormData();
  PASIP_TRY(CheckEscapes(encoded));

  UriQueryListA* raw_list = nullptr;
  int count = 0;
  const int rc =
      uriDissectQueryMallocExA(&raw_list, &count, encoded.data(), encoded.data() + encoded.size(),
                               URI_TRUE, URI_BR_DONT_TOUCH);
  std::unique_ptr<UriQueryListA, QueryListDeleter> list(raw_list);
  if (rc == URI_ERROR_MALLOC) throw std::bad_alloc();
  if (rc != URI_SUCCESS) return Fail(InvalidArgument(std::string(kMalformedParameters)));

  std::vector<std::pair<std::string, std::string>> pairs;
  pairs.reserve(static_cast<std::size_t>(std::max(count, 0)));
  for (const UriQueryListA* item = list.get(); item != nullptr; item = item->next) {
    std::string name = item->key != nullptr ? item->key : "";
    std::string value = item->value != nullptr ? item->value : "";
    if (!text::IsValidUtf8(name)) return Fail(InvalidArgument(std::string(kInvalidText)));
    if (!text::IsValidUtf8(value)) return Fail(InvalidArgument(std::string(kInvalidText), name));
    // "=x" names nothing a form can ask for: dropped rather than refused.
    if (name.empty()) continue;
    pairs.emplace_back(std::move(name), std::move(value));
  }
  return FormData(std::move(pairs));
}

std::optional<std::string> FormData::Get(std::string_view name) const {
  for (const auto& [key, value] : pairs_) {
    if (key == name) return value;
  }
  return std::nullopt;
}

std::string FormData::GetOr(std::string_view name, std::string_view fallback) const {
  std::optional<std::string> value = Get(name);
  return value ? std::move(*value) : std::string(fallback);
}

std::vector<std::string> FormData::GetAll(std::string_view name) const {
  std::vector<std::string> values;
  for (const auto& [key, value] : pairs_) {
    if (key == name) values.push_back(value);
  }
  return values;
}

std::string_view Request::Header(std::string_view name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string_view() : std::string_view(it->second);
}

std::string_view Request::PathParam(std::string_view name) const {
  auto it = path_params.find(name);
  return it == path_params.end() ? std::string_view() : std::string_view(it->second);
}

std::string Request::Cookie(std::string_view name) const {
  auto [first, last] = headers.equal_range(std::string_view("Cookie"));
  for (auto it = first; it != last; ++it) {
    std::string_view rest = it->second;
    while (!rest.empty()) {
      std::size_t semicolon = rest.find(';');
      std::string_view item = rest.substr(0, semicolon);
      rest = semicolon == std::string_view::npos ? std::string_view() : rest.substr(semicolon + 1);
      while (!item.empty() && IsTokenSpace(item.front())) item.remove_prefix(1);
      while (!item.empty() && IsTokenSpace(item.back())) item.remove_suffix(1);
      const std::size_t equals = item.find('=');
      if (equals == std::string_view::npos || item.substr(0, equals) != name) continue;
      std::string_view value = item.substr(equals + 1);
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      return std::string(value);
    }
  }
  return {};
}

bool Request::WantsJson() const {
  if (text::StartsWith(path, "/api/")) return true;
  return text::AsciiLower(Header("Accept")).find("application/json") != std::string::npos;
}

Response Response::Text(int status, std::string body, std::string content_type) {
  Response response;
  response.status = status;
  response.body = std::move(body);
  response.SetHeader("Content-Type", std::move(content_type));
  return response;
}

Response Response::Html(int status, std::string body) {
  return Text(status, std::move(body), "text/html; charset=utf-8");
}

Response Response::Json(int status, std::string body) {
  return Text(status, std::move(body), "application/json");
}

Response Response::Redirect(std::string location, int status) {
  Response response;
  response.status = status;
  response.SetHeader("Location", std::move(location));
  return response;
}

Response Response::NoContent() {
  Response response;
  response.status = 204;
  return response;
}

void Response::SetHeader(std::string name, std::string value) {
  headers.erase(name);
  headers.emplace(std::move(name), std::move(value));
}

std::string_view Response::Header(std::string_view name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string_view() : std::string_view(it->second);
}

std::string_view ReasonPhrase(int status) {
  struct Entry {
    int status;
    std::string_view phrase;
  };
  // RFC 9110 §15 wording.
  static constexpr Entry kPhrases[] = {
      {100, "Continue"},
      {101, "Switching Protocols"},
      {200, "OK"},
      {201, "Created"},
      {202, "Accepted"},
      {204, "No Content"},
      {206, "Partial Content"},
      {301, "Moved Permanently"},
      {302, "Found"},
      {303, "See Other"},
      {304, "Not Modified"},
      {307, "Temporary Redirect"},
      {308, "Permanent Redirect"},
      {400, "Bad Request"},
      {401, "Unauthorized"},
      {403, "Forbidden"},
      {404, "Not Found"},
      {405, "Method Not Allowed"},
      {406, "Not Acceptable"},
      {408, "Request Timeout"},
      {409, "Conflict"},
      {410, "Gone"},
      {411, "Length Required"},
      {412, "Precondition Failed"},
      {413, "Content Too Large"},
      {414, "URI Too Long"},
      {415, "Unsupported Media Type"},
      {416, "Range Not Satisfiable"},
      {417, "Expectation Failed"},
      {422, "Unprocessable Content"},
      {428, "Precondition Required"},
      {429, "Too Many Requests"},
      {431, "Request Header Fields Too Large"},
      {500, "Internal Server Error"},
      {501, "Not Implemented"},
      {502, "Bad Gateway"},
      {503, "Service Unavailable"},
      {504, "Gateway Timeout"},
      {505, "HTTP Version Not Supported"},
  };
  for (const Entry& entry : kPhrases) {
    if (entry.status == status) return entry.phrase;
  }
  return "Unknown";
}

Result<std::string> DecodePath(std::string_view raw) {
  std::optional<std::string> decoded = Unescape(raw, false);
  if (!decoded || !text::IsValidUtf8(*decoded)) {
    return Fail(InvalidArgument("L'adresse demandée est mal formée."));
  }
  return std::move(*decoded);
}

}  // namespace pasip::http
