// Helpers shared by the page tests (web_test): a job queue that does nothing, and the checks
// every rendered page must pass (French, one h1, landmarks, no inline style or script,
// balanced tags, every visible field labelled).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "domain/jobs/queue.h"

namespace pasip::web::test_util {

class NoQueue : public jobs::Queue {
 public:
  Result<std::int64_t> Enqueue(const jobs::Job&) override { return 0; }
  Result<std::optional<jobs::Job>> Claim(const std::string&, TimePoint,
                                         std::chrono::seconds) override {
    return std::optional<jobs::Job>();
  }
  Status Complete(std::int64_t, TimePoint) override { return Ok(); }
  Status Retry(std::int64_t, TimePoint, const std::string&) override { return Ok(); }
  Status Fail(std::int64_t, TimePoint, const std::string&) override { return Ok(); }
  Result<std::vector<jobs::JobStatus>> Recent(int) override {
    return std::vector<jobs::JobStatus>();
  }
  Result<std::int64_t> Prune(TimePoint) override { return 0; }
};

inline int Count(const std::string& haystack, const std::string& needle) {
  int n = 0;
  for (std::size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

// Start and end tags balance (void elements and self-closed tags aside).
inline bool TagsBalance(const std::string& markup) {
  static const std::set<std::string> kVoid = {"meta", "link", "input", "br", "img", "hr"};
  static const std::regex kTag(R"(<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*?(/?)>)");
  std::vector<std::string> open;
  for (auto it = std::sregex_iterator(markup.begin(), markup.end(), kTag);
       it != std::sregex_iterator(); ++it) {
    const std::string name = (*it)[2];
    if ((*it)[3] == "/" || kVoid.contains(name)) continue;
    if ((*it)[1] == "/") {
      if (open.empty() || open.back() != name) return false;
      open.pop_back();
    } else {
      open.push_back(name);
    }
  }
  return open.empty();
}

// Checks shared by every page: French, one h1, skip link, landmarks, no inline style or
// script, every visible field labelled.
inline void ExpectAccessiblePage(const std::string& html, const std::string& where) {
  SCOPED_TRACE(where);
  EXPECT_NE(html.find("<html lang=\"fr\" data-theme=\"light\">"), std::string::npos);
  EXPECT_EQ(Count(html, "<h1"), 1);
  EXPECT_NE(html.find("Aller au contenu"), std::string::npos);
  for (const char* landmark : {"<header>", "<nav", "<main", "<footer>"}) {
    EXPECT_NE(html.find(landmark), std::string::npos) << landmark;
  }
  EXPECT_EQ(html.find("style="), std::string::npos);
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  const std::size_t body_start = html.find("<body>");
  const std::string body = html.substr(body_start, html.find("</body>") + 7 - body_start);
  EXPECT_TRUE(TagsBalance(body));
  static const std::regex kField(R"(<(input|select|textarea)\s[^>]*>)");
  static const std::regex kId(R"(\sid="([^"]+)\")");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), kField);
       it != std::sregex_iterator(); ++it) {
    const std::string tag = (*it)[0];
    if (tag.find("type=\"hidden\"") != std::string::npos) continue;
    std::smatch id;
    ASSERT_TRUE(std::regex_search(tag, id, kId)) << tag;
    EXPECT_NE(html.find("<label for=\"" + id[1].str() + "\""), std::string::npos) << tag;
  }
}

}  // namespace pasip::web::test_util
