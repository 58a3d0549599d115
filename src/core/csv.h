// CSV (RFC 4180) as the imports meet it: a reader of records from a text in memory, and the
// quoting of fields for the files pasip writes.
//
// The reader skips a UTF-8 byte order mark, accepts LF and CRLF line ends, quoted fields
// holding separators, doubled quotes and line breaks, and a quote inside an unquoted field
// (taken literally, as spreadsheets write `12 rue "Les Lilas"`). It refuses what cannot be
// read without guessing: an unterminated quote, and text after a closing quote. Records are
// numbered by the line they start on (from 1), for messages. No I/O; a Reader is not
// thread-safe, distinct readers are independent.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace pasip::csv {

struct Record {
  std::vector<std::string> fields;
  std::size_t line = 0;  // line the record starts on, from 1
};

class Reader {
 public:
  // `text` must outlive the reader. A leading BOM is skipped.
  explicit Reader(std::string_view text, char separator = ',');

  // Reads the next record into `record`. False at the end of the text. Fails with
  // kInvalidArgument (field "fichier", message "ligne N : …" in French) for an unterminated
  // quote or a character after a closing quote; the reader is then at the end.
  Result<bool> Next(Record& record);

 private:
  std::string_view text_;
  char separator_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
};

// `text` without its UTF-8 byte order mark.
std::string_view SkipBom(std::string_view text);

// A record of one empty field (a blank line), or only blanks.
bool IsBlank(const Record& record);

// The separator of a header line: ';' when the first line has semicolons and no comma,
// else ','.
char DetectSeparator(std::string_view text);

// Appends `fields` as one CSV line ending with "\n", quoting a field only when it holds a
// comma, a semicolon, a quote, a line break or leading/trailing spaces.
void AppendRow(std::string& out, std::span<const std::string> fields);

}  // namespace pasip::csv
