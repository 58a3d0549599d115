#include "core/french.h"

#include <libstemmer.h>

#include <algorithm>
#include <array>
#include <new>
#include <stdexcept>
#include <string>
#include <unordered_set>
#include <utility>

namespace pasip::text {
namespace {

// ---------------------------------------------------------------------------------------------
// UTF-8

// Decodes UTF-8, dropping every byte that does not start a valid sequence (overlong forms,
// surrogates and code points beyond U+10FFFF included).
std::u32string DecodeUtf8(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char c = byte(i);
    if (c < 0x80) {
      out.push_back(c);
      ++i;
      continue;
    }
    // Sequence length, payload bits of the lead byte, smallest code point of that length.
    std::size_t len = 0;
    char32_t cp = 0;
    char32_t min = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1F;
      min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
      min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07;
      min = 0x10000;
    }
    bool valid = len > 0 && i + len <= s.size();
    for (std::size_t k = 1; valid && k < len; ++k) {
      if ((byte(i + k) & 0xC0) != 0x80) valid = false;
      cp = (cp << 6) | (byte(i + k) & 0x3F);
    }
    if (valid && cp >= min && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF)) {
      out.push_back(cp);
      i += len;
    } else {
      ++i;  // drop the lead byte; what follows is examined again
    }
  }
  return out;
}

void AppendUtf8(char32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// ---------------------------------------------------------------------------------------------
// Character classes, as PostgreSQL's parser sees them under glibc's C.UTF-8 / fr_FR.UTF-8:
// only ASCII digits are digits, and a letter is what iswalpha() accepts.

bool IsAsciiLetter(char32_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char32_t c) { return c >= '0' && c <= '9'; }
bool IsAsciiAlnum(char32_t c) { return IsAsciiLetter(c) || IsDigit(c); }

struct Range {
  char32_t first, last;
};

// Code points from U+0080 that are not letters: controls, punctuation, symbols, spaces, marks,
// private use. Sorted; everything else from U+0080 counts as a letter (other scripts' letters).
constexpr Range kNotLetters[] = {
    {0x0080, 0x00A9},   {0x00AB, 0x00B4},   {0x00B6, 0x00B9},    {0x00BB, 0x00BF},
    {0x00D7, 0x00D7},   {0x00F7, 0x00F7},   {0x02C2, 0x02C5},    {0x02D2, 0x02DF},
    {0x02E5, 0x02EB},   {0x02ED, 0x02ED},   {0x02EF, 0x0344},    {0x0346, 0x036F},
    {0x0375, 0x0375},   {0x037E, 0x037E},   {0x0384, 0x0385},    {0x0387, 0x0387},
    {0x03F6, 0x03F6},   {0x0482, 0x0489},   {0x055A, 0x055F},    {0x0589, 0x058F},
    {0x2000, 0x2070},   {0x2072, 0x207E},   {0x2080, 0x208F},    {0x209D, 0x2101},
    {0x2103, 0x2106},   {0x2108, 0x2109},   {0x2114, 0x2114},    {0x2116, 0x2118},
    {0x211E, 0x2123},   {0x2125, 0x2125},   {0x2127, 0x2127},    {0x2129, 0x2129},
    {0x212E, 0x212E},   {0x213A, 0x213B},   {0x2140, 0x2144},    {0x214A, 0x214D},
    {0x214F, 0x215F},   {0x2189, 0x24B5},   {0x24EA, 0x2BFF},    {0x2CE5, 0x2CEA},
    {0x2CF9, 0x2CFF},   {0x2E00, 0x2E2E},   {0x2E30, 0x2E7F},    {0x3000, 0x3004},
    {0x3008, 0x3020},   {0x3030, 0x3030},   {0x3036, 0x3037},    {0x303D, 0x303F},
    {0xD800, 0xF8FF},   {0xFD3E, 0xFD3F},   {0xFE00, 0xFE6F},    {0xFEFF, 0xFEFF},
    {0xFF00, 0xFF0F},   {0xFF1A, 0xFF20},   {0xFF3B, 0xFF40},    {0xFF5B, 0xFF65},
    {0xFFE0, 0xFFFF},   {0x1F000, 0x1F12F}, {0x1F14A, 0x1F14F},  {0x1F16A, 0x1F16F},
    {0x1F18A, 0x1FBFF}, {0xE0000, 0xE0FFF}, {0xF0000, 0x10FFFF},
};

// Combining marks, which PostgreSQL keeps inside a word (zero display width) although they are
// not letters: accents of decomposed text ("e" + U+0301), variation selectors.
constexpr Range kMarks[] = {
    {0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD}, {0x1AB0, 0x1AFF},
    {0x1DC0, 0x1DFF}, {0x20D0, 0x20F0}, {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F},
};

template <std::size_t N>
bool InRanges(const Range (&ranges)[N], char32_t c) {
  const auto it = std::upper_bound(std::begin(ranges), std::end(ranges), c,
                                   [](char32_t v, const Range& r) { return v < r.first; });
  return it != std::begin(ranges) && c <= std::prev(it)->last;
}

bool IsLetter(char32_t c) {
  if (c < 0x80) return IsAsciiLetter(c);
  return !InRanges(kNotLetters, c);
}
bool IsMark(char32_t c) { return c >= 0x300 && InRanges(kMarks, c); }
bool IsAlnum(char32_t c) { return IsLetter(c) || IsDigit(c); }
bool IsSpace(char32_t c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// ---------------------------------------------------------------------------------------------
// Lower case and accent folding

char32_t ToLower(char32_t c) {
  if (c < 0x80) return (c >= 'A' && c <= 'Z') ? c + 0x20 : c;
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 0x20;
  if (c >= 0x100 && c <= 0x17F) {
    if (c == 0x130) return U'i';
    if (c == 0x178) return 0xFF;
    if ((c <= 0x137) || (c >= 0x14A && c <= 0x177)) return c | 1;  // pairs: upper case even
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return (c & 1) ? c + 1 : c;
    return c;
  }
  if (c >= 0x386 && c <= 0x3AB) {  // Greek
    if (c >= 0x391 && c != 0x3A2) return c + 0x20;
    if (c == 0x386) return 0x3AC;
    if (c >= 0x388 && c <= 0x38A) return c + 0x25;
    if (c == 0x38C) return 0x3CC;
    if (c == 0x38E || c == 0x38F) return c + 0x3F;
    return c;
  }
  if (c >= 0x400 && c <= 0x42F) return c < 0x410 ? c + 0x50 : c + 0x20;  // Cyrillic
  if (c == 0x1E9E) return 0xDF;                                          // capital sharp s
  return c;
}

// unaccent's rules for U+00C0..U+017F, lower-cased; empty for the two signs × and ÷.
constexpr std::array<std::string_view, 0xC0> kLatinFold = {
    "a", "a", "a",  "a",  "a", "a",  "ae", "c",  "e", "e", "e", "e",  // U+00C0
    "i", "i", "i",  "i",  "d", "n",  "o",  "o",  "o", "o", "o", "",   // U+00CC
    "o", "u", "u",  "u",  "u", "y",  "th", "ss", "a", "a", "a", "a",  // U+00D8
    "a", "a", "ae", "c",  "e", "e",  "e",  "e",  "i", "i", "i", "i",  // U+00E4
    "d", "n", "o",  "o",  "o", "o",  "o",  "",   "o", "u", "u", "u",  // U+00F0
    "u", "y", "th", "y",  "a", "a",  "a",  "a",  "a", "a", "c", "c",  // U+00FC
    "c", "c", "c",  "c",  "c", "c",  "d",  "d",  "d", "d", "e", "e",  // U+0108
    "e", "e", "e",  "e",  "e", "e",  "e",  "e",  "g", "g", "g", "g",  // U+0114
    "g", "g", "g",  "g",  "h", "h",  "h",  "h",  "i", "i", "i", "i",  // U+0120
    "i", "i", "i",  "i",  "i", "i",  "ij", "ij", "j", "j", "k", "k",  // U+012C
    "q", "l", "l",  "l",  "l", "l",  "l",  "l",  "l", "l", "l", "n",  // U+0138
    "n", "n", "n",  "n",  "n", "'n", "n",  "n",  "o", "o", "o", "o",  // U+0144
    "o", "o", "oe", "oe", "r", "r",  "r",  "r",  "r", "r", "s", "s",  // U+0150
    "s", "s", "s",  "s",  "s", "s",  "t",  "t",  "t", "t", "t", "t",  // U+015C
    "u", "u", "u",  "u",  "u", "u",  "u",  "u",  "u", "u", "u", "u",  // U+0168
    "w", "w", "y",  "y",  "y", "z",  "z",  "z",  "z", "z", "z", "s",  // U+0174
};

// unaccent's rules beyond Latin-1 and Latin Extended-A that French text meets, lower case:
// Romanian s and t with a comma, Greek tonos and dialytika, Cyrillic yo, the ligatures of PDF
// copies. Sorted by code point.
constexpr std::pair<char32_t, std::string_view> kOtherFolds[] = {
    {0x0218, "s"},   {0x0219, "s"},  {0x021A, "t"},  {0x021B, "t"},  {0x0390, "ι"},
    {0x03AC, "α"},   {0x03AD, "ε"},  {0x03AE, "η"},  {0x03AF, "ι"},  {0x03B0, "υ"},
    {0x03CA, "ι"},   {0x03CB, "υ"},  {0x03CC, "ο"},  {0x03CD, "υ"},  {0x03CE, "ω"},
    {0x0451, "е"},   {0xFB00, "ff"}, {0xFB01, "fi"}, {0xFB02, "fl"}, {0xFB03, "ffi"},
    {0xFB04, "ffl"}, {0xFB05, "st"}, {0xFB06, "st"},
};

// Appends the folded form of a letter (lower case, then unaccent), as PostgreSQL produces it
// for a word token.
void AppendFoldedLetter(char32_t c, std::string& out) {
  c = ToLower(c);
  if (c >= 0xC0 && c <= 0x17F && !kLatinFold[c - 0xC0].empty()) {
    out += kLatinFold[c - 0xC0];
    return;
  }
  // Combining accents and enclosing marks are dropped.
  if ((c >= 0x300 && c <= 0x362) || (c >= 0x20DD && c <= 0x20E4 && c != 0x20E1)) return;
  const auto* fold =
      std::lower_bound(std::begin(kOtherFolds), std::end(kOtherFolds), c,
                       [](const auto& entry, char32_t v) { return entry.first < v; });
  if (fold != std::end(kOtherFolds) && fold->first == c) {
    out += fold->second;
    return;
  }
  AppendUtf8(c, out);
}

std::string FoldWord(std::u32string_view word) {
  std::string out;
  out.reserve(word.size() + 4);
  for (const char32_t c : word) AppendFoldedLetter(c, out);
  return out;
}

std::string LowerWord(std::u32string_view word) {
  std::string out;
  out.reserve(word.size() + 4);
  for (const char32_t c : word) AppendUtf8(ToLower(c), out);
  return out;
}

std::size_t Utf8Size(std::u32string_view s) {
  std::size_t n = 0;
  for (const char32_t c : s) n += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
  return n;
}

// ---------------------------------------------------------------------------------------------
// Stemming

// One Snowball stemmer per thread: sb_stemmer keeps its work area in the object.
class Stemmer {
 public:
  Stemmer() : stemmer_(sb_stemmer_new("french", "UTF_8")) {
    if (stemmer_ == nullptr) throw std::runtime_error("libstemmer: no French stemmer for UTF-8");
  }
  ~Stemmer() { sb_stemmer_delete(stemmer_); }
  Stemmer(const Stemmer&) = delete;
  Stemmer& operator=(const Stemmer&) = delete;

  std::string Stem(std::string_view word) {
    const sb_symbol* stem = sb_stemmer_stem(
        stemmer_, reinterpret_cast<const sb_symbol*>(word.data()), static_cast<int>(word.size()));
    if (stem == nullptr) throw std::bad_alloc();
    return std::string(reinterpret_cast<const char*>(stem),
                       static_cast<std::size_t>(sb_stemmer_length(stemmer_)));
  }

 private:
  sb_stemmer* stemmer_;
};

Stemmer& ThreadStemmer() {
  thread_local Stemmer stemmer;
  return stemmer;
}

// ---------------------------------------------------------------------------------------------
// Tokeniser, after PostgreSQL's default parser ("pg_catalog.default")
//
// The parser reads words, numbers, words with digits, hyphenated compounds, e-mail addresses,
// host names, URLs, paths, XML tags and entities. Only words go through unaccent and the
// stemmer; the `simple` dictionary lower-cases the other kinds; tags, entities and protocols
// ("https://") are not indexed. The rules below reproduce its behaviour on ordinary text,
// including its quirks ("16-25" is "16" and "-25"; "Familles/enfants" is one path).

enum class TokenKind {
  kWord,   // unaccent, then the French stemmer
  kOther,  // lower case only
};

struct Token {
  std::size_t begin, end;  // code point indexes
  TokenKind kind;
};

class Tokenizer {
 public:
  explicit Tokenizer(std::u32string_view s) : s_(s) {}

  std::vector<Token> Run() {
    std::size_t i = 0;
    // After a token (or at the start) every character may begin one; inside a run of
    // separators, '.' and '~' are separators like the others.
    bool after_token = true;
    while (i < s_.size()) {
      const char32_t c = s_[i];
      if (!after_token && !IsAlnum(c) && c != '<' && c != '-' && c != '+' && c != '&' && c != '/') {
        ++i;
        continue;
      }
      const std::size_t next = TokenAt(i);
      if (next > i) {
        i = next;
        after_token = true;
      } else {
        ++i;
        after_token = false;
      }
    }
    return std::move(tokens_);
  }

 private:
  char32_t At(std::size_t i) const { return i < s_.size() ? s_[i] : 0; }

  void Emit(std::size_t begin, std::size_t end, TokenKind kind) {
    tokens_.push_back({begin, end, kind});
  }

  // Reads what begins at i; returns where it ends, or i when c is a separator here.
  std::size_t TokenAt(std::size_t i) {
    const char32_t c = s_[i];
    switch (c) {
      case '<':
        return SkipTag(i);
      case '&':
        return SkipEntity(i);
      case '-':
      case '+':
        return SignedNumber(i);
      case '/':
        return PathFrom(i, i);
      case '.':
        if (At(i + 1) == '/') return PathFrom(i, i + 1);
        if (At(i + 1) == '.') {
          if (At(i + 2) == '/') {
            if (const std::size_t end = PathFrom(i, i + 2); end > i) return end;
          }
          // ".." alone is a path too ("par mail.. Annexe").
          if (i + 2 == s_.size() || IsSpace(At(i + 2)) || At(i + 2) == '/') {
            Emit(i, i + 2, TokenKind::kOther);
            return i + 2;
          }
        }
        return i;
      case '~':
        if (At(i + 1) == '/') return PathFrom(i, i + 1);
        if (IsPathStart(At(i + 1))) {  // "~user/doc"
          std::size_t end = i + 1;
          while (IsPathStart(At(end)) || At(end) == '-') ++end;
          end = std::max(end, PathTail(end));
          Emit(i, end, TokenKind::kOther);
          return end;
        }
        return i;
      default:
        break;
    }
    if (IsAsciiAlnum(c)) {
      if (const std::size_t end = Protocol(i)) return end;
      if (const std::size_t end = Email(i)) {
        Emit(i, end, TokenKind::kOther);
        return end;
      }
      if (const std::size_t end = HostOrUrl(i)) return end;
    }
    if (IsDigit(c)) return Number(i);
    if (IsLetter(c)) return Word(i);
    return i;
  }

  // "http://", "ftp://": letters then "://", not indexed.
  std::size_t Protocol(std::size_t i) const {
    std::size_t p = i;
    while (IsAsciiLetter(At(p))) ++p;
    if (p > i && At(p) == ':' && At(p + 1) == '/' && At(p + 2) == '/') return p + 3;
    return 0;
  }

  // A host-name label: ASCII letters and digits, with single inner '-' or '_'.
  std::size_t Label(std::size_t p) const {
    while (true) {
      while (IsAsciiAlnum(At(p))) ++p;
      if ((At(p) == '-' || At(p) == '_') && IsAsciiAlnum(At(p + 1))) {
        ++p;
        continue;
      }
      return p;
    }
  }

  // The longest host name from i ("www.caf.fr", "france-services.gouv.fr"): labels joined by
  // dots, ending with at least two letters after a dot, not followed by a digit. 0 if none.
  std::size_t Host(std::size_t i) const {
    std::size_t best = 0;
    std::size_t p = i;
    bool after_dot = false;
    while (IsAsciiAlnum(At(p))) {
      const std::size_t label = p;
      const std::size_t end = Label(p);
      if (after_dot) {
        std::size_t letters = label;
        while (IsAsciiLetter(At(letters)) && letters < end) ++letters;
        if (letters - label >= 2 && !IsDigit(At(letters))) best = letters;
      }
      p = end;
      if (At(p) != '.' || !IsAsciiAlnum(At(p + 1))) break;
      ++p;
      after_dot = true;
    }
    return best;
  }

  // "prenom.nom@caf.fr": labels joined by '.', '-' or '_', then '@' and a host. 0 if none.
  std::size_t Email(std::size_t i) const {
    std::size_t p = i;
    while (true) {
      while (IsAsciiAlnum(At(p))) ++p;
      if ((At(p) == '.' || At(p) == '-' || At(p) == '_') && IsAsciiAlnum(At(p + 1))) {
        ++p;
        continue;
      }
      break;
    }
    if (At(p) != '@') return 0;
    return Host(p + 1);
  }

  // A host, with its port, and if a path follows, the URL: PostgreSQL indexes the URL, the
  // host and the path. 0 if no host begins at i.
  std::size_t HostOrUrl(std::size_t i) {
    std::size_t host_end = Host(i);
    if (host_end == 0) return 0;
    if (At(host_end) == ':' && IsDigit(At(host_end + 1))) {
      host_end += 2;
      while (IsDigit(At(host_end))) ++host_end;
    }
    const auto is_path_char = [](char32_t c) {
      return c > 0x20 && c < 0x7F && c != '"' && c != '<' && c != '>';
    };
    if (At(host_end) == '/' && is_path_char(At(host_end + 1))) {
      std::size_t end = host_end + 1;
      while (is_path_char(At(end))) ++end;
      Emit(i, end, TokenKind::kOther);
      Emit(i, host_end, TokenKind::kOther);
      Emit(host_end, end, TokenKind::kOther);
      return end;
    }
    Emit(i, host_end, TokenKind::kOther);
    return host_end;
  }

  static bool IsPathStart(char32_t c) { return IsAsciiAlnum(c) || c == '_'; }

  // Extends a path over "/segment" and ".segment" parts from p (a '/' or '.'); segments are
  // ASCII letters, digits, '_' and '-', and may start with '.' or '~' after a '/'. Returns p
  // when nothing follows.
  std::size_t PathTail(std::size_t p) const {
    std::size_t end = p;
    while (true) {
      std::size_t q = p + 1;
      std::size_t parent_end = 0;  // a path may end with "/.."
      if (At(p) == '/') {
        while (At(q) == '.') {
          if (At(q + 1) == '/') {  // "/./"
            q += 2;
          } else if (At(q + 1) == '.' &&
                     (At(q + 2) == '/' || IsSpace(At(q + 2)) || q + 2 == s_.size())) {
            parent_end = q + 2;  // "/../"
            if (At(q + 2) != '/') break;
            q += 3;
          } else {
            break;
          }
        }
        if (At(q) == '~' && At(q + 1) == '/') q += 2;                       // "/~/"
        if ((At(q) == '.' || At(q) == '~') && IsPathStart(At(q + 1))) ++q;  // "/.x", "/~user"
      } else if (At(p) != '.') {
        return end;
      }
      if (!IsPathStart(At(q))) return parent_end != 0 ? parent_end : end;
      p = q;
      while (IsPathStart(At(p)) || At(p) == '-') ++p;
      end = p;
    }
  }

  // A path that starts with "/", "./", "../" or "~/" ("/rennes", "~/doc"); slash is the
  // position of that first '/'. Returns begin when no segment follows.
  std::size_t PathFrom(std::size_t begin, std::size_t slash) {
    const std::size_t end = PathTail(slash);
    if (end <= slash) return begin;
    Emit(begin, end, TokenKind::kOther);
    return end;
  }

  // Digits, then a decimal, version or exponent part ("3.5", "1.2.3", "1e5").
  std::size_t NumberTail(std::size_t p) const {
    while (IsDigit(At(p))) ++p;
    int dots = 0;
    while (At(p) == '.' && IsDigit(At(p + 1))) {
      p += 1;
      ++dots;
      while (IsDigit(At(p))) ++p;
    }
    return dots <= 1 ? ExponentTail(p) : p;  // a version ("1.2.3") has no exponent
  }
  std::size_t ExponentTail(std::size_t p) const {
    if (At(p) != 'e' && At(p) != 'E') return p;
    std::size_t q = p + 1;
    if (At(q) == '+' || At(q) == '-') ++q;
    if (!IsDigit(At(q))) return p;
    while (IsDigit(At(q))) ++q;
    return q;
  }

  std::size_t Number(std::size_t i) {
    std::size_t p = i;
    while (IsDigit(At(p))) ++p;
    if (IsLetter(At(p)) || IsMark(At(p))) {
      if (ExponentTail(p) == p) return Word(i);  // "3e", "9h30": a word with digits
    }
    if (At(p) == '/') {
      if (const std::size_t end = PathTail(p); end > p) {
        Emit(i, end, TokenKind::kOther);  // "1/3", "09/05/2024"
        return end;
      }
    }
    const std::size_t end = NumberTail(i);
    Emit(i, end, TokenKind::kOther);
    return end;
  }

  // "-25", "+33612345678", "-3.5". A signed version ("-1.2.3") loses its sign, as in
  // PostgreSQL.
  std::size_t SignedNumber(std::size_t i) {
    if (!IsDigit(At(i + 1))) return i;
    std::size_t p = i + 1;
    while (IsDigit(At(p))) ++p;
    std::size_t begin = i;
    if (At(p) == '.' && IsDigit(At(p + 1))) {
      p += 1;
      while (IsDigit(At(p))) ++p;
      if (At(p) == '.' && IsDigit(At(p + 1))) {
        begin = i + 1;
        p = NumberTail(p);
      }
    }
    p = ExponentTail(p);
    Emit(begin, p, TokenKind::kOther);
    return p;
  }

  // Letters, digits and combining marks from i.
  struct WordRun {
    std::size_t end;
    bool has_digit;
    bool ascii_letters_only;
  };
  WordRun ReadRun(std::size_t i) const {
    WordRun run{i, false, true};
    while (run.end < s_.size()) {
      const char32_t c = s_[run.end];
      if (IsDigit(c)) {
        run.has_digit = true;
      } else if (IsLetter(c) || (run.end > i && IsMark(c))) {
        if (!IsAsciiLetter(c)) run.ascii_letters_only = false;
      } else {
        break;
      }
      ++run.end;
    }
    return run;
  }

  // After a '-', another part of a compound starts with a letter, or with digits then a letter
  // ("anti-covid", "14h-17h").
  bool PartStartsAt(std::size_t p) const {
    if (IsLetter(At(p))) return true;
    if (!IsDigit(At(p))) return false;
    while (IsDigit(At(p))) ++p;
    return IsLetter(At(p)) || IsMark(At(p));
  }

  static TokenKind KindOf(const WordRun& run) {
    return run.has_digit ? TokenKind::kOther : TokenKind::kWord;
  }

  // A word, a word with digits, or a hyphenated compound, from i.
  std::size_t Word(std::size_t i) {
    const WordRun first = ReadRun(i);
    std::size_t p = first.end;
    if (At(p) == '-' && PartStartsAt(p + 1)) {
      Emit(i, p, KindOf(first));
      while (At(p) == '-' && PartStartsAt(p + 1)) {
        const WordRun part = ReadRun(p + 1);
        Emit(p + 1, part.end, KindOf(part));
        p = part.end;
      }
      // PostgreSQL's reading of the parts runs on over "-<digits>" after the compound: the
      // digits become an unsigned number ("Saint-Malo-2" -> "2", not "-2").
      return (At(p) == '-' && IsDigit(At(p + 1))) ? p + 1 : p;
    }
    // A word of ASCII letters, or one with digits, may go on as a path ("Familles/enfants",
    // "C.C.A.S", "1ère/2e").
    if ((first.ascii_letters_only || first.has_digit) && (At(p) == '/' || At(p) == '.')) {
      if (const std::size_t end = PathTail(p); end > p) {
        Emit(i, end, TokenKind::kOther);
        return end;
      }
    }
    Emit(i, p, KindOf(first));
    return p;
  }

  // "&amp;", "&#233;", "&#xE9;": not indexed. Returns i when there is no entity.
  std::size_t SkipEntity(std::size_t i) const {
    std::size_t p = i + 1;
    if (At(p) == '#') {
      ++p;
      const bool hex = At(p) == 'x' || At(p) == 'X';
      if (hex) ++p;
      const auto is_digit = [hex](char32_t c) {
        return IsDigit(c) || (hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')));
      };
      const std::size_t digits = p;
      while (is_digit(At(p))) ++p;
      return (p > digits && At(p) == ';') ? p + 1 : i;
    }
    if (!IsAsciiLetter(At(p)) && At(p) != ':' && At(p) != '_') return i;
    while (IsAlnum(At(p)) || At(p) == ':' || At(p) == '_' || At(p) == '.' || At(p) == '-') ++p;
    return At(p) == ';' ? p + 1 : i;
  }

  // "<b>", "</p>", "<a href=\"...\">", "<br/>", "<!-- ... -->": not indexed. Returns i when
  // there is no tag.
  std::size_t SkipTag(std::size_t i) const {
    std::size_t p = i + 1;
    if (At(p) == '!' && At(p + 1) == '-' && At(p + 2) == '-') {
      for (p += 3; p + 2 < s_.size(); ++p) {
        if (s_[p] == '-' && s_[p + 1] == '-' && s_[p + 2] == '>') return p + 3;
      }
      return i;
    }
    if (At(p) == '!' && (At(p + 1) == 'D' || At(p + 1) == 'd')) return SkipAttributes(i, p + 2);
    if (At(p) == '?' && At(p + 1) == 'x') return SkipAttributes(i, p + 2);
    if (At(p) == '/') {
      ++p;
      if (!IsAsciiLetter(At(p))) return i;
    } else if (!IsAsciiLetter(At(p)) && At(p) != ':' && At(p) != '_') {
      return i;
    }
    ++p;
    while (IsAlnum(At(p)) || At(p) == ':' || At(p) == '_' || At(p) == '.' || At(p) == '-') ++p;
    if (At(p) == '/' && At(p + 1) == '>') return p + 2;
    if (At(p) == '>') return p + 1;
    if (!IsSpace(At(p))) return i;
    return SkipAttributes(i, p);
  }

  std::size_t SkipAttributes(std::size_t i, std::size_t p) const {
    static constexpr std::u32string_view kAllowed = U"=-_#/:.&?%~";
    while (p < s_.size()) {
      const char32_t c = s_[p];
      if (c == '>') return p + 1;
      if (c == '"' || c == '\'') {
        ++p;
        while (p < s_.size() && s_[p] != c) p += s_[p] == '\\' ? 2 : 1;
        if (p >= s_.size()) return i;
        ++p;
        continue;
      }
      if (!IsAsciiAlnum(c) && !IsSpace(c) && kAllowed.find(c) == std::u32string_view::npos) {
        return i;
      }
      ++p;
    }
    return i;
  }

  std::u32string_view s_;
  std::vector<Token> tokens_;
};

// PostgreSQL ignores tokens over 2047 bytes, and does not stem words over 1000 bytes.
constexpr std::size_t kMaxTokenBytes = 2047;
constexpr std::size_t kMaxStemmedBytes = 1000;

enum class StopWords { kKeep, kDrop };

bool IsStopWord(std::string_view folded) {
  // Matched after folding: "a" stands for "a" and "à", "ou" for "ou" and "où".
  static const std::unordered_set<std::string_view> kStopWords = {
      "a",     "au",     "aux",   "avec",   "c",       "ca",    "car",   "ce",    "ceci",  "cela",
      "celle", "celles", "celui", "ces",    "cet",     "cette", "ceux",  "chez",  "d",     "dans",
      "de",    "des",    "donc",  "dont",   "du",      "elle",  "elles", "en",    "entre", "et",
      "eux",   "il",     "ils",   "j",      "je",      "l",     "la",    "le",    "les",   "leur",
      "leurs", "lui",    "m",     "ma",     "mais",    "me",    "mes",   "moi",   "mon",   "n",
      "ne",    "ni",     "nos",   "notre",  "nous",    "on",    "ou",    "par",   "pas",   "pour",
      "qu",    "que",    "quel",  "quelle", "quelles", "quels", "qui",   "quoi",  "s",     "sa",
      "sans",  "se",     "ses",   "si",     "son",     "sur",   "t",     "ta",    "te",    "tes",
      "toi",   "ton",    "tu",    "un",     "une",     "vers",  "vos",   "votre", "vous",  "y",
  };
  return kStopWords.contains(folded);
}

std::vector<std::string> Lexemes(std::string_view text, StopWords stop_words) {
  const std::u32string s = DecodeUtf8(text);
  std::vector<std::string> out;
  for (const Token& token : Tokenizer(s).Run()) {
    const std::u32string_view raw =
        std::u32string_view(s).substr(token.begin, token.end - token.begin);
    if (raw.empty() || Utf8Size(raw) > kMaxTokenBytes) continue;
    if (token.kind == TokenKind::kOther) {
      out.push_back(LowerWord(raw));
      continue;
    }
    std::string folded = FoldWord(raw);
    if (folded.empty()) continue;
    if (stop_words == StopWords::kDrop && IsStopWord(folded)) continue;
    out.push_back(folded.size() > kMaxStemmedBytes ? std::move(folded)
                                                   : ThreadStemmer().Stem(folded));
  }
  return out;
}

}  // namespace

std::string FoldAccents(std::string_view utf8) {
  static constexpr std::u32string_view kApostrophes = U"\u2018\u2019\u201B\u2032\u02BC";
  static constexpr std::u32string_view kQuotes = U"\u201C\u201D\u201F\u2033";
  static constexpr std::u32string_view kDashes = U"\u2010\u2011\u2012\u2013\u2014\u2015\u2212";
  static constexpr std::u32string_view kSpaces = U"\u00A0\u202F\u205F\u3000";
  std::string out;
  out.reserve(utf8.size());
  for (const char32_t c : DecodeUtf8(utf8)) {
    if (kApostrophes.find(c) != std::u32string_view::npos) {
      out += '\'';
    } else if (kQuotes.find(c) != std::u32string_view::npos) {
      out += '"';
    } else if (kDashes.find(c) != std::u32string_view::npos) {
      out += '-';
    } else if (kSpaces.find(c) != std::u32string_view::npos || (c >= 0x2000 && c <= 0x200A)) {
      out += ' ';
    } else if (c != 0x00AD) {  // the soft hyphen is invisible: dropped
      AppendFoldedLetter(c, out);
    }
  }
  return out;
}

std::vector<std::string> SearchLexemes(std::string_view text) {
  return Lexemes(text, StopWords::kKeep);
}

std::vector<std::string> QueryLexemes(std::string_view query) {
  std::vector<std::string> out;
  for (std::string& lexeme : Lexemes(query, StopWords::kDrop)) {
    if (out.size() == kMaxQueryLexemes) break;
    if (std::find(out.begin(), out.end(), lexeme) == out.end()) out.push_back(std::move(lexeme));
  }
  return out;
}

std::string FoldForPrefix(std::string_view text) {
  std::string out;
  bool pending_space = false;
  for (const char c : FoldAccents(text)) {
    if (c == ' ' || c == '-' || c == '\'' || c == '\t' || c == '\n' || c == '\r') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
  }
  return out;
}

}  // namespace pasip::text
