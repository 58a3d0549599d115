// Duplicate detection and person search (pure functions, thread-safe).
//
// Names are folded (lower case, accents removed, hyphens and apostrophes as spaces) and
// split into tokens; each token gives an exact key "nom:<token>" and a French phonetic key
// "son:<code>" (so that "Dupond" meets "Dupont", "Mohamed" meets "Mohammed"); the birth date
// gives "naissance:<YYYY-MM-DD>", the phone its last nine digits "tel:<digits>", the e-mail
// "mail:<lower case>". The store returns the persons sharing keys with a query; Score()
// then decides, so that compound names ("Jean-Pierre" / "Jean Pierre"), swapped first and
// last names, accents and small typos (one or two edits) are recognised.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "domain/reception/model.h"

namespace pasip::reception {

// "Élodie-Marie N'Diaye" → {"elodie", "marie", "ndiaye"} (apostrophes are dropped inside
// a word, hyphens split).
std::vector<std::string> NameTokens(std::string_view text);
// A French phonetic code of one folded token ("dupont" and "dupond" → the same code).
std::string Phonetic(std::string_view token);
// The last nine digits of a phone number ("06 12 34 56 78", "+33 6 12…" → "612345678");
// "" when fewer than nine digits.
std::string PhoneKey(std::string_view phone);
// Damerau–Levenshtein distance (adjacent transposition counts 1), on bytes.
int EditDistance(std::string_view a, std::string_view b);

// Every key of a person (names of every name field, birth date, phone, e-mail), sorted
// and unique.
std::vector<std::string> KeysOf(const Person& person);

// Why two files may be the same person.
struct Similarity {
  int score = 0;                     // 0 to 100
  std::vector<std::string> raisons;  // French: "même téléphone", "même date de naissance"…
};
// 100 for the same e-mail or phone (with a compatible birth date); names compared as
// token sets whatever their order and field (swapped first/last names), each pair of
// tokens equal, phonetically equal or within one edit (two for tokens of 7+ letters).
// Different known birth dates weigh strongly against.
Similarity Score(const Person& a, const Person& b);
// Score() at or above this proposes the existing file.
inline constexpr int kDuplicateThreshold = 60;

// Search by name (and optionally birth date): the keys and prefixes to ask the store for,
// and the ranking of what it answers (Relevance: 0 = no match).
struct SearchKeys {
  std::vector<std::string> keys;
  std::vector<std::string> prefixes;  // "nom:<token>" for tokens of 2+ letters (typing)
};
SearchKeys KeysForSearch(std::string_view text, std::string_view date_naissance);
int Relevance(const Person& person, std::string_view text, std::string_view date_naissance);

}  // namespace pasip::reception
