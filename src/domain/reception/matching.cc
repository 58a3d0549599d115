// Duplicate detection and person search: name folding, a French phonetic code, keys for
// the store, and the scores that decide.
#include "domain/reception/matching.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "core/french.h"
#include "core/text.h"

namespace pasip::reception {
namespace {

bool IsAsciiAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsVowel(char c) {
  return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
}
bool IsFrontVowel(char c) { return c == 'e' || c == 'i' || c == 'y'; }

// Tokens shorter than this are initials ("J.") or particles too common to tell people
// apart; they give no key and do not count in scores.
constexpr std::size_t kMinToken = 2;
// Tokens longer than this are only compared for equality and sound.
constexpr std::size_t kMaxComparedToken = 64;

// The tokens of one name field, and the compounds of adjacent tokens ("jean" "pierre" →
// "jeanpierre"), so that "Jean-Pierre", "Jean Pierre" and "Jeanpierre" meet.
struct FieldTokens {
  std::vector<std::string> tokens;
};

std::vector<FieldTokens> NameFields(const Person& p) {
  std::vector<FieldTokens> out;
  for (const std::string* field : {&p.nom_affiche, &p.nom_naissance, &p.nom_usage, &p.prenoms}) {
    FieldTokens f;
    for (std::string& t : NameTokens(*field)) {
      if (t.size() >= kMinToken) f.tokens.push_back(std::move(t));
    }
    if (!f.tokens.empty()) out.push_back(std::move(f));
  }
  return out;
}

std::vector<FieldTokens> TextFields(std::string_view text) {
  FieldTokens f;
  for (std::string& t : NameTokens(text)) {
    if (t.size() >= kMinToken) f.tokens.push_back(std::move(t));
  }
  if (f.tokens.empty()) return {};
  return {std::move(f)};
}

std::set<std::string> TokenSet(const std::vector<FieldTokens>& fields) {
  std::set<std::string> out;
  for (const FieldTokens& f : fields) out.insert(f.tokens.begin(), f.tokens.end());
  return out;
}

// Replaces, in `fields`, each pair of adjacent tokens whose compound is a token of
// `other` by that compound: "ben" "ali" becomes "benali" when the other side has "benali".
std::set<std::string> TokensJoinedTowards(const std::vector<FieldTokens>& fields,
                                          const std::set<std::string>& other) {
  std::set<std::string> out;
  for (const FieldTokens& f : fields) {
    for (std::size_t i = 0; i < f.tokens.size(); ++i) {
      if (i + 1 < f.tokens.size()) {
        const std::string compound = f.tokens[i] + f.tokens[i + 1];
        if (other.contains(compound) && !other.contains(f.tokens[i])) {
          out.insert(compound);
          ++i;
          continue;
        }
      }
      out.insert(f.tokens[i]);
    }
  }
  return out;
}

// How alike two tokens are: 100 equal, 90 same sound, 80 within one edit (two for long
// tokens), 0 otherwise. Short tokens must be equal or sound alike: one edit in three
// letters is another name.
int TokenSimilarity(const std::string& a, const std::string& b) {
  if (a == b) return 100;
  const std::string pa = Phonetic(a);
  if (!pa.empty() && pa == Phonetic(b)) return 90;
  const std::size_t shorter = std::min(a.size(), b.size());
  if (shorter < 4) return 0;
  const int allowed = shorter >= 7 ? 2 : 1;
  if (std::max(a.size(), b.size()) - shorter > static_cast<std::size_t>(allowed)) return 0;
  // No name is that long: a pasted text must not cost a quadratic comparison.
  if (shorter > kMaxComparedToken) return 0;
  return EditDistance(a, b) <= allowed ? 80 : 0;
}

struct NameMatch {
  double score = 0;  // 0 to 1
  int exact = 0;     // pairs equal
  int close = 0;     // pairs alike but not equal
  int matched = 0;   // pairs matched
};

// Token sets compared whatever their order: the best pairs first, each token used once.
NameMatch MatchNames(const std::set<std::string>& a, const std::set<std::string>& b) {
  NameMatch m;
  if (a.empty() || b.empty()) return m;
  struct Pair {
    int similarity;
    const std::string* x;
    const std::string* y;
  };
  std::vector<Pair> pairs;
  for (const std::string& x : a) {
    for (const std::string& y : b) {
      const int s = TokenSimilarity(x, y);
      if (s > 0) pairs.push_back({s, &x, &y});
    }
  }
  std::stable_sort(pairs.begin(), pairs.end(),
                   [](const Pair& p, const Pair& q) { return p.similarity > q.similarity; });
  std::set<const std::string*> used_a, used_b;
  double total = 0;
  for (const Pair& p : pairs) {
    if (used_a.contains(p.x) || used_b.contains(p.y)) continue;
    used_a.insert(p.x);
    used_b.insert(p.y);
    total += p.similarity / 100.0;
    ++m.matched;
    if (p.similarity == 100) {
      ++m.exact;
    } else {
      ++m.close;
    }
  }
  // Average of the shares matched on each side: "Dupont" against "Marie Dupont" is half
  // way between a full match (for the shorter) and one name in two (for the longer).
  m.score = (total / static_cast<double>(a.size()) + total / static_cast<double>(b.size())) / 2;
  return m;
}

std::set<std::string> FieldSet(const std::string& field) {
  std::set<std::string> out;
  for (std::string& t : NameTokens(field)) {
    if (t.size() >= kMinToken) out.insert(std::move(t));
  }
  return out;
}

// First and last names swapped between the two files: a's first names are b's surnames
// and the other way round.
bool Swapped(const Person& a, const Person& b) {
  const auto names = [](const Person& p) {
    std::set<std::string> out = FieldSet(p.nom_naissance);
    out.merge(FieldSet(p.nom_usage));
    return out;
  };
  const std::set<std::string> a_first = FieldSet(a.prenoms), b_first = FieldSet(b.prenoms);
  const std::set<std::string> a_last = names(a), b_last = names(b);
  if (a_first.empty() || b_first.empty() || a_last.empty() || b_last.empty()) return false;
  const auto intersects = [](const std::set<std::string>& x, const std::set<std::string>& y) {
    return std::any_of(x.begin(), x.end(), [&](const std::string& t) { return y.contains(t); });
  };
  return intersects(a_first, b_last) && intersects(a_last, b_first) &&
         !intersects(a_first, b_first);
}

enum class DateMatch { kUnknown, kSame, kDifferent };
DateMatch CompareDates(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) return DateMatch::kUnknown;
  return a == b ? DateMatch::kSame : DateMatch::kDifferent;
}

void AddNameKeys(const std::vector<FieldTokens>& fields, std::vector<std::string>& keys) {
  for (const FieldTokens& f : fields) {
    for (std::size_t i = 0; i < f.tokens.size(); ++i) {
      keys.push_back("nom:" + f.tokens[i]);
      const std::string code = Phonetic(f.tokens[i]);
      if (!code.empty()) keys.push_back("son:" + code);
      if (i + 1 < f.tokens.size()) {
        const std::string compound = f.tokens[i] + f.tokens[i + 1];
        keys.push_back("nom:" + compound);
        const std::string compound_code = Phonetic(compound);
        if (!compound_code.empty()) keys.push_back("son:" + compound_code);
      }
    }
  }
}

void SortUnique(std::vector<std::string>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

// Drops the letters French does not pronounce at the end of a name: final e's, then final
// d, t, s, x, z ("Dupont", "Dupond" → "dupon"; "Lefèvre" → "lefevr"). Keeps two letters.
std::string DropSilentEnding(std::string s) {
  while (s.size() > 2 && s.back() == 'e') s.pop_back();
  while (s.size() > 2 && (s.back() == 'd' || s.back() == 't' || s.back() == 's' ||
                          s.back() == 'x' || s.back() == 'z')) {
    s.pop_back();
  }
  return s;
}

}  // namespace

std::vector<std::string> NameTokens(std::string_view text) {
  std::vector<std::string> out;
  std::string current;
  for (const char c : text::FoldAccents(text)) {
    const auto u = static_cast<unsigned char>(c);
    if (c >= 'A' && c <= 'Z') {
      current += static_cast<char>(c - 'A' + 'a');
    } else if (IsAsciiAlnum(c) || u >= 0x80) {
      // Letters outside Latin (Arabic, Cyrillic…) stay in the token as they are.
      current += c;
    } else if (c == '\'' || c == '`') {
      continue;  // "N'Diaye" → "ndiaye"
    } else if (!current.empty()) {
      out.push_back(std::move(current));
      current.clear();
    }
  }
  if (!current.empty()) out.push_back(std::move(current));
  return out;
}

std::string Phonetic(std::string_view token) {
  std::string s;
  for (const char c : token) {
    if (c >= 'a' && c <= 'z') s += c;
  }
  if (s.empty()) return {};
  s = DropSilentEnding(std::move(s));

  std::string out;
  const std::size_t n = s.size();
  const auto at = [&](std::size_t i) { return i < n ? s[i] : '\0'; };
  for (std::size_t i = 0; i < n;) {
    const char c = s[i];
    const char next = at(i + 1);
    const char next2 = at(i + 2);
    // Vowel groups.
    if (c == 'e' && next == 'a' && next2 == 'u') {  // eau
      out += 'o';
      i += 3;
    } else if (c == 'a' && next == 'u') {  // au
      out += 'o';
      i += 2;
    } else if ((c == 'a' || c == 'e') && next == 'i' && (next2 == 'n' || next2 == 'm') &&
               !IsVowel(at(i + 3))) {  // ain, ein: nasal "in"
      out += "in";
      i += 3;
    } else if ((c == 'a' || c == 'e') && next == 'i') {  // ai, ei
      out += 'e';
      i += 2;
    } else if (c == 'o' && next == 'u') {  // ou
      out += 'u';
      i += 2;
    } else if (c == 'e' && (next == 'n' || next == 'm') && !IsVowel(next2) && i > 0) {
      // "en", "em" before a consonant or at the end sound "an" (Laurent, Laurant).
      out += 'a';
      i += 1;
    } else if (c == 'y') {
      out += 'i';
      i += 1;
      // Consonants.
    } else if (c == 'p' && next == 'h') {
      out += 'f';
      i += 2;
    } else if (c == 's' && next == 'c' && next2 == 'h') {
      out += 'x';
      i += 3;
    } else if ((c == 'c' || c == 's') && next == 'h') {
      out += 'x';  // the "ch" sound
      i += 2;
    } else if (c == 'g' && next == 'u' && IsFrontVowel(next2)) {
      out += 'g';
      i += 2;
    } else if (c == 'q' && next == 'u') {
      out += 'k';
      i += 2;
    } else if (c == 'c' && next == 'k') {
      i += 1;  // "ck" → the k that follows
    } else if (c == 'c') {
      out += IsFrontVowel(next) ? 's' : 'k';
      i += 1;
    } else if (c == 'g') {
      out += IsFrontVowel(next) ? 'j' : 'g';
      i += 1;
    } else if (c == 'b' && next == 'v') {
      i += 1;  // "Lefebvre": the b is not pronounced
    } else if (c == 'h') {
      i += 1;  // silent
    } else if (c == 'q') {
      out += 'k';
      i += 1;
    } else if (c == 'w') {
      out += 'v';
      i += 1;
    } else if (c == 'z') {
      out += 's';
      i += 1;
    } else if (c == 'x') {
      out += "ks";
      i += 1;
    } else {
      out += c;
      i += 1;
    }
  }
  // Doubled letters sound single ("Mohammed", "Philippe").
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string PhoneKey(std::string_view phone) {
  std::string digits;
  for (const char c : phone) {
    if (c >= '0' && c <= '9') digits += c;
  }
  if (digits.size() < 9) return {};
  return digits.substr(digits.size() - 9);
}

int EditDistance(std::string_view a, std::string_view b) {
  // Optimal string alignment (Levenshtein plus adjacent transpositions), keeping three rows
  // of the table: the row before last is what a transposition looks back to.
  const std::size_t m = b.size();
  std::vector<int> before(m + 1, 0), previous(m + 1), current(m + 1);
  for (std::size_t j = 0; j <= m; ++j) previous[j] = static_cast<int>(j);
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = static_cast<int>(i);
    for (std::size_t j = 1; j <= m; ++j) {
      const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        current[j] = std::min(current[j], before[j - 2] + 1);
      }
    }
    std::swap(before, previous);
    std::swap(previous, current);
  }
  return previous[m];
}

std::vector<std::string> KeysOf(const Person& person) {
  std::vector<std::string> keys;
  AddNameKeys(NameFields(person), keys);
  if (!person.date_naissance.empty()) keys.push_back("naissance:" + person.date_naissance);
  const std::string phone = PhoneKey(person.telephone);
  if (!phone.empty()) keys.push_back("tel:" + phone);
  const std::string mail = text::NormaliseEmail(person.courriel);
  if (!mail.empty()) keys.push_back("mail:" + mail);
  SortUnique(keys);
  return keys;
}

Similarity Score(const Person& a, const Person& b) {
  Similarity out;
  const DateMatch date = CompareDates(a.date_naissance, b.date_naissance);

  const std::vector<FieldTokens> fields_a = NameFields(a), fields_b = NameFields(b);
  const std::set<std::string> set_a = TokenSet(fields_a), set_b = TokenSet(fields_b);
  const NameMatch names =
      MatchNames(TokensJoinedTowards(fields_a, set_b), TokensJoinedTowards(fields_b, set_a));

  // Names give up to 70 points, the same birth date 30; a different one takes 40 away, so
  // that namesakes born on other days stay below the threshold.
  double points = 70.0 * names.score;
  if (date == DateMatch::kSame) points += 30;
  if (date == DateMatch::kDifferent) points -= 40;

  const std::string mail_a = text::NormaliseEmail(a.courriel);
  const bool same_mail = !mail_a.empty() && mail_a == text::NormaliseEmail(b.courriel);
  const std::string phone_a = PhoneKey(a.telephone);
  const bool same_phone = !phone_a.empty() && phone_a == PhoneKey(b.telephone);
  if (same_mail || same_phone) {
    // A household shares a phone or an address: with another birth date it is a relative,
    // which only weighs a little towards the same person.
    points = date == DateMatch::kDifferent ? points + 15 : 100;
  }

  if (same_mail) out.raisons.push_back("même courriel");
  if (same_phone) out.raisons.push_back("même téléphone");
  if (date == DateMatch::kSame) out.raisons.push_back("même date de naissance");
  if (names.matched > 0) {
    if (Swapped(a, b)) {
      out.raisons.push_back("prénom et nom inversés");
    } else if (names.close == 0 && set_a == set_b) {
      out.raisons.push_back("mêmes noms");
    } else if (names.close == 0) {
      out.raisons.push_back("noms en commun");
    } else {
      out.raisons.push_back("noms proches");
    }
  }
  if (date == DateMatch::kDifferent) out.raisons.push_back("dates de naissance différentes");

  out.score = static_cast<int>(std::lround(std::clamp(points, 0.0, 100.0)));
  return out;
}

SearchKeys KeysForSearch(std::string_view text, std::string_view date_naissance) {
  SearchKeys out;
  const std::vector<FieldTokens> fields = TextFields(text);
  AddNameKeys(fields, out.keys);
  for (const FieldTokens& f : fields) {
    for (const std::string& t : f.tokens) out.prefixes.push_back("nom:" + t);
  }
  if (!date_naissance.empty()) out.keys.push_back("naissance:" + std::string(date_naissance));
  SortUnique(out.keys);
  SortUnique(out.prefixes);
  return out;
}

int Relevance(const Person& person, std::string_view text, std::string_view date_naissance) {
  const std::vector<FieldTokens> query = TextFields(text);
  if (query.empty() && date_naissance.empty()) return 0;

  double name = 100;
  if (!query.empty()) {
    const std::vector<FieldTokens> fields = NameFields(person);
    const std::set<std::string> person_tokens = TokenSet(fields);
    // The query's adjacent words may be one of the person's names ("ben ali" / "Benali"),
    // and the person's compounds may be what was typed ("jeanpierre" / "Jean-Pierre").
    const std::set<std::string> query_tokens = TokensJoinedTowards(query, person_tokens);
    const std::set<std::string> candidates = TokensJoinedTowards(fields, TokenSet(query));
    double total = 0;
    for (const std::string& q : query_tokens) {
      int best = 0;
      for (const std::string& t : candidates) {
        int s = TokenSimilarity(q, t);
        // Typing: the beginning of a name.
        if (s < 85 && t.starts_with(q)) s = 85;
        best = std::max(best, s);
      }
      // Every word typed must be found: a search narrows.
      if (best == 0) return 0;
      total += best;
    }
    name = total / static_cast<double>(query_tokens.size());
  }

  if (date_naissance.empty()) return std::max(1, static_cast<int>(std::lround(name)));
  if (person.date_naissance.empty()) return std::max(1, static_cast<int>(std::lround(name * 0.8)));
  if (person.date_naissance != date_naissance) return 0;
  return std::max(1, static_cast<int>(std::lround(name * 0.8 + 20)));
}

}  // namespace pasip::reception
