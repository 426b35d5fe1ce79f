// Docker certificate directories and notary TLS options.
#include <doctest/doctest.h>

#include <string>

#include "base/errors.h"
#include "registry/tls_config.h"
#include "registry_test_server.h"

using namespace dct::registry;
using dct::test::ScopedEnv;
using dct::test::TempDir;
using dct::test::write_file;

TEST_CASE("tls config: certs directory rules") {
  TempDir dir;
  TlsOptions none;
  read_certs_directory(dir / "missing", none);
  CHECK(none == TlsOptions{});

  write_file(dir / "d/b.crt", "x");
  write_file(dir / "d/a.crt", "x");
  write_file(dir / "d/client.cert", "x");
  write_file(dir / "d/client.key", "x");
  write_file(dir / "d/README", "x");
  TlsOptions tls;
  read_certs_directory(dir / "d", tls);
  CHECK(tls.ca_files == std::vector<std::filesystem::path>{dir / "d/a.crt", dir / "d/b.crt"});
  CHECK(tls.client_cert == dir / "d/client.cert");
  CHECK(tls.client_key == dir / "d/client.key");
  CHECK(tls.roots == TlsOptions::Roots::system_plus_extra);

  write_file(dir / "e/lonely.cert", "x");
  try {
    TlsOptions t;
    read_certs_directory(dir / "e", t);
    FAIL("no error");
  } catch (const dct::Error& e) {
    CHECK(e.code() == dct::ErrorCode::tls_config);
    CHECK(std::string(e.what()).find("lonely.cert") != std::string::npos);
    CHECK(std::string(e.what()).find("lonely.key") != std::string::npos);
  }
  write_file(dir / "f/orphan.key", "x");
  TlsOptions t2;
  CHECK_THROWS_WITH_AS(read_certs_directory(dir / "f", t2), doctest::Contains("orphan.cert"),
                       dct::Error);
}

TEST_CASE("tls config: notary server") {
  TempDir cfgdir;
  write_file(cfgdir / "tls/notary.example:4443/ca.crt", "x");
  TlsOptions t = notary_tls(cfgdir.path(), "https://notary.example:4443/sub");
  CHECK(t.ca_files ==
        std::vector<std::filesystem::path>{cfgdir / "tls/notary.example:4443/ca.crt"});
  CHECK(t.roots == TlsOptions::Roots::system_plus_extra);
  CHECK(notary_tls(cfgdir.path(), "https://notary.example").ca_files.empty());

  NotaryConfig nc;
  nc.remote.url = "https://NOTARY.example:4443";
  nc.remote.root_ca = "/pki/root.pem";
  nc.remote.tls_client_cert = "/pki/c.cert";
  nc.remote.tls_client_key = "/pki/c.key";
  TlsOptions x = notary_tls(cfgdir.path(), "https://notary.example:4443", &nc);
  CHECK(x.roots == TlsOptions::Roots::exclusive);
  CHECK(x.ca_files.front() == "/pki/root.pem");
  CHECK(x.ca_files.size() == 2);
  CHECK(x.client_cert == "/pki/c.cert");
  // The notary config's TLS settings belong to its own server only.
  TlsOptions other = notary_tls(cfgdir.path(), "https://elsewhere:4443", &nc);
  CHECK(other.roots == TlsOptions::Roots::system_plus_extra);
  CHECK(other.client_cert.empty());
}

TEST_CASE("tls config: registries use certs.d and the config dir") {
  TempDir certs;
  TempDir cfgdir;
  ScopedEnv env("DCT_CERTS_D", certs.path().string());
  CHECK(certs_d_root() == certs.path());
  write_file(certs / "myreg:5000/ca.crt", "x");
  write_file(cfgdir / "tls/myreg:5000/extra.crt", "x");
  TlsOptions t = registry_tls(cfgdir.path(), "myreg:5000");
  CHECK(t.ca_files == std::vector<std::filesystem::path>{certs / "myreg:5000/ca.crt",
                                                         cfgdir / "tls/myreg:5000/extra.crt"});
  ScopedEnv unset("DCT_CERTS_D", std::nullopt);
  CHECK(certs_d_root() == "/etc/docker/certs.d");
}
