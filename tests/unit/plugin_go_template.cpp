// --format templates: the subset of Go's text/template docker's docs use, over JSON values.
#include <doctest/doctest.h>

#include <string>

#include "base/errors.h"
#include "plugin/format/go_template.h"
#include "plugin/format/output.h"

using namespace dct;
using dct::plugin::format::GoTemplate;
using dct::plugin::format::header_of;
using dct::plugin::format::OutputFormat;
using GoTemplateJson = nlohmann::ordered_json;

namespace {

std::string go_render(const std::string& text, const GoTemplateJson& dot) {
  return GoTemplate::parse(text).render(dot);
}

// The message of the error parsing and running `text` throws ("" when none).
std::string go_error(const std::string& text,
                     const GoTemplateJson& dot = GoTemplateJson::object()) {
  try {
    go_render(text, dot);
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::invalid_argument);
    return e.what();
  }
  return "";
}

const GoTemplateJson kResolved = GoTemplateJson::parse(R"({
  "name": "registry.example.com/team/app",
  "tag": "1.4",
  "digest": "sha256:abc",
  "size": 1234,
  "role": "targets/releases",
  "signers": ["targets/releases", "targets/alice"],
  "key_id": "k1",
  "error": null,
  "ok": true,
  "old": {"digest": "sha256:old", "role": "targets"},
  "expiries": [{"role": "root", "status": "ok"}, {"role": "targets", "status": "expired"}]
})");

}  // namespace

TEST_CASE("fields, nested fields and dot") {
  CHECK(go_render("{{.name}}:{{.tag}}", kResolved) == "registry.example.com/team/app:1.4");
  CHECK(go_render("{{.old.digest}}", kResolved) == "sha256:old");
  CHECK(go_render("{{.}}", GoTemplateJson("plain")) == "plain");
  CHECK(go_render("{{ .tag }}", kResolved) == "1.4");
  CHECK(go_render("size {{.size}}", kResolved) == "size 1234");
  CHECK(go_render("{{.ok}}", kResolved) == "true");
}

TEST_CASE("PascalCase and camelCase find snake_case keys; an exact key wins") {
  CHECK(go_render("{{.Digest}} {{.Name}} {{.Tag}}", kResolved) ==
        "sha256:abc registry.example.com/team/app 1.4");
  CHECK(go_render("{{.KeyID}}|{{.KeyId}}|{{.keyId}}|{{.key_id}}", kResolved) == "k1|k1|k1|k1");
  CHECK(go_render("{{.Old.Digest}}", kResolved) == "sha256:old");
  const GoTemplateJson both = GoTemplateJson::parse(R"({"Name": "exact", "name": "folded"})");
  CHECK(go_render("{{.name}} {{.Name}}", both) == "folded exact");
}

TEST_CASE("missing fields print <no value>, null prints <nil>, as Go does") {
  CHECK(go_render("{{.Nope}}", kResolved) == "<no value>");
  CHECK(go_render("{{.Nope.Deeper}}", kResolved) == "<no value>");
  CHECK(go_render("{{.error}}", kResolved) == "<nil>");
  CHECK(go_render("{{.Error.ID}}", kResolved) == "<no value>");
}

TEST_CASE("json of the whole value and of a field") {
  CHECK(go_render("{{json .signers}}", kResolved) == R"(["targets/releases","targets/alice"])");
  CHECK(go_render("{{json .old}}", kResolved) == R"({"digest":"sha256:old","role":"targets"})");
  CHECK(GoTemplateJson::parse(go_render("{{json .}}", kResolved)) == kResolved);
  CHECK(go_render("{{json .Missing}}", kResolved) == "null");
  // No HTML escaping, as docker's json function.
  CHECK(go_render("{{json .}}", GoTemplateJson("<a&b>")) == R"("<a&b>")");
}

TEST_CASE("values are printed as they are: no escaping, no second reading") {
  const GoTemplateJson odd =
      GoTemplateJson::parse(R"({"name": "a\"b\\c\n{{.x}}<&>", "list": ["x y", "\t"]})");
  CHECK(go_render("{{.name}}", odd) == "a\"b\\c\n{{.x}}<&>");
  CHECK(go_render("{{json .name}}", odd) == R"("a\"b\\c\n{{.x}}<&>")");
  CHECK(go_render("{{json .list}}", odd) == R"(["x y","\t"])");
  CHECK(go_render("{{join .list \"|\"}}", odd) == "x y|\t");
}

TEST_CASE("range over lists and objects, with else and variables") {
  CHECK(go_render("{{range .signers}}[{{.}}]{{end}}", kResolved) ==
        "[targets/releases][targets/alice]");
  CHECK(go_render("{{range .expiries}}{{.role}}={{.status}} {{end}}", kResolved) ==
        "root=ok targets=expired ");
  CHECK(go_render("{{range $i, $s := .signers}}{{$i}}:{{$s}} {{end}}", kResolved) ==
        "0:targets/releases 1:targets/alice ");
  CHECK(go_render("{{range $k, $v := .old}}{{$k}}={{$v}};{{end}}", kResolved) ==
        "digest=sha256:old;role=targets;");
  CHECK(go_render("{{range .Empty}}x{{else}}none{{end}}", kResolved) == "none");
  CHECK(go_render("{{range .expiries}}{{$.tag}}/{{.role}} {{end}}", kResolved) ==
        "1.4/root 1.4/targets ");
  CHECK(go_render("{{range .signers}}{{println .}}{{end}}", kResolved) ==
        "targets/releases\ntargets/alice\n");
}

TEST_CASE("if, else if, else, with; truth as Go has it") {
  CHECK(go_render("{{if .ok}}yes{{else}}no{{end}}", kResolved) == "yes");
  CHECK(go_render("{{if .error}}bad{{else}}fine{{end}}", kResolved) == "fine");
  CHECK(go_render("{{if .Missing}}a{{else if .signers}}b{{else}}c{{end}}", kResolved) == "b");
  CHECK(go_render("{{if .Missing}}a{{else if .error}}b{{else}}c{{end}}", kResolved) == "c");
  CHECK(go_render("{{if eq .role \"targets/releases\"}}released{{end}}", kResolved) == "released");
  CHECK(go_render("{{if ne .size 1234}}x{{else}}same{{end}}", kResolved) == "same");
  CHECK(go_render("{{if not .error}}ok{{end}}", kResolved) == "ok");
  CHECK(go_render("{{if and .ok .signers}}both{{end}}{{if or .error .tag}} one{{end}}",
                  kResolved) == "both one");
  CHECK(go_render("{{with .old}}{{.role}}{{end}}", kResolved) == "targets");
  CHECK(go_render("{{if 0}}x{{else}}zero{{end}}{{if \"\"}}x{{else}} empty{{end}}", kResolved) ==
        "zero empty");
}

TEST_CASE("functions: join, upper, lower, title, split, len, index, println, pipes") {
  CHECK(go_render("{{join .signers \", \"}}", kResolved) == "targets/releases, targets/alice");
  CHECK(go_render("{{upper .tag}}{{upper .role}}", kResolved) == "1.4TARGETS/RELEASES");
  CHECK(go_render("{{lower \"MiXed\"}} {{title \"hello world\"}}", kResolved) ==
        "mixed Hello World");
  CHECK(go_render("{{.role | upper}}", kResolved) == "TARGETS/RELEASES");
  CHECK(go_render("{{index (split .digest \":\") 1}}", kResolved) == "abc");
  CHECK(go_render("{{len .signers}} {{len .tag}}", kResolved) == "2 3");
  CHECK(go_render("{{index .signers 1}}", kResolved) == "targets/alice");
  CHECK(go_render("{{index .old \"role\"}}", kResolved) == "targets");
  CHECK(go_render("{{println .tag .size}}", kResolved) == "1.4 1234\n");
  CHECK(go_render("{{print .size .size}}", kResolved) == "1234 1234");
  CHECK(go_render("{{truncate .digest 8}}|{{pad .tag 1 2}}|", kResolved) == "sha256:a| 1.4  |");
  CHECK(go_render("{{$d := .digest}}{{$d}}", kResolved) == "sha256:abc");
}

TEST_CASE("lists and objects print as Go prints them") {
  CHECK(go_render("{{.signers}}", kResolved) == "[targets/releases targets/alice]");
  CHECK(go_render("{{.old}}", kResolved) == "map[digest:sha256:old role:targets]");
}

TEST_CASE("text, escapes in strings, typed \\t and \\n, comments and trimming") {
  CHECK(go_render("a\\tb\\nc", kResolved) == "a\tb\nc");
  CHECK(go_render(R"({{"quote \" and \\ tab\t"}})", kResolved) == "quote \" and \\ tab\t");
  CHECK(go_render("{{`raw \\n`}}", kResolved) == "raw \\n");
  CHECK(go_render("a {{/* note */}}b", kResolved) == "a b");
  CHECK(go_render("a   {{- .tag -}}   b", kResolved) == "a1.4b");
  CHECK(go_render("no actions at all", kResolved) == "no actions at all");
  CHECK(go_render("{{\"{{not an action}}\"}}", kResolved) == "{{not an action}}");
}

TEST_CASE("unsupported parts are refused, named, with their column") {
  CHECK(go_error("{{printf \"%s\" .Name}}") ==
        "--format: unsupported function \"printf\" at column 3 of the template");
  CHECK(go_error("ab {{template \"x\"}}") ==
        "--format: unsupported action \"template\" at column 6 of the template");
  CHECK(go_error("{{define \"x\"}}{{end}}").find("\"define\" at column 3") != std::string::npos);
  CHECK(go_error("{{range .x}}{{break}}{{end}}").find("\"break\" at column 15") !=
        std::string::npos);
  CHECK(go_error("{{.Name") == "--format: unclosed action (no \"}}\") at column 8 of the template");
  CHECK(go_error("{{if .x}}a").find("{{if}} without {{end}} at column 3") != std::string::npos);
  CHECK(go_error("{{end}}").find("unexpected {{end}} at column 3") != std::string::npos);
  CHECK(go_error("{{}}").find("empty action") != std::string::npos);
  CHECK(go_error("{{.a ! .b}}").find("unexpected \"!\" at column 6") != std::string::npos);
  CHECK(go_error("{{\"open}}").find("unterminated string at column 3") != std::string::npos);
  CHECK(go_error("{{(.a}}").find("unclosed \"(\"") != std::string::npos);
  CHECK(go_error("{{$nope}}").find("undefined variable \"$nope\"") != std::string::npos);
}

TEST_CASE("errors while running name the part and its column") {
  CHECK(go_error("{{.tag.inner}}", kResolved) ==
        "--format: can't evaluate field inner in type string at column 3 of the template");
  CHECK(go_error("x {{range .tag}}{{end}}", kResolved)
            .find("range can't iterate over 1.4 at column 5") != std::string::npos);
  CHECK(go_error("{{join .tag \",\"}}", kResolved).find("join wants a list, got string") !=
        std::string::npos);
  CHECK(go_error("{{upper}}", kResolved).find("wrong number of arguments for upper") !=
        std::string::npos);
  CHECK(go_error("{{index .signers 5}}", kResolved).find("index out of range: 5") !=
        std::string::npos);
  CHECK(go_error("{{.tag .size}}", kResolved).find("not a function") != std::string::npos);
}

TEST_CASE("table headers come from the first field of each action") {
  CHECK(header_of("KeyID") == "KEY ID");
  CHECK(header_of("key_id") == "KEY ID");
  CHECK(header_of("SignedTags") == "SIGNED TAGS");
  CHECK(header_of("URLPath") == "URL PATH");
  CHECK(header_of("digest") == "DIGEST");
  CHECK(GoTemplate::parse("{{.Tag}}\\t{{join .Signers \",\"}}\\t{{json .}}").render_header() ==
        "TAG\tSIGNERS\t");
}

TEST_CASE("--format: json, templates once per element, tables aligned as docker's") {
  const GoTemplateJson list = GoTemplateJson::parse(R"([{"tag": "1", "digest": "sha256:aa"},
                                    {"tag": "latest", "digest": "sha256:bbbb"}])");
  CHECK(OutputFormat::parse("").human());
  CHECK(OutputFormat::parse("table").human());
  CHECK(OutputFormat::parse("json").json());
  for (const char* typo : {"jsno", "yaml", "{.Name}"}) {
    CAPTURE(typo);
    try {
      OutputFormat::parse(typo);
      FAIL("accepted");
    } catch (const Error& e) {
      CHECK(e.code() == ErrorCode::invalid_argument);
      CHECK(std::string(e.what()) == std::string("unknown format \"") + typo + "\"");
    }
  }
  CHECK(OutputFormat::parse("json").render(list) == list.dump(4) + "\n");
  CHECK(OutputFormat::parse("{{.Tag}}").render(list) == "1\nlatest\n");
  CHECK(OutputFormat::parse("{{.Tag}}").render(list[0]) == "1\n");
  CHECK(OutputFormat::parse("{{.Tag}}").render(GoTemplateJson::array()) == "");
  CHECK(OutputFormat::parse("table {{.Tag}}\\t{{.Digest}}").render(list) ==
        "TAG       DIGEST\n"
        "1         sha256:aa\n"
        "latest    sha256:bbbb\n");
  CHECK(OutputFormat::parse("table {{.Tag}}").render(GoTemplateJson::array()) == "TAG\n");
  try {
    OutputFormat::parse("table {{.Tag}} {{printf}}");
    FAIL("accepted");
  } catch (const Error& e) {
    CHECK(std::string(e.what()) ==
          "--format: unsupported function \"printf\" at column 18 of the template");
  }
}
