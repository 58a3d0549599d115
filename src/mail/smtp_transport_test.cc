#include "mail/smtp_transport.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/text.h"
#include "domain/mail/memory_outbox_test_util.h"
#include "tests/support/smtp_server_process.h"

namespace pasip::mail {
namespace {

namespace fs = std::filesystem;
using std::chrono::minutes;

const TimePoint kCreated = FromUnixSeconds(1'800'000'000);

using pasip::testing::AiosmtpdAvailable;
using pasip::testing::SmtpServer;

std::string Base64Decode(std::string_view text) {
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : text) {
    int v;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '+')
      v = 62;
    else if (c == '/')
      v = 63;
    else
      continue;
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  return out;
}

// A header value made only of RFC 2047 B-encoded UTF-8 words, whitespace between them
// ignored (RFC 2047 section 6.2).
std::string DecodeEncodedWords(const std::string& value) {
  std::string out;
  std::istringstream words(value);
  std::string word;
  while (words >> word) {
    if (word.rfind("=?UTF-8?B?", 0) != 0 || word.size() < 12 ||
        word.substr(word.size() - 2) != "?=") {
      return "<mot non encodé : " + word + ">";
    }
    out += Base64Decode(word.substr(10, word.size() - 12));
  }
  return out;
}

std::string DecodeQuotedPrintable(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '=') {
      out += text[i];
    } else if (text.substr(i + 1, 2) == "\r\n") {
      i += 2;  // soft line break
    } else {
      out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    }
  }
  return out;
}

struct Received {
  std::string raw;
  std::map<std::string, std::string> headers;  // unfolded
  std::string body;                            // as transferred
};

Received Parse(const std::string& raw) {
  Received r;
  r.raw = raw;
  const std::size_t end = raw.find("\r\n\r\n");
  std::string head = raw.substr(0, end);
  r.body = end == std::string::npos ? "" : raw.substr(end + 4);
  std::string unfolded;
  for (std::size_t i = 0; i < head.size(); ++i) {
    if (head.compare(i, 3, "\r\n ") == 0 || head.compare(i, 3, "\r\n\t") == 0) {
      i += 1;  // keep the whitespace, drop the line break
      continue;
    }
    unfolded += head[i];
  }
  std::istringstream lines(unfolded);
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const std::size_t colon = line.find(": ");
    if (colon != std::string::npos) r.headers[line.substr(0, colon)] = line.substr(colon + 2);
  }
  return r;
}

std::vector<Received> ReceivedIn(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".eml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<Received> out;
  for (const fs::path& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    out.push_back(Parse(content.str()));
  }
  return out;
}

Message Notice(std::string to = "partenaire@exemple.fr") {
  Message m;
  m.id = 42;
  m.to = std::move(to);
  m.subject = "Nouvelle orientation à traiter — réponse attendue sous 5 jours ouvrés (été)";
  m.body =
      "Bonjour,\n"
      "Une orientation « accueil de jour » vous a été adressée ; elle attend votre réponse.\n"
      ".Ligne qui commence par un point\n"
      "Fin avec des espaces   \n"
      "Consultez-la : https://accueil.exemple.fr/orientations/42?jeton=abc=def\n";
  m.kind = "orientation.nouvelle";
  m.ref = "orientation:42";
  m.created_at = kCreated;
  m.next_attempt_at = kCreated;
  return m;
}

std::string CrLf(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

TEST(BuildRfc5322, WritesHeadersAndAQuotedPrintableBody) {
  Message m;
  m.id = 7;
  m.to = "a@exemple.fr";
  m.subject = "Été";
  m.body = "Déjà vu\nfin";
  m.created_at = kCreated;
  EXPECT_EQ(BuildRfc5322(m, "pasip@exemple.fr", FromUnixSeconds(1'795'341'620)),
            "Date: Sun, 22 Nov 2026 10:00:20 +0000\r\n"
            "From: pasip@exemple.fr\r\n"
            "To: a@exemple.fr\r\n"
            "Subject: =?UTF-8?B?w4l0w6k=?=\r\n"
            "Message-ID: <pasip-7-1800000000@pasip>\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: quoted-printable\r\n"
            "Auto-Submitted: auto-generated\r\n"
            "\r\n"
            "D=C3=A9j=C3=A0 vu\r\n"
            "fin\r\n");
}

TEST(BuildRfc5322, KeepsLinesShortAndAscii) {
  Message m = Notice();
  m.subject = std::string(200, 'e') + "é";
  m.body = std::string(300, 'x') + "\n" + std::string(100, '=') + "\n";
  const std::string raw = BuildRfc5322(m, "pasip@exemple.fr", kCreated);
  std::istringstream lines(raw);
  std::string line;
  while (std::getline(lines, line)) {
    EXPECT_LE(line.size(), 78u) << line;
    EXPECT_TRUE(std::all_of(line.begin(), line.end(),
                            [](char c) { return static_cast<unsigned char>(c) < 0x80; }));
  }
  const Received r = Parse(raw);
  EXPECT_EQ(DecodeEncodedWords(r.headers.at("Subject")), m.subject);
  EXPECT_EQ(DecodeQuotedPrintable(r.body), CrLf(m.body));
}

TEST(BuildRfc5322, NeverSplitsACharacterAcrossEncodedWords) {
  Message m = Notice();
  m.subject = "";
  for (int i = 0; i < 40; ++i) m.subject += "é€";
  const Received r = Parse(BuildRfc5322(m, "pasip@exemple.fr", kCreated));
  std::istringstream words(r.headers.at("Subject"));
  std::string word;
  int count = 0;
  while (words >> word) {
    ++count;
    EXPECT_TRUE(text::IsValidUtf8(DecodeEncodedWords(word))) << word;
  }
  EXPECT_GT(count, 1);
  EXPECT_EQ(DecodeEncodedWords(r.headers.at("Subject")), m.subject);
}

TEST(BuildRfc5322, CannotBeMadeToAddHeaders) {
  Message m = Notice("a@exemple.fr\r\nBcc: espion@exemple.fr");
  m.subject = "Objet\r\nBcc: espion@exemple.fr";
  const Received r = Parse(BuildRfc5322(m, "pasip@exemple.fr\nBcc: x@y.fr", kCreated));
  EXPECT_EQ(r.headers.count("Bcc"), 0u);
}

TEST(SmtpTransport, RefusesWhatCouldInjectHeadersBeforeConnecting) {
  // No server listens on port 1: a refusal here is the check, not the network.
  SmtpSettings settings;
  settings.port = 1;
  settings.starttls = false;
  SmtpTransport transport(settings);
  Message m = Notice("a@exemple.fr\r\nBcc: espion@exemple.fr");
  auto sent = transport.Send(m, "pasip@exemple.fr");
  ASSERT_FALSE(sent.has_value());
  EXPECT_EQ(sent.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(sent.error().field, "to");

  m = Notice();
  m.subject = "Objet\nBcc: espion@exemple.fr";
  sent = transport.Send(m, "pasip@exemple.fr");
  ASSERT_FALSE(sent.has_value());
  EXPECT_EQ(sent.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(sent.error().field, "subject");

  for (const char* bad : {"", "sans-arobase", "a@b@c.fr", "<a@exemple.fr>", "a b@exemple.fr",
                          "a@exemple.fr,b@exemple.fr", "é@exemple.fr"}) {
    sent = transport.Send(Notice(bad), "pasip@exemple.fr");
    ASSERT_FALSE(sent.has_value()) << bad;
    EXPECT_EQ(sent.error().code, ErrorCode::kInvalidArgument) << bad;
  }
}

class SmtpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!AiosmtpdAvailable()) {
      GTEST_SKIP() << "/usr/bin/python3 ne peut pas importer aiosmtpd : installez le paquet "
                      "Debian python3-aiosmtpd (scripts/setup.sh).";
    }
    std::string pattern = (fs::temp_directory_path() / "pasip-smtp-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    server_.reset();
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  // Starts the server (port 0: any), failing the test if it does not come up.
  void StartServer(std::uint16_t port = 0, std::vector<std::string> extra = {}) {
    std::string why;
    server_ = SmtpServer::Start(port, dir_, extra, &why);
    ASSERT_NE(server_, nullptr) << why;
  }
  std::uint16_t Port() const { return server_->port(); }
  SmtpSettings Settings() const {
    SmtpSettings settings;
    settings.host = "127.0.0.1";
    settings.port = server_->port();
    settings.starttls = false;
    return settings;
  }

  fs::path dir_;
  std::unique_ptr<SmtpServer> server_;
};

TEST_F(SmtpServerTest, DeliversAMessageThatArrivesIntact) {
  StartServer();
  SmtpTransport transport(Settings());
  const Message m = Notice();
  ASSERT_TRUE(transport.Send(m, "pasip@exemple.fr").has_value());

  const std::vector<Received> received = ReceivedIn(dir_);
  ASSERT_EQ(received.size(), 1u);
  const Received& r = received[0];
  EXPECT_EQ(r.headers.at("From"), "pasip@exemple.fr");
  EXPECT_EQ(r.headers.at("To"), "partenaire@exemple.fr");
  EXPECT_EQ(DecodeEncodedWords(r.headers.at("Subject")), m.subject);
  EXPECT_EQ(r.headers.at("Message-ID"), "<pasip-42-1800000000@pasip>");
  EXPECT_EQ(r.headers.at("MIME-Version"), "1.0");
  EXPECT_EQ(r.headers.at("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(r.headers.at("Content-Transfer-Encoding"), "quoted-printable");
  EXPECT_TRUE(std::regex_match(
      r.headers.at("Date"),
      std::regex(
          R"((Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d \+0000)")))
      << r.headers.at("Date");
  // Accents, the leading dot (stuffed by curl, unstuffed by the server) and trailing spaces.
  EXPECT_EQ(DecodeQuotedPrintable(r.body), CrLf(m.body));
}

TEST_F(SmtpServerTest, UsesTheConfiguredSenderWhenNoneIsGiven) {
  StartServer();
  SmtpSettings settings = Settings();
  settings.from = "accueil@exemple.fr";
  SmtpTransport transport(settings);
  ASSERT_TRUE(transport.Send(Notice(), "").has_value());
  const std::vector<Received> received = ReceivedIn(dir_);
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].headers.at("From"), "accueil@exemple.fr");
}

TEST_F(SmtpServerTest, ARefusedRecipientIsAPermanentFailure) {
  StartServer(0, {"--reject", "inconnu@exemple.fr"});
  SmtpTransport transport(Settings());
  const auto sent = transport.Send(Notice("inconnu@exemple.fr"), "pasip@exemple.fr");
  ASSERT_FALSE(sent.has_value());
  EXPECT_EQ(sent.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(sent.error().message.find("550"), std::string::npos) << sent.error().message;
  EXPECT_TRUE(ReceivedIn(dir_).empty());

  EXPECT_TRUE(transport.Send(Notice("connu@exemple.fr"), "pasip@exemple.fr").has_value());
  EXPECT_EQ(ReceivedIn(dir_).size(), 1u);
}

// A refused sender is our configuration's fault, not the message's: it must not be given up.
TEST_F(SmtpServerTest, ARefusedSenderIsRetriedLater) {
  StartServer(0, {"--reject-sender", "pasip@exemple.fr"});
  SmtpTransport transport(Settings());
  const auto sent = transport.Send(Notice(), "pasip@exemple.fr");
  ASSERT_FALSE(sent.has_value());
  EXPECT_EQ(sent.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(sent.error().message.find("smtp.from"), std::string::npos) << sent.error().message;
  EXPECT_TRUE(ReceivedIn(dir_).empty());
}

TEST_F(SmtpServerTest, AServerDownIsUnavailable) {
  StartServer();
  const SmtpSettings settings = Settings();
  server_->Stop();
  SmtpTransport transport(settings);
  const auto sent = transport.Send(Notice(), "pasip@exemple.fr");
  ASSERT_FALSE(sent.has_value());
  EXPECT_EQ(sent.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(sent.error().message.find("injoignable"), std::string::npos) << sent.error().message;
}

TEST_F(SmtpServerTest, RequiredStarttlsIsNeverSkipped) {
  StartServer();  // the test server offers no STARTTLS
  SmtpSettings settings = Settings();
  settings.starttls = true;
  SmtpTransport transport(settings);
  const auto sent = transport.Send(Notice(), "pasip@exemple.fr");
  ASSERT_FALSE(sent.has_value());
  EXPECT_EQ(sent.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(sent.error().message.find("STARTTLS"), std::string::npos) << sent.error().message;
  EXPECT_TRUE(ReceivedIn(dir_).empty());
}

TEST_F(SmtpServerTest, LogsInWhenAUsernameIsSet) {
  StartServer(0, {"--auth", "pasip:secret-smtp"});
  SmtpSettings settings = Settings();
  settings.username = "pasip";
  settings.password = "mauvais";
  auto sent = SmtpTransport(settings).Send(Notice(), "pasip@exemple.fr");
  ASSERT_FALSE(sent.has_value());
  EXPECT_EQ(sent.error().code, ErrorCode::kUnavailable);  // configuration, retried later
  EXPECT_NE(sent.error().message.find("identification"), std::string::npos) << sent.error().message;
  EXPECT_TRUE(ReceivedIn(dir_).empty());

  settings.password = "secret-smtp";
  sent = SmtpTransport(settings).Send(Notice(), "pasip@exemple.fr");
  ASSERT_TRUE(sent.has_value()) << sent.error().ToString();
  EXPECT_EQ(ReceivedIn(dir_).size(), 1u);
}

TEST_F(SmtpServerTest, DeliversOnceAfterTheServerWasDownThenBack) {
  StartServer();
  const std::uint16_t port = Port();
  const SmtpSettings settings = Settings();
  server_->Stop();

  ManualClock clock(kCreated);
  testing::MemoryOutbox outbox;
  SmtpTransport transport(settings);
  Delivery delivery(outbox, transport, clock, "pasip@exemple.fr");
  Message draft = Notice();
  draft.id = 0;
  const auto stored = outbox.Enqueue(draft);
  ASSERT_TRUE(stored.has_value());

  auto report = delivery.RunOnce();
  ASSERT_TRUE(report.has_value()) << report.error().ToString();
  EXPECT_EQ(report->retried, 1);
  EXPECT_EQ(report->sent, 0);
  auto m = outbox.Find(stored->id);
  ASSERT_TRUE(m.has_value() && m->has_value());
  EXPECT_EQ((*m)->state, MessageState::kPending);
  EXPECT_EQ((*m)->attempts, 1);
  EXPECT_NE((*m)->last_error.find("injoignable"), std::string::npos) << (*m)->last_error;

  StartServer(port);
  ASSERT_EQ(Port(), port);
  report = delivery.RunOnce();  // the backoff has not passed yet
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->sent, 0);
  EXPECT_TRUE(ReceivedIn(dir_).empty());

  clock.Advance(Delivery::Backoff(1));
  report = delivery.RunOnce();
  ASSERT_TRUE(report.has_value()) << report.error().ToString();
  EXPECT_EQ(report->sent, 1);
  clock.Advance(minutes(30));
  report = delivery.RunOnce();
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->sent, 0);

  const std::vector<Received> received = ReceivedIn(dir_);
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].headers.at("Message-ID"), MessageIdHeader(*stored));
  EXPECT_EQ(DecodeEncodedWords(received[0].headers.at("Subject")), draft.subject);
  m = outbox.Find(stored->id);
  EXPECT_EQ((*m)->state, MessageState::kSent);
  EXPECT_EQ((*m)->attempts, 2);
}

}  // namespace
}  // namespace pasip::mail
