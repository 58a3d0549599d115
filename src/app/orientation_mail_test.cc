// Orientation e-mails through the whole application and a real SMTP server on 127.0.0.1
// (tests/smtp_server.py): the demo's orientations queue their e-mails in the database; the
// application is closed before any is sent (as a crash would), a new one opens the same
// database and its `mail.send` job delivers each exactly once, with no personal data; then,
// with the SMTP server down, a new orientation's e-mail waits and is delivered once the server
// is back and the backoff has passed.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "app/application.h"
#include "app/demo.h"
#include "core/crypto.h"
#include "tests/support/smtp_server_process.h"

namespace pasip::app {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> Received(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".eml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<std::string> out;
  for (const fs::path& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    out.push_back(text.str());
  }
  return out;
}

// Quoted-printable soft line breaks and =XX escapes, enough to search the text.
std::string Unfold(const std::string& raw) {
  std::string out;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '=' && i + 2 < raw.size() && raw[i + 1] == '\r' && raw[i + 2] == '\n') {
      i += 2;
    } else if (raw[i] == '=' && i + 2 < raw.size() && std::isxdigit(raw[i + 1]) &&
               std::isxdigit(raw[i + 2])) {
      out += static_cast<char>(std::stoi(raw.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += raw[i];
    }
  }
  return out;
}

class OrientationMailTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::AiosmtpdAvailable()) {
      GTEST_SKIP() << "/usr/bin/python3 ne peut pas importer aiosmtpd : installez "
                      "python3-aiosmtpd (scripts/setup.sh)";
    }
    crypto::InitCrypto();
    dir_ = fs::temp_directory_path() / ("pasip-mail-" + crypto::RandomToken(6));
    fs::create_directories(dir_ / "web");
    fs::create_directories(dir_ / "smtp");
    StartSmtp(0);
    config_.database_url = "sqlite://" + (dir_ / "pasip.db").string();
    config_.static_dir = (dir_ / "web").string();
    config_.reception_archives_dir = (dir_ / "archives").string();
    config_.public_url = "https://accueil.exemple.fr";
    config_.smtp_host = "127.0.0.1";
    config_.smtp_port = smtp_->port();
    config_.smtp_starttls = false;
    config_.smtp_from = "ne-pas-repondre@exemple.fr";
  }

  void TearDown() override {
    smtp_.reset();
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  void StartSmtp(std::uint16_t port) {
    std::string why;
    smtp_ = testing::SmtpServer::Start(port, dir_ / "smtp", {}, &why);
    ASSERT_TRUE(smtp_) << why;
  }

  std::unique_ptr<Application> OpenApp() {
    auto app = Application::Open(config_, clock_);
    EXPECT_TRUE(app) << app.error().ToString();
    return app ? std::move(*app) : nullptr;
  }

  fs::path dir_;
  Config config_;
  ManualClock clock_{*ParseIso("2026-11-23T09:00:00Z")};
  std::unique_ptr<testing::SmtpServer> smtp_;
};

TEST_F(OrientationMailTest, QueuedMailSurvivesARestartAndCarriesNoPersonalData) {
  std::size_t queued = 0;
  {
    auto app = OpenApp();
    ASSERT_TRUE(app);
    auto accounts = CreateDemoTerritory(*app, {});
    ASSERT_TRUE(accounts) << accounts.error().ToString();
    auto messages = app->services().outbox.Recent("", 100);
    ASSERT_TRUE(messages);
    queued = messages->size();
    // The new orientations (to the Caf's partner account and, by a link, to the Point
    // conseil budget) and the notices of the Caf's answers to the agent.
    ASSERT_GE(queued, 4u);
    for (const mail::Message& m : *messages) EXPECT_EQ(m.state, mail::MessageState::kPending);
  }  // closed before the job ran: nothing was sent
  EXPECT_TRUE(Received(dir_ / "smtp").empty());

  auto app = OpenApp();
  ASSERT_TRUE(app);
  auto ran = app->worker().RunOnce();
  ASSERT_TRUE(ran) << ran.error().ToString();
  auto mails = Received(dir_ / "smtp");
  ASSERT_EQ(mails.size(), queued);
  // Sent once: a second run sends nothing more.
  ASSERT_TRUE(app->worker().RunOnce());
  EXPECT_EQ(Received(dir_ / "smtp").size(), queued);
  auto stored = app->services().outbox.Recent("", 100);
  ASSERT_TRUE(stored);
  for (const mail::Message& m : *stored) EXPECT_EQ(m.state, mail::MessageState::kSent);

  bool link = false, partner = false;
  std::regex phone("0[1-9]([ .-]?[0-9]{2}){4}");
  for (const std::string& raw : mails) {
    std::string text = Unfold(raw);
    for (const char* name : {"Martin", "Sylvie", "Diallo", "Mamadou", "Le Goff", "Petit", "1968",
                             "1990-09-03", "12/04"}) {
      EXPECT_EQ(text.find(name), std::string::npos) << name << " in\n" << text;
    }
    EXPECT_FALSE(std::regex_search(text, phone)) << text;
    if (text.find("https://accueil.exemple.fr/lien/") != std::string::npos) link = true;
    if (text.find("To: partenaire@demo.pasip.fr") != std::string::npos) partner = true;
  }
  EXPECT_TRUE(link) << "a signed link to the partner without an account";
  EXPECT_TRUE(partner) << "a notice to the Caf's partner account";
}

TEST_F(OrientationMailTest, MailWaitsWhileTheServerIsDownThenGoesOnce) {
  auto app = OpenApp();
  ASSERT_TRUE(app);
  ASSERT_TRUE(CreateDemoTerritory(*app, {}));
  ASSERT_TRUE(app->worker().RunOnce());
  const std::size_t before = Received(dir_ / "smtp").size();
  const std::uint16_t port = smtp_->port();
  smtp_->Stop();

  // The agent relaunches the orientation awaiting the Caf: a reminder e-mail is queued.
  Services& s = app->services();
  auto agent = s.identity.FindUserByEmail("accueil@demo.pasip.fr");
  ASSERT_TRUE(agent && *agent);
  identity::Principal who;
  who.user_id = (*agent)->id;
  who.memberships = (*agent)->memberships;
  who.second_factor_verified = true;
  orientation::ListFilter filter;
  filter.statuses = {orientation::Status::kSent};
  auto sent = s.orientation.List(filter, who, {who.user_id, "test"});
  ASSERT_TRUE(sent);
  ASSERT_FALSE(sent->items.empty());
  auto relaunched = s.orientation.Take(sent->items.front().orientation.id,
                                       orientation::Step::kRelaunch, {}, who, {who.user_id, "t"});
  ASSERT_TRUE(relaunched) << relaunched.error().ToString();

  clock_.Advance(std::chrono::minutes(1));
  ASSERT_TRUE(app->worker().RunOnce());
  auto pending = s.outbox.Recent("", 1);
  ASSERT_TRUE(pending);
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ(pending->front().state, mail::MessageState::kPending);
  EXPECT_EQ(pending->front().attempts, 1);
  EXPECT_FALSE(pending->front().last_error.empty());

  StartSmtp(port);
  clock_.Advance(std::chrono::minutes(3));  // past the first backoff
  ASSERT_TRUE(app->worker().RunOnce());
  EXPECT_EQ(Received(dir_ / "smtp").size(), before + 1);
  auto delivered = s.outbox.Find(pending->front().id);
  ASSERT_TRUE(delivered && *delivered);
  EXPECT_EQ((*delivered)->state, mail::MessageState::kSent);
  ASSERT_TRUE(app->worker().RunOnce());
  EXPECT_EQ(Received(dir_ / "smtp").size(), before + 1);
}

}  // namespace
}  // namespace pasip::app
