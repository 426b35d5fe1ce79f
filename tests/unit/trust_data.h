#pragma once
// Reading test data files (tests/data/...) for the key, certificate and canonical JSON tests.
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>

namespace dct::test {

inline std::filesystem::path data_path(const std::filesystem::path& relative) {
  return std::filesystem::path(DCT_TEST_DATA_DIR) / relative;
}

inline std::string read_data(const std::filesystem::path& relative) {
  std::ifstream in(data_path(relative), std::ios::binary);
  if (!in) throw std::runtime_error("missing test data " + relative.string());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline nlohmann::json read_json(const std::filesystem::path& relative) {
  return nlohmann::json::parse(read_data(relative));
}

// The metadata files of a repository published by the real notary client
// (tests/data/make_notary_repos.sh), relative to tests/data.
inline const char* const kNotaryRepos[] = {"notary-repo-ecdsa", "notary-repo-rsa"};

}  // namespace dct::test
