#include "plugin/pin_flow.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <stdlib.h>

#include <iostream>
#include <iterator>

#include "base/files.h"
#include "plugin/concurrent.h"
#include "registry/reference.h"

namespace dct::plugin {

namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxDockerfile = 4 << 20;

std::string without_digest(const std::string& image) { return image.substr(0, image.find('@')); }

// docker falls back to "dockerfile" when a directory has no "Dockerfile".
fs::path with_lowercase_fallback(const fs::path& path) {
  std::error_code ec;
  if (path.filename() != "Dockerfile" || fs::exists(path, ec)) return path;
  const fs::path lower = path.parent_path() / "dockerfile";
  return fs::exists(lower, ec) ? lower : path;
}

// The name BuildKit matches --build-context names and image references by.
std::optional<std::string> context_key(const std::string& name) {
  try {
    std::string key = registry::parse_reference(name).familiar_str();
    const std::string latest = ":latest";
    if (key.size() > latest.size() &&
        key.compare(key.size() - latest.size(), latest.size(), latest) == 0)
      key.resize(key.size() - latest.size());
    return key;
  } catch (const Error&) {
    return std::nullopt;
  }
}

Pinned resolve_ref(const Context& ctx, const trust::ImageRef& r, bool allow_digest) {
  Pinned p{r, {}, false, std::nullopt};
  const auto ref = registry::parse_reference(r.image);
  if (ref.has_digest() && !ref.has_tag()) {
    if (!allow_digest)
      throw Error(ErrorCode::invalid_reference,
                  "it is pinned by digest with no tag, so there is no tag whose signature "
                  "could vouch for it (--allow-digest accepts it unchecked)");
    p.replacement = r.image;
    p.already_pinned = true;
    return p;
  }
  p.resolution = resolve_image(ctx.session(), r.image, /*with_signers=*/true, ctx.bundle());
  std::string name = without_digest(r.image);
  if (!ref.has_tag()) name += ":latest";
  p.replacement = name + "@sha256:" + p.resolution->target.digest_hex;
  p.already_pinned = ref.has_digest();  // resolve_image refused a different digest
  if (!r.rewritable && p.replacement != r.written)
    throw Error(ErrorCode::dockerfile_invalid,
                "it is split by quotes, an escape or a line continuation; write it plainly on "
                "one line");
  return p;
}

}  // namespace

namespace {

// Binary data is no Dockerfile: passing it through "pinned" would hide the mistake.
std::string checked_dockerfile_text(std::string text, const std::string& where) {
  if (text.find('\0') != std::string::npos)
    throw Error(ErrorCode::dockerfile_invalid,
                fmt::format("{} is not a Dockerfile: it holds binary data", where),
                "give the Dockerfile with -f, or the build context as the argument");
  return text;
}

}  // namespace

DockerfileSource read_dockerfile(const std::string& file, const std::string& context) {
  if (file == "-") {
    std::string text;
    char buf[65536];
    while (std::cin.read(buf, sizeof buf) || std::cin.gcount() > 0) {
      text.append(buf, static_cast<std::size_t>(std::cin.gcount()));
      if (text.size() > kMaxDockerfile)
        throw Error(ErrorCode::invalid_argument, "the Dockerfile on stdin is over 4 MiB");
    }
    return {checked_dockerfile_text(std::move(text), "the Dockerfile on stdin"), std::nullopt};
  }
  const fs::path path =
      with_lowercase_fallback(file.empty() ? fs::path(context) / "Dockerfile" : fs::path(file));
  auto text = read_file_capped(path, kMaxDockerfile);
  if (!text)
    throw Error(ErrorCode::io_failure,
                fmt::format("cannot read the Dockerfile {} (missing, unreadable or over 4 MiB)",
                            path.string()),
                "give it with -f, or the build context as the argument");
  return {checked_dockerfile_text(std::move(*text), path.string()), path};
}

PinResult pin_dockerfile(const Context& ctx, const std::string& text, const PinOptions& options) {
  const trust::Dockerfile df = trust::parse_dockerfile(text, options.build_args);
  std::set<std::string> contexts;
  for (const auto& name : options.build_contexts)
    if (auto key = context_key(name)) contexts.insert(*key);
  PinResult out;
  std::vector<const trust::ImageRef*> wanted;
  for (const auto& r : df.refs) {
    if (r.scratch || r.stage_reference) continue;
    if (r.source != trust::RefSource::syntax) {
      const auto key = context_key(r.image);
      if (key && contexts.count(*key)) {
        out.build_contexts.push_back(r);
        continue;
      }
    }
    wanted.push_back(&r);
  }
  // All images at once, different repositories concurrently; results in Dockerfile order.
  std::vector<std::optional<Pinned>> pinned(wanted.size());
  // Made here, not by the first of several threads.
  if (!wanted.empty()) {
    (void)ctx.session();
    (void)ctx.bundle();
  }
  const auto errors = run_grouped(
      wanted.size(),
      [&](std::size_t i) {
        try {
          return registry::parse_reference(wanted[i]->image).gun();
        } catch (const Error&) {
          return "\n" + wanted[i]->image;
        }
      },
      [&](std::size_t i) { pinned[i] = resolve_ref(ctx, *wanted[i], options.allow_digest); });
  std::vector<std::string> failures;
  for (std::size_t i = 0; i < wanted.size(); ++i) {
    const trust::ImageRef& r = *wanted[i];
    if (errors[i]) {
      failures.push_back(fmt::format("  line {} ({}): {}: {}", r.line, trust::describe(r.source),
                                     r.image, errors[i]->what()));
      continue;
    }
    if (pinned[i]->resolution)
      for (const auto& w : pinned[i]->resolution->warnings) ctx.warn(w);
    out.pins.push_back(std::move(*pinned[i]));
  }
  if (!failures.empty())
    throw Error(
        ErrorCode::tag_not_trusted,
        fmt::format("{} image{} in the Dockerfile could not be resolved through content "
                    "trust; stopped before anything ran:\n{}",
                    failures.size(), failures.size() == 1 ? "" : "s", fmt::join(failures, "\n")));
  return out;
}

std::string pinned_text(const std::string& text, const std::vector<Pinned>& pins) {
  std::vector<std::pair<std::pair<std::size_t, std::size_t>, std::string>> edits;
  for (const auto& p : pins)
    if (p.replacement != p.ref.written) edits.push_back({{p.ref.begin, p.ref.end}, p.replacement});
  return trust::replace_ranges(text, std::move(edits));
}

nlohmann::ordered_json pins_json(const std::vector<Pinned>& pins) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& p : pins) {
    nlohmann::ordered_json j;
    j["line"] = p.ref.line;
    j["instruction"] = std::string(trust::describe(p.ref.source));
    j["image"] = p.ref.image;
    j["pinned"] = p.replacement;
    j["digest"] = p.resolution ? nlohmann::ordered_json("sha256:" + p.resolution->target.digest_hex)
                               : nlohmann::ordered_json();
    j["role"] =
        p.resolution ? nlohmann::ordered_json(p.resolution->target.role) : nlohmann::ordered_json();
    j["signers"] = p.resolution ? p.resolution->target.signers : std::vector<std::string>{};
    out.push_back(std::move(j));
  }
  return out;
}

std::map<std::string, std::string> parse_build_args(const std::vector<std::string>& items) {
  std::map<std::string, std::string> out;
  for (const auto& a : items) {
    const auto eq = a.find('=');
    if (eq == std::string::npos) {
      // As docker: --build-arg NAME takes the value from the environment.
      if (const char* v = std::getenv(a.c_str())) out[a] = v;
      continue;
    }
    out[a.substr(0, eq)] = a.substr(eq + 1);
  }
  return out;
}

}  // namespace dct::plugin
