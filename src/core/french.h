// French text normalisation for full-text search (recherche plein texte) and autocompletion.
//
// SearchLexemes gives the lexemes PostgreSQL 15 indexes with the `pasip_french` text-search
// configuration: the default parser, then `unaccent` and the Snowball `french` stemmer (no stop
// words) for words, and `simple` (lower case only) for the other token types: numbers, words
// with digits ("3e", "9h30"), e-mail addresses, host names, URLs and paths ("1/3",
// "Familles/enfants", "C.C.A.S."). Queries built here therefore match the database's tsvectors,
// and the SQLite build, which has no text search configuration, indexes the same lexemes.
// Checked against PostgreSQL 15's to_tsvector on the national services open data and on random
// text. Known differences, all harmless for matching:
//  - a hyphenated compound gives its parts only ("Saint-Malo" -> saint, malo); PostgreSQL also
//    indexes the whole compound ("saint-malo"), which no query built here contains;
//  - letters are classified and lower-cased with built-in tables (Latin, Greek, Cyrillic,
//    punctuation, symbols, emoji), not with the C library's locale, and accents are folded for
//    Latin-1, Latin Extended-A, combining marks, Greek tonos, Romanian s/t with comma and the
//    "fi"-style ligatures only: other scripts' punctuation and rarer Latin letters (Vietnamese,
//    Latin Extended-B) may split or fold differently.
//
// Input is UTF-8; invalid bytes are dropped. No function fails. Thread-safe: each thread
// lazily creates its own Snowball stemmer, which is not thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace pasip::text {

// At most this many lexemes in a query (QueryLexemes).
inline constexpr std::size_t kMaxQueryLexemes = 16;

// Lower case and accent folding after PostgreSQL's unaccent rules ("Œuvre" -> "oeuvre",
// "Straße" -> "strasse"), for Latin-1 and Latin Extended-A letters. Typographic apostrophes,
// quotes and dashes become their ASCII forms, Unicode spaces (non-breaking ones included) a
// space; the soft hyphen and combining accents are dropped. Other characters are kept as they
// are.
std::string FoldAccents(std::string_view utf8);

// The lexemes of a text, in order, duplicates included. Words are folded then stemmed
// ("Hébergements" -> "heberg"); numbers and other tokens are lower-cased only. Apostrophes,
// hyphens, punctuation and spaces separate words ("l'accueil" -> "l", "accueil").
std::vector<std::string> SearchLexemes(std::string_view text);

// The lexemes of a search query: as SearchLexemes, without French stop words (articles,
// prepositions, conjunctions, pronouns: "le", "de", "à", "et", "pour", "vous"...) and without
// duplicates; at most kMaxQueryLexemes. Empty when the query has only stop words.
std::vector<std::string> QueryLexemes(std::string_view query);

// A commune name (or its beginning) in comparable form for prefix search: folded, with
// hyphens and apostrophes as spaces, spaces collapsed and trimmed ("Saint-Malo" ->
// "saint malo", "L'Haÿ-les-Roses" -> "l hay les roses").
std::string FoldForPrefix(std::string_view text);

}  // namespace pasip::text
