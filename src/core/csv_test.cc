#include "core/csv.h"

#include <gtest/gtest.h>

namespace pasip::csv {
namespace {

using Fields = std::vector<std::string>;

// Every record of `text`, or the error of the first unreadable one.
Result<std::vector<Record>> ReadAll(std::string_view text, char separator = ',') {
  Reader reader(text, separator);
  std::vector<Record> records;
  Record record;
  while (true) {
    auto more = reader.Next(record);
    if (!more) return Fail(more.error());
    if (!*more) return records;
    records.push_back(record);
  }
}

TEST(Csv, PlainRecordsWithLineNumbers) {
  auto records = ReadAll("a,b,c\n1,2,3\n");
  ASSERT_TRUE(records) << records.error().ToString();
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[0].fields, (Fields{"a", "b", "c"}));
  EXPECT_EQ((*records)[1].fields, (Fields{"1", "2", "3"}));
  EXPECT_EQ((*records)[0].line, 1u);
  EXPECT_EQ((*records)[1].line, 2u);
}

TEST(Csv, BomCrlfAndMissingFinalNewline) {
  auto records = ReadAll("\xEF\xBB\xBFid,nom\r\n1,Mairie\r\n2,CCAS");
  ASSERT_TRUE(records);
  ASSERT_EQ(records->size(), 3u);
  EXPECT_EQ((*records)[0].fields, (Fields{"id", "nom"}));
  EXPECT_EQ((*records)[1].fields, (Fields{"1", "Mairie"}));
  EXPECT_EQ((*records)[2].fields, (Fields{"2", "CCAS"}));
}

TEST(Csv, QuotedFieldsHoldSeparatorsQuotesAndLineBreaks) {
  auto records = ReadAll(
      "id,adresse,commentaire\n"
      "1,\"2, rue de la Paix\",\"dit \"\"bonjour\"\"\"\n"
      "2,\"ligne un\r\nligne deux\",\"\"\n"
      "3,x,y\n");
  ASSERT_TRUE(records) << records.error().ToString();
  ASSERT_EQ(records->size(), 4u);
  EXPECT_EQ((*records)[1].fields, (Fields{"1", "2, rue de la Paix", "dit \"bonjour\""}));
  EXPECT_EQ((*records)[2].fields, (Fields{"2", "ligne un\r\nligne deux", ""}));
  EXPECT_EQ((*records)[2].line, 3u);
  EXPECT_EQ((*records)[3].line, 5u);  // the quoted line break counts
}

TEST(Csv, EmptyFieldsAndBlankLines) {
  auto records = ReadAll("a,,c\n\n,\n");
  ASSERT_TRUE(records);
  ASSERT_EQ(records->size(), 3u);
  EXPECT_EQ((*records)[0].fields, (Fields{"a", "", "c"}));
  EXPECT_TRUE(IsBlank((*records)[1]));
  EXPECT_EQ((*records)[2].fields, (Fields{"", ""}));
  EXPECT_FALSE(IsBlank((*records)[2]));
}

TEST(Csv, QuoteInsideUnquotedFieldIsLiteral) {
  auto records = ReadAll("12 rue \"Les Lilas\",b\n");
  ASSERT_TRUE(records);
  EXPECT_EQ((*records)[0].fields, (Fields{"12 rue \"Les Lilas\"", "b"}));
}

TEST(Csv, UnterminatedQuoteIsRefusedNamingItsLine) {
  auto records = ReadAll("a,b\n1,\"ouvert\n2,3\n");
  ASSERT_FALSE(records);
  EXPECT_EQ(records.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(records.error().message, "ligne 2 : guillemet ouvrant sans guillemet fermant.");
  EXPECT_EQ(records.error().field, "fichier");
}

TEST(Csv, TextAfterClosingQuoteIsRefused) {
  auto records = ReadAll("a,b\n\"x\"y,2\n");
  ASSERT_FALSE(records);
  EXPECT_EQ(records.error().message,
            "ligne 2 : caractère inattendu après un guillemet fermant (un guillemet dans un "
            "champ entre guillemets s'écrit \"\").");
  // The reader stops at an error.
  Reader reader("\"x\"y\nz\n");
  Record record;
  EXPECT_FALSE(reader.Next(record));
  auto after = reader.Next(record);
  ASSERT_TRUE(after);
  EXPECT_FALSE(*after);
}

TEST(Csv, SemicolonSeparator) {
  EXPECT_EQ(DetectSeparator("\xEF\xBB\xBFid;nom\n1;a,b\n"), ';');
  EXPECT_EQ(DetectSeparator("id,nom;x\n"), ',');
  EXPECT_EQ(DetectSeparator(""), ',');
  auto records = ReadAll("id;nom\n1;\"a;b\"\n", ';');
  ASSERT_TRUE(records);
  EXPECT_EQ((*records)[1].fields, (Fields{"1", "a;b"}));
}

TEST(Csv, EmptyTextHasNoRecord) {
  auto records = ReadAll("");
  ASSERT_TRUE(records);
  EXPECT_TRUE(records->empty());
  auto bom_only = ReadAll("\xEF\xBB\xBF");
  ASSERT_TRUE(bom_only);
  EXPECT_TRUE(bom_only->empty());
}

TEST(Csv, AppendRowQuotesOnlyWhenNeededAndReadsBack) {
  std::string out;
  const Fields fields{"simple", "a,b", "dit \"oui\"", "deux\nlignes", " espace", ""};
  AppendRow(out, fields);
  EXPECT_EQ(out, "simple,\"a,b\",\"dit \"\"oui\"\"\",\"deux\nlignes\",\" espace\",\n");
  auto records = ReadAll(out);
  ASSERT_TRUE(records);
  ASSERT_EQ(records->size(), 1u);
  EXPECT_EQ((*records)[0].fields, fields);
}

}  // namespace
}  // namespace pasip::csv
