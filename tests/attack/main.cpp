// TEST ONLY. The attack suite: every attack in cases.cpp against docker-dct, staged from a real
// repository that tests/e2e/test_attacks.sh published and downloaded.
//
//   dct_attack --dct BIN --gun GUN --metadata DIR --trust-dir DIR --docker-config DIR
//              --work DIR [--only TEXT]
// Passphrases come from NOTARY_{ROOT,TARGETS,DELEGATION}_PASSPHRASE; with DCT_RESULTS_DIR set,
// one line per case is appended to $DCT_RESULTS_DIR/attacks.tsv. Exit 1 when any case failed.
#include <cstdlib>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "cases.h"
#include "mutator.h"
#include "runner.h"

int main(int argc, char** argv) {
  using namespace dct::attack;
  std::map<std::string, std::string> args;
  for (int i = 1; i + 1 < argc; i += 2) args[argv[i]] = argv[i + 1];
  for (const char* required : {"--dct", "--gun", "--metadata", "--trust-dir", "--work"})
    if (!args.count(required)) {
      std::cerr << "dct_attack: missing " << required << " (see the header of main.cpp)\n";
      return 2;
    }
  try {
    KeyPool pool;
    Repo baseline = load_baseline(args["--metadata"], args["--trust-dir"], args["--gun"], pool);
    Runner::Options options;
    options.dct_bin = args["--dct"];
    options.work_dir = args["--work"];
    options.keys_dir = std::filesystem::path(args["--trust-dir"]) / "private";
    options.docker_config = args["--docker-config"];
    if (const char* dir = std::getenv("DCT_RESULTS_DIR"); dir && *dir)
      options.results_file = std::string(dir) + "/attacks.tsv";
    Runner runner(options, baseline);
    int total = 0;
    std::vector<std::string> failures;
    for (const auto& c : all_cases(pool)) {
      if (args.count("--only") && (c.area + " " + c.name).find(args["--only"]) == std::string::npos)
        continue;
      ++total;
      Outcome o = runner.run(c);
      if (o.pass) continue;
      std::string f = c.area + " / " + c.name;
      for (const auto& p : o.problems) f += "\n    " + p;
      failures.push_back(f);
    }
    std::cout << total - failures.size() << " of " << total << " attack cases passed\n";
    // Repeated last, where a log cut to its head and tail still shows them.
    for (const auto& f : failures) std::cout << "FAILED " << f << "\n";
    return failures.empty() ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "dct_attack: " << e.what() << "\n";
    return 2;
  }
}
