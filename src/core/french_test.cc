#include "core/french.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace pasip::text {
namespace {

using Lexemes = std::vector<std::string>;

TEST(French, FoldAccents) {
  EXPECT_EQ(FoldAccents("Hébergement d’URGENCE"), "hebergement d'urgence");
  EXPECT_EQ(FoldAccents("ŒUVRE Cœur Ægide Straße ÀÂÄÇÈÉÊËÎÏÔÖÙÛÜŸ"),
            "oeuvre coeur aegide strasse aaaceeeeiioouuuy");
  EXPECT_EQ(FoldAccents("àâäçèéêëîïôöùûüÿ ĳ ł ő ş ž ſ"), "aaaceeeeiioouuuy ij l o s z s");
  EXPECT_EQ(FoldAccents("e\u0301cole"), "ecole");  // decomposed accent
  EXPECT_EQ(FoldAccents("«\u00a0oui\u00a0» – non ; 20 €"), "« oui » - non ; 20 €");
  EXPECT_EQ(FoldAccents("ﬁn"), "fin");
  EXPECT_EQ(FoldAccents(""), "");
  EXPECT_EQ(FoldAccents("h\xe9"
                        "bergement"),
            "hbergement");               // Latin-1 byte dropped
  EXPECT_EQ(FoldAccents("a\xc3"), "a");  // truncated sequence
  EXPECT_EQ(FoldAccents("\xed\xa0\x80z\xf4\x90\x80\x80"), "z");
}

TEST(French, PluralsCaseAndAccentsMeet) {
  for (const char* form : {"hébergement", "Hebergements", "HÉBERGEMENT", "hébergements"}) {
    EXPECT_EQ(SearchLexemes(form), Lexemes{"heberg"}) << form;
  }
  EXPECT_EQ(SearchLexemes("logement"), SearchLexemes("logements"));
  EXPECT_EQ(SearchLexemes("Logements sociaux"), (Lexemes{"log", "social"}));
  EXPECT_EQ(SearchLexemes("œuvre"), Lexemes{"oeuvr"});
  EXPECT_EQ(SearchLexemes("ŒUVRES"), Lexemes{"oeuvr"});
}

TEST(French, ApostrophesHyphensAndPunctuationSeparate) {
  EXPECT_EQ(SearchLexemes("l'accueil"), (Lexemes{"l", "accueil"}));
  EXPECT_EQ(SearchLexemes("l’accueil"), (Lexemes{"l", "accueil"}));
  EXPECT_EQ(SearchLexemes("Saint-Malo"), (Lexemes{"saint", "malo"}));
  EXPECT_EQ(SearchLexemes("Saint‑Malo"), (Lexemes{"saint", "malo"}));  // non-breaking hyphen
  EXPECT_EQ(SearchLexemes("Aide (alimentaire), «\u00a0urgence\u00a0»!"),
            (Lexemes{"aid", "alimentair", "urgenc"}));
  EXPECT_EQ(SearchLexemes("accueil de jour : aide, accueil"),
            (Lexemes{"accueil", "de", "jour", "aid", "accueil"}));  // duplicates kept
}

TEST(French, NumbersAndOtherTokensAreLowerCasedOnly) {
  EXPECT_EQ(SearchLexemes("75001"), Lexemes{"75001"});
  EXPECT_EQ(SearchLexemes("Jeunes 16-25 ans"), (Lexemes{"jeun", "16", "-25", "an"}));
  EXPECT_EQ(SearchLexemes("1ère 3E 9h30"), (Lexemes{"1ère", "3e", "9h30"}));
  EXPECT_EQ(SearchLexemes("Familles/enfants 1/3 C.C.A.S."),
            (Lexemes{"familles/enfants", "1/3", "c.c.a.s"}));
  EXPECT_EQ(SearchLexemes("Écrire à contact@CCAS.fr ou voir https://www.caf.fr/aides"),
            (Lexemes{"ecrir", "a", "contact@ccas.fr", "ou", "voir", "www.caf.fr/aides",
                     "www.caf.fr", "/aides"}));
  EXPECT_EQ(SearchLexemes("Clic &amp; <b>Ressources</b>"), (Lexemes{"clic", "ressourc"}));
}

TEST(French, EmptyAndInvalidInput) {
  EXPECT_TRUE(SearchLexemes("").empty());
  EXPECT_TRUE(SearchLexemes(" \t—,;… ").empty());
  EXPECT_TRUE(QueryLexemes("").empty());
  EXPECT_EQ(SearchLexemes("loge\xffments"), Lexemes{"log"});  // invalid byte dropped
  EXPECT_EQ(SearchLexemes("\xc3\xa9t\xc3"), Lexemes{"et"});
  EXPECT_EQ(FoldForPrefix("\xff"), "");
}

TEST(French, LongWordsAsPostgresql) {
  // Not stemmed beyond 1000 bytes, ignored beyond 2047 bytes.
  EXPECT_EQ(SearchLexemes(std::string(994, 'B') + "ements"),
            Lexemes{std::string(994, 'b') + "ement"});
  EXPECT_EQ(SearchLexemes(std::string(995, 'B') + "ements"),
            Lexemes{std::string(995, 'b') + "ements"});
  EXPECT_EQ(SearchLexemes(std::string(2047, 'a')).size(), 1u);
  EXPECT_TRUE(SearchLexemes(std::string(2048, 'a')).empty());
  std::string accents;
  for (int i = 0; i < 1024; ++i) accents += "é";  // 2048 bytes
  EXPECT_TRUE(SearchLexemes(accents).empty());
}

TEST(French, QueryDropsStopWordsAndDuplicates) {
  EXPECT_EQ(QueryLexemes("Le logement et l'hébergement d'urgence à Saint-Malo"),
            (Lexemes{"log", "heberg", "urgenc", "saint", "malo"}));
  EXPECT_EQ(QueryLexemes("aide aux familles, aides à la famille"), (Lexemes{"aid", "famill"}));
  EXPECT_EQ(QueryLexemes("Où est-ce que je peux dormir ?"), (Lexemes{"est", "peux", "dorm"}));
  EXPECT_TRUE(QueryLexemes("de la, et à vous").empty());
  // Stop words stay in documents.
  EXPECT_EQ(SearchLexemes("de la"), (Lexemes{"de", "la"}));
  // Numbers are never stop words.
  EXPECT_EQ(QueryLexemes("a 1"), Lexemes{"1"});
}

TEST(French, QueryKeepsAtMostSixteenLexemes) {
  std::string query;
  for (int i = 0; i < 20; ++i) query += "mot" + std::to_string(100 + i) + " ";
  const Lexemes lexemes = QueryLexemes(query);
  ASSERT_EQ(lexemes.size(), kMaxQueryLexemes);
  EXPECT_EQ(lexemes.front(), "mot100");
  EXPECT_EQ(lexemes.back(), "mot115");
}

TEST(French, FoldForPrefix) {
  EXPECT_EQ(FoldForPrefix("Saint-Malo"), "saint malo");
  EXPECT_EQ(FoldForPrefix("  L'Haÿ-les-Roses "), "l hay les roses");
  EXPECT_EQ(FoldForPrefix("Saint–Étienne-du-Rouvray"), "saint etienne du rouvray");
  EXPECT_EQ(FoldForPrefix("Villeneuve-d’Ascq"), "villeneuve d ascq");
  EXPECT_EQ(FoldForPrefix("Saint -\u00a0 Mal"), "saint mal");
  EXPECT_EQ(FoldForPrefix(""), "");
}

TEST(French, StemmerPerThread) {
  std::vector<std::thread> threads;
  std::vector<Lexemes> results(4);
  for (std::size_t t = 0; t < results.size(); ++t) {
    threads.emplace_back([&results, t] {
      for (int i = 0; i < 200; ++i) results[t] = SearchLexemes("Hébergements d'urgence");
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const Lexemes& lexemes : results) EXPECT_EQ(lexemes, (Lexemes{"heberg", "d", "urgenc"}));
}

}  // namespace
}  // namespace pasip::text
