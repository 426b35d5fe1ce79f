#include "plugin/command.h"
#include "plugin/declare_command.h"
#include "plugin/help.h"

namespace dct::plugin {

// Each command file provides one of these.
Command resolve_command();
Command pull_command();
Command inspect_command();
Command check_command();
Command version_command();
Command status_command();
Command sign_command();
Command push_command();
Command init_command();
Command publish_command();
Command revoke_command();
Command key_rotate_command();
Command pin_command();
Command build_command();
Command container_run_command();
Command container_create_command();
Command key_generate_command();
Command key_import_command();
Command key_load_command();
Command key_list_command();
Command key_export_command();
Command key_passwd_command();
Command key_remove_command();
Command key_rm_command();
Command delegation_add_command();
Command delegation_list_command();
Command delegation_remove_command();
Command signer_add_command();
Command signer_remove_command();
Command delegation_purge_command();
Command witness_command();
Command delete_command();
Command migrate_command();
Command bundle_save_command();
Command bundle_diff_command();
Command mirror_command();

const std::vector<Command>& all_commands() {
  static const std::vector<Command> commands = {
      resolve_command(),
      pull_command(),
      inspect_command(),
      check_command(),
      version_command(),
      status_command(),
      sign_command(),
      push_command(),
      init_command(),
      publish_command(),
      revoke_command(),
      key_generate_command(),
      key_import_command(),
      key_load_command(),
      key_list_command(),
      key_export_command(),
      key_passwd_command(),
      key_remove_command(),
      key_rm_command(),
      key_rotate_command(),
      pin_command(),
      build_command(),
      container_run_command(),
      container_create_command(),
      delegation_add_command(),
      delegation_list_command(),
      delegation_remove_command(),
      signer_add_command(),
      signer_remove_command(),
      delegation_purge_command(),
      witness_command(),
      delete_command(),
      migrate_command(),
      bundle_save_command(),
      bundle_diff_command(),
      mirror_command(),
  };
  return commands;
}

const std::vector<std::pair<std::string, std::string>>& command_aliases() {
  static const std::vector<std::pair<std::string, std::string>> aliases = {
      {"key ls", "key list"},
      {"delegation ls", "delegation list"},
      {"delegation rm", "delegation remove"},
      {"signer rm", "signer remove"},
  };
  return aliases;
}

Runner declare_command(const Command& command, CLI::App& app, bool& help, TrustOptions& trust) {
  app.set_help_flag();
  app.allow_extras(false);
  app.positionals_at_end(false);
  app.add_flag("-h,--help", help, "Print usage");
  if (command.trust_flags) add_trust_flags(app, trust);
  if (command.bundle_flag) add_bundle_flag(app, trust);
  Runner run = command.setup(app);
  // As docker's flags (pflag): a repeatable flag takes one value each time it is given, so
  // `pin --build-arg K=V CONTEXT` leaves CONTEXT to the positional argument.
  for (CLI::Option* opt : app.get_options())
    if (!opt->get_positional()) opt->allow_extra_args(false);
  return run;
}

void add_trust_flags(CLI::App& app, TrustOptions& options) {
  app.add_option_function<std::string>(
         "--server", [&options](const std::string& v) { options.server = v; },
         "Notary server URL (default: DOCKER_CONTENT_TRUST_SERVER, the notary config, or the "
         "registry's host)")
      ->type_name("string");
  app.add_option_function<std::string>(
         "--trust-dir", [&options](const std::string& v) { options.trust_dir = v; },
         "Directory of trust data and keys (default: <config dir>/trust)")
      ->type_name("string");
}

}  // namespace dct::plugin
