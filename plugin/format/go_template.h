#pragma once
// The part of Go's text/template that docker's formatting docs use, run over a JSON value:
// {{.Field}} and {{.A.B}}, {{.}}, {{$}} and variables, {{json .}}, {{join .List ", "}},
// {{range .List}}...{{else}}...{{end}}, {{if .X}}...{{else if .Y}}...{{else}}...{{end}},
// {{with .X}}...{{end}}, pipes, (sub expressions), string/number/bool literals, {{/* comments */}},
// {{- and -}} trimming, and the functions upper, lower, title, split, join, json, println,
// print, len, index, eq, ne, not, and, or, truncate, pad.
//
// Fields are looked up in JSON objects by their exact key, or else by the key spelt with
// another case and without underscores: {{.KeyID}} and {{.keyId}} both find "key_id".
// A missing field prints "<no value>" and a JSON null "<nil>", as Go does; a field of a missing
// value or of null is missing too. Anything else (other functions, define, template, block,
// break, continue) is refused with an Error (ErrorCode::invalid_argument) naming the part and
// its column in the --format value.
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace dct::plugin::format {

struct TemplateNodes;

class GoTemplate {
 public:
  // `column_base`: how many characters of the --format value precede `text` (the "table "
  // prefix), so that errors name columns of what the user typed.
  static GoTemplate parse(std::string_view text, std::size_t column_base = 0);

  std::string render(const nlohmann::ordered_json& dot) const;
  // The header line of a table: each action prints the name of the first field it uses,
  // as words in capitals ({{.KeyID}} -> "KEY ID"); the text between is kept.
  std::string render_header() const;

 private:
  std::shared_ptr<const TemplateNodes> nodes_;
};

// "KeyID" -> "KEY ID", "signed_tags" -> "SIGNED TAGS".
std::string header_of(std::string_view field);

}  // namespace dct::plugin::format
