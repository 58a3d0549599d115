#include "core/csv.h"

#include "core/text.h"

namespace pasip::csv {

std::string_view SkipBom(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  return text;
}

Reader::Reader(std::string_view text, char separator)
    : text_(SkipBom(text)), separator_(separator) {}

Result<bool> Reader::Next(Record& record) {
  record.fields.clear();
  if (pos_ >= text_.size()) return false;
  record.line = line_;
  std::string field;
  enum class State { kStart, kUnquoted, kQuoted, kAfterQuote } state = State::kStart;
  while (pos_ < text_.size()) {
    const char c = text_[pos_++];
    if (state == State::kQuoted) {
      if (c == '"') {
        if (pos_ < text_.size() && text_[pos_] == '"') {
          field += '"';
          ++pos_;
        } else {
          state = State::kAfterQuote;
        }
      } else {
        if (c == '\n') ++line_;
        field += c;
      }
      continue;
    }
    if (c == separator_) {
      record.fields.push_back(std::move(field));
      field.clear();
      state = State::kStart;
      continue;
    }
    if (c == '\n') {
      ++line_;
      record.fields.push_back(std::move(field));
      return true;
    }
    if (c == '\r' && pos_ < text_.size() && text_[pos_] == '\n') continue;
    if (state == State::kAfterQuote) {
      const std::size_t line = line_;
      pos_ = text_.size();
      return Fail(InvalidArgument("ligne " + std::to_string(line) +
                                      " : caractère inattendu après un guillemet fermant (un "
                                      "guillemet dans un champ entre guillemets s'écrit \"\").",
                                  "fichier"));
    }
    if (c == '"' && state == State::kStart) {
      state = State::kQuoted;
      continue;
    }
    state = State::kUnquoted;
    field += c;
  }
  if (state == State::kQuoted) {
    return Fail(InvalidArgument(
        "ligne " + std::to_string(record.line) + " : guillemet ouvrant sans guillemet fermant.",
        "fichier"));
  }
  record.fields.push_back(std::move(field));
  return true;
}

bool IsBlank(const Record& record) {
  return record.fields.size() == 1 && text::Trim(record.fields[0]).empty();
}

char DetectSeparator(std::string_view text) {
  text = SkipBom(text);
  const std::string_view first = text.substr(0, text.find('\n'));
  const bool commas = first.find(',') != std::string_view::npos;
  const bool semicolons = first.find(';') != std::string_view::npos;
  return semicolons && !commas ? ';' : ',';
}

void AppendRow(std::string& out, std::span<const std::string> fields) {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ',';
    const std::string& f = fields[i];
    const bool quote = f.find_first_of(",\"\r\n;") != std::string::npos ||
                       (!f.empty() && (f.front() == ' ' || f.back() == ' '));
    if (!quote) {
      out += f;
      continue;
    }
    out += '"';
    for (const char c : f) {
      if (c == '"') out += '"';
      out += c;
    }
    out += '"';
  }
  out += '\n';
}

}  // namespace pasip::csv
