// Opening hours: the data-driven cases of tests/data/opening_hours/*.txt, plus unit tests of
// the holiday calendar and the Paris civil-time conversion they rely on.
//
// File format (one case per block, blocks separated by blank lines, '#' starts a comment):
//   hours: STRING            the opening_hours string under test
//   commune: CODE            optional, chooses the public holidays
//   school: FIRST..LAST      optional, repeatable: a school-holiday period (dates)
//   at: ISO_INSTANT          then
//   expect: open|closed|unknown NEXT_ISO|none     (several at/expect pairs allowed)
//   expect: error POSITION MESSAGE_PART            (when the string must be rejected)
//   week: DATE  then  line: TEXT  (×7)             the French week schedule
//   normalise: INPUT  then  expect: OUTPUT, change: TEXT (each must be reported),
//              changes: COUNT, parses: yes|no (whether the output is valid)
//   france_services: MO | TU | WE | TH | FR | SA | SU  then  expect: OUTPUT | error PART
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/text.h"
#include "domain/openinghours/holidays.h"
#include "domain/openinghours/normaliser.h"
#include "domain/openinghours/opening_hours.h"

namespace pasip::openinghours {
namespace {

struct Line {
  int number = 0;
  std::string key;
  std::string value;
};

std::vector<std::vector<Line>> ReadBlocks(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::vector<std::vector<Line>> blocks(1);
  std::string raw;
  int number = 0;
  while (std::getline(in, raw)) {
    ++number;
    if (!raw.empty() && raw.back() == '\r') raw.pop_back();
    if (text::Trim(raw).empty()) {
      if (!blocks.back().empty()) blocks.emplace_back();
      continue;
    }
    if (raw[0] == '#') continue;
    const std::size_t colon = raw.find(':');
    if (colon == std::string::npos) {
      ADD_FAILURE() << path << ":" << number << ": ligne sans « clé: »";
      continue;
    }
    std::string value = raw.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.erase(0, 1);
    blocks.back().push_back({number, raw.substr(0, colon), value});
  }
  if (blocks.back().empty()) blocks.pop_back();
  return blocks;
}

struct Counts {
  int evaluations = 0, errors = 0, weeks = 0, normalisations = 0, conversions = 0;
};

void RunBlock(const std::string& file, const std::vector<Line>& block, Counts& counts) {
  std::optional<Result<OpeningHours>> hours;
  std::string hours_text;
  Place place;
  SchoolHolidays school;
  bool has_school = false;
  std::optional<TimePoint> at;
  std::optional<Normalised> normalised;
  std::optional<Result<std::string>> converted;
  std::vector<std::string> week_lines;
  std::size_t week_index = 0;
  std::string subject;  // key of the last thing under test
  for (const Line& line : block) {
    const std::string where = file + ":" + std::to_string(line.number);
    SCOPED_TRACE(where + " [" + hours_text + "]");
    if (line.key == "hours") {
      hours_text = line.value;
      hours = OpeningHours::Parse(line.value);
      subject = "hours";
    } else if (line.key == "commune") {
      place.department = DepartmentOfCommune(line.value);
    } else if (line.key == "school") {
      const std::size_t dots = line.value.find("..");
      SchoolHolidays::Period period;
      ASSERT_NE(dots, std::string::npos);
      ASSERT_TRUE(ParseDate(line.value.substr(0, dots), period.first));
      ASSERT_TRUE(ParseDate(line.value.substr(dots + 2), period.last));
      school.periods.push_back(period);
      has_school = true;
    } else if (line.key == "at") {
      at = ParseIso(line.value);
      ASSERT_TRUE(at) << "instant illisible " << line.value;
    } else if (line.key == "normalise") {
      normalised = Normalise(line.value);
      subject = "normalise";
    } else if (line.key == "france_services") {
      std::array<std::string, 7> days;
      const auto cells = text::Split(line.value, '|');
      ASSERT_LE(cells.size(), 7u);
      for (std::size_t i = 0; i < cells.size(); ++i) days[i] = text::Trim(cells[i]);
      converted = FromFranceServices(days);
      subject = "france_services";
    } else if (line.key == "change") {
      ASSERT_TRUE(normalised);
      const auto& changes = normalised->changes;
      std::string all;
      for (const auto& c : changes) all += "\n  " + c;
      EXPECT_NE(std::find(changes.begin(), changes.end(), line.value), changes.end())
          << "changement non signalé : " << line.value << "\nsignalés :" << all;
    } else if (line.key == "changes") {
      ASSERT_TRUE(normalised);
      EXPECT_EQ(normalised->changes.size(), static_cast<std::size_t>(std::stoi(line.value)));
    } else if (line.key == "parses") {
      ASSERT_TRUE(normalised);
      EXPECT_EQ(OpeningHours::Parse(normalised->text).has_value(), line.value == "yes")
          << normalised->text;
    } else if (line.key == "week") {
      ASSERT_TRUE(hours && *hours) << "horaires invalides";
      Date date;
      ASSERT_TRUE(ParseDate(line.value, date));
      if (has_school) place.school_holidays = &school;
      week_lines = FormatWeekFr((*hours)->Week(date, place));
      week_index = 0;
      ++counts.weeks;
    } else if (line.key == "line") {
      ASSERT_LT(week_index, week_lines.size());
      EXPECT_EQ(week_lines[week_index], line.value);
      ++week_index;
    } else if (line.key == "expect") {
      if (subject == "normalise") {
        EXPECT_EQ(normalised->text, line.value);
        ++counts.normalisations;
      } else if (subject == "france_services") {
        if (line.value.rfind("error ", 0) == 0) {
          ASSERT_FALSE(*converted) << **converted;
          EXPECT_NE(converted->error().message.find(line.value.substr(6)), std::string::npos)
              << converted->error().message;
        } else {
          ASSERT_TRUE(*converted) << converted->error().message;
          EXPECT_EQ(**converted, line.value);
        }
        ++counts.conversions;
      } else if (line.value.rfind("error", 0) == 0) {
        ASSERT_TRUE(hours);
        ASSERT_FALSE(*hours) << "accepté à tort";
        const Error& error = hours->error();
        EXPECT_EQ(error.code, ErrorCode::kInvalidArgument);
        const std::string rest = line.value.size() > 6 ? line.value.substr(6) : "";
        const std::size_t space = rest.find(' ');
        EXPECT_EQ(ParseErrorPosition(error), std::stoi(rest.substr(0, space))) << error.message;
        if (space != std::string::npos) {
          EXPECT_NE(error.message.find(rest.substr(space + 1)), std::string::npos) << error.message;
        }
        ++counts.errors;
      } else {
        ASSERT_TRUE(hours);
        ASSERT_TRUE(*hours) << hours->error().message;
        ASSERT_TRUE(at) << "« at: » manquant";
        if (has_school) place.school_holidays = &school;
        const auto parts = text::Split(line.value, ' ');
        ASSERT_EQ(parts.size(), 2u) << "attendu : ÉTAT PROCHAIN_CHANGEMENT|none";
        EXPECT_EQ(StateName((*hours)->StateAt(*at, place)), parts[0]) << "à " << FormatIsoUtc(*at);
        const auto next = (*hours)->NextChange(*at, place);
        EXPECT_EQ(next ? FormatIsoUtc(*next) : "none", parts[1]) << "à " << FormatIsoUtc(*at);
        ++counts.evaluations;
      }
    } else {
      ADD_FAILURE() << where << ": clé inconnue « " << line.key << " »";
    }
  }
  if (!week_lines.empty()) {
    EXPECT_EQ(week_index, week_lines.size()) << file;
  }
}

TEST(OpeningHoursData, AllFiles) {
  const std::filesystem::path dir = std::filesystem::path(PASIP_TEST_DATA_DIR) / "opening_hours";
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".txt") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_FALSE(files.empty());
  Counts counts;
  int blocks = 0;
  for (const auto& file : files) {
    for (const auto& block : ReadBlocks(file)) {
      RunBlock(file.filename().string(), block, counts);
      ++blocks;
    }
  }
  std::printf(
      "%zu fichiers, %d cas : %d évaluations, %d erreurs, %d semaines, %d normalisations, "
      "%d conversions\n",
      files.size(), blocks, counts.evaluations, counts.errors, counts.weeks, counts.normalisations,
      counts.conversions);
  EXPECT_GT(counts.evaluations, 50);
}

TEST(Holidays, EasterDates) {
  EXPECT_EQ(EasterSunday(2024), (Date{2024, 3, 31}));
  EXPECT_EQ(EasterSunday(2025), (Date{2025, 4, 20}));
  EXPECT_EQ(EasterSunday(2026), (Date{2026, 4, 5}));
  EXPECT_EQ(EasterSunday(2027), (Date{2027, 3, 28}));
  EXPECT_EQ(EasterSunday(2038), (Date{2038, 4, 25}));
  EXPECT_EQ(EasterSunday(2285), (Date{2285, 3, 22}));
}

TEST(Holidays, ListsAgreeWithPredicate) {
  for (const char* department : {"", "75", "57", "67", "68", "971", "972", "973", "974", "976"}) {
    for (int year = 2020; year <= 2035; ++year) {
      const auto list = PublicHolidays(year, department);
      int count = 0;
      for (std::int64_t n = DayNumber({year, 1, 1}); n <= DayNumber({year, 12, 31}); ++n) {
        const Date d = DateFromDayNumber(n);
        const bool listed = std::any_of(list.begin(), list.end(),
                                        [&](const PublicHoliday& h) { return h.date == d; });
        EXPECT_EQ(listed, IsPublicHoliday(d, department)) << FormatDate(d) << " " << department;
        count += listed;
      }
      const std::string dep = department;
      const std::size_t expected = dep == "57" || dep == "67" || dep == "68" ? 13
                                   : dep.size() == 3                         ? 12
                                                                             : 11;
      EXPECT_EQ(list.size(), expected) << year << " " << department;
      // Two holidays can fall on one day (Ascension on 22 May 2031 in Martinique).
      std::vector<Date> distinct;
      for (const auto& h : list) distinct.push_back(h.date);
      distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
      EXPECT_EQ(static_cast<std::size_t>(count), distinct.size()) << year << " " << department;
    }
  }
}

TEST(Holidays, DepartmentOfCommune) {
  EXPECT_EQ(DepartmentOfCommune("57463"), "57");
  EXPECT_EQ(DepartmentOfCommune("97411"), "974");
  EXPECT_EQ(DepartmentOfCommune("2A004"), "2A");
  EXPECT_EQ(DepartmentOfCommune("7"), "");
}

TEST(ParisTime, ConvertsAcrossDaylightSaving) {
  // 29 March 2026: 02:00 CET becomes 03:00 CEST (01:00 UTC).
  EXPECT_EQ(ParisUtcOffsetSeconds(*ParseIso("2026-03-29T00:59:59Z")), 3600);
  EXPECT_EQ(ParisUtcOffsetSeconds(*ParseIso("2026-03-29T01:00:00Z")), 7200);
  EXPECT_EQ(FromParisCivil({2026, 3, 29, 2, 30, 0}), *ParseIso("2026-03-29T01:30:00Z"));
  // 25 October 2026: 03:00 CEST becomes 02:00 CET; 02:30 happens twice, the first is chosen.
  EXPECT_EQ(FromParisCivil({2026, 10, 25, 2, 30, 0}), *ParseIso("2026-10-25T00:30:00Z"));
  EXPECT_EQ(ToParisCivil(*ParseIso("2026-10-25T01:30:00Z")).hour, 2u);
  EXPECT_EQ(FromParisCivil({2026, 7, 14, 12, 0, 0}), *ParseIso("2026-07-14T10:00:00Z"));
}

TEST(OpeningHours, CopiesShareRules) {
  auto hours = OpeningHours::Parse("Mo-Fr 09:00-12:00");
  ASSERT_TRUE(hours);
  const OpeningHours copy = *hours;
  const Place place;
  EXPECT_EQ(copy.StateAt(*ParseIso("2026-03-02T09:00:00Z"), place), State::kOpen);
}

TEST(OpeningHours, FormatsTimes) {
  EXPECT_EQ(FormatTimeFr(9 * 60), "9 h");
  EXPECT_EQ(FormatTimeFr(13 * 60 + 30), "13 h 30");
  EXPECT_EQ(FormatTimeFr(1440), "24 h");
  EXPECT_EQ(FormatTimeFr(1440 + 120), "2 h");
}

}  // namespace
}  // namespace pasip::openinghours
