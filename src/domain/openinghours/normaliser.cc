#include "domain/openinghours/normaliser.h"

#include <map>

namespace pasip::openinghours {
namespace {

enum class Kind {
  kDay,
  kMonth,
  kHoliday,
  kState,
  kTime,
  kNumber,
  kRange,
  kList,
  kRuleSeparator,
  kFallback,
  kSlash,
  kPlus,
  kColon,
  kOpenBracket,
  kCloseBracket,
  kComment,
  kAlways,
  kWeek,
  kExcept,
  kOther,
};

struct Token {
  Kind kind = Kind::kOther;
  std::string raw;  // as written
  std::string out;  // canonical
  bool space_before = false;
};

bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsWordByte(char c) { return IsAsciiLetter(c) || static_cast<unsigned char>(c) >= 0x80; }

// Lower case without accents, for dictionary look-ups ("Fériés" → "feries").
std::string Fold(std::string_view word) {
  static const std::map<std::string, char> kAccents = {
      {"é", 'e'}, {"è", 'e'}, {"ê", 'e'}, {"ë", 'e'}, {"à", 'a'}, {"â", 'a'}, {"î", 'i'},
      {"ï", 'i'}, {"ô", 'o'}, {"û", 'u'}, {"ù", 'u'}, {"ç", 'c'}, {"É", 'e'}, {"È", 'e'},
      {"À", 'a'}, {"Ê", 'e'}, {"Î", 'i'}, {"Ô", 'o'}, {"Û", 'u'}, {"Ç", 'c'}};
  std::string out;
  for (std::size_t i = 0; i < word.size();) {
    const unsigned char c = static_cast<unsigned char>(word[i]);
    if (c < 0x80) {
      out += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
      ++i;
      continue;
    }
    if (i + 1 < word.size()) {
      const auto it = kAccents.find(std::string(word.substr(i, 2)));
      if (it != kAccents.end()) {
        out += it->second;
        i += 2;
        continue;
      }
    }
    out += static_cast<char>(c);
    ++i;
  }
  return out;
}

struct WordMeaning {
  Kind kind;
  const char* out;
};

const std::map<std::string, WordMeaning>& Dictionary() {
  static const std::map<std::string, WordMeaning> kWords = [] {
    std::map<std::string, WordMeaning> m;
    const auto add = [&m](std::initializer_list<const char*> words, Kind kind, const char* out) {
      for (const char* w : words) m.emplace(w, WordMeaning{kind, out});
    };
    add({"lundi", "lundis", "lun", "lu", "mo", "mon", "monday"}, Kind::kDay, "Mo");
    add({"mardi", "mardis", "mar", "ma", "tu", "tue", "tuesday"}, Kind::kDay, "Tu");
    add({"mercredi", "mercredis", "mer", "me", "we", "wed", "wednesday"}, Kind::kDay, "We");
    add({"jeudi", "jeudis", "jeu", "je", "th", "thu", "thursday"}, Kind::kDay, "Th");
    add({"vendredi", "vendredis", "ven", "ve", "fr", "fri", "friday"}, Kind::kDay, "Fr");
    add({"samedi", "samedis", "sam", "sa", "sat", "saturday"}, Kind::kDay, "Sa");
    add({"dimanche", "dimanches", "dim", "di", "su", "sun", "sunday"}, Kind::kDay, "Su");
    add({"janvier", "janv", "jan"}, Kind::kMonth, "Jan");
    add({"fevrier", "fevr", "fev", "feb"}, Kind::kMonth, "Feb");
    add({"mars"}, Kind::kMonth, "Mar");
    add({"avril", "avr", "apr"}, Kind::kMonth, "Apr");
    add({"mai", "may"}, Kind::kMonth, "May");
    add({"juin", "jun"}, Kind::kMonth, "Jun");
    add({"juillet", "juil", "jul"}, Kind::kMonth, "Jul");
    add({"aout", "aug"}, Kind::kMonth, "Aug");
    add({"septembre", "sept", "sep"}, Kind::kMonth, "Sep");
    add({"octobre", "oct"}, Kind::kMonth, "Oct");
    add({"novembre", "nov"}, Kind::kMonth, "Nov");
    add({"decembre", "dec"}, Kind::kMonth, "Dec");
    add({"ferme", "fermee", "fermes", "fermees", "off", "closed", "clos"}, Kind::kState, "off");
    add({"unknown"}, Kind::kState, "unknown");
    add({"open"}, Kind::kState, "open");
    add({"ferie", "feries", "feriee", "feriees", "ph", "jf"}, Kind::kHoliday, "PH");
    add({"vacances", "sh"}, Kind::kHoliday, "SH");
    add({"au", "a", "jusqu", "to"}, Kind::kRange, "-");
    add({"et", "and"}, Kind::kList, ",");
    add({"sauf", "excepte", "hors"}, Kind::kExcept, "");
    add({"week", "semaine", "semaines"}, Kind::kWeek, "week");
    // Words that carry nothing in the syntax.
    add({"de", "du", "des", "le", "les", "la", "l", "d", "jour", "jours", "scolaires", "ouvert",
         "ouverte", "ouverts", "ouvertes", "inclus", "h"},
        Kind::kOther, "");
    return m;
  }();
  return kWords;
}

// Values are hours (0..99) or minutes; two digits.
std::string TwoDigits(int value) {
  return {static_cast<char>('0' + value / 10 % 10), static_cast<char>('0' + value % 10)};
}

// An en dash or em dash, which people type for "-".
bool IsDashAt(std::string_view s, std::size_t at) {
  return s.substr(at, 3) == "\xE2\x80\x93" || s.substr(at, 3) == "\xE2\x80\x94";
}

std::vector<Token> Tokenise(std::string_view s) {
  std::vector<Token> tokens;
  bool space = false;
  std::size_t i = 0;
  const auto push = [&](Kind kind, std::size_t from, std::size_t to, std::string out) {
    tokens.push_back({kind, std::string(s.substr(from, to - from)), std::move(out), space});
    space = false;
  };
  while (i < s.size()) {
    const char c = s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = true;
      ++i;
    } else if (c == '"') {
      std::size_t end = s.find('"', i + 1);
      end = end == std::string_view::npos ? s.size() : end + 1;
      push(Kind::kComment, i, end, std::string(s.substr(i, end - i)));
      i = end;
    } else if (IsDashAt(s, i)) {
      push(Kind::kRange, i, i + 3, "-");
      i += 3;
    } else if (IsDigit(c)) {
      std::size_t j = i;
      while (j < s.size() && IsDigit(s[j])) ++j;
      const std::string_view digits = s.substr(i, j - i);
      if (digits == "24" && s.substr(j, 2) == "/7") {
        push(Kind::kAlways, i, j + 2, "24/7");
        i = j + 2;
        continue;
      }
      if (digits == "24" && (s.substr(j, 5) == "h/24h" || s.substr(j, 4) == "h/24")) {
        std::size_t end = j + (s.substr(j, 5) == "h/24h" ? 5 : 4);
        std::size_t k = end;
        while (k < s.size() && s[k] == ' ') ++k;
        if (s.substr(k, 4) == "7j/7" || s.substr(k, 4) == "7/7j") end = k + 4;
        if (s.substr(k, 3) == "7/7") end = k + 3;
        push(Kind::kAlways, i, end, "24/7");
        i = end;
        continue;
      }
      std::size_t k = j;
      while (k < s.size() && s[k] == ' ') ++k;
      const bool h_mark = k < s.size() && (s[k] == 'h' || s[k] == 'H') &&
                          (k + 1 >= s.size() || !IsWordByte(s[k + 1]) || IsDashAt(s, k + 1));
      // "9:30", "9.30" (but not "9:305").
      const bool colon = j + 2 < s.size() && (s[j] == ':' || s[j] == '.') && IsDigit(s[j + 1]) &&
                         IsDigit(s[j + 2]) && (j + 3 >= s.size() || !IsDigit(s[j + 3]));
      if (digits.size() <= 2 && (h_mark || colon)) {
        const int hours = std::stoi(std::string(digits));
        int minutes = 0;
        std::size_t end;
        if (colon) {
          minutes = (s[j + 1] - '0') * 10 + (s[j + 2] - '0');
          end = j + 3;
        } else {
          end = k + 1;
          std::size_t m = end;
          while (m < s.size() && s[m] == ' ') ++m;
          if (m + 1 < s.size() && IsDigit(s[m]) && IsDigit(s[m + 1]) &&
              (m + 2 >= s.size() || !IsDigit(s[m + 2]))) {
            minutes = (s[m] - '0') * 10 + (s[m + 1] - '0');
            end = m + 2;
          }
        }
        push(Kind::kTime, i, end, TwoDigits(hours) + ":" + TwoDigits(minutes));
        i = end;
        continue;
      }
      push(Kind::kNumber, i, j, std::string(digits));
      i = j;
    } else if (IsWordByte(c)) {
      std::size_t j = i;
      while (j < s.size() && IsWordByte(s[j]) && !IsDashAt(s, j)) ++j;
      const std::string folded = Fold(s.substr(i, j - i));
      const auto& words = Dictionary();
      const auto it = words.find(folded);
      if (folded == "midi" || folded == "minuit") {
        const bool end_of_span = !tokens.empty() && tokens.back().kind == Kind::kRange;
        push(Kind::kTime, i, j, folded == "midi" ? "12:00" : (end_of_span ? "24:00" : "00:00"));
      } else if (folded == "tous") {
        push(Kind::kDay, i, j, "Mo-Su");
      } else if (it != words.end()) {
        std::size_t end = j;
        // "lun." and similar abbreviations.
        if (it->second.kind == Kind::kDay && end < s.size() && s[end] == '.') ++end;
        push(it->second.kind, i, end, it->second.out);
        j = end;
      } else {
        push(Kind::kOther, i, j, std::string(s.substr(i, j - i)));
      }
      i = j;
    } else {
      Kind kind = Kind::kOther;
      std::size_t len = 1;
      std::string out(1, c);
      switch (c) {
        case '-':
          kind = Kind::kRange;
          break;
        case ',':
          kind = Kind::kList;
          break;
        case ';':
          kind = Kind::kRuleSeparator;
          break;
        case '|':
          kind = Kind::kFallback;
          len = s.substr(i, 2) == "||" ? 2 : 1;
          out = "||";
          break;
        case '/':
          kind = Kind::kSlash;
          break;
        case '+':
          kind = Kind::kPlus;
          break;
        case ':':
          kind = Kind::kColon;
          break;
        case '[':
          kind = Kind::kOpenBracket;
          break;
        case ']':
          kind = Kind::kCloseBracket;
          break;
        case '\'':
          out.clear();  // "jusqu'au", "l'après-midi"
          break;
        default:
          break;
      }
      push(kind, i, i + len, out);
      i += len;
    }
  }
  return tokens;
}

bool IsSelector(Kind k) { return k == Kind::kDay || k == Kind::kHoliday || k == Kind::kMonth; }
bool EndsRule(Kind k) {
  return k == Kind::kTime || k == Kind::kState || k == Kind::kAlways || k == Kind::kComment;
}

}  // namespace

Normalised Normalise(std::string_view input) {
  Normalised result;
  const auto note = [&result](std::string change) {
    for (const auto& c : result.changes) {
      if (c == change) return;
    }
    result.changes.push_back(std::move(change));
  };
  std::vector<Token> tokens = Tokenise(input);
  // Rewrites that need the neighbours.
  std::vector<Token> kept;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    Token t = tokens[i];
    const Kind prev = kept.empty() ? Kind::kRuleSeparator : kept.back().kind;
    const Kind next = i + 1 < tokens.size() ? tokens[i + 1].kind : Kind::kRuleSeparator;
    if (t.kind == Kind::kOther && t.out.empty()) {
      if (!t.raw.empty() && t.raw != "'") note("« " + t.raw + " » supprimé");
      continue;
    }
    if (t.kind == Kind::kColon && (prev == Kind::kDay || prev == Kind::kHoliday)) {
      note("« : » après les jours supprimé");
      continue;
    }
    if (t.kind == Kind::kSlash && prev == Kind::kTime && next == Kind::kTime) {
      t.kind = Kind::kList;
      t.out = ",";
    }
    if (t.kind == Kind::kRange && t.raw != "-" && !(IsSelector(prev) || prev == Kind::kTime)) {
      continue;  // "à" not between two values
    }
    if ((t.kind == Kind::kRuleSeparator || t.kind == Kind::kList) &&
        (kept.empty() || prev == Kind::kRuleSeparator)) {
      continue;  // leading or doubled separator
    }
    if (IsSelector(t.kind) && t.out != "Mo-Su" && EndsRule(prev) && !kept.empty()) {
      Token separator{Kind::kRuleSeparator, "", ";", false};
      kept.push_back(separator);
      note("« ; » ajouté entre deux règles");
    }
    if (t.kind == Kind::kDay && t.out == "Mo-Su" && prev == Kind::kDay) continue;
    const bool except = t.kind == Kind::kExcept;
    if (t.kind == Kind::kState || except) {
      // "fermé le lundi et les jours fériés", "sauf le mercredi": the days named after the
      // word become a rule of their own, "Mo,PH off".
      std::vector<std::size_t> run;
      for (std::size_t j = i + 1; j < tokens.size(); ++j) {
        const Kind k = tokens[j].kind;
        if (k == Kind::kOther && tokens[j].out.empty()) continue;
        const bool joins = (k == Kind::kList || k == Kind::kRange) && !run.empty();
        if (k != Kind::kDay && k != Kind::kHoliday && !joins) break;
        run.push_back(j);
      }
      while (!run.empty() && tokens[run.back()].kind != Kind::kDay &&
             tokens[run.back()].kind != Kind::kHoliday) {
        run.pop_back();
      }
      if (!run.empty()) {
        if (!kept.empty() && kept.back().kind == Kind::kList) kept.pop_back();
        if (!kept.empty() && kept.back().kind != Kind::kRuleSeparator) {
          kept.push_back({Kind::kRuleSeparator, "", ";", false});
        }
        std::string rule;
        for (std::size_t j : run) {
          kept.push_back({tokens[j].kind, "", tokens[j].out, false});
          rule += tokens[j].out;
        }
        kept.push_back({Kind::kState, "", "off", false});
        note("« " + t.raw + " … " + tokens[run.back()].raw + " » remplacé par « " + rule +
             " off »");
        i = run.back();
        continue;
      }
      if (except) continue;
    }
    if (t.raw != t.out && !t.raw.empty()) note("« " + t.raw + " » remplacé par « " + t.out + " »");
    kept.push_back(std::move(t));
  }
  while (!kept.empty() && (kept.back().kind == Kind::kRuleSeparator ||
                           kept.back().kind == Kind::kList || kept.back().kind == Kind::kRange)) {
    kept.pop_back();
    note("séparateur final supprimé");
  }
  std::string out;
  Kind prev = Kind::kRuleSeparator;
  Kind before_prev = Kind::kRuleSeparator;
  bool first = true;
  for (const Token& t : kept) {
    const Kind k = t.kind;
    bool glue = first || k == Kind::kRange || k == Kind::kList || k == Kind::kSlash ||
                k == Kind::kPlus || k == Kind::kCloseBracket || k == Kind::kOpenBracket ||
                k == Kind::kRuleSeparator || prev == Kind::kRange || prev == Kind::kList ||
                prev == Kind::kSlash || prev == Kind::kOpenBracket;
    if (k == Kind::kColon) glue = true;
    if (k == Kind::kFallback || prev == Kind::kFallback || prev == Kind::kRuleSeparator) {
      glue = first;
    }
    // An additional rule after a list comma: "Mo-Fr 09:00-12:00, Sa 10:00-12:00".
    if (prev == Kind::kList && IsSelector(k) && EndsRule(before_prev)) glue = false;
    if (!glue) out += ' ';
    out += t.out;
    before_prev = prev;
    prev = k;
    first = false;
  }
  if (result.changes.empty() && out != input) note("espaces corrigées");
  result.text = std::move(out);
  return result;
}

namespace {

// "09:00 - 12:00 / 13:30 - 17:00" → "09:00-12:00,13:30-17:00"; empty on malformed input.
bool ConvertCell(std::string_view cell, std::string& out) {
  out.clear();
  std::vector<int> times;
  std::size_t i = 0;
  while (i < cell.size()) {
    const char c = cell[i];
    if (c == ' ' || c == '-' || c == '/' || c == '\t') {
      ++i;
      continue;
    }
    if (!IsDigit(c)) return false;
    std::size_t j = i;
    while (j < cell.size() && IsDigit(cell[j])) ++j;
    if (j - i > 2 || j >= cell.size() || (cell[j] != ':' && cell[j] != 'h')) return false;
    const int hours = std::stoi(std::string(cell.substr(i, j - i)));
    int minutes = 0;
    std::size_t k = j + 1;
    if (k + 1 < cell.size() && IsDigit(cell[k]) && IsDigit(cell[k + 1])) {
      minutes = (cell[k] - '0') * 10 + (cell[k + 1] - '0');
      k += 2;
    }
    if (hours > 24 || minutes > 59) return false;
    times.push_back(hours * 60 + minutes);
    i = k;
  }
  if (times.empty() || times.size() % 2 != 0) return false;
  for (std::size_t t = 0; t < times.size(); t += 2) {
    if (t > 0) out += ',';
    out += TwoDigits(times[t] / 60) + ":" + TwoDigits(times[t] % 60) + "-" +
           TwoDigits(times[t + 1] / 60) + ":" + TwoDigits(times[t + 1] % 60);
  }
  return true;
}

}  // namespace

Result<std::string> FromFranceServices(const std::array<std::string, 7>& days) {
  static constexpr const char* kColumns[7] = {"h_lundi",    "h_mardi",  "h_mercredi", "h_jeudi",
                                              "h_vendredi", "h_samedi", "h_dimanche"};
  static constexpr const char* kCodes[7] = {"Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"};
  std::array<std::string, 7> spans;
  for (int d = 0; d < 7; ++d) {
    std::string_view cell = days[d];
    while (!cell.empty() && cell.front() == ' ') cell.remove_prefix(1);
    while (!cell.empty() && cell.back() == ' ') cell.remove_suffix(1);
    const std::string folded = Fold(cell);
    if (cell.empty() || folded == "ferme" || folded == "fermee") continue;
    if (!ConvertCell(cell, spans[d])) {
      return Fail(InvalidArgument("Horaire illisible : « " + std::string(cell) +
                                      " » (attendu : 09:00 - 12:00 / 13:30 - 17:00).",
                                  kColumns[d]));
    }
  }
  std::string out;
  std::array<bool, 7> done{};
  for (int d = 0; d < 7; ++d) {
    if (spans[d].empty() || done[d]) continue;
    std::string selector;
    for (int e = d; e < 7;) {
      if (spans[e] != spans[d] || done[e]) {
        ++e;
        continue;
      }
      int last = e;
      while (last + 1 < 7 && spans[last + 1] == spans[d] && !done[last + 1]) ++last;
      if (!selector.empty()) selector += ',';
      selector += kCodes[e];
      if (last == e + 1) selector += std::string(",") + kCodes[last];
      if (last > e + 1) selector += std::string("-") + kCodes[last];
      for (int x = e; x <= last; ++x) done[x] = true;
      e = last + 1;
    }
    if (!out.empty()) out += "; ";
    out += selector + " " + spans[d];
  }
  if (out.empty()) return Fail(InvalidArgument("Aucun horaire d'ouverture.", "h_lundi"));
  return out;
}

}  // namespace pasip::openinghours
