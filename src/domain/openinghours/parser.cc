// Recursive-descent parser of the opening_hours syntax, written from the OSM specification.
// Each Parse* function consumes what it recognises or records the first error and returns
// false; positions in messages are 1-based characters (code points), for people.
#include <cstdio>
#include <string>
#include <string_view>

#include "domain/openinghours/opening_hours.h"
#include "domain/openinghours/rules.h"

namespace pasip::openinghours {
namespace {

using internal::MonthdayPoint;
using internal::MonthdayRange;
using internal::Rule;
using internal::RuleKind;
using internal::RuleSet;
using internal::TimeSpan;
using internal::WeekdayRange;
using internal::WeekRange;
using internal::YearRange;

constexpr std::string_view kWeekdays[7] = {"Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"};
constexpr std::string_view kMonths[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr int kMonthLengths[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

bool IsLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  Result<RuleSet> Run() {
    RuleSet set;
    SkipSpaces();
    if (AtEnd()) return Failure(pos_, "les horaires sont vides");
    RuleKind kind = RuleKind::kNormal;
    while (true) {
      Rule rule;
      rule.kind = kind;
      if (!ParseRule(rule)) return Failure(error_pos_, error_);
      set.rules.push_back(std::move(rule));
      SkipSpaces();
      if (AtEnd()) break;
      if (Peek() == ';') {
        kind = RuleKind::kNormal;
        ++pos_;
      } else if (Peek() == '|' && Peek(1) == '|') {
        kind = RuleKind::kFallback;
        pos_ += 2;
      } else if (Peek() == ',') {
        kind = RuleKind::kAdditional;
        ++pos_;
      } else {
        return Failure(pos_, BetweenRules(pos_));
      }
      SkipSpaces();
      if (AtEnd()) return Failure(pos_, "une règle est attendue après le séparateur");
    }
    return set;
  }

 private:
  tl::unexpected<Error> Failure(std::size_t at, const std::string& what) const {
    int position = 1;
    for (std::size_t i = 0; i < at && i < s_.size(); ++i) {
      if ((static_cast<unsigned char>(s_[i]) & 0xC0) != 0x80) ++position;
    }
    if (at > s_.size()) position = static_cast<int>(s_.size()) + 1;
    return Fail(InvalidArgument(
        "Horaires invalides au caractère " + std::to_string(position) + " : " + what + ".",
        "opening_hours"));
  }

  bool Reject(std::size_t at, std::string what) {
    if (error_.empty()) {
      error_pos_ = at;
      error_ = std::move(what);
    }
    return false;
  }

  // What stands at `at`, quoted for a message ("« Lu »", "la fin du texte").
  std::string Quote(std::size_t at) const {
    if (at >= s_.size()) return "la fin du texte";
    std::size_t end = at + 1;
    if (IsLetter(s_[at])) {
      while (end < s_.size() && IsLetter(s_[end])) ++end;
    } else if (IsDigit(s_[at])) {
      while (end < s_.size() && (IsDigit(s_[end]) || s_[end] == ':' || s_[end] == 'h')) ++end;
    } else {
      while (end < s_.size() && (static_cast<unsigned char>(s_[end]) & 0xC0) == 0x80) ++end;
    }
    return "« " + std::string(s_.substr(at, end - at)) + " »";
  }

  bool AtEnd() const { return pos_ >= s_.size(); }
  char Peek(std::size_t ahead = 0) const {
    return pos_ + ahead < s_.size() ? s_[pos_ + ahead] : '\0';
  }
  char At(std::size_t p) const { return p < s_.size() ? s_[p] : '\0'; }
  void SkipSpaces() {
    while (!AtEnd() && (Peek() == ' ' || Peek() == '\t')) ++pos_;
  }
  std::size_t SpacesFrom(std::size_t p) const {
    while (p < s_.size() && (s_[p] == ' ' || s_[p] == '\t')) ++p;
    return p;
  }
  bool WordAt(std::size_t p, std::string_view word) const {
    return s_.substr(p, word.size()) == word && !IsLetter(At(p + word.size()));
  }
  int DigitsAt(std::size_t p) const {
    int n = 0;
    while (IsDigit(At(p + n))) ++n;
    return n;
  }
  int NumberAt(std::size_t p, int count) const {
    int value = 0;
    for (int i = 0; i < count; ++i) value = value * 10 + (s_[p + i] - '0');
    return value;
  }

  int WeekdayAt(std::size_t p) const {
    for (int i = 0; i < 7; ++i) {
      if (WordAt(p, kWeekdays[i])) return i;
    }
    return -1;
  }
  int MonthAt(std::size_t p) const {
    for (int i = 0; i < 12; ++i) {
      if (WordAt(p, kMonths[i])) return i + 1;
    }
    return 0;
  }
  bool HolidayAt(std::size_t p) const { return WordAt(p, "PH") || WordAt(p, "SH"); }
  bool TimeAt(std::size_t p) const {
    return DigitsAt(p) == 2 && At(p + 2) == ':' && DigitsAt(p + 3) == 2;
  }
  bool YearAt(std::size_t p) const { return DigitsAt(p) == 4 && At(p + 4) != ':'; }

  bool ParseRule(Rule& rule) {
    const std::size_t start = pos_;
    bool selectors = false;
    if (s_.substr(pos_, 4) == "24/7") {
      pos_ += 4;
      selectors = true;
    } else {
      bool wide = false;
      while (true) {
        if (YearAt(pos_)) {
          if (MonthAt(SpacesFrom(pos_ + 4))) {
            if (!ParseMonthdays(rule)) return false;
          } else if (!ParseYears(rule)) {
            return false;
          }
        } else if (MonthAt(pos_)) {
          if (!ParseMonthdays(rule)) return false;
        } else if (WordAt(pos_, "week")) {
          if (!ParseWeeks(rule)) return false;
        } else {
          break;
        }
        wide = true;
        SkipSpaces();
      }
      if (wide && Peek() == ':') {
        ++pos_;
        SkipSpaces();
      }
      if (WeekdayAt(pos_) >= 0 || HolidayAt(pos_)) {
        if (!ParseWeekdays(rule)) return false;
        SkipSpaces();
      }
      if (TimeAt(pos_)) {
        if (!ParseTimes(rule)) return false;
        SkipSpaces();
      }
      selectors = wide || pos_ != start;
    }
    bool modifier = false;
    if (WordAt(pos_, "off") || WordAt(pos_, "closed")) {
      rule.state = State::kClosed;
      pos_ += Peek() == 'o' ? 3 : 6;
      modifier = true;
    } else if (WordAt(pos_, "open")) {
      rule.state = State::kOpen;
      pos_ += 4;
      modifier = true;
    } else if (WordAt(pos_, "unknown")) {
      rule.state = State::kUnknown;
      pos_ += 7;
      modifier = true;
    }
    SkipSpaces();
    if (Peek() == '"') {
      const std::size_t quote = pos_;
      const std::size_t close = s_.find('"', pos_ + 1);
      if (close == std::string_view::npos) {
        return Reject(quote, "commentaire sans guillemet fermant");
      }
      rule.comment = std::string(s_.substr(pos_ + 1, close - pos_ - 1));
      pos_ = close + 1;
      // A comment without a state makes the times it covers unknown ("Mo-Fr 08:00-18:00
      // \"sur rendez-vous\""), as the specification and the reference implementation say.
      if (!modifier) rule.state = State::kUnknown;
      modifier = true;
    }
    if (!selectors && !modifier) return Unexpected(pos_);
    return true;
  }

  // Explains what stands where a rule separator was expected.
  std::string BetweenRules(std::size_t at) const {
    const bool selector = WeekdayAt(at) >= 0 || MonthAt(at) || HolidayAt(at) ||
                          WordAt(at, "week") || WordAt(at, "off") || WordAt(at, "closed") ||
                          WordAt(at, "open") || WordAt(at, "unknown");
    if (IsDigit(s_[at]) && !TimeAt(at)) {
      return "heure attendue au format HH:MM (par exemple 09:00), au lieu de " + Quote(at);
    }
    if (IsLetter(s_[at]) && !selector) {
      return "mot inconnu " + Quote(at) +
             " : jours attendus en anglais (Mo, Tu, We, Th, Fr, Sa, Su)";
    }
    return "« ; » attendu entre deux règles, au lieu de " + Quote(at);
  }

  // Explains what cannot start a rule here.
  bool Unexpected(std::size_t at) {
    if (at >= s_.size()) return Reject(at, "une règle est attendue");
    const char c = s_[at];
    if (IsDigit(c)) {
      return Reject(at,
                    "heure attendue au format HH:MM (par exemple 09:00), au lieu de " + Quote(at));
    }
    if (IsLetter(c)) {
      return Reject(at, "mot inconnu " + Quote(at) +
                            " : jours attendus en anglais (Mo, Tu, We, Th, Fr, Sa, Su)");
    }
    return Reject(at, "caractère inattendu " + Quote(at));
  }

  bool ParseYears(Rule& rule) {
    while (true) {
      YearRange range;
      range.first = range.last = NumberAt(pos_, 4);
      pos_ += 4;
      if (Peek() == '-') {
        if (DigitsAt(pos_ + 1) != 4) return Reject(pos_ + 1, "année sur quatre chiffres attendue");
        range.last = NumberAt(pos_ + 1, 4);
        pos_ += 5;
        if (range.last < range.first)
          return Reject(pos_ - 4, "l'année de fin précède celle de début");
        if (Peek() == '/') {
          if (!ParseStep(range.step)) return false;
        }
      } else if (Peek() == '+') {
        range.last = 9999;
        ++pos_;
      }
      rule.years.push_back(range);
      if (Peek() == ',' && YearAt(pos_ + 1) && !MonthAt(SpacesFrom(pos_ + 5))) {
        ++pos_;
        continue;
      }
      return true;
    }
  }

  bool ParseStep(int& step) {
    ++pos_;  // '/'
    const int digits = DigitsAt(pos_);
    if (digits == 0 || digits > 3) return Reject(pos_, "pas numérique attendu après « / »");
    step = NumberAt(pos_, digits);
    if (step < 1) return Reject(pos_, "le pas doit être au moins 1");
    pos_ += digits;
    return true;
  }

  // [year] Month [day]
  bool ParseMonthdayPoint(MonthdayPoint& point) {
    if (YearAt(pos_)) {
      point.year = NumberAt(pos_, 4);
      pos_ = SpacesFrom(pos_ + 4);
    }
    point.month = MonthAt(pos_);
    if (point.month == 0) return Reject(pos_, "mois attendu (Jan, Feb, … Dec)");
    pos_ += 3;
    const std::size_t day_at = SpacesFrom(pos_);
    const int digits = DigitsAt(day_at);
    if (day_at > pos_ && (digits == 1 || digits == 2) && At(day_at + digits) != ':') {
      point.day = NumberAt(day_at, digits);
      if (point.day < 1 || point.day > kMonthLengths[point.month - 1]) {
        return Reject(day_at, "jour du mois invalide");
      }
      pos_ = day_at + digits;
    }
    return true;
  }

  bool ParseMonthdays(Rule& rule) {
    while (true) {
      MonthdayRange range;
      if (!ParseMonthdayPoint(range.from)) return false;
      range.to = range.from;
      if (Peek() == '-') {
        ++pos_;
        const int digits = DigitsAt(pos_);
        if ((digits == 1 || digits == 2) && At(pos_ + digits) != ':') {
          if (range.from.day == 0) return Reject(pos_, "mois attendu après « - »");
          range.to.day = NumberAt(pos_, digits);
          if (range.to.day < 1 || range.to.day > kMonthLengths[range.to.month - 1]) {
            return Reject(pos_, "jour du mois invalide");
          }
          pos_ += digits;
        } else if (YearAt(pos_) || MonthAt(pos_)) {
          range.to = {};
          if (!ParseMonthdayPoint(range.to)) return false;
          if (range.to.year != 0 && range.from.year == 0) {
            return Reject(pos_, "année de début attendue quand la fin en a une");
          }
          if ((range.from.day == 0) != (range.to.day == 0)) {
            return Reject(pos_, "les deux dates doivent préciser le jour, ou aucune");
          }
        } else {
          return Reject(pos_, "date de fin attendue après « - »");
        }
      } else if (Peek() == '+') {
        ++pos_;
        range.to = {range.from.year == 0 ? 0 : 9999, 12, 31};
      }
      if (range.from.year != 0 && range.to.year == 0) {
        range.to.year = range.from.year;
        const int from_key = range.from.month * 100 + range.from.day;
        const int to_key = range.to.month * 100 + range.to.day;
        if (to_key < from_key) ++range.to.year;
      }
      if (range.from.year != 0) {
        const auto key = [](const MonthdayPoint& p) {
          return p.year * 10000 + p.month * 100 + p.day;
        };
        if (key(range.to) < key(range.from)) return Reject(pos_, "la date de fin précède le début");
      }
      rule.monthdays.push_back(range);
      if (Peek() != ',') return true;
      const std::size_t next = pos_ + 1;
      const int digits = DigitsAt(next);
      if (MonthAt(next) || (YearAt(next) && MonthAt(SpacesFrom(next + 4)))) {
        pos_ = next;
      } else if ((digits == 1 || digits == 2) && At(next + digits) != ':' && range.to.day != 0) {
        // "Dec 24,31": another day of the same month.
        MonthdayRange day = {range.to, range.to};
        day.from.day = day.to.day = NumberAt(next, digits);
        if (day.from.day < 1 || day.from.day > kMonthLengths[day.from.month - 1]) {
          return Reject(next, "jour du mois invalide");
        }
        rule.monthdays.push_back(day);
        pos_ = next + digits;
        if (Peek() != ',') return true;
        // Continue the list only with a month or a year; anything else ends the selector.
        if (!MonthAt(pos_ + 1) && !YearAt(pos_ + 1)) return true;
        ++pos_;
      } else {
        return true;
      }
    }
  }

  bool ParseWeeks(Rule& rule) {
    pos_ += 4;
    if (Peek() != ' ') return Reject(pos_, "espace attendue après « week »");
    SkipSpaces();
    while (true) {
      WeekRange range;
      int digits = DigitsAt(pos_);
      if (digits != 2 && digits != 1) return Reject(pos_, "numéro de semaine attendu (01 à 53)");
      range.first = range.last = NumberAt(pos_, digits);
      const std::size_t first_at = pos_;
      pos_ += digits;
      if (Peek() == '-') {
        ++pos_;
        digits = DigitsAt(pos_);
        if (digits != 2 && digits != 1) return Reject(pos_, "numéro de semaine attendu (01 à 53)");
        range.last = NumberAt(pos_, digits);
        pos_ += digits;
        if (Peek() == '/' && !ParseStep(range.step)) return false;
      }
      if (range.first < 1 || range.first > 53 || range.last < 1 || range.last > 53) {
        return Reject(first_at, "numéro de semaine hors de 01 à 53");
      }
      rule.weeks.push_back(range);
      if (Peek() == ',' && (DigitsAt(pos_ + 1) == 2 || DigitsAt(pos_ + 1) == 1) &&
          At(pos_ + 1 + DigitsAt(pos_ + 1)) != ':') {
        ++pos_;
        continue;
      }
      return true;
    }
  }

  bool ParseNth(WeekdayRange& range) {
    ++pos_;  // '['
    while (true) {
      bool negative = false;
      if (Peek() == '-') {
        negative = true;
        ++pos_;
      }
      if (DigitsAt(pos_) != 1 || Peek() < '1' || Peek() > '5') {
        return Reject(pos_, "rang entre 1 et 5 attendu dans « [ ] »");
      }
      const int first = Peek() - '0';
      ++pos_;
      int last = first;
      if (!negative && Peek() == '-' && At(pos_ + 1) >= '1' && At(pos_ + 1) <= '5') {
        last = At(pos_ + 1) - '0';
        pos_ += 2;
        if (last < first) return Reject(pos_ - 1, "rang de fin inférieur au rang de début");
      }
      for (int n = first; n <= last; ++n) range.nth.push_back(negative ? -n : n);
      if (Peek() == ',') {
        ++pos_;
        continue;
      }
      if (Peek() != ']') return Reject(pos_, "« ] » attendu");
      ++pos_;
      return true;
    }
  }

  bool ParseWeekdayList(Rule& rule, bool allow_holidays) {
    while (true) {
      if (allow_holidays && HolidayAt(pos_)) {
        (Peek() == 'P' ? rule.public_holiday : rule.school_holiday) = true;
        pos_ += 2;
      } else {
        WeekdayRange range;
        range.first = range.last = WeekdayAt(pos_);
        if (range.first < 0) return Reject(pos_, "jour attendu (Mo, Tu, We, Th, Fr, Sa, Su)");
        pos_ += 2;
        if (Peek() == '-') {
          range.last = WeekdayAt(pos_ + 1);
          if (range.last < 0) return Reject(pos_ + 1, "jour attendu après « - »");
          pos_ += 3;
        }
        if (Peek() == '[' && !ParseNth(range)) return false;
        rule.weekdays.push_back(std::move(range));
      }
      if (Peek() == ',') {
        const std::size_t next = SpacesFrom(pos_ + 1);
        if (WeekdayAt(next) >= 0 || (allow_holidays && HolidayAt(next))) {
          pos_ = next;
          continue;
        }
      }
      return true;
    }
  }

  bool ParseWeekdays(Rule& rule) {
    if (!ParseWeekdayList(rule, /*allow_holidays=*/true)) return false;
    const bool holidays_only = rule.weekdays.empty();
    const std::size_t next = SpacesFrom(pos_);
    if (holidays_only && next > pos_ && WeekdayAt(next) >= 0) {
      // "SH Mo-Fr": school-holiday weekdays.
      pos_ = next;
      rule.holiday_and_weekday = true;
      return ParseWeekdayList(rule, /*allow_holidays=*/false);
    }
    return true;
  }

  bool ParseTime(int& minutes, int max_hour) {
    if (!TimeAt(pos_)) {
      return Reject(
          pos_, "heure attendue au format HH:MM (par exemple 09:00), au lieu de " + Quote(pos_));
    }
    const int hours = NumberAt(pos_, 2);
    const int mins = NumberAt(pos_ + 3, 2);
    if (hours > max_hour || mins > 59 || (hours == max_hour && mins > 0)) {
      return Reject(pos_, "heure impossible " + Quote(pos_));
    }
    minutes = hours * 60 + mins;
    pos_ += 5;
    return true;
  }

  bool ParseTimes(Rule& rule) {
    while (true) {
      TimeSpan span;
      const std::size_t start_at = pos_;
      if (!ParseTime(span.start, 24)) return false;
      if (span.start == 1440) return Reject(start_at, "une plage ne peut pas commencer à 24:00");
      if (Peek() == '-') {
        ++pos_;
        if (!ParseTime(span.end, 48)) return false;
        if (span.end <= span.start) span.end += 1440;  // past midnight
        if (span.end - span.start > 1440) {
          return Reject(start_at, "une plage ne peut pas dépasser 24 heures");
        }
        if (Peek() == '+') {
          span.open_end = true;
          ++pos_;
        }
      } else if (Peek() == '+') {
        span.end = span.start;
        span.open_end = true;
        ++pos_;
      } else {
        return Reject(pos_, "« - » et une heure de fin attendus après l'heure de début");
      }
      rule.times.push_back(span);
      if (Peek() == ',' && TimeAt(SpacesFrom(pos_ + 1))) {
        pos_ = SpacesFrom(pos_ + 1);
        continue;
      }
      return true;
    }
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  std::size_t error_pos_ = 0;
  std::string error_;
};

}  // namespace

Result<OpeningHours> OpeningHours::Parse(std::string_view text) {
  auto rules = Parser(text).Run();
  if (!rules) return Fail(rules.error());
  internal::Finalise(*rules);
  return OpeningHours(std::make_shared<const internal::RuleSet>(std::move(*rules)));
}

int ParseErrorPosition(const Error& error) {
  constexpr std::string_view kMarker = "au caractère ";
  const std::size_t at = error.message.find(kMarker);
  if (at == std::string::npos) return 0;
  int position = 0;
  for (std::size_t i = at + kMarker.size(); i < error.message.size() && IsDigit(error.message[i]);
       ++i) {
    position = position * 10 + (error.message[i] - '0');
  }
  return position;
}

}  // namespace pasip::openinghours
