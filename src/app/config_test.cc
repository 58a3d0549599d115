#include "app/config.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace pasip::app {
namespace {

std::string WriteToml(const std::string& content) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("pasip-config-" + std::to_string(::getpid()) + ".toml");
  std::ofstream(path) << content;
  return path.string();
}

TEST(Config, DefaultsWithoutAnySource) {
  auto c = LoadConfig("", {}, {});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->database_url, "sqlite://var/pasip.db");
  EXPECT_EQ(c->ListenAddress(), "127.0.0.1:8080");
  EXPECT_EQ(c->session_idle, std::chrono::minutes(30));
  EXPECT_EQ(c->audit_retention_months, 12);
  EXPECT_TRUE(c->secure_cookies);
}

TEST(Config, FileThenEnvironmentThenFlags) {
  const std::string path = WriteToml(
      "[database]\nurl = \"sqlite:///srv/pasip.db\"\npool = 4\n"
      "[server]\nlisten = \"0.0.0.0:9000\"\nthreads = 3\n"
      "[deployment]\nname = \"Accueil social 35\"\ncolor_primary = \"#00557f\"\n"
      "[audit]\nretention_months = 6\n");
  auto c = LoadConfig(path,
                      {{"PASIP_SERVER_LISTEN", "127.0.0.1:9100"},
                       {"PASIP_DEPLOYMENT_NAME", "Depuis l'environnement"},
                       {"HOME", "/root"}},
                      {{"server.listen", "127.0.0.1:0"}});
  std::filesystem::remove(path);
  ASSERT_TRUE(c) << c.error().ToString();
  EXPECT_EQ(c->database_url, "sqlite:///srv/pasip.db");  // file
  EXPECT_EQ(c->database_pool, 4u);
  EXPECT_EQ(c->threads, 3u);
  EXPECT_EQ(c->deployment_name, "Depuis l'environnement");  // environment over file
  EXPECT_EQ(c->listen_port, 0);                             // flag over environment
  EXPECT_EQ(c->color_primary, "#00557f");
  EXPECT_EQ(c->audit_retention_months, 6);
}

TEST(Config, BadValuesNameTheKeyInFrench) {
  struct Case {
    std::map<std::string, std::string> flags;
    std::string key;
  };
  const Case cases[] = {
      {{{"server.listen", "localhost"}}, "server.listen"},
      {{{"server.listen", "127.0.0.1:99999"}}, "server.listen"},
      {{{"server.threads", "beaucoup"}}, "server.threads"},
      {{{"deployment.color_primary", "bleu"}}, "deployment.color_primary"},
      {{{"deployment.color_primary", "#ffcc00"}}, "deployment.color_primary"},  // 1.6:1
      {{{"audit.retention_months", "24"}}, "audit.retention_months"},
      {{{"sessions.idle_minutes", "120"}}, "sessions.idle_minutes"},
      {{{"server.secure_cookies", "peut-être"}}, "server.secure_cookies"},
      {{{"smtp.from", "personne"}}, "smtp.from"},
      {{{"server.public_url", "ftp://x"}}, "server.public_url"},
      {{{"inconnue.cle", "1"}}, "inconnue.cle"},
  };
  for (const Case& c : cases) {
    auto r = LoadConfig("", {}, c.flags);
    ASSERT_FALSE(r) << c.key;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(r.error().field, c.key);
    EXPECT_NE(r.error().message.find(c.key), std::string::npos) << r.error().message;
  }
}

TEST(Config, MalformedOrUnknownTomlIsRefused) {
  std::string path = WriteToml("[server\nlisten = 1");
  auto r = LoadConfig(path, {}, {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "config");
  EXPECT_NE(r.error().message.find("ligne"), std::string::npos);
  std::filesystem::remove(path);

  path = WriteToml("[serveur]\nport = 8080\n");
  r = LoadConfig(path, {}, {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "serveur.port");
  std::filesystem::remove(path);

  path = WriteToml("[server]\nlisten = [1, 2]\n");
  r = LoadConfig(path, {}, {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "server.listen");
  std::filesystem::remove(path);

  EXPECT_EQ(LoadConfig("/nonexistent/pasip.toml", {}, {}).error().field, "config");
}

TEST(Config, EveryKeyHasAnEnvironmentVariable) {
  for (const auto& k : ConfigKeys()) {
    std::string env = "PASIP_";
    for (char c : k.key) env += c == '.' ? '_' : static_cast<char>(std::toupper(c));
    std::map<std::string, std::string> environment{{env, "valeur-invalide-@#"}};
    auto r = LoadConfig("", environment, {});
    // Free-text keys accept anything; the others must name the key when refused.
    if (!r) {
      EXPECT_EQ(r.error().field, k.key);
    }
    EXPECT_FALSE(k.description.empty());
  }
}

}  // namespace
}  // namespace pasip::app
