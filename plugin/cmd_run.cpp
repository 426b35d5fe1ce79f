// `run` and `create`: the image resolved through content trust, then docker run / docker create
// through the Docker CLI that ran the plugin, with NAME@sha256:DIGEST in place of the image and
// every other argument unchanged.
#include <fmt/format.h>

#include <ostream>

#include "plugin/command.h"
#include "plugin/docker_exec.h"
#include "plugin/resolve_flow.h"
#include "plugin/run_args.h"

namespace dct::plugin {
namespace {

int run_container_command(Context& ctx, ContainerVerb verb) {
  const ContainerCommandLine line = parse_container_command_line(ctx.args, verb);
  if (line.help) {
    *ctx.out << ctx.help_text;
    return 0;
  }
  if (line.server) ctx.trust.server = *line.server;
  if (line.trust_dir) ctx.trust.trust_dir = *line.trust_dir;
  const Resolution r = resolve_image(ctx.session(), line.image, false);
  for (const auto& w : r.warnings) ctx.warn(w);
  const std::string pinned = fmt::format("{}@sha256:{}", r.ref.familiar(), r.target.digest_hex);
  *ctx.err << fmt::format("{} -> {} (signed in {})\n", line.image, pinned, r.target.role)
           << std::flush;
  return run_docker(ctx.invocation, docker_container_args(line, verb, pinned));
}

Command container_command(ContainerVerb verb) {
  const std::string name = verb == ContainerVerb::run ? "run" : "create";
  Command c;
  c.path = name;
  c.usage = "[docker " + name + " OPTIONS] IMAGE[:TAG] [COMMAND] [ARG...]";
  c.summary = verb == ContainerVerb::run
                  ? "docker run with the image resolved through content trust"
                  : "docker create with the image resolved through content trust";
  c.description = fmt::format(
      "Resolve IMAGE[:TAG] through content trust as `docker dct resolve` does, then run\n"
      "`docker {}` through the Docker CLI with NAME@sha256:DIGEST in its place, as\n"
      "DOCKER_CONTENT_TRUST=1 docker {} did. Every option and the command are passed on\n"
      "unchanged; the options are read as docker {} reads them, and dct's own --server\n"
      "and --trust-dir go before the image. If the image cannot be resolved, nothing runs.",
      name, name, name);
  c.examples = verb == ContainerVerb::run
                   ? "  docker dct run --rm -it -e MODE=test registry.example.com/team/app:1.5 sh\n"
                   : "  docker dct create --name app registry.example.com/team/app:1.5\n";
  c.trust_flags = true;
  c.raw_args = true;
  c.setup = [verb](CLI::App& app) -> Runner {
    (void)app;
    return [verb](Context& ctx) { return run_container_command(ctx, verb); };
  };
  return c;
}

}  // namespace

Command container_run_command() { return container_command(ContainerVerb::run); }
Command container_create_command() { return container_command(ContainerVerb::create); }

}  // namespace dct::plugin
