#include "mail/smtp_transport.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>

#include "core/text.h"

namespace pasip::mail {

namespace {

void InitCurlOnce() {
  // curl_global_init is not thread-safe; done once for the process and never undone.
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// A bare address (no display name, no angle brackets): printable ASCII without the
// characters that would end it or start another one, exactly one '@' between two
// non-empty parts. Addresses with non-ASCII characters (SMTPUTF8) are not supported.
bool IsPlainAddress(std::string_view address) {
  if (address.empty() || address.size() > 254) return false;
  for (char c : address) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return false;
    if (std::strchr("<>,;:\"()[]\\", c) != nullptr) return false;
  }
  const std::size_t at = address.find('@');
  return at != std::string_view::npos && at > 0 && at + 1 < address.size() &&
         address.find('@', at + 1) == std::string_view::npos;
}

bool HasLineBreak(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

std::string WithoutLineBreaks(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c != '\r' && c != '\n') out += c;
  }
  return out;
}

std::string Base64(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned n = static_cast<unsigned char>(bytes[i]) << 16 |
                       static_cast<unsigned char>(bytes[i + 1]) << 8 |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[n >> 18];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i < bytes.size()) {
    unsigned n = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += kAlphabet[n >> 18];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// RFC 2047 encoded words, folded onto continuation lines. Each word holds at most 39 bytes
// (52 base64 characters, so "Subject: " and the first word stay under 78 columns) and never
// splits a UTF-8 sequence, as RFC 2047 section 5 requires.
std::string EncodedWords(std::string_view text) {
  constexpr std::size_t kWordBytes = 39;
  std::string out;
  while (!text.empty()) {
    std::size_t cut = std::min(kWordBytes, text.size());
    while (cut < text.size() && cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) {
      --cut;
    }
    if (cut == 0) cut = std::min(kWordBytes, text.size());  // not UTF-8: cut anywhere
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + Base64(text.substr(0, cut)) + "?=";
    text.remove_prefix(cut);
  }
  return out;
}

// RFC 2045 quoted-printable with CRLF hard line breaks (any of CRLF, LF or CR in the text)
// and soft breaks keeping lines within 76 columns. The result is ASCII, so the message
// needs no 8BITMIME support from the server.
std::string QuotedPrintable(std::string_view body) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  auto encode_line = [&](std::string_view line) {
    std::size_t column = 0;
    for (std::size_t i = 0; i < line.size(); ++i) {
      const auto c = static_cast<unsigned char>(line[i]);
      const bool last = i + 1 == line.size();
      std::string piece;
      if ((c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !last)) {
        piece = static_cast<char>(c);
      } else {
        piece = {'=', kHex[c >> 4], kHex[c & 15]};
      }
      if (column + piece.size() > 75) {
        out += "=\r\n";
        column = 0;
      }
      out += piece;
      column += piece.size();
    }
    out += "\r\n";
  };
  while (!body.empty()) {
    const std::size_t end = body.find_first_of("\r\n");
    if (end == std::string_view::npos) {
      encode_line(body);
      break;
    }
    encode_line(body.substr(0, end));
    const bool crlf = body[end] == '\r' && end + 1 < body.size() && body[end + 1] == '\n';
    body.remove_prefix(end + (crlf ? 2 : 1));
  }
  return out;
}

// "Sun, 22 Nov 2026 10:47:00 +0000".
std::string RfcDate(TimePoint t) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::int64_t seconds = ToUnixSeconds(t);
  const CivilTime c = CivilFromUnixSeconds(seconds);
  std::int64_t days = seconds / 86400;
  if (seconds % 86400 < 0) --days;
  const auto weekday = static_cast<std::size_t>(((days % 7) + 7 + 4) % 7);  // 1970-01-01: Thu
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%s, %02u %s %04lld %02u:%02u:%02u +0000", kDays[weekday],
                c.day, kMonths[(c.month + 11) % 12], static_cast<long long>(c.year), c.hour,
                c.minute, c.second);
  return buffer;
}

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

size_t ReadUpload(char* buffer, size_t size, size_t count, void* user) {
  auto* rest = static_cast<std::string_view*>(user);
  const std::size_t n = std::min(size * count, rest->size());
  std::memcpy(buffer, rest->data(), n);
  rest->remove_prefix(n);
  return n;
}

std::string Url(const SmtpSettings& s) {
  const bool ipv6 = s.host.find(':') != std::string::npos && s.host.front() != '[';
  return "smtp://" + (ipv6 ? "[" + s.host + "]" : s.host) + ":" + std::to_string(s.port);
}

// The failure of one exchange, in the terms of mail::Transport. `response` is the last SMTP
// reply code (0 when none), `detail` libcurl's own text ("RCPT failed: 550").
Error Failure(CURLcode code, long response, std::string_view detail, const std::string& server) {
  const std::string reply = " (code " + std::to_string(response) + ")";
  if (code == CURLE_LOGIN_DENIED || response == 530 || response == 534 || response == 535 ||
      response == 538) {
    return Unavailable("Le serveur de courrier " + server + " refuse l'identification" +
                       (response != 0 ? reply : std::string()) +
                       " : vérifiez smtp.username et smtp.password.");
  }
  if (code == CURLE_USE_SSL_FAILED) {
    return Unavailable("Le serveur de courrier " + server +
                       " ne propose pas STARTTLS, exigé par smtp.starttls : rien n'a été envoyé.");
  }
  if (response >= 400 && response < 500) {
    return Unavailable("Le serveur de courrier " + server + " refuse le message pour l'instant" +
                       reply + " ; nouvel essai plus tard.");
  }
  if (response >= 500 && response < 600) {
    if (detail.rfind("MAIL", 0) == 0) {  // the sender, i.e. our configuration, is refused
      return Unavailable("Le serveur de courrier " + server + " refuse l'adresse d'expédition" +
                         reply + " : vérifiez smtp.from.");
    }
    return InvalidArgument("Le serveur de courrier a refusé le destinataire ou le message" + reply +
                           ".");
  }
  switch (code) {
    case CURLE_COULDNT_CONNECT:
      return Unavailable("Serveur de courrier injoignable (" + server + ").");
    case CURLE_COULDNT_RESOLVE_HOST:
      return Unavailable("Serveur de courrier introuvable (" + server + ").");
    case CURLE_OPERATION_TIMEDOUT:
      return Unavailable("Le serveur de courrier " + server + " n'a pas répondu à temps.");
    case CURLE_URL_MALFORMAT:
      return Unavailable("Adresse du serveur de courrier invalide (" + server +
                         ") : vérifiez smtp.host.");
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
      return Unavailable("Connexion chiffrée au serveur de courrier " + server +
                         " impossible (certificat refusé ou échec TLS).");
    default:
      return Unavailable("Échec de l'échange avec le serveur de courrier " + server +
                         " (erreur libcurl " + std::to_string(static_cast<int>(code)) + ").");
  }
}

}  // namespace

std::string BuildRfc5322(const Message& m, std::string_view from, TimePoint date) {
  std::string out;
  out += "Date: " + RfcDate(date) + "\r\n";
  out += "From: " + WithoutLineBreaks(from) + "\r\n";
  out += "To: " + WithoutLineBreaks(m.to) + "\r\n";
  out += "Subject: " + EncodedWords(m.subject) + "\r\n";
  out += "Message-ID: " + MessageIdHeader(m) + "\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: text/plain; charset=utf-8\r\n";
  out += "Content-Transfer-Encoding: quoted-printable\r\n";
  // RFC 3834: a notification, to which vacation responders must not answer.
  out += "Auto-Submitted: auto-generated\r\n";
  out += "\r\n";
  out += QuotedPrintable(m.body);
  return out;
}

SmtpTransport::SmtpTransport(SmtpSettings settings) : settings_(std::move(settings)) {
  InitCurlOnce();
}

Status SmtpTransport::Send(const Message& m, const std::string& from) {
  const std::string& sender = from.empty() ? settings_.from : from;
  if (!IsPlainAddress(m.to)) {
    return Fail(InvalidArgument("L'adresse du destinataire est invalide.", "to"));
  }
  if (!IsPlainAddress(sender)) {
    return Fail(Unavailable("L'adresse d'expédition est invalide : vérifiez smtp.from."));
  }
  if (HasLineBreak(m.subject)) {
    return Fail(InvalidArgument("L'objet du message ne doit pas contenir de retour à la ligne.",
                                "subject"));
  }
  if (!text::IsValidUtf8(m.subject) || !text::IsValidUtf8(m.body)) {
    return Fail(InvalidArgument("Le message n'est pas en UTF-8 valide."));
  }

  const std::string message = BuildRfc5322(m, sender, std::chrono::system_clock::now());
  std::string_view upload = message;
  const std::string server = settings_.host + ":" + std::to_string(settings_.port);
  const std::string url = Url(settings_);
  const std::string mail_from = "<" + sender + ">";
  const std::string rcpt_to = "<" + m.to + ">";

  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return Fail(Internal("Impossible de préparer l'envoi du courrier (mémoire)."));
  std::unique_ptr<curl_slist, SlistDeleter> recipients(curl_slist_append(nullptr, rcpt_to.c_str()));
  if (!recipients) return Fail(Internal("Impossible de préparer l'envoi du courrier (mémoire)."));

  char detail[CURL_ERROR_SIZE] = {};
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, detail);
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
#if LIBCURL_VERSION_NUM >= 0x075500
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp");
#else
  curl_easy_setopt(c, CURLOPT_PROTOCOLS, static_cast<long>(CURLPROTO_SMTP));
#endif
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(settings_.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(settings_.timeout.count()));
  curl_easy_setopt(c, CURLOPT_USE_SSL,
                   static_cast<long>(settings_.starttls ? CURLUSESSL_ALL : CURLUSESSL_NONE));
  if (!settings_.username.empty()) {
    curl_easy_setopt(c, CURLOPT_USERNAME, settings_.username.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, settings_.password.c_str());
  }
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, mail_from.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, recipients.get());
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));
  curl_easy_setopt(c, CURLOPT_READFUNCTION, ReadUpload);
  curl_easy_setopt(c, CURLOPT_READDATA, &upload);

  const CURLcode code = curl_easy_perform(c);
  if (code == CURLE_OK) return Ok();
  long response = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response);
  return Fail(Failure(code, response, detail, server));
}

}  // namespace pasip::mail
