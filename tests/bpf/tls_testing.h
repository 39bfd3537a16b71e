// Shared by the OpenSSL tests and benchmark under tests/bpf: a throw-away server
// certificate, and the libssl file this process maps (where the uprobes go).
#pragma once

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <fstream>
#include <sstream>
#include <string>

#include "core/tls/mapped_files.h"

namespace hugin::testing_bpf {

// Gives `ctx` a fresh self-signed P-256 certificate named `cn`, valid for an hour.
inline void UseSelfSignedCert(SSL_CTX* ctx, const char* cn) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_set_pubkey(cert, key);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(cert), "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn), -1, -1, 0);
  X509_set_issuer_name(cert, X509_get_subject_name(cert));
  X509_sign(cert, key, EVP_sha256());
  SSL_CTX_use_certificate(ctx, cert);
  SSL_CTX_use_PrivateKey(ctx, key);
  X509_free(cert);  // the context holds its own references
  EVP_PKEY_free(key);
}

// The libssl this process maps (a forked child maps the same file); empty if none.
inline std::string LibSslPath() {
  std::ifstream in("/proc/self/maps");
  std::stringstream s;
  s << in.rdbuf();
  for (const tls::MappedFile& f : tls::ParseMaps(s.str()))
    if (tls::IsLibSsl(f.path)) return f.path;
  return "";
}

}  // namespace hugin::testing_bpf
